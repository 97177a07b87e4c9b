#include "core/oci/dockerarchive.h"
#include "core/oci/layerextractor.h"

#include "layerfixtures.h"
#include "treesnapshot.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;
using fixtures::Filter;
using fixtures::TarEntry;

namespace {

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

Expected<ExtractReport> extractBytes(const QByteArray &bytes, const QString &dest,
                                     const ExtractOptions &options = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    return LayerExtractor::extract(&buffer, dest, options);
}

QStringList listTree(const QString &dir)
{
    QStringList all;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        all << QDir(dir).relativeFilePath(it.next());
    all.sort();
    return all;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A "host" directory beside the destination, with a file, a directory and a symlink, that
// no layer may change.
QString makeHost(const QString &parent)
{
    const QString host = parent + QStringLiteral("/host");
    QDir().mkpath(host + QStringLiteral("/dir"));
    for (const char *name : {"secret", "dir/important"}) {
        QFile f(host + u'/' + QLatin1String(name));
        if (f.open(QIODevice::WriteOnly))
            f.write(name);
    }
    ::symlink("secret", QFile::encodeName(host + QStringLiteral("/link")).constData());
    return host;
}

// The tree beside the destination ("dest" left out): compare before and after extracting.
QStringList snapshot(const QString &dir)
{
    return fixtures::treeSnapshot(dir, QStringLiteral("dest"));
}

// The tree below `dir` as "path TYPE [content or link target]" lines, TYPE one of f d l p,
// walked with *at() calls so that paths longer than PATH_MAX are listed too.
void describeAt(int dirFd, const QString &prefix, QStringList &out)
{
    DIR *d = ::fdopendir(::dup(dirFd));
    if (!d)
        return;
    QList<QByteArray> names;
    while (struct dirent *e = ::readdir(d))
        if (qstrcmp(e->d_name, ".") != 0 && qstrcmp(e->d_name, "..") != 0)
            names << QByteArray(e->d_name);
    ::closedir(d);
    for (const QByteArray &name : names) {
        const QString path = prefix + QFile::decodeName(name);
        struct stat st;
        if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            out << path + QStringLiteral(" d");
            const int child = ::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
            describeAt(child, path + u'/', out);
            ::close(child);
        } else if (S_ISLNK(st.st_mode)) {
            QByteArray target(4096, '\0');
            const ssize_t n = ::readlinkat(dirFd, name.constData(), target.data(), size_t(target.size()));
            out << path + QStringLiteral(" l ") + QFile::decodeName(target.left(qMax<ssize_t>(n, 0)));
        } else if (S_ISREG(st.st_mode)) {
            const int fd = ::openat(dirFd, name.constData(), O_RDONLY | O_NOFOLLOW);
            QByteArray content(st.st_size, '\0');
            const ssize_t n = ::read(fd, content.data(), size_t(content.size()));
            ::close(fd);
            out << path + QStringLiteral(" f ") + QString::fromUtf8(content.left(qMax<ssize_t>(n, 0)));
        } else if (S_ISFIFO(st.st_mode)) {
            out << path + QStringLiteral(" p");
        }
    }
}

QStringList describeTree(const QString &dir)
{
    QStringList out;
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY);
    describeAt(fd, QString(), out);
    ::close(fd);
    out.sort();
    return out;
}

} // namespace

Q_DECLARE_METATYPE(ExtractOptions)
Q_DECLARE_METATYPE(fixtures::TarEntry)

class TestLayerExtractor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void appliesDockerLayers();
    void malicious_data();
    void malicious();
    void safeTrees_data();
    void safeTrees();
    void sparseFiles_data();
    void sparseFiles();
    void zeroRunsBecomeHoles();
    void bounds_data();
    void bounds();
    void setidBits_data();
    void setidBits();
    void deviceNodes();
    void whiteoutOfOwnLayerKept();
};

void TestLayerExtractor::appliesDockerLayers()
{
    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/build.docker.tar"));
    QVERIFY(archive);
    const Image image = archive->images().first();
    QTemporaryDir dir;
    for (int i = 0; i < image.layers.size(); ++i) {
        auto blob = image.openLayer(i);
        QVERIFY(blob);
        auto report = LayerExtractor::extract(blob->get(), dir.path());
        QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
        QCOMPARE(report->diffId, image.layers[i].diffId);
    }
    QCOMPARE(readFile(dir.filePath(QStringLiteral("out/app"))), QByteArray("v2\n"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("out/blob.bin"))));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("cache/a"))));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("cache/b"))));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("cache/c"))), QByteArray("c\n"));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("src/hello.txt"))).size(), 23);
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("bin/sh"))).isSymLink());
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("bin/busybox"))).isExecutable());
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("out/.wh.blob.bin"))));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("cache/.wh..wh..opq"))));
}

void TestLayerExtractor::malicious_data()
{
    QTest::addColumn<QList<TarEntry>>("entries"); // written with the OUTSIDE placeholder replaced
    QTest::addColumn<QByteArray>("tar");          // or, for hand-made damage, the bytes
    const QByteArray none;
    const QList<TarEntry> raw;
    // OUTSIDE stands for the absolute path of the "host" directory next to the destination.
    const QString evil = QStringLiteral("evil");
    const TarEntry evilAbsolute(evil, 'l', {}, QStringLiteral("OUTSIDE"));
    const TarEntry evilRelative(evil, 'l', {}, QStringLiteral("../host"));
    QTest::addRow("dotdot") << QList<TarEntry>{{QStringLiteral("../escaped"), 'f', "x"}} << none;
    QTest::addRow("dotdot-deep") << QList<TarEntry>{{QStringLiteral("a/b/../../../escaped"), 'f', "x"}}
                                 << none;
    QTest::addRow("absolute") << QList<TarEntry>{{QStringLiteral("OUTSIDE/escaped"), 'f', "x"}} << none;
    QTest::addRow("symlink-absolute-then-file")
        << QList<TarEntry>{evilAbsolute, {QStringLiteral("evil/escaped"), 'f', "x"}} << none;
    QTest::addRow("symlink-relative-then-file")
        << QList<TarEntry>{evilRelative, {QStringLiteral("evil/escaped"), 'f', "x"}} << none;
    QTest::addRow("symlink-then-dir")
        << QList<TarEntry>{evilRelative, {QStringLiteral("evil/sub/"), 'd', {}, {}, 0755}} << none;
    QTest::addRow("symlink-then-whiteout")
        << QList<TarEntry>{evilAbsolute, {QStringLiteral("evil/.wh.important"), 'f'}} << none;
    QTest::addRow("symlink-then-whiteout-relative")
        << QList<TarEntry>{evilRelative, {QStringLiteral("evil/dir/.wh.important"), 'f'}} << none;
    QTest::addRow("symlink-then-opaque")
        << QList<TarEntry>{evilRelative, {QStringLiteral("evil/.wh..wh..opq"), 'f'}} << none;
    QTest::addRow("symlink-then-opaque-below")
        << QList<TarEntry>{evilAbsolute, {QStringLiteral("evil/dir/.wh..wh..opq"), 'f'}} << none;
    QTest::addRow("hardlink-dotdot")
        << QList<TarEntry>{{QStringLiteral("h"), 'h', {}, QStringLiteral("../host/secret")}} << none;
    QTest::addRow("hardlink-absolute-outside")
        << QList<TarEntry>{{QStringLiteral("h"), 'h', {}, QStringLiteral("OUTSIDE/secret")}} << none;
    QTest::addRow("hardlink-through-symlink")
        << QList<TarEntry>{evilRelative, {QStringLiteral("h"), 'h', {}, QStringLiteral("evil/secret")}}
        << none;
    QTest::addRow("whiteout-dot") << QList<TarEntry>{{QStringLiteral(".wh.."), 'f'}} << none;
    QTest::addRow("whiteout-dotdot") << QList<TarEntry>{{QStringLiteral(".wh..."), 'f'}} << none;
    QTest::addRow("whiteout-dotdot-below")
        << QList<TarEntry>{{QStringLiteral("a/"), 'd', {}, {}, 0755}, {QStringLiteral("a/.wh..."), 'f'}}
        << none;
    QTest::addRow("name-component-too-long")
        << QList<TarEntry>{{QString(300, u'n') + QStringLiteral("/f"), 'f', "x"}} << none;
    QTest::addRow("path-beyond-path-max")
        << QList<TarEntry>{{QString(QString(200, u'p') + u'/').repeated(21) + QStringLiteral("f"), 'f', "x"}}
        << none;
    QTest::addRow("symlink-target-beyond-path-max")
        << QList<TarEntry>{{QStringLiteral("l"), 'l', {}, QString(5000, u't')}} << none;
    QTest::addRow("too-deep") << QList<TarEntry>{{QStringLiteral("d/").repeated(300) + QStringLiteral("f"),
                                                  'f', "x"}}
                              << none;
    QTest::addRow("huge-size") << raw
                               << fixtures::makeHugeHeader("big", quint64(1) << 50, QByteArray(4096, 'a'));
    QTest::addRow("sparse-bomb") << raw
                                 << fixtures::makeSparseTar(fixtures::Sparse::Pax10, "bomb", qint64(1) << 30,
                                                            {{0, "head"}, {(qint64(1) << 30) - 4, "tail"}});
    QByteArray random(100000, Qt::Uninitialized);
    QRandomGenerator gen(7);
    for (char &c : random)
        c = char(gen.bounded(256));
    const QByteArray gzipped = fixtures::makeTar({{QStringLiteral("f"), 'f', random}}, Filter::Gzip);
    QTest::addRow("truncated-gzip") << raw << gzipped.left(gzipped.size() / 2);
    random[0] = 'R';
    QTest::addRow("random-bytes") << raw << random;
}

void TestLayerExtractor::malicious()
{
    QFETCH(QList<TarEntry>, entries);
    QFETCH(QByteArray, tar);
    QTemporaryDir dir;
    const QString host = makeHost(dir.path());
    const QString dest = dir.filePath(QStringLiteral("dest"));
    if (!entries.isEmpty()) {
        for (TarEntry &e : entries) {
            e.path.replace(QStringLiteral("OUTSIDE"), host);
            e.link.replace(QStringLiteral("OUTSIDE"), host);
        }
        tar = fixtures::makeTar(entries);
    }
    const QStringList before = snapshot(dir.path());
    auto report = extractBytes(tar, dest);
    QVERIFY2(!report, "a malicious layer was extracted without an error");
    QVERIFY(!report.error().message.isEmpty());
    QCOMPARE(snapshot(dir.path()), before);
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("escaped"))));
}

// Hostile but harmless layers: they extract, to the tree given, and touch nothing outside.
void TestLayerExtractor::safeTrees_data()
{
    QTest::addColumn<QList<TarEntry>>("entries");
    QTest::addColumn<QStringList>("tree");
    const QString evil = QStringLiteral("evil");
    QTest::addRow("file-dir-file-same-path") << QList<TarEntry>{{QStringLiteral("x"), 'f', "one"},
                                                                {QStringLiteral("x/"), 'd', {}, {}, 0755},
                                                                {QStringLiteral("x/inner"), 'f', "in"},
                                                                {QStringLiteral("x"), 'f', "two"}}
                                             << QStringList{QStringLiteral("x f two")};
    QTest::addRow("dir-symlink-dir-same-path")
        << QList<TarEntry>{{QStringLiteral("x/"), 'd', {}, {}, 0755},
                           {QStringLiteral("x"), 'l', {}, QStringLiteral("../host")},
                           {QStringLiteral("x/"), 'd', {}, {}, 0755},
                           {QStringLiteral("x/f"), 'f', "in"}}
        << QStringList{QStringLiteral("x d"), QStringLiteral("x/f f in")};
    QTest::addRow("symlink-replaced-by-dir-then-file")
        << QList<TarEntry>{{evil, 'l', {}, QStringLiteral("OUTSIDE")},
                           {QStringLiteral("evil/"), 'd', {}, {}, 0755},
                           {QStringLiteral("evil/escaped"), 'f', "x"}}
        << QStringList{QStringLiteral("evil d"), QStringLiteral("evil/escaped f x")};
    QTest::addRow("opaque-at-root") << QList<TarEntry>{{QStringLiteral(".wh..wh..opq"), 'f'},
                                                       {QStringLiteral("new"), 'f', "n"}}
                                    << QStringList{QStringLiteral("lower f lower"),
                                                   QStringLiteral("new f n")};
    QTest::addRow("symlink-to-outside-kept-as-link")
        << QList<TarEntry>{{evil, 'l', {}, QStringLiteral("OUTSIDE/secret")}}
        << QStringList{QStringLiteral("evil l OUTSIDE/secret"), QStringLiteral("lower f lower")};
    QTest::addRow("hardlink-to-symlink-links-the-link")
        << QList<TarEntry>{{evil, 'l', {}, QStringLiteral("OUTSIDE/secret")},
                           {QStringLiteral("h"), 'h', {}, evil}}
        << QStringList{QStringLiteral("evil l OUTSIDE/secret"), QStringLiteral("h l OUTSIDE/secret"),
                       QStringLiteral("lower f lower")};
    QTest::addRow("fifo") << QList<TarEntry>{{QStringLiteral("p"), 'p'}}
                          << QStringList{QStringLiteral("lower f lower"), QStringLiteral("p p")};
    const QString longComponent(200, u'n');
    QString longPath;
    QStringList longTree{QStringLiteral("lower f lower")};
    for (int i = 0; i < 19; ++i) { // 3819 bytes: longer than most tools handle, within PATH_MAX
        longPath += (longPath.isEmpty() ? QString() : QStringLiteral("/")) + longComponent;
        longTree << longPath + QStringLiteral(" d");
    }
    longTree << longPath + QStringLiteral("/f f deep");
    QTest::addRow("long-path-within-limit")
        << QList<TarEntry>{{longPath + QStringLiteral("/f"), 'f', "deep"}} << longTree;
}

void TestLayerExtractor::safeTrees()
{
    QFETCH(QList<TarEntry>, entries);
    QFETCH(QStringList, tree);
    QTemporaryDir dir;
    const QString host = makeHost(dir.path());
    const QString dest = dir.filePath(QStringLiteral("dest"));
    QVERIFY(extractBytes(fixtures::makeTar({{QStringLiteral("lower"), 'f', "lower"}}), dest));
    for (TarEntry &e : entries) {
        e.path.replace(QStringLiteral("OUTSIDE"), host);
        e.link.replace(QStringLiteral("OUTSIDE"), host);
    }
    const QStringList before = snapshot(dir.path());
    auto report = extractBytes(fixtures::makeTar(entries), dest);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(snapshot(dir.path()), before);
    for (QString &line : tree)
        line.replace(QStringLiteral("OUTSIDE"), host);
    tree << QStringLiteral("lower f lower"); // from the layer below, untouched
    tree.removeDuplicates();
    tree.sort();
    QCOMPARE(describeTree(dest), tree);
}

void TestLayerExtractor::sparseFiles_data()
{
    QTest::addColumn<int>("format");
    QTest::addRow("pax-1.0") << int(fixtures::Sparse::Pax10);
    QTest::addRow("pax-0.1") << int(fixtures::Sparse::Pax01);
    QTest::addRow("gnu-old") << int(fixtures::Sparse::GnuOld);
}

// A 1 GiB sparse entry in a tiny layer: refused by the expansion bound with the entry and
// the numbers named, and, when the bound is raised, written with holes.
void TestLayerExtractor::sparseFiles()
{
    QFETCH(int, format);
    const qint64 realSize = qint64(1) << 30;
    const QByteArray tar = fixtures::makeSparseTar(
        fixtures::Sparse(format), "big", realSize,
        {{0, "head"}, {qint64(512) << 20, QByteArray(5000, 'm')}, {realSize - 4, "tail"}});
    QVERIFY(tar.size() < 20000);
    QTemporaryDir dir;
    const QString host = makeHost(dir.path());
    const QString dest = dir.filePath(QStringLiteral("dest"));
    const QStringList before = snapshot(dir.path());

    auto refused = extractBytes(tar, dest);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(QStringLiteral("`big`")), qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains(QString::number(realSize)),
             qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains(QString::number(tar.size())),
             qPrintable(refused.error().message));
    QCOMPARE(snapshot(dir.path()), before);

    ExtractOptions generous;
    generous.expansionAllowance = qint64(2) << 30;
    auto report = extractBytes(tar, dest, generous);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(report->fileBytes, realSize + 5);
    const QByteArray file = QFile::encodeName(dest + QStringLiteral("/big"));
    struct stat st;
    QCOMPARE(::stat(file.constData(), &st), 0);
    QCOMPARE(qint64(st.st_size), realSize);
    QVERIFY2(qint64(st.st_blocks) * 512 < (qint64(1) << 20), qPrintable(QString::number(st.st_blocks)));
    QFile big(QString::fromLocal8Bit(file));
    QVERIFY(big.open(QIODevice::ReadOnly));
    QCOMPARE(big.read(4), QByteArray("head"));
    QCOMPARE(big.read(4092), QByteArray(4092, '\0'));
    QVERIFY(big.seek(qint64(512) << 20));
    QCOMPARE(big.read(5001), QByteArray(5000, 'm') + '\0');
    QVERIFY(big.seek(realSize - 4));
    QCOMPARE(big.read(10), QByteArray("tail"));
    QCOMPARE(readFile(dest + QStringLiteral("/after")), QByteArray("after"));
}

// An ordinary file made mostly of zeros is written with holes, reading back the same.
void TestLayerExtractor::zeroRunsBecomeHoles()
{
    QByteArray content(8 << 20, '\0');
    content.replace(0, 5, "start");
    content.replace(3 << 20, 3, "mid");
    content.replace(content.size() - 3, 3, "end");
    QTemporaryDir dir;
    auto report =
        extractBytes(fixtures::makeTar({{QStringLiteral("zeros"), 'f', content}}, Filter::Gzip), dir.path());
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("zeros"))), content);
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(dir.filePath(QStringLiteral("zeros"))).constData(), &st), 0);
    QVERIFY2(qint64(st.st_blocks) * 512 < (qint64(1) << 20), qPrintable(QString::number(st.st_blocks)));
}

void TestLayerExtractor::bounds_data()
{
    QTest::addColumn<QByteArray>("tar");
    QTest::addColumn<ExtractOptions>("options");
    QTest::addColumn<QString>("message"); // a part the error must contain
    ExtractOptions few;
    few.maxEntries = 3;
    QTest::addRow("entries") << fixtures::makeTar({{QStringLiteral("a"), 'f', "1"},
                                                   {QStringLiteral("b"), 'f', "2"},
                                                   {QStringLiteral("c"), 'f', "3"},
                                                   {QStringLiteral("d"), 'f', "4"}})
                             << few << QStringLiteral("entry `d` is number 4, more than the 3 entries");
    ExtractOptions small;
    small.maxTotalSize = 10;
    QTest::addRow("total-size")
        << fixtures::makeTar({{QStringLiteral("a"), 'f', "123456"}, {QStringLiteral("b"), 'f', "123456"}})
        << small << QStringLiteral("entry `b` brings the layer's files to 12 bytes, more than the 10");
    ExtractOptions oneFile;
    oneFile.maxFileSize = 5;
    QTest::addRow("file-size") << fixtures::makeTar({{QStringLiteral("a"), 'f', "123456"}}) << oneFile
                               << QStringLiteral("entry `a` claims 6 bytes, more than the 5");
    ExtractOptions ratio;
    ratio.expansionAllowance = 1000;
    ratio.maxExpansionRatio = 10;
    const QByteArray zeros(1 << 20, '\0');
    const QByteArray gz = fixtures::makeTar({{QStringLiteral("zeros"), 'f', zeros}}, Filter::Gzip);
    QTest::addRow("expansion-ratio")
        << gz << ratio
        << QStringLiteral("entry `zeros` brings the layer's files to 1048576 bytes from a %1-byte blob")
               .arg(gz.size());
    QTest::addRow("depth-default") << fixtures::makeTar(
                                          {{QStringLiteral("d/").repeated(256) + u'f', 'f', "x"}})
                                   << ExtractOptions()
                                   << QStringLiteral("is 257 directories deep, more than the 256");
    QTest::addRow("path-length-default")
        << fixtures::makeTar({{QStringLiteral("abcd/").repeated(819) + QStringLiteral("f"), 'f', "x"}})
        << ExtractOptions() << QStringLiteral("its path has 4096 bytes, more than the 4095");
}

void TestLayerExtractor::bounds()
{
    QFETCH(QByteArray, tar);
    QFETCH(ExtractOptions, options);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString host = makeHost(dir.path());
    const QStringList before = snapshot(dir.path());
    auto report = extractBytes(tar, dir.filePath(QStringLiteral("dest")), options);
    QVERIFY(!report);
    QVERIFY2(report.error().message.contains(message), qPrintable(report.error().message));
    QCOMPARE(snapshot(dir.path()), before);
}

void TestLayerExtractor::setidBits_data()
{
    QTest::addColumn<bool>("strip");
    QTest::addRow("kept-by-default") << false;
    QTest::addRow("stripped") << true;
}

void TestLayerExtractor::setidBits()
{
    QFETCH(bool, strip);
    QTemporaryDir dir;
    ExtractOptions options;
    options.stripSetid = strip;
    auto report = extractBytes(fixtures::makeTar({{QStringLiteral("suid"), 'f', "s", {}, 04755},
                                                  {QStringLiteral("sgid"), 'f', "g", {}, 02755},
                                                  {QStringLiteral("dir/"), 'd', {}, {}, 02755},
                                                  {QStringLiteral("link"), 'h', {}, QStringLiteral("suid")}}),
                               dir.path(), options);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    auto modeOf = [&dir](const char *name) {
        struct stat st;
        return ::lstat(QFile::encodeName(dir.filePath(QString::fromLatin1(name))).constData(), &st) == 0
                   ? int(st.st_mode & 07777)
                   : -1;
    };
    QCOMPARE(modeOf("suid"), strip ? 0755 : 04755);
    QCOMPARE(modeOf("sgid"), strip ? 0755 : 02755);
    QCOMPARE(modeOf("link"), modeOf("suid"));
    QCOMPARE(modeOf("dir"), 02755); // setgid on a directory only passes its group on
}

void TestLayerExtractor::deviceNodes()
{
    QTemporaryDir dir;
    ExtractOptions options;
    if (::geteuid() == 0)
        options.createDevices = false; // a root test run checks the same path through the option
    auto report = extractBytes(fixtures::makeTar({{QStringLiteral("dev/"), 'd', {}, {}, 0755},
                                                  {QStringLiteral("dev/null"), 'c'},
                                                  {QStringLiteral("dev/fifo"), 'p'},
                                                  {QStringLiteral("ok"), 'f', "fine"}}),
                               dir.path(), options);
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(report->skipped.size(), 1);
    QVERIFY(report->skipped.first().startsWith(QStringLiteral("dev/null")));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("dev/null"))));
    QCOMPARE(readFile(dir.filePath(QStringLiteral("ok"))), QByteArray("fine"));
}

void TestLayerExtractor::whiteoutOfOwnLayerKept()
{
    QTemporaryDir dir;
    QVERIFY(extractBytes(fixtures::makeTar({{QStringLiteral("d/"), 'd', {}, {}, 0755},
                                            {QStringLiteral("d/old"), 'f', "lower"},
                                            {QStringLiteral("gone"), 'f', "lower"}}),
                         dir.path()));
    // The opaque marker hides the lower d/old but not d/new from the same layer, whatever
    // the order; a whiteout removes the lower "gone".
    auto report = extractBytes(fixtures::makeTar({{QStringLiteral("d/new"), 'f', "upper"},
                                                  {QStringLiteral("d/.wh..wh..opq"), 'f'},
                                                  {QStringLiteral(".wh.gone"), 'f'}}),
                               dir.path());
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(listTree(dir.path()), (QStringList{QStringLiteral("d"), QStringLiteral("d/new")}));
}

QTEST_GUILESS_MAIN(TestLayerExtractor)
#include "tst_layerextractor.moc"
