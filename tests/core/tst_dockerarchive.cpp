#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"
#include "core/oci/ocilayout.h"

#include "layerfixtures.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
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
    void newerLayoutWithBlobs();
    void compressedArchive();
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

// Newer Docker saves blobs under blobs/sha256/ (and the layers may be compressed);
// manifest.json then names those paths. Built here from the OCI layout of the same image.
void TestDockerArchive::newerLayoutWithBlobs()
{
    auto layout = OciLayout::open(imagesDir() + QStringLiteral("/final.oci"));
    QVERIFY(layout);
    auto image = layout->image();
    QVERIFY(image);
    QTemporaryDir dir;
    const QString tarPath = dir.filePath(QStringLiteral("new.tar"));
    QList<fixtures::TarEntry> entries;
    QJsonArray layers;
    const auto addBlob = [&](const Digest &d) {
        QFile f(layout->blobs()->blobPath(d));
        QVERIFY(f.open(QIODevice::ReadOnly));
        entries << fixtures::TarEntry(QStringLiteral("blobs/sha256/") + d.hex(), 'f', f.readAll());
    };
    addBlob(image->manifest.config.digest);
    for (const ImageLayer &l : image->layers) {
        addBlob(l.descriptor.digest);
        layers.append(QString(QStringLiteral("blobs/sha256/") + l.descriptor.digest.hex()));
    }
    QJsonObject entry;
    entry.insert(QStringLiteral("Config"),
                 QString(QStringLiteral("blobs/sha256/") + image->manifest.config.digest.hex()));
    entry.insert(QStringLiteral("RepoTags"), QJsonArray{QStringLiteral("new:layout")});
    entry.insert(QStringLiteral("Layers"), layers);
    entries << fixtures::TarEntry(QStringLiteral("manifest.json"), 'f',
                                  QJsonDocument(QJsonArray{entry}).toJson());
    QFile out(tarPath);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(fixtures::makeTar(entries));
    out.close();

    auto archive = DockerArchive::open(tarPath);
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    auto read = archive->image(QStringLiteral("new:layout"));
    QVERIFY(read);
    QCOMPARE(diffIdsOf(*read), diffIdsOf(*image));
    for (int i = 0; i < read->layers.size(); ++i) {
        QCOMPARE(read->layers[i].descriptor.digest, image->layers[i].descriptor.digest);
        QCOMPARE(read->layers[i].descriptor.mediaType,
                 QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"));
        auto device = read->openLayer(i);
        QVERIFY(device);
        auto contents = LayerReader::readAll(device->get());
        QVERIFY(contents);
        QCOMPARE(contents->diffId, read->layers[i].diffId);
    }
}

void TestDockerArchive::compressedArchive()
{
    QFile in(imagesDir() + QStringLiteral("/base.docker.tar"));
    QVERIFY(in.open(QIODevice::ReadOnly));
    QTemporaryDir dir;
    const QString gz = dir.filePath(QStringLiteral("base.tar.gz"));
    QProcess gzip;
    gzip.setStandardInputFile(in.fileName());
    gzip.setStandardOutputFile(gz);
    gzip.start(QStringLiteral("gzip"), {QStringLiteral("-c")});
    QVERIFY(gzip.waitForFinished());
    auto archive = DockerArchive::open(gz);
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    auto image = archive->image(QStringLiteral("busybox:fixture"));
    QVERIFY(image);
    auto device = image->openLayer(0);
    QVERIFY(device);
    auto contents = LayerReader::readAll(device->get());
    QVERIFY(contents);
    QCOMPARE(contents->diffId, image->layers[0].diffId);
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
