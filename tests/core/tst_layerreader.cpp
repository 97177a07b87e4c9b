#include "core/oci/layerreader.h"

#include "layerfixtures.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using fixtures::Filter;
using fixtures::TarEntry;

namespace {

Expected<LayerContents> readBytes(const QByteArray &bytes)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return LayerReader::readAll(&buffer);
}

QByteArray gunzipOrSelf(const QByteArray &tar)
{
    return tar; // the diff ID of an uncompressed tar is its own digest
}

} // namespace

class TestLayerReader : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compressions_data();
    void compressions();
    void whiteoutsAndPaths();
    void badInput_data();
    void badInput();
    void entryContent();
    void noExternalDecompressor_data();
    void noExternalDecompressor();
};

void TestLayerReader::compressions_data()
{
    QTest::addColumn<int>("filter");
    QTest::addColumn<int>("expected");
    QTest::addRow("tar") << int(Filter::None) << int(Compression::None);
    QTest::addRow("gzip") << int(Filter::Gzip) << int(Compression::Gzip);
    QTest::addRow("zstd") << int(Filter::Zstd) << int(Compression::Zstd);
}

void TestLayerReader::compressions()
{
    QFETCH(int, filter);
    QFETCH(int, expected);
    const QList<TarEntry> entries{{QStringLiteral("etc/"), 'd'},
                                  {QStringLiteral("etc/hostname"), 'f', "box\n"},
                                  {QStringLiteral("bin/sh"), 'l', {}, QStringLiteral("busybox")}};
    const QByteArray plain = fixtures::makeTar(entries);
    const QByteArray blob = fixtures::makeTar(entries, Filter(filter));
    auto contents = readBytes(blob);
    QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
    QCOMPARE(int(contents->compression), expected);
    QCOMPARE(contents->diffId, Digest::ofBytes(gunzipOrSelf(plain)));
    QCOMPARE(contents->uncompressedSize, plain.size());
    QCOMPARE(contents->entries.size(), 3);
    QCOMPARE(contents->entries[0].path, QStringLiteral("etc"));
    QCOMPARE(contents->entries[0].type, EntryType::Directory);
    QCOMPARE(contents->entries[1].size, 4);
    QCOMPARE(contents->entries[2].type, EntryType::Symlink);
    QCOMPARE(contents->entries[2].linkTarget, QStringLiteral("busybox"));
    QCOMPARE(contents->fileBytes(), 4);
}

void TestLayerReader::whiteoutsAndPaths()
{
    const QByteArray tar = fixtures::makeTar({{QStringLiteral("./"), 'd'},
                                              {QStringLiteral("./out/.wh.blob.bin"), 'f'},
                                              {QStringLiteral("/cache/.wh..wh..opq"), 'f'},
                                              {QStringLiteral(".wh.top"), 'f'},
                                              {QStringLiteral(".wh..wh.plnk/123"), 'f'},
                                              {QStringLiteral("a//b/./c"), 'f', "x"},
                                              {QStringLiteral("a/b/d"), 'h', {}, QStringLiteral("./a/b/c")}});
    auto contents = readBytes(tar);
    QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
    QStringList dump;
    for (const LayerEntry &e : contents->entries)
        dump << QStringLiteral("%1 %2 %3").arg(int(e.type)).arg(e.path, e.linkTarget);
    const QStringList expected{
        QStringLiteral("%1 out/blob.bin ").arg(int(EntryType::Whiteout)),
        QStringLiteral("%1 cache ").arg(int(EntryType::OpaqueWhiteout)),
        QStringLiteral("%1 top ").arg(int(EntryType::Whiteout)),
        QStringLiteral("%1 a/b/c ").arg(int(EntryType::File)),
        QStringLiteral("%1 a/b/d a/b/c").arg(int(EntryType::Hardlink)),
    };
    QCOMPARE(dump, expected);
}

void TestLayerReader::badInput_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::addColumn<QString>("messagePart");
    const QByteArray good =
        fixtures::makeTar({{QStringLiteral("f"), 'f', QByteArray(20000, 'a')}}, Filter::Gzip);
    QTest::addRow("empty") << QByteArray() << QStringLiteral("empty");
    QByteArray random(4096, Qt::Uninitialized);
    QRandomGenerator gen(42);
    for (char &c : random)
        c = char(gen.bounded(256));
    random[0] = 'Q'; // not a gzip/zstd magic
    QTest::addRow("random-bytes") << random << QStringLiteral("tar");
    QTest::addRow("truncated-gzip") << good.left(good.size() / 2) << QString();
    QTest::addRow("truncated-tar")
        << fixtures::makeTar({{QStringLiteral("f"), 'f', QByteArray(20000, 'a')}}).left(3000) << QString();
    QTest::addRow("dotdot") << fixtures::makeTar({{QStringLiteral("../x"), 'f', "x"}})
                            << QStringLiteral("..");
    QTest::addRow("dotdot-inside") << fixtures::makeTar({{QStringLiteral("a/../../x"), 'f', "x"}})
                                   << QStringLiteral("..");
    QTest::addRow("hardlink-dotdot") << fixtures::makeTar(
                                            {{QStringLiteral("x"), 'h', {}, QStringLiteral("../etc/passwd")}})
                                     << QStringLiteral("..");
    QTest::addRow("huge-size") << fixtures::makeHugeHeader("big", quint64(1) << 50) << QString();
}

void TestLayerReader::badInput()
{
    QFETCH(QByteArray, blob);
    QFETCH(QString, messagePart);
    auto contents = readBytes(blob);
    QVERIFY(!contents);
    QVERIFY(!contents.error().message.isEmpty());
    if (!messagePart.isEmpty())
        QVERIFY2(contents.error().message.contains(messagePart), qPrintable(contents.error().message));
}

void TestLayerReader::entryContent()
{
    const QByteArray tar = fixtures::makeTar(
        {{QStringLiteral("a"), 'f', "hello"}, {QStringLiteral("b"), 'f', "world!"}}, Filter::Gzip);
    QBuffer buffer;
    buffer.setData(tar);
    buffer.open(QIODevice::ReadOnly);
    LayerReader reader(&buffer);
    auto first = reader.next();
    QVERIFY(first && *first);
    QCOMPARE((*first)->path, QStringLiteral("a"));
    auto second = reader.next(); // skipping unread content
    QVERIFY(second && *second);
    char data[64];
    const qint64 n = reader.read(data, sizeof data);
    QCOMPARE(QByteArray(data, int(n)), QByteArray("world!"));
    auto end = reader.next();
    QVERIFY(end && !*end);
    QVERIFY(reader.diffId().isValid());
}

void TestLayerReader::noExternalDecompressor_data()
{
    // Data whose first bytes name a compression libarchive can only undo with a program.
    QTest::addColumn<QString>("program");
    QTest::addColumn<QByteArray>("blob");
    QTest::addRow("lrzip") << QStringLiteral("lrzip") << QByteArray("LRZI\x00\x06", 6) + QByteArray(64, '\0');
    QTest::addRow("grzip") << QStringLiteral("grzip")
                           << QByteArray("GRZipII\x00\x02\x04:)", 12) + QByteArray(64, '\0');
    QTest::addRow("lzop") << QStringLiteral("lzop")
                          << QByteArray("\x89LZO\x00\r\n\x1a\n\x10\x30\x20\xa0\x09\x40\x01\x05", 17) +
                                 QByteArray(64, '\0');
}

void TestLayerReader::noExternalDecompressor()
{
    // A hostile layer must not make the reader start a program: a stand-in on PATH for each
    // decompressor leaves a mark if it ever runs.
    QFETCH(QString, program);
    QFETCH(QByteArray, blob);
    QTemporaryDir bin;
    QVERIFY(bin.isValid());
    const QString mark = bin.filePath(QStringLiteral("ran"));
    QFile script(bin.filePath(program));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\ntouch '" + QFile::encodeName(mark) + "'\ncat >/dev/null\n");
    script.close();
    QVERIFY(script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", QFile::encodeName(bin.path()) + ':' + oldPath);
    auto contents = readBytes(blob);
    qputenv("PATH", oldPath);
    QVERIFY(!contents);
    QVERIFY2(!QFile::exists(mark), qPrintable(program + u" was started on a layer's data"_qs));
}

QTEST_GUILESS_MAIN(TestLayerReader)
#include "tst_layerreader.moc"
