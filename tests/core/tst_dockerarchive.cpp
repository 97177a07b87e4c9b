#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"
#include "core/oci/ocilayout.h"

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

QJsonObject inspect(const QString &name)
{
    QFile f(imagesDir() + QLatin1Char('/') + name + QStringLiteral(".inspect.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).array().first().toObject();
}

QStringList expectedDiffIds(const QString &name)
{
    QStringList ids;
    for (const QJsonValue &v :
         inspect(name).value(QLatin1String("RootFS")).toObject().value(QLatin1String("Layers")).toArray())
        ids << v.toString();
    return ids;
}

QStringList diffIdsOf(const Image &image)
{
    QStringList ids;
    for (const ImageLayer &l : image.layers)
        ids << l.diffId.toString();
    return ids;
}

} // namespace

class TestDockerArchive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsDockerSave_data();
    void readsDockerSave();
    void whiteouts();
    void historyMapsToLayers();
    void sameAsOciLayout_data();
    void sameAsOciLayout();
    void notAnArchive();
};

void TestDockerArchive::readsDockerSave_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("tag");
    QTest::addRow("base") << QStringLiteral("base") << QStringLiteral("busybox:fixture");
    QTest::addRow("build") << QStringLiteral("build") << QStringLiteral("stagecraft-fixture:build");
    QTest::addRow("final") << QStringLiteral("final") << QStringLiteral("stagecraft-fixture:final");
}

void TestDockerArchive::readsDockerSave()
{
    QFETCH(QString, name);
    QFETCH(QString, tag);
    auto archive = DockerArchive::open(imagesDir() + QLatin1Char('/') + name + QStringLiteral(".docker.tar"));
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    auto image = archive->image();
    QVERIFY(image);
    QCOMPARE(image->names, QStringList{tag});
    QVERIFY(archive->image(tag));
    const QJsonObject expected = inspect(name);
    if (!expected.isEmpty()) {
        QCOMPARE(image->id().toString(), expected.value(QLatin1String("Id")).toString());
        QCOMPARE(diffIdsOf(*image), expectedDiffIds(name));
    }
    // Every layer read back gives the diff ID the config states; Docker's size is the sum
    // of regular file bytes.
    qint64 fileBytes = 0;
    for (int i = 0; i < image->layers.size(); ++i) {
        auto device = image->openLayer(i);
        QVERIFY(device);
        auto contents = LayerReader::readAll(device->get());
        QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
        QCOMPARE(contents->diffId, image->layers[i].diffId);
        if (i > 0 || name != QLatin1String("build"))
            fileBytes += contents->fileBytes();
    }
    // Docker counted the imported base layer (busybox:fixture) with its symlinks' target
    // lengths (105 bytes); layers it built count regular file bytes only.
    if (name == QLatin1String("build"))
        QCOMPARE(fileBytes, qint64(3096536 - 1982391));
    else if (name == QLatin1String("final"))
        QCOMPARE(fileBytes, qint64(expected.value(QLatin1String("Size")).toDouble()));
}

void TestDockerArchive::whiteouts()
{
    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/build.docker.tar"));
    QVERIFY(archive);
    const Image image = archive->images().first();
    QStringList whiteouts;
    for (int i = 0; i < image.layers.size(); ++i) {
        auto device = image.openLayer(i);
        QVERIFY(device);
        auto contents = LayerReader::readAll(device->get());
        QVERIFY(contents);
        for (const LayerEntry &e : contents->entries) {
            if (e.type == EntryType::Whiteout)
                whiteouts << QStringLiteral("%1:wh:%2").arg(i).arg(e.path);
            if (e.type == EntryType::OpaqueWhiteout)
                whiteouts << QStringLiteral("%1:opq:%2").arg(i).arg(e.path);
        }
    }
    QVERIFY2(whiteouts.contains(QStringLiteral("5:wh:out/blob.bin")), qPrintable(whiteouts.join(u' ')));
    QVERIFY2(whiteouts.contains(QStringLiteral("7:opq:cache")), qPrintable(whiteouts.join(u' ')));
}

void TestDockerArchive::historyMapsToLayers()
{
    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/build.docker.tar"));
    QVERIFY(archive);
    const Image image = archive->images().first();
    QCOMPARE(image.layers.size(), 8);
    QVERIFY(image.layers[3].history.createdBy.contains(QStringLiteral("COPY hello.txt")));
    QVERIFY(image.layers[2].history.createdBy.contains(QStringLiteral("WORKDIR /src")));
    QVERIFY(image.layers[7].history.createdBy.contains(QStringLiteral("rm -rf /cache")));
    for (const ImageLayer &l : image.layers)
        QVERIFY(!l.history.emptyLayer && l.historyIndex >= 0);
}

void TestDockerArchive::sameAsOciLayout_data()
{
    QTest::addColumn<QString>("name");
    QTest::addRow("build") << QStringLiteral("build");
    QTest::addRow("final") << QStringLiteral("final");
}

void TestDockerArchive::sameAsOciLayout()
{
    QFETCH(QString, name);
    auto archive = DockerArchive::open(imagesDir() + QLatin1Char('/') + name + QStringLiteral(".docker.tar"));
    QVERIFY(archive);
    auto layout = OciLayout::open(imagesDir() + QLatin1Char('/') + name + QStringLiteral(".oci"));
    QVERIFY2(layout, qPrintable(layout ? QString() : layout.error().message));
    auto fromLayout = layout->image();
    QVERIFY2(fromLayout, qPrintable(fromLayout ? QString() : fromLayout.error().message));
    const Image fromArchive = archive->images().first();
    QCOMPARE(diffIdsOf(*fromLayout), diffIdsOf(fromArchive));
    QCOMPARE(fromLayout->config.history.size(), fromArchive.config.history.size());
    for (int i = 0; i < fromArchive.layers.size(); ++i)
        QCOMPARE(fromLayout->layers[i].history.createdBy, fromArchive.layers[i].history.createdBy);
}

void TestDockerArchive::notAnArchive()
{
    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/README.md"));
    QVERIFY(!archive);
    auto missing = DockerArchive::open(imagesDir() + QStringLiteral("/nope.tar"));
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(QStringLiteral("nope.tar")));
}

QTEST_GUILESS_MAIN(TestDockerArchive)
#include "tst_dockerarchive.moc"
