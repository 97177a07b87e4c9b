#include "core/analysis/layerindex.h"
#include "core/analysis/layerindexcache.h"
#include "layerspec.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

class TestLayerIndex : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void counts();
    void roundTrip();
    void refusesDamage_data();
    void refusesDamage();
    void cache();
};

void TestLayerIndex::counts()
{
    const LayerIndex index = test::layerFromSpec(QStringLiteral(
        "d bin; f bin/busybox 100; l bin/sh busybox; l bin/ls /bin/busybox; h bin/x bin/busybox; "
        "w old; o tmp; f etc/passwd 30"));
    QCOMPARE(index.fileBytes(), 130);
    QCOMPARE(index.symlinkBytes(), 7 + 12);
    QCOMPARE(index.regularFileCount(), 2);
    QCOMPARE(index.entries().size(), 8);

    // The layer root ("./" in a tar) is dropped; sizes of non-files never count.
    LayerEntries entries;
    entries.append(LayerEntry{QString(), EntryType::Directory, 0, 0755, 0, 0, {}, 0});
    entries.append(
        LayerEntry{QStringLiteral("x"), EntryType::Symlink, 99, 0777, 0, 0, QStringLiteral("y"), 0});
    const LayerIndex rootOnly = LayerIndex::fromEntries(entries, QStringLiteral("sha256:00"), 5);
    QCOMPARE(rootOnly.entries().size(), 1);
    QCOMPARE(rootOnly.fileBytes(), 0);
    QCOMPARE(rootOnly.compressedSize(), 5);
}

void TestLayerIndex::roundTrip()
{
    LayerEntries entries;
    entries.append(
        LayerEntry{QStringLiteral("usr/bin/ünïcode"), EntryType::File, 1234, 04755, 1000, 100000, {}, 7});
    entries.append(LayerEntry{QStringLiteral("usr/lib/l"), EntryType::Symlink, 0, 0777, 0, 0,
                              QStringLiteral("../x"), 7});
    entries.append(LayerEntry{QStringLiteral("usr/lib/h"), EntryType::Hardlink, 0, 0644, 0, 0,
                              QStringLiteral("usr/bin/ünïcode"), 7});
    entries.append(LayerEntry{QStringLiteral("dev/null"), EntryType::CharDevice, 0, 0666, 0, 0, {}, 7});
    entries.append(LayerEntry{QStringLiteral("gone"), EntryType::Whiteout, 0, 0, 0, 0, {}, 7});
    entries.append(LayerEntry{QStringLiteral("var/cache"), EntryType::OpaqueWhiteout, 0, 0, 0, 0, {}, 7});
    const LayerIndex index = LayerIndex::fromEntries(entries, QStringLiteral("sha256:abc"), 4096);
    const QByteArray bytes = index.serialize();
    const auto back = LayerIndex::deserialize(bytes);
    QVERIFY2(back.has_value(), qPrintable(back ? QString() : back.error().message));
    QCOMPARE(*back, index);
    QCOMPARE(back->entries().at(0).uid, 1000);
    QCOMPARE(back->entries().at(0).gid, 100000);
    QCOMPARE(back->entries().at(2).linkTarget, QStringLiteral("usr/bin/ünïcode"));
    QCOMPARE(LayerIndex::deserialize(LayerIndex().serialize()).value(), LayerIndex());
}

void TestLayerIndex::refusesDamage_data()
{
    QTest::addColumn<int>("offset"); // byte to flip; -1 truncates, -2 appends
    QTest::addColumn<QString>("message");
    QTest::addRow("magic") << 0 << "not a layer index file";
    QTest::addRow("version") << 8 << "layer index format";
    QTest::addRow("length") << 16 << "truncated";
    QTest::addRow("checksum") << 24 << "checksum mismatch";
    QTest::addRow("payload") << 60 << "checksum mismatch";
    QTest::addRow("truncated") << -1 << "truncated";
    QTest::addRow("appended") << -2 << "truncated";
    QTest::addRow("empty") << -3 << "not a layer index file";
}

void TestLayerIndex::refusesDamage()
{
    QFETCH(int, offset);
    QFETCH(QString, message);
    QByteArray bytes = test::layerFromSpec(QStringLiteral("f a 1; f b 2; l c a")).serialize();
    if (offset >= 0)
        bytes[offset] = char(bytes[offset] ^ 0x5a);
    else if (offset == -1)
        bytes.chop(3);
    else if (offset == -2)
        bytes.append("xyz");
    else
        bytes.clear();
    const auto result = LayerIndex::deserialize(bytes);
    QVERIFY(!result.has_value());
    QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
}

void TestLayerIndex::cache()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const LayerIndexCache cache(dir.filePath(QStringLiteral("cache/layer-index")));
    const LayerIndex index = test::layerFromSpec(QStringLiteral("f a 1; d b"));

    QVERIFY(!cache.load(index.diffId()).has_value());
    QVERIFY(cache.save(index).has_value());
    const auto loaded = cache.load(index.diffId());
    QVERIFY(loaded.has_value());
    QCOMPARE(*loaded, index);

    // The file name is the diff ID with only safe characters.
    QVERIFY(
        cache.pathFor(QStringLiteral("sha256:../../etc")).endsWith(QStringLiteral("/sha256-------etc.idx")));

    // A file holding another layer's index is not taken for this one.
    const LayerIndex other = test::layerFromSpec(QStringLiteral("f z 9"));
    QVERIFY(QFile::copy(cache.pathFor(index.diffId()), cache.pathFor(other.diffId())));
    const auto wrong = cache.load(other.diffId());
    QVERIFY(!wrong.has_value());
    QVERIFY(wrong.error().message.contains(QStringLiteral("not ")));

    // A damaged file is reported, and saving again repairs it.
    QFile file(cache.pathFor(index.diffId()));
    QVERIFY(file.open(QIODevice::ReadWrite));
    file.seek(40);
    file.write("garbage");
    file.close();
    QVERIFY(!cache.load(index.diffId()).has_value());
    QVERIFY(cache.save(index).has_value());
    QVERIFY(cache.load(index.diffId()).has_value());
}

QTEST_GUILESS_MAIN(TestLayerIndex)
#include "tst_layerindex.moc"
