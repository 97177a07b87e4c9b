#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"
#include "core/oci/ocilayout.h"

#include "layerfixtures.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

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

qint64 peakRssBytes()
{
    struct rusage usage;
    return ::getrusage(RUSAGE_SELF, &usage) == 0 ? qint64(usage.ru_maxrss) * 1024 : -1;
}

// Copies every member of the tar `from` into the open writer `a`.
void copyMembers(struct archive *a, const QString &from)
{
    struct archive *in = archive_read_new();
    archive_read_support_format_tar(in);
    archive_read_open_filename(in, QFile::encodeName(from).constData(), 1 << 16);
    struct archive_entry *entry = nullptr;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    while (archive_read_next_header(in, &entry) == ARCHIVE_OK) {
        archive_write_header(a, entry);
        for (la_ssize_t n; (n = archive_read_data(in, buffer.data(), size_t(buffer.size()))) > 0;)
            archive_write_data(a, buffer.constData(), size_t(n));
    }
    archive_read_free(in);
}

void addMember(struct archive *a, const QByteArray &name, const QByteArray &content)
{
    struct archive_entry *entry = archive_entry_new();
    archive_entry_set_pathname(entry, name.constData());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, content.size());
    archive_write_header(a, entry);
    archive_write_data(a, content.constData(), size_t(content.size()));
    archive_entry_free(entry);
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
    void manySmallMembersStreamed();
    void documentBounds_data();
    void documentBounds();
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

// A small .tar.gz of 80 members of 4 MiB zeros before a real image: reading it once
// took over 300 MB when every member up to 4 MiB was held in memory.
void TestDockerArchive::manySmallMembersStreamed()
{
    QTemporaryDir dir;
    const QString bomb = dir.filePath(QStringLiteral("bomb.tar.gz"));
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    QVERIFY(archive_write_open_filename(a, QFile::encodeName(bomb).constData()) == ARCHIVE_OK);
    const QByteArray zeros(4 << 20, '\0');
    for (int i = 0; i < 80; ++i)
        addMember(a, "junk/" + QByteArray::number(i), zeros);
    copyMembers(a, imagesDir() + QStringLiteral("/base.docker.tar"));
    archive_write_close(a);
    archive_write_free(a);
    QVERIFY(QFileInfo(bomb).size() < 4 << 20);

    const qint64 before = peakRssBytes();
    auto archive = DockerArchive::open(bomb);
    const qint64 growth = peakRssBytes() - before;
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    QVERIFY(archive->image(QStringLiteral("busybox:fixture")));
    QVERIFY2(growth < qint64(128) << 20, qPrintable(QStringLiteral("peak RSS grew by %1 bytes").arg(growth)));
}

void TestDockerArchive::documentBounds_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::addRow("manifest-over-16MiB")
        << 0 << QStringLiteral("manifest.json has 16777217 bytes, more than the 16777216 allowed");
    QTest::addRow("config-over-16MiB")
        << 1 << QStringLiteral("`big.json` has 16777217 bytes, more than the 16777216 a config may have");
    QTest::addRow("members-over-100000") << 2 << QStringLiteral("has more than 100000 members");
}

void TestDockerArchive::documentBounds()
{
    QFETCH(int, kind);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("archive.tar.gz"));
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    QVERIFY(archive_write_open_filename(a, QFile::encodeName(path).constData()) == ARCHIVE_OK);
    const qsizetype over = (16 << 20) + 1;
    QByteArray manifest = R"([{"Config":"big.json","RepoTags":["big:1"],"Layers":[]}])";
    if (kind == 0)
        manifest = manifest.leftJustified(over, ' ');
    if (kind == 1)
        addMember(a, "big.json",
                  QByteArray(R"({"rootfs":{"type":"layers","diff_ids":[]}})").leftJustified(over, ' '));
    if (kind == 2)
        for (int i = 0; i <= 100000; ++i)
            addMember(a, "m/" + QByteArray::number(i), {});
    addMember(a, "manifest.json", manifest);
    archive_write_close(a);
    archive_write_free(a);
    auto archive = DockerArchive::open(path);
    QVERIFY(!archive);
    QVERIFY2(archive.error().message.contains(message), qPrintable(archive.error().message));
}

QTEST_GUILESS_MAIN(TestDockerArchive)
#include "tst_dockerarchive.moc"
