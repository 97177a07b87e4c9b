#include "core/analysis/bytereader.h"
#include "core/analysis/bytewriter.h"
#include "core/analysis/filetree.h"
#include "layerspec.h"

#include <QTest>

using namespace stagecraft;

namespace {

QString changeList(const QList<FileChange> &changes)
{
    QStringList out;
    for (const FileChange &c : changes)
        out.append(c.path + u':' + QString::number(c.size));
    return out.join(u' ');
}

} // namespace

class TestFileTree : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void merge_data();
    void merge();
    void aggregatedSizes();
    void findAndPaths();
    void afterLayer();
    void encodeDecode();
    void decodeRefusesBadData();
    void indexFollowsRemovalsAndGrowth();
    void namesMadeToCollide();
};

void TestFileTree::merge_data()
{
    // Layers are separated by "|"; the diff columns describe the last layer.
    QTest::addColumn<QString>("layers");
    QTest::addColumn<QString>("dump");
    QTest::addColumn<QString>("added");
    QTest::addColumn<QString>("modified");
    QTest::addColumn<QString>("removed");

    QTest::addRow("single-layer")
        << "d etc; f etc/passwd 30; d bin; f bin/busybox 100; l bin/sh busybox"
        << "/bin dir 100 L0\n/bin/busybox file 100 L0\n/bin/sh symlink -> busybox L0\n"
           "/etc dir 30 L0\n/etc/passwd file 30 L0"
        << "/bin:100 /bin/busybox:100 /bin/sh:0 /etc:30 /etc/passwd:30"
        << ""
        << "";
    QTest::addRow("implied-parents") << "f a/b/c 5"
                                     << "/a dir 5 L0\n/a/b dir 5 L0\n/a/b/c file 5 L0"
                                     << "/a:5 /a/b:5 /a/b/c:5"
                                     << ""
                                     << "";
    QTest::addRow("overwrite") << "d out; f out/app 3 | d out; f out/app 7"
                               << "/out dir 7 L1\n/out/app file 7 L1"
                               << ""
                               << "/out/app:7"
                               << "";
    QTest::addRow("whiteout-file") << "d out; f out/app 3; f out/blob 1000 | d out; w out/blob"
                                   << "/out dir 3 L1\n/out/app file 3 L0"
                                   << ""
                                   << ""
                                   << "/out/blob:1000";
    QTest::addRow("whiteout-directory") << "d c; f c/a 10; d c/d; f c/d/x 5 | w c"
                                        << ""
                                        << ""
                                        << ""
                                        << "/c:15";
    QTest::addRow("whiteout-missing-path") << "f a 1 | w nothing; w a/b"
                                           << "/a file 1 L0"
                                           << ""
                                           << ""
                                           << "";
    QTest::addRow("opaque-directory")
        << "d cache; f cache/a 65536; f cache/b 2 | d cache; o cache; f cache/c 2"
        << "/cache dir 2 L1\n/cache/c file 2 L1"
        << "/cache/c:2"
        << ""
        << "/cache/a:65536 /cache/b:2";
    QTest::addRow("opaque-marker-after-new-content") << "d cache; f cache/a 4 | d cache; f cache/a 1; o cache"
                                                     << "/cache dir 1 L1\n/cache/a file 1 L1"
                                                     << ""
                                                     << "/cache/a:1"
                                                     << "";
    QTest::addRow("opaque-new-directory") << "f x 1 | d fresh; o fresh; f fresh/y 2"
                                          << "/fresh dir 2 L1\n/fresh/y file 2 L1\n/x file 1 L0"
                                          << "/fresh:2 /fresh/y:2"
                                          << ""
                                          << "";
    QTest::addRow("whiteout-then-recreate") << "d d; f d/old 9 | w d; d d; f d/new 1"
                                            << "/d dir 1 L1\n/d/new file 1 L1"
                                            << "/d/new:1"
                                            << "/d:1"
                                            << "";
    QTest::addRow("hardlinks-count-once")
        << "d bin; f bin/x 100; h bin/y bin/x; h bin/z bin/x"
        << "/bin dir 100 L0\n/bin/x file 100 L0\n/bin/y hardlink -> bin/x L0\n"
           "/bin/z hardlink -> bin/x L0"
        << "/bin:100 /bin/x:100 /bin/y:0 /bin/z:0"
        << ""
        << "";
    QTest::addRow("directory-only-layer") << "d etc; f etc/passwd 30 | d etc; d src"
                                          << "/etc dir 30 L1\n/etc/passwd file 30 L0\n/src dir 0 L1"
                                          << "/src:0"
                                          << ""
                                          << "";
    QTest::addRow("file-replaces-directory") << "d a; f a/x 3; f a/y 4 | f a 1"
                                             << "/a file 1 L1"
                                             << ""
                                             << "/a:1"
                                             << "/a/x:3 /a/y:4";
    QTest::addRow("directory-replaces-file") << "f a 5 | d a; f a/x 2"
                                             << "/a dir 2 L1\n/a/x file 2 L1"
                                             << "/a/x:2"
                                             << "/a:2"
                                             << "";
    QTest::addRow("implied-parent-replaces-symlink") << "l lib usr/lib | f lib/x 2"
                                                     << "/lib dir 2 L1\n/lib/x file 2 L1"
                                                     << "/lib/x:2"
                                                     << "/lib:2"
                                                     << "";
    QTest::addRow("duplicate-entry-in-one-layer") << "f a 1; f a 2"
                                                  << "/a file 2 L0"
                                                  << "/a:1"
                                                  << ""
                                                  << "";
    QTest::addRow("root-opaque") << "f a 1; d b | o ; f c 1"
                                 << "/c file 1 L1"
                                 << "/c:1"
                                 << ""
                                 << "/a:1 /b:0";
}

void TestFileTree::merge()
{
    QFETCH(QString, layers);
    QFETCH(QString, dump);
    QFETCH(QString, added);
    QFETCH(QString, modified);
    QFETCH(QString, removed);

    FileTree tree;
    LayerDiff diff;
    const QStringList specs = layers.split(u'|');
    for (int i = 0; i < specs.size(); ++i)
        diff = tree.apply(test::layerFromSpec(specs[i]), i);
    QCOMPARE(tree.dump(), dump);
    QCOMPARE(changeList(diff.added), added);
    QCOMPARE(changeList(diff.modified), modified);
    QCOMPARE(changeList(diff.removed), removed);

    // The aggregate of the root is the sum of the regular files that remain.
    qint64 files = 0;
    tree.visitDescendants(FileTree::Root, [&](int id) { files += tree.node(id).size; });
    QCOMPARE(tree.totalSize(), files);
}

void TestFileTree::aggregatedSizes()
{
    FileTree tree;
    tree.apply(
        test::layerFromSpec(QStringLiteral("d usr; d usr/lib; f usr/lib/a 100; f usr/lib/b 50; f usr/c 7")),
        0);
    QCOMPARE(tree.node(tree.find(u"/usr/lib")).totalSize, 150);
    QCOMPARE(tree.node(tree.find(u"usr")).totalSize, 157);
    QCOMPARE(tree.totalSize(), 157);
    tree.apply(test::layerFromSpec(QStringLiteral("d usr/lib; w usr/lib/a; f usr/lib/b 10")), 1);
    QCOMPARE(tree.node(tree.find(u"/usr/lib")).totalSize, 10);
    QCOMPARE(tree.totalSize(), 17);
    QCOMPARE(tree.node(tree.find(u"/usr/lib/b")).layer, 1);
    QCOMPARE(tree.node(tree.find(u"/usr/c")).layer, 0);
}

void TestFileTree::findAndPaths()
{
    FileTree tree;
    tree.apply(test::layerFromSpec(QStringLiteral("f a/b/c 1")), 0);
    QCOMPARE(tree.find(u""), FileTree::Root);
    QCOMPARE(tree.find(u"/"), FileTree::Root);
    const int c = tree.find(u"/a/b/c");
    QVERIFY(c > 0);
    QCOMPARE(tree.find(u"a/b/c/"), c);
    QCOMPARE(tree.path(c), QStringLiteral("/a/b/c"));
    QCOMPARE(tree.find(u"a/x"), -1);
    QCOMPARE(tree.nodeCount(), 3);
}

void TestFileTree::afterLayer()
{
    const QList<LayerIndex> layers{test::layerFromSpec(QStringLiteral("f a 1; f b 2")),
                                   test::layerFromSpec(QStringLiteral("w a")),
                                   test::layerFromSpec(QStringLiteral("f c 4"))};
    QCOMPARE(FileTree::afterLayer(layers, 0).totalSize(), 3);
    QCOMPARE(FileTree::afterLayer(layers, 1).totalSize(), 2);
    QCOMPARE(FileTree::afterLayer(layers, 2).totalSize(), 6);
    QCOMPARE(FileTree::afterLayer(layers, 1).find(u"a"), -1);

    // A copy is independent of the tree it was taken from.
    FileTree first = FileTree::afterLayer(layers, 0);
    FileTree copy = first;
    copy.apply(layers[1], 1);
    QVERIFY(first.find(u"a") > 0);
    QCOMPARE(copy.find(u"a"), -1);
}

void TestFileTree::encodeDecode()
{
    // Nested directories, a replaced directory (detached slots in the arena), links, an
    // opaque directory and whiteouts: the decoded tree must be the same tree.
    const QList<LayerIndex> layers{
        test::layerFromSpec(QStringLiteral("d etc; f etc/passwd 30; d a; d a/b; f a/b/c 7; l a/s c; f x 3")),
        test::layerFromSpec(QStringLiteral("f a 9; h y x; d cache; f cache/k 64")),
        test::layerFromSpec(QStringLiteral("o cache; f cache/n 2; w etc/passwd; f deep/er/still 5"))};
    const FileTree tree = FileTree::afterLayer(layers, 2);

    ByteWriter out;
    tree.encode(out);
    ByteReader in(out.bytes());
    const std::optional<FileTree> decoded = FileTree::decode(in);
    QVERIFY(decoded);
    QVERIFY(in.ok());
    QVERIFY(in.atEnd());
    QCOMPARE(decoded->dump(), tree.dump());
    QCOMPARE(decoded->nodeCount(), tree.nodeCount());
    QCOMPARE(decoded->totalSize(), tree.totalSize());
    for (const QString &path : {QStringLiteral("a"), QStringLiteral("y"), QStringLiteral("cache/n"),
                                QStringLiteral("deep/er/still"), QStringLiteral("etc")}) {
        const int original = tree.find(path);
        const int id = decoded->find(path);
        QVERIFY2(id > 0, qPrintable(path));
        QCOMPARE(decoded->path(id), tree.path(original));
        const FileNode &a = tree.node(original);
        const FileNode &b = decoded->node(id);
        QCOMPARE(b.type, a.type);
        QCOMPARE(b.size, a.size);
        QCOMPARE(b.totalSize, a.totalSize);
        QCOMPARE(b.layer, a.layer);
        QCOMPARE(b.mode, a.mode);
        QCOMPARE(b.linkTarget, a.linkTarget);
        QCOMPARE(decoded->path(b.parent), tree.path(a.parent));
    }
    QCOMPARE(decoded->find(u"etc/passwd"), -1);
    QCOMPARE(decoded->find(u"cache/k"), -1);

    // A decoded tree takes further layers like any other.
    FileTree more = *decoded;
    FileTree reference = tree;
    const LayerIndex next = test::layerFromSpec(QStringLiteral("w a; f deep/er/still 1; f new 4"));
    QCOMPARE(changeList(more.apply(next, 3).removed), changeList(reference.apply(next, 3).removed));
    QCOMPARE(more.dump(), reference.dump());

    // The empty tree too.
    ByteWriter empty;
    FileTree().encode(empty);
    ByteReader emptyIn(empty.bytes());
    const std::optional<FileTree> none = FileTree::decode(emptyIn);
    QVERIFY(none);
    QCOMPARE(none->nodeCount(), 0);
}

namespace {

void writeNode(ByteWriter &out, const QString &name, EntryType type, quint32 children)
{
    out.writeString(name);
    out.writeU8(quint8(type));
    out.writeU32(0755);
    out.writeU32(0);
    out.writeI64(0);
    out.writeI64(0);
    out.writeI64(0);
    out.writeI64(0);
    out.writeString(QString());
    out.writeU32(children);
}

} // namespace

void TestFileTree::decodeRefusesBadData()
{
    const auto decodes = [](const QByteArray &bytes) {
        ByteReader in(bytes);
        return FileTree::decode(in).has_value();
    };
    const auto tree = [](const std::function<void(ByteWriter &)> &nodes, quint32 count) {
        ByteWriter out;
        out.writeU32(count);
        nodes(out);
        return out.take();
    };

    // A well-formed two-node tree, as the reference the broken ones differ from.
    QVERIFY(decodes(tree(
        [](ByteWriter &o) {
            writeNode(o, {}, EntryType::Directory, 1);
            writeNode(o, QStringLiteral("a"), EntryType::Directory, 1);
            writeNode(o, QStringLiteral("b"), EntryType::File, 0);
        },
        2)));
    // The same name twice in one directory.
    QVERIFY(!decodes(tree(
        [](ByteWriter &o) {
            writeNode(o, {}, EntryType::Directory, 2);
            writeNode(o, QStringLiteral("a"), EntryType::File, 0);
            writeNode(o, QStringLiteral("a"), EntryType::File, 0);
        },
        2)));
    // A name with a slash, an empty name, "..".
    for (const QString &name : {QStringLiteral("a/b"), QString(), QStringLiteral("..")}) {
        QVERIFY(!decodes(tree(
            [&](ByteWriter &o) {
                writeNode(o, {}, EntryType::Directory, 1);
                writeNode(o, name, EntryType::File, 0);
            },
            1)));
    }
    // Children below a file.
    QVERIFY(!decodes(tree(
        [](ByteWriter &o) {
            writeNode(o, {}, EntryType::Directory, 1);
            writeNode(o, QStringLiteral("f"), EntryType::File, 1);
            writeNode(o, QStringLiteral("g"), EntryType::File, 0);
        },
        2)));
    // A node count that does not match the nodes.
    QVERIFY(!decodes(tree(
        [](ByteWriter &o) {
            writeNode(o, {}, EntryType::Directory, 1);
            writeNode(o, QStringLiteral("a"), EntryType::File, 0);
        },
        2)));
    // A root that is not a directory, an unknown type.
    QVERIFY(!decodes(tree([](ByteWriter &o) { writeNode(o, {}, EntryType::File, 0); }, 0)));
    QVERIFY(!decodes(tree(
        [](ByteWriter &o) {
            writeNode(o, {}, EntryType::Directory, 1);
            writeNode(o, QStringLiteral("a"), EntryType(200), 0);
        },
        1)));
    // A huge child count must not allocate for it.
    QVERIFY(!decodes(tree([](ByteWriter &o) { writeNode(o, {}, EntryType::Directory, 0x7fffffff); }, 1)));

    // Every truncation of a real tree is refused, none crashes.
    const FileTree real = FileTree::afterLayer(
        {test::layerFromSpec(QStringLiteral("d etc; f etc/passwd 30; l etc/s passwd; f x 3"))}, 0);
    ByteWriter out;
    real.encode(out);
    const QByteArray bytes = out.take();
    for (qsizetype n = 0; n < bytes.size(); ++n)
        QVERIFY2(!decodes(bytes.left(n)), qPrintable(QString::number(n)));
    QVERIFY(decodes(bytes));
}

// The index grows through many rehashes and loses whole directories to whiteouts, a file
// replacing a directory and an opaque marker, with names re-added in the same layer: every
// path that stays is found (also as its parent's child, and after encode/decode), none
// that went is.
void TestFileTree::indexFollowsRemovalsAndGrowth()
{
    QStringList first;
    for (int d = 0; d < 20; ++d)
        for (int f = 0; f < 100; ++f)
            first.append(QStringLiteral("f d%1/f%2 %3").arg(d).arg(f).arg(f + 1));
    QStringList second;
    for (int d = 0; d < 20; d += 2) {
        second.append(QStringLiteral("w d%1").arg(d));
        for (int g = 0; g < 50; ++g)
            second.append(QStringLiteral("f d%1/g%2 1").arg(d).arg(g));
    }
    second.append(QStringLiteral("f d1 5"));
    FileTree tree;
    tree.apply(test::layerFromSpec(first.join(u';')), 0);
    QCOMPARE(tree.nodeCount(), 20 * 101);
    tree.apply(test::layerFromSpec(second.join(u';')), 1);
    tree.apply(test::layerFromSpec(QStringLiteral("o d3; f d3/h 1")), 2);

    QStringList kept{QStringLiteral("/d1"), QStringLiteral("/d3"), QStringLiteral("/d3/h")};
    QStringList gone;
    for (int d = 0; d < 20; ++d) {
        if (d != 1)
            kept.append(QStringLiteral("/d%1").arg(d));
        for (int f = 0; f < 100; ++f)
            (d % 2 == 1 && d != 1 && d != 3 ? kept : gone).append(QStringLiteral("/d%1/f%2").arg(d).arg(f));
        if (d % 2 == 0)
            for (int g = 0; g < 50; ++g)
                kept.append(QStringLiteral("/d%1/g%2").arg(d).arg(g));
    }
    kept.removeDuplicates();
    QCOMPARE(tree.nodeCount(), kept.size());

    ByteWriter out;
    tree.encode(out);
    const QByteArray bytes = out.take();
    ByteReader in(bytes);
    const std::optional<FileTree> decoded = FileTree::decode(in);
    QVERIFY(decoded);
    QCOMPARE(decoded->nodeCount(), kept.size());
    for (const FileTree *t : {static_cast<const FileTree *>(&tree), &*decoded}) {
        for (const QString &path : std::as_const(kept)) {
            const int id = t->find(path);
            QVERIFY2(id > 0, qPrintable(path));
            QCOMPARE(t->path(id), path);
            const qsizetype slash = path.lastIndexOf(u'/');
            QCOMPARE(t->child(t->find(QStringView(path).first(slash)), QStringView(path).sliced(slash + 1)),
                     id);
        }
        for (const QString &path : std::as_const(gone))
            QVERIFY2(t->find(path) < 0, qPrintable(path));
        QCOMPARE(t->child(t->find(u"/d1"), u"f0"), -1);
        QCOMPARE(t->child(FileTree::Root, u"nothing"), -1);
    }
}

// Names whose unseeded string hash agrees in its low bits all land in one run of the
// index, as a hostile image could arrange: the tree switches to the seeded hash and still
// finds every one of them (and the time stays bounded, which this does not measure).
void TestFileTree::namesMadeToCollide()
{
    QStringList names;
    const size_t wanted = qHash(QStringView(u"x0"), 0) & 0xfff;
    for (int i = 0; names.size() < 400; ++i) {
        const QString name = u'x' + QString::number(i);
        if ((qHash(QStringView(name), 0) & 0xfff) == wanted)
            names.append(name);
    }
    QStringList spec;
    for (const QString &name : std::as_const(names))
        spec.append(QStringLiteral("f d/%1 1").arg(name));
    FileTree tree;
    tree.apply(test::layerFromSpec(spec.join(u';')), 0);
    QCOMPARE(tree.nodeCount(), names.size() + 1);
    const int dir = tree.find(u"/d");
    for (const QString &name : std::as_const(names)) {
        const int id = tree.child(dir, name);
        QVERIFY2(id > 0, qPrintable(name));
        QCOMPARE(tree.find(QString(u"/d/" + name)), id);
    }
    QCOMPARE(tree.totalSize(), names.size());
}

QTEST_GUILESS_MAIN(TestFileTree)
#include "tst_filetree.moc"
