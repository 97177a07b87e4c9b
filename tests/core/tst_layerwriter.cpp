#include "core/oci/imageconfig.h"
#include "core/oci/imagemanifest.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"
#include "core/oci/parallelgzip.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <unistd.h>
#include <utime.h>

using namespace stagecraft;

namespace {

LayerSourceEntry entry(const QString &path, EntryType type, const QByteArray &content = {},
                       const QString &link = {})
{
    LayerSourceEntry s;
    s.entry.path = path;
    s.entry.type = type;
    s.entry.mode = type == EntryType::Directory ? 0755 : 0644;
    s.entry.mtime = 1700000000;
    s.entry.size = content.size();
    s.entry.linkTarget = link;
    s.content = content;
    return s;
}

QList<LayerSourceEntry> sampleEntries()
{
    return {entry(QStringLiteral("usr/bin/tool"), EntryType::File, "#!/bin/sh\necho hi\n"),
            entry(QStringLiteral("etc/"), EntryType::Directory),
            entry(QStringLiteral("usr/bin/alias"), EntryType::Symlink, {}, QStringLiteral("tool")),
            entry(QStringLiteral("tmp/gone"), EntryType::Whiteout),
            entry(QStringLiteral("var/cache"), EntryType::OpaqueWhiteout),
            entry(QStringLiteral("usr/bin/hard"), EntryType::Hardlink, {}, QStringLiteral("usr/bin/tool")),
            entry(QStringLiteral("usr/"), EntryType::Directory),
            entry(QStringLiteral("usr/bin/"), EntryType::Directory)};
}

void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

} // namespace

class TestLayerWriter : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void entriesRoundTrip_data();
    void entriesRoundTrip();
    void reproducible();
    void deterministicGzipHeader();
    void gzipMembers();
    void emptyGzip();
    void zstdLayers();
    void directoryWithHardlinks();
    void walkOrder();
    void umociUnpacksWrittenImage();
};

void TestLayerWriter::entriesRoundTrip_data()
{
    QTest::addColumn<int>("compression");
    QTest::addRow("gzip") << int(Compression::Gzip);
    QTest::addRow("zstd") << int(Compression::Zstd);
    QTest::addRow("none") << int(Compression::None);
}

void TestLayerWriter::entriesRoundTrip()
{
    QFETCH(int, compression);
    LayerWriteOptions options;
    options.compression = Compression(compression);
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    auto written = LayerWriter::write(sampleEntries(), &out, options);
    QVERIFY2(written, qPrintable(written ? QString() : written.error().message));
    QCOMPARE(written->size, out.data().size());
    QCOMPARE(written->digest, Digest::ofBytes(out.data()));
    if (options.compression == Compression::None)
        QCOMPARE(written->digest, written->diffId);
    QCOMPARE(written->mediaType, ociLayerMediaType(options.compression));

    QBuffer in;
    in.setData(out.data());
    in.open(QIODevice::ReadOnly);
    auto contents = LayerReader::readAll(&in);
    QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
    QCOMPARE(contents->diffId, written->diffId);
    QCOMPARE(contents->compression, options.compression);
    QStringList dump;
    for (const LayerEntry &e : contents->entries)
        dump << QStringLiteral("%1:%2:%3").arg(int(e.type)).arg(e.path, e.linkTarget);
    const QStringList expected{
        QStringLiteral("%1:etc:").arg(int(EntryType::Directory)),
        QStringLiteral("%1:tmp/gone:").arg(int(EntryType::Whiteout)),
        QStringLiteral("%1:usr:").arg(int(EntryType::Directory)),
        QStringLiteral("%1:usr/bin:").arg(int(EntryType::Directory)),
        QStringLiteral("%1:usr/bin/alias:tool").arg(int(EntryType::Symlink)),
        QStringLiteral("%1:usr/bin/hard:usr/bin/tool").arg(int(EntryType::Hardlink)),
        QStringLiteral("%1:usr/bin/tool:").arg(int(EntryType::File)),
        QStringLiteral("%1:var/cache:").arg(int(EntryType::OpaqueWhiteout)),
    };
    QCOMPARE(dump, expected);
}

void TestLayerWriter::reproducible()
{
    LayerWriteOptions options;
    options.fixedMtime = 0;
    QList<LayerSourceEntry> entries = sampleEntries();
    QBuffer a;
    a.open(QIODevice::WriteOnly);
    auto first = LayerWriter::write(entries, &a, options);
    // Other times, other order: the same layer.
    for (LayerSourceEntry &e : entries)
        e.entry.mtime += 12345;
    std::reverse(entries.begin(), entries.end());
    QBuffer b;
    b.open(QIODevice::WriteOnly);
    auto second = LayerWriter::write(entries, &b, options);
    QVERIFY(first && second);
    QCOMPARE(first->digest, second->digest);
    QCOMPARE(a.data(), b.data());
}

void TestLayerWriter::deterministicGzipHeader()
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    QVERIFY(LayerWriter::write(sampleEntries(), &out));
    const QByteArray bytes = out.data();
    QVERIFY(bytes.startsWith("\x1f\x8b\x08"));
    QCOMPARE(int(bytes[3]), 0);                     // no FNAME, FCOMMENT, FEXTRA
    QCOMPARE(bytes.mid(4, 4), QByteArray(4, '\0')); // MTIME 0
}

namespace {

// What the system's gzip makes of `bytes` (it reads every member, as Go's reader does).
QByteArray gunzip(const QByteArray &bytes)
{
    QProcess gzip;
    gzip.start(QStringLiteral("gzip"), {QStringLiteral("-dc")});
    if (!gzip.waitForStarted())
        return "gzip not started";
    gzip.write(bytes);
    gzip.closeWriteChannel();
    QByteArray out;
    while (gzip.state() != QProcess::NotRunning) {
        gzip.waitForReadyRead(1000);
        out += gzip.readAllStandardOutput();
    }
    out += gzip.readAllStandardOutput();
    return gzip.exitStatus() == QProcess::NormalExit && gzip.exitCode() == 0 ? out
                                                                             : QByteArray("gzip failed");
}

} // namespace

// A layer larger than one gzip member: 1 MiB of input per member, the members compressed on
// any number of threads give the same bytes, which libarchive (LayerReader) and gzip read
// back to the uncompressed tar.
void TestLayerWriter::gzipMembers()
{
    QByteArray big;
    big.reserve(3'700'000);
    quint32 x = 12345;
    while (big.size() < 3'700'000) {
        x = x * 1103515245u + 12345u;
        big += QByteArray::number(x >> 16) + (x % 7 == 0 ? "\n" : " ");
    }
    QList<LayerSourceEntry> entries = sampleEntries();
    entries.append(entry(QStringLiteral("usr/share/big.txt"), EntryType::File, big));
    entries.append(entry(QStringLiteral("usr/share/"), EntryType::Directory));

    LayerWriteOptions options;
    options.compression = Compression::None;
    QBuffer plain;
    plain.open(QIODevice::WriteOnly);
    auto uncompressed = LayerWriter::write(entries, &plain, options);
    QVERIFY(uncompressed);

    options.compression = Compression::Gzip;
    QByteArray previous;
    for (int threads : {1, 2, 5}) {
        options.threads = threads;
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        auto written = LayerWriter::write(entries, &out, options);
        QVERIFY2(written, qPrintable(written ? QString() : written.error().message));
        const QByteArray bytes = out.data();
        QCOMPARE(written->digest, Digest::ofBytes(bytes));
        QCOMPARE(written->size, bytes.size());
        QCOMPARE(written->diffId, uncompressed->diffId);
        QCOMPARE(written->uncompressedSize, plain.data().size());
        if (!previous.isEmpty())
            QCOMPARE(bytes, previous);
        previous = bytes;
    }
    // Four members at least: each starts with the gzip magic and deflate method.
    QVERIFY(previous.count(QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8)) >= 4);
    QCOMPARE(gunzip(previous), plain.data());

    QBuffer in;
    in.setData(previous);
    in.open(QIODevice::ReadOnly);
    auto contents = LayerReader::readAll(&in);
    QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
    QCOMPARE(contents->diffId, uncompressed->diffId);
    QCOMPARE(contents->compression, Compression::Gzip);
}

// No input still gives a gzip stream (one empty member), as an empty file compresses to.
void TestLayerWriter::emptyGzip()
{
    QByteArray out;
    ParallelGzip gzip(6, [&out](const char *data, qint64 length) {
        out.append(data, qsizetype(length));
        return true;
    });
    QVERIFY(gzip.finish());
    QVERIFY(out.startsWith("\x1f\x8b\x08"));
    QCOMPARE(gunzip(out), QByteArray());

    // A writer that refuses the output stops the compressor with an error, not a crash.
    ParallelGzip refusing(
        6, [](const char *, qint64) { return false; }, 2);
    const QByteArray chunk(ParallelGzip::MemberInput, 'a');
    bool ok = true;
    for (int i = 0; i < 8 && ok; ++i)
        ok = refusing.write(chunk.constData(), chunk.size());
    QVERIFY(!ok || !refusing.finish());
    QVERIFY(!refusing.error().isEmpty());
}

void TestLayerWriter::zstdLayers()
{
    LayerWriteOptions options;
    options.compression = Compression::Zstd;
    options.fixedMtime = 0;
    QBuffer a;
    a.open(QIODevice::WriteOnly);
    auto first = LayerWriter::write(sampleEntries(), &a, options);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    QVERIFY(a.data().startsWith("\x28\xb5\x2f\xfd")); // a zstd frame
    QCOMPARE(detectCompression(a.data().left(16)), Compression::Zstd);
    QCOMPARE(first->mediaType, QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd"));

    // The same layer again: the same bytes; and the same diff ID as uncompressed.
    QBuffer b;
    b.open(QIODevice::WriteOnly);
    auto second = LayerWriter::write(sampleEntries(), &b, options);
    QVERIFY(second);
    QCOMPARE(a.data(), b.data());
    options.compression = Compression::None;
    QBuffer plain;
    plain.open(QIODevice::WriteOnly);
    auto uncompressed = LayerWriter::write(sampleEntries(), &plain, options);
    QVERIFY(uncompressed);
    QCOMPARE(first->diffId, uncompressed->diffId);
    QVERIFY(first->size < uncompressed->size);
}

void TestLayerWriter::directoryWithHardlinks()
{
    QTemporaryDir dir;
    writeFile(dir.filePath(QStringLiteral("app/bin/main")), "binary");
    writeFile(dir.filePath(QStringLiteral("app/data.txt")), "data");
    QVERIFY(::link(QFile::encodeName(dir.filePath(QStringLiteral("app/bin/main"))).constData(),
                   QFile::encodeName(dir.filePath(QStringLiteral("app/main-link"))).constData()) == 0);
    QVERIFY(QFile::link(QStringLiteral("bin/main"), dir.filePath(QStringLiteral("app/run"))));
    LayerWriteOptions options;
    options.fixedMtime = 0;
    options.uid = 0;
    options.gid = 0;
    QBuffer a;
    a.open(QIODevice::WriteOnly);
    auto first = LayerWriter::writeDirectory(dir.path(), &a, options);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    ::utime(QFile::encodeName(dir.filePath(QStringLiteral("app/data.txt"))).constData(), nullptr);
    QBuffer b;
    b.open(QIODevice::WriteOnly);
    auto second = LayerWriter::writeDirectory(dir.path(), &b, options);
    QVERIFY(second);
    QCOMPARE(first->digest, second->digest);

    QBuffer in;
    in.setData(a.data());
    in.open(QIODevice::ReadOnly);
    auto contents = LayerReader::readAll(&in);
    QVERIFY(contents);
    QStringList dump;
    for (const LayerEntry &e : contents->entries)
        dump << QStringLiteral("%1:%2:%3").arg(int(e.type)).arg(e.path, e.linkTarget);
    QVERIFY2(dump.contains(QStringLiteral("%1:app/main-link:app/bin/main").arg(int(EntryType::Hardlink))),
             qPrintable(dump.join(u' ')));
    QVERIFY(dump.contains(QStringLiteral("%1:app/run:bin/main").arg(int(EntryType::Symlink))));
    QCOMPARE(contents->fileBytes(), qint64(10));
}

static QStringList rawNames(const QByteArray &tar)
{
    QBuffer in;
    in.setData(tar);
    in.open(QIODevice::ReadOnly);
    LayerReader reader(&in);
    QStringList names;
    for (;;) {
        auto next = reader.next();
        if (!next || !*next)
            return names;
        names << reader.rawName();
    }
}

void TestLayerWriter::walkOrder()
{
    // Docker and BuildKit list a layer as filepath.Walk finds it: a directory's contents
    // right after it, before a sibling whose name extends it with a byte below '/'; an
    // opaque marker right after its directory; a whiteout where its name would be.
    QList<LayerSourceEntry> entries{
        entry(QStringLiteral("a.d/f"), EntryType::File, "3"),
        entry(QStringLiteral("a-b"), EntryType::File, "2"),
        entry(QStringLiteral("a"), EntryType::OpaqueWhiteout),
        entry(QStringLiteral("a/gone"), EntryType::Whiteout),
        entry(QStringLiteral("a/f"), EntryType::File, "1"),
        entry(QStringLiteral("a.d"), EntryType::Directory),
        entry(QStringLiteral("a"), EntryType::Directory),
        entry(QStringLiteral("a b"), EntryType::File, "4"),
    };
    LayerWriteOptions options;
    options.compression = Compression::None;
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    QVERIFY(LayerWriter::write(entries, &out, options));
    QCOMPARE(rawNames(out.data()),
             (QStringList{QStringLiteral("a/"), QStringLiteral("a/.wh..wh..opq"), QStringLiteral("a/f"),
                          QStringLiteral("a/.wh.gone"), QStringLiteral("a b"), QStringLiteral("a-b"),
                          QStringLiteral("a.d/"), QStringLiteral("a.d/f")}));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const char *file : {"a/f", "a-b", "a.d/f", "a b", "ab"})
        writeFile(dir.filePath(QLatin1String(file)), "x");
    QBuffer tree;
    tree.open(QIODevice::WriteOnly);
    QVERIFY(LayerWriter::writeDirectory(dir.path(), &tree, options));
    QCOMPARE(rawNames(tree.data()),
             (QStringList{QStringLiteral("a/"), QStringLiteral("a/f"), QStringLiteral("a b"),
                          QStringLiteral("a-b"), QStringLiteral("a.d/"), QStringLiteral("a.d/f"),
                          QStringLiteral("ab")}));
}

void TestLayerWriter::umociUnpacksWrittenImage()
{
    const QString umoci = QStandardPaths::findExecutable(QStringLiteral("umoci"));
    if (umoci.isEmpty())
        QSKIP("umoci is not installed");
    QTemporaryDir dir;
    auto layout = OciLayout::create(dir.filePath(QStringLiteral("layout")));
    QVERIFY(layout);
    QList<QList<LayerSourceEntry>> layers{{entry(QStringLiteral("etc/motd"), EntryType::File, "hello\n"),
                                           entry(QStringLiteral("tmp/x"), EntryType::File, "x"),
                                           entry(QStringLiteral("var/cache/old"), EntryType::File, "old")},
                                          {entry(QStringLiteral("tmp/x"), EntryType::Whiteout),
                                           entry(QStringLiteral("var/cache"), EntryType::OpaqueWhiteout),
                                           entry(QStringLiteral("var/cache/new"), EntryType::File, "new")}};
    ImageManifest manifest;
    manifest.mediaType = mediatype::OciManifest;
    ImageConfig config;
    config.architecture = QStringLiteral("amd64");
    config.os = QStringLiteral("linux");
    for (const auto &entries : layers) {
        QTemporaryFile blob;
        QVERIFY(blob.open());
        auto written = LayerWriter::write(entries, &blob);
        QVERIFY(written);
        blob.seek(0);
        QVERIFY(layout->writeBlob(written->digest, written->size, &blob));
        manifest.layers << written->descriptor();
        config.diffIds << written->diffId;
    }
    auto configDescriptor = layout->writeBlob(config.toJson(), mediatype::OciConfig);
    QVERIFY(configDescriptor);
    manifest.config = *configDescriptor;
    auto manifestDescriptor = layout->writeBlob(manifest.toJson(), mediatype::OciManifest);
    QVERIFY(manifestDescriptor);
    auto image = Image::load(layout->blobs(), *manifestDescriptor);
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QVERIFY(layout->addImage(*image, QStringLiteral("v1")));

    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const QString bundle = dir.filePath(QStringLiteral("bundle"));
    p.start(umoci, {QStringLiteral("unpack"), QStringLiteral("--rootless"), QStringLiteral("--image"),
                    dir.filePath(QStringLiteral("layout")) + QStringLiteral(":v1"), bundle});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY2(p.exitCode() == 0, p.readAll().constData());
    QVERIFY(QFile::exists(bundle + QStringLiteral("/rootfs/etc/motd")));
    QVERIFY(!QFile::exists(bundle + QStringLiteral("/rootfs/tmp/x")));
    QVERIFY(!QFile::exists(bundle + QStringLiteral("/rootfs/var/cache/old")));
    QVERIFY(QFile::exists(bundle + QStringLiteral("/rootfs/var/cache/new")));
}

QTEST_GUILESS_MAIN(TestLayerWriter)
#include "tst_layerwriter.moc"
