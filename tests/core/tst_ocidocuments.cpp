#include "core/oci/imageconfig.h"
#include "core/oci/imageindex.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/mediatype.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace stagecraft;

namespace {

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

QByteArray blob(const QString &layout, const QString &hex)
{
    QFile f(imagesDir() + QLatin1Char('/') + layout + QStringLiteral("/blobs/sha256/") + hex);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray indexEntry(const QString &platform, const QString &hexDigit)
{
    const QStringList p = platform.split(QLatin1Char('/'));
    QJsonObject plat{{QStringLiteral("os"), p[0]}, {QStringLiteral("architecture"), p[1]}};
    if (p.size() > 2)
        plat.insert(QStringLiteral("variant"), p[2]);
    QJsonObject o;
    o.insert(QStringLiteral("mediaType"), QString(mediatype::OciManifest));
    o.insert(QStringLiteral("digest"), QString(QStringLiteral("sha256:") + QString(64, hexDigit.at(0))));
    o.insert(QStringLiteral("size"), 100);
    o.insert(QStringLiteral("platform"), plat);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestOciDocuments : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void manifestRoundTrip();
    void configRoundTrip();
    void configEdits();
    void indexSelect_data();
    void indexSelect();
    void badDocuments_data();
    void badDocuments();
};

void TestOciDocuments::manifestRoundTrip()
{
    const QByteArray index = [] {
        QFile f(imagesDir() + QStringLiteral("/build.oci/index.json"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    auto parsedIndex = ImageIndex::parse(index);
    QVERIFY(parsedIndex);
    const Descriptor d = parsedIndex->manifests.first();
    QCOMPARE(d.refName(), QStringLiteral("stagecraft-fixture-build"));
    QCOMPARE(QJsonDocument::fromJson(parsedIndex->toJson()), QJsonDocument::fromJson(index));
    const QByteArray bytes = blob(QStringLiteral("build.oci"), d.digest.hex());
    auto manifest = ImageManifest::parse(bytes);
    QVERIFY2(manifest, qPrintable(manifest ? QString() : manifest.error().message));
    QCOMPARE(manifest->layers.size(), 8);
    QCOMPARE(manifest->layers.first().mediaType, QString(mediatype::OciLayerGzip));
    auto again = ImageManifest::parse(manifest->toJson());
    QVERIFY(again);
    QCOMPARE(again->toJson(), manifest->toJson());
    QCOMPARE(QJsonDocument::fromJson(manifest->toJson()), QJsonDocument::fromJson(bytes));
}

void TestOciDocuments::configRoundTrip()
{
    auto index = ImageIndex::parse([] {
        QFile f(imagesDir() + QStringLiteral("/build.oci/index.json"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }());
    QVERIFY(index);
    auto manifest =
        ImageManifest::parse(blob(QStringLiteral("build.oci"), index->manifests.first().digest.hex()));
    QVERIFY(manifest);
    const QByteArray bytes = blob(QStringLiteral("build.oci"), manifest->config.digest.hex());
    auto config = ImageConfig::parse(bytes);
    QVERIFY2(config, qPrintable(config ? QString() : config.error().message));
    QCOMPARE(config->architecture, QStringLiteral("amd64"));
    QCOMPARE(config->config.workingDir, QStringLiteral("/src"));
    QCOMPARE(config->config.envValue(QStringLiteral("GREETING")), QStringLiteral("hello"));
    QCOMPARE(config->config.labels.value(QStringLiteral("org.example.stage")), QStringLiteral("build"));
    QCOMPARE(config->diffIds.size(), 8);
    QCOMPARE(config->layerHistoryIndexes().size(), 8);
    // Writing back keeps every field, known or not.
    QCOMPARE(QJsonDocument::fromJson(config->toJson()), QJsonDocument::fromJson(bytes));
    QCOMPARE(ImageConfig::parse(config->toJson())->toJson(), config->toJson());
}

void TestOciDocuments::configEdits()
{
    auto config = ImageConfig::parse(R"({"architecture":"amd64","os":"linux","x-unknown":{"keep":1},
        "config":{"Cmd":null,"Env":["A=1"],"Custom":true},"rootfs":{"type":"layers","diff_ids":[]}})");
    QVERIFY(config);
    config->config.cmd = {QStringLiteral("/bin/sh")};
    config->config.exposedPorts = {QStringLiteral("80/tcp")};
    config->history << HistoryEntry{
        QStringLiteral("2026-01-01T00:00:00Z"), QStringLiteral("ENV A=1"), {}, {}, true, {}};
    const QJsonObject o = QJsonDocument::fromJson(config->toJson()).object();
    QCOMPARE(o.value(QLatin1String("x-unknown")).toObject().value(QLatin1String("keep")).toInt(), 1);
    const QJsonObject c = o.value(QLatin1String("config")).toObject();
    QVERIFY(c.value(QLatin1String("Custom")).toBool());
    QCOMPARE(c.value(QLatin1String("Cmd")).toArray().first().toString(), QStringLiteral("/bin/sh"));
    QVERIFY(c.value(QLatin1String("ExposedPorts")).toObject().contains(QLatin1String("80/tcp")));
    QVERIFY(o.value(QLatin1String("history"))
                .toArray()
                .first()
                .toObject()
                .value(QLatin1String("empty_layer"))
                .toBool());
    QVERIFY(!config->toJson().contains(' ') || config->toJson().contains("ENV A=1"));
}

void TestOciDocuments::indexSelect_data()
{
    QTest::addColumn<QString>("wanted");
    QTest::addColumn<QString>("expectedDigit"); // empty: no match
    QTest::addRow("default-amd64") << QStringLiteral("linux/amd64") << QStringLiteral("a");
    QTest::addRow("arm64-v8") << QStringLiteral("linux/arm64/v8") << QStringLiteral("c");
    QTest::addRow("arm-v7") << QStringLiteral("linux/arm/v7") << QStringLiteral("b");
    QTest::addRow("arm-v6") << QStringLiteral("linux/arm/v6") << QString();
    QTest::addRow("s390x") << QStringLiteral("linux/s390x") << QString();
}

void TestOciDocuments::indexSelect()
{
    QFETCH(QString, wanted);
    QFETCH(QString, expectedDigit);
    const QByteArray json =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
        indexEntry(QStringLiteral("unknown/unknown"), QStringLiteral("d")) + ',' +
        indexEntry(QStringLiteral("linux/amd64"), QStringLiteral("a")) + ',' +
        indexEntry(QStringLiteral("linux/arm/v7"), QStringLiteral("b")) + ',' +
        indexEntry(QStringLiteral("linux/arm64"), QStringLiteral("c")) + "]}";
    auto index = ImageIndex::parse(json);
    QVERIFY2(index, qPrintable(index ? QString() : index.error().message));
    auto platform = Platform::parse(wanted);
    QVERIFY(platform);
    auto chosen = index->select(*platform);
    QCOMPARE(chosen.has_value(), !expectedDigit.isEmpty());
    if (chosen)
        QCOMPARE(chosen->digest.hex().at(0), expectedDigit.at(0));
    else
        QVERIFY(chosen.error().message.contains(QStringLiteral("linux/amd64")));
}

void TestOciDocuments::badDocuments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("not-json") << QByteArray("{nope");
    QTest::addRow("array") << QByteArray("[]");
    QTest::addRow("schema1") << QByteArray(R"({"schemaVersion":1})");
    QTest::addRow("no-config") << QByteArray(R"({"schemaVersion":2,"layers":[]})");
    QTest::addRow("bad-digest") << QByteArray(
        R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:zz","size":1},"layers":[]})");
    QTest::addRow("negative-size") << QByteArray(
        R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855","size":-1},"layers":[]})");
}

void TestOciDocuments::badDocuments()
{
    QFETCH(QByteArray, json);
    auto manifest = ImageManifest::parse(json);
    QVERIFY(!manifest);
    QVERIFY(!manifest.error().message.isEmpty());
}

QTEST_GUILESS_MAIN(TestOciDocuments)
#include "tst_ocidocuments.moc"
