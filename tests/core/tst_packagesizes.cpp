#include "core/analysis/imagesource.h"
#include "core/analysis/packagesizes.h"
#include "core/oci/layerreader.h"
#include "layerfixtures.h"
#include "synthimage.h"

#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using fixtures::TarEntry;

namespace {

using Layers = QList<QList<TarEntry>>;

// An analysis of `layers` (uncompressed tars) and an opener that hands their bytes back.
struct Synthetic
{
    QList<QByteArray> tars;
    ImageAnalysis analysis;

    PackageSizes::LayerOpener opener(int *opened = nullptr) const
    {
        return [this, opened](int layer) -> Expected<std::unique_ptr<QIODevice>> {
            if (opened)
                ++*opened;
            auto buffer = std::make_unique<QBuffer>();
            buffer->setData(tars.value(layer));
            buffer->open(QIODevice::ReadOnly);
            return std::unique_ptr<QIODevice>(std::move(buffer));
        };
    }

    PackageSizeReport report(QStringList *problems = nullptr) const
    {
        QStringList ignored;
        const FileTree &tree = analysis.finalTree();
        const auto databases = PackageSizes::readDatabases(tree, PackageSizes::databasePaths(tree), opener(),
                                                           problems ? problems : &ignored);
        return PackageSizes::compute(analysis, databases);
    }
};

Synthetic build(const Layers &layers)
{
    Synthetic s;
    QList<AnalysisLayer> analysed;
    for (const QList<TarEntry> &entries : layers) {
        s.tars.append(fixtures::makeTar(entries));
        QBuffer buffer(&s.tars.last());
        buffer.open(QIODevice::ReadOnly);
        auto contents = LayerReader::readAll(&buffer);
        if (!contents)
            qFatal("%s", qPrintable(contents.error().message));
        AnalysisLayer layer;
        layer.index =
            LayerIndex::fromEntries(contents->entries, contents->diffId.toString(), s.tars.last().size());
        analysed.append(layer);
    }
    s.analysis = ImageAnalysis::analyze(analysed);
    return s;
}

const PackageSize *find(const PackageSizeReport &report, const QString &name)
{
    for (const PackageSize &p : report.packages)
        if (p.name == name)
            return &p;
    return nullptr;
}

// "name version bytes files missing layer" per package, largest first.
QString describe(const PackageSizeReport &report)
{
    QStringList lines;
    for (const PackageSize &p : report.packages)
        lines.append(QStringLiteral("%1 %2 %3 %4 %5 %6 L%7")
                         .arg(packageManagerName(p.manager), p.name, p.version)
                         .arg(p.bytes)
                         .arg(p.files)
                         .arg(p.missingFiles)
                         .arg(p.layer));
    return lines.join(u'\n');
}

QByteArray bytes(int n, char c = 'x')
{
    return QByteArray(n, c);
}

const QByteArray kBaseStatus = "Package: base-files\n"
                               "Status: install ok installed\n"
                               "Architecture: amd64\n"
                               "Version: 12.4\n"
                               "Description: base\n"
                               " with a continuation: line\n"
                               "\n"
                               "Package: old-thing\n"
                               "Status: deinstall ok config-files\n"
                               "Version: 1\n";

Layers dpkgLayers()
{
    return {
        {{QStringLiteral("bin"), 'l', {}, QStringLiteral("usr/bin")},
         {QStringLiteral("usr/bin/sh"), 'f', bytes(50)},
         {QStringLiteral("usr/share/base/info"), 'f', bytes(100)},
         {QStringLiteral("var/lib/dpkg/status"), 'f', kBaseStatus},
         // /bin/sh goes through the /bin symlink (itself a file of 0 bytes); /usr/share/doc/gone
         // was never unpacked.
         {QStringLiteral("var/lib/dpkg/info/base-files.list"), 'f',
          "/.\n/bin\n/bin/sh\n/usr/share/base/info\n/usr/share/doc/gone\n"},
         {QStringLiteral("var/lib/dpkg/info/old-thing.list"), 'f', "/usr/share/base/info\n"}},
        {{QStringLiteral("usr/lib/go/bin/go"), 'f', bytes(1000)},
         {QStringLiteral("usr/lib/go/src/a.go"), 'f', bytes(200)},
         {QStringLiteral("var/lib/dpkg/status"), 'f',
          kBaseStatus + "\nPackage: golang-go\nStatus: install ok installed\nArchitecture: amd64\nVersion: "
                        "2:1.19~1\n"},
         {QStringLiteral("var/lib/dpkg/info/golang-go:amd64.list"), 'f',
          "/usr/lib/go\n/usr/lib/go/bin/go\n/usr/lib/go/src/a.go\n"}},
    };
}

} // namespace

class TestPackageSizes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dpkg();
    void distrolessDpkg();
    void apk();
    void python();
    void node();
    void normalizesPaths_data();
    void normalizesPaths();
    void hostileDpkg();
    void hostileOthers();
    void survivesTruncationAndMutation();
    void readsOnlyTheLayersThatHoldDatabases();
    void boundsTheDatabaseSize();
    void wholeImageWithCache();
    void normalPathsKeptAsWritten_data();
    void normalPathsKeptAsWritten();
    void filesOfADirectoryAndThroughSymlinks();
};

void TestPackageSizes::dpkg()
{
    const Synthetic s = build(dpkgLayers());
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("dpkg golang-go 2:1.19~1 1200 2 0 L1\n"
                                              "dpkg base-files 12.4 150 3 1 L0"));
    QCOMPARE(report.malformed, 0);
    QCOMPARE(report.packageBytes, 1350);
    QCOMPARE(report.imageBytes, s.analysis.finalTree().totalSize());
    QCOMPARE(find(report, QStringLiteral("golang-go"))->database,
             QStringLiteral("/var/lib/dpkg/info/golang-go:amd64.list"));
}

void TestPackageSizes::distrolessDpkg()
{
    // status.d/NAME per package, no Status field, files in NAME.md5sums (relative paths).
    const Synthetic s =
        build({{{QStringLiteral("usr/lib/os-release"), 'f', bytes(80)},
                {QStringLiteral("etc/shadow"), 'f', bytes(9)},
                {QStringLiteral("var/lib/dpkg/status.d/base"), 'f', "Package: base-files\nVersion: 12\n"},
                {QStringLiteral("var/lib/dpkg/status.d/base.md5sums"), 'f',
                 "0123abcd  usr/lib/os-release\nffff  ../../etc/shadow\nnohash\n"},
                {QStringLiteral("var/lib/dpkg/status.d/tzdata"), 'f',
                 "Package: tzdata\nStatus: deinstall ok config-files\n"}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("dpkg base-files 12 80 1 0 L0"));
    QCOMPARE(report.malformed, 2); // the escaping path and the line without a hash
}

void TestPackageSizes::apk()
{
    const QByteArray installed = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\n"
                                 "a:0:0:755\nZ:Q1xyz=\n\n"
                                 "P:busybox\nV:1.36.1-r5\nF:bin\nR:busybox\nF:etc\nR:profile\n";
    const Synthetic s = build({{{QStringLiteral("lib/ld-musl-x86_64.so.1"), 'f', bytes(600)},
                                {QStringLiteral("bin/busybox"), 'f', bytes(900)},
                                {QStringLiteral("lib/apk/db/installed"), 'f', installed}},
                               {{QStringLiteral("etc/profile"), 'f', bytes(30)}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("apk busybox 1.36.1-r5 930 2 0 L0\n"
                                              "apk musl 1.2.4-r2 600 1 0 L0"));
    QCOMPARE(report.malformed, 0);
}

void TestPackageSizes::python()
{
    const QByteArray record = "requests/__init__.py,sha256=abc,100\n"
                              "\"requests/odd,name.py\",sha256=def,40\n"
                              "../../../bin/req,sha256=ghi,20\n"
                              "requests-2.31.0.dist-info/RECORD,,\n";
    const QString site = QStringLiteral("usr/lib/python3/site-packages/");
    const Synthetic s = build({{{site + QStringLiteral("requests/__init__.py"), 'f', bytes(100)},
                                {site + QStringLiteral("requests/odd,name.py"), 'f', bytes(40)},
                                {QStringLiteral("usr/bin/req"), 'f', bytes(20)},
                                {site + QStringLiteral("requests-2.31.0.dist-info/RECORD"), 'f', record}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("python requests 2.31.0 %1 4 0 L0").arg(160 + record.size()));
    QCOMPARE(report.malformed, 0);
}

void TestPackageSizes::node()
{
    const QString nm = QStringLiteral("app/node_modules/");
    const Synthetic s = build(
        {{{nm + QStringLiteral("left-pad/package.json"), 'f', R"({"name":"left-pad","version":"1.3.0"})"},
          {nm + QStringLiteral("left-pad/index.js"), 'f', bytes(300)},
          {nm + QStringLiteral("left-pad/node_modules/inner/package.json"), 'f', R"({"version":"0.1.0"})"},
          {nm + QStringLiteral("left-pad/node_modules/inner/x.js"), 'f', bytes(50)},
          {nm + QStringLiteral("@scope/pkg/package.json"), 'f', R"({"name":"@scope/pkg","version":"2.0.0"})"},
          {nm + QStringLiteral("@scope/pkg/lib/a.js"), 'f', bytes(70)},
          {nm + QStringLiteral(".bin/left-pad"), 'l', {}, QStringLiteral("../left-pad/index.js")}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("node left-pad 1.3.0 337 2 0 L0\n"
                                              "node @scope/pkg 2.0.0 109 2 0 L0\n"
                                              "node inner 0.1.0 69 2 0 L0"));
}

void TestPackageSizes::normalizesPaths_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected"); // "" for nullopt
    QTest::addRow("absolute") << "/x"
                              << "/usr//bin/./sh"
                              << "/usr/bin/sh";
    QTest::addRow("relative") << "/usr/lib/site"
                              << "../../bin/a"
                              << "/usr/bin/a";
    QTest::addRow("escape") << "/"
                            << "/../etc/passwd"
                            << "";
    QTest::addRow("relative-escape") << "/a"
                                     << "../../etc"
                                     << "";
    QTest::addRow("root") << "/"
                          << "/."
                          << "/";
}

void TestPackageSizes::normalizesPaths()
{
    QFETCH(QString, base);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QCOMPARE(PackageDatabase::normalizePath(base, path).value_or(QString()), expected);
}

void TestPackageSizes::hostileDpkg()
{
    // A field line longer than any database may have, ".." paths in a .list and a status
    // file cut off in the middle of an entry: the sound entries still count.
    const QByteArray huge = "Description: " + QByteArray(PackageDatabase::kMaxLineLength + 10, 'a') + '\n';
    const QByteArray status = "Package: good\nStatus: install ok installed\nVersion: 1\n\n"
                              "Package: hugeline\nStatus: install ok installed\n" +
                              huge + "\nPackage: cut\nStatus: install ok installed\nVers";
    const Synthetic s = build({{{QStringLiteral("usr/share/good"), 'f', bytes(10)},
                                {QStringLiteral("etc/passwd"), 'f', bytes(99)},
                                {QStringLiteral("var/lib/dpkg/status"), 'f', status},
                                {QStringLiteral("var/lib/dpkg/info/good.list"), 'f',
                                 "/usr/share/good\n/../etc/passwd\n/usr/../../etc/passwd\nrelative\n" +
                                     QByteArray(PackageDatabase::kMaxLineLength + 1, '/') + "\n"},
                                {QStringLiteral("var/lib/dpkg/info/cut.list"), 'f', "/etc/passwd\n"}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("dpkg good 1 10 1 0 L0"));
    // hugeline's line and entry, cut's entry, and four bad lines of good.list.
    QCOMPARE(report.malformed, 1 + 1 + 1 + 4);
}

void TestPackageSizes::hostileOthers()
{
    const QByteArray installed = "P:ok\nV:1\nF:bin\nR:ok\nR:../../etc/passwd\nR:a/b\n\n"
                                 "P:escape\nF:../../..\nR:x\n\nnot a field\n\nV:nameless\n";
    const QString site = QStringLiteral("usr/lib/python3/site-packages/");
    const Synthetic s = build({{{QStringLiteral("bin/ok"), 'f', bytes(5)},
                                {QStringLiteral("etc/passwd"), 'f', bytes(99)},
                                {QStringLiteral("lib/apk/db/installed"), 'f', installed},
                                {site + QStringLiteral("evil-1.dist-info/RECORD"), 'f',
                                 "../../../../../../etc/passwd,,\n\"unterminated\n"},
                                {site + QStringLiteral("broken.dist-info/RECORD"), 'f', "x,,\n"},
                                {QStringLiteral("node_modules/bad/package.json"), 'f', "{not json"},
                                {QStringLiteral("node_modules/bad/a.js"), 'f', bytes(7)}}});
    const PackageSizeReport report = s.report();
    // apk: two bad R: lines, the escaping F:, the line without a colon, the entry without a
    // name; python: the escaping path ("unterminated" is a file that is missing);
    // node: the JSON (the package still counts, named after its directory).
    QCOMPARE(describe(report), QStringLiteral("node bad  16 2 0 L0\n"
                                              "apk ok 1 5 1 0 L0\n"
                                              "python broken  0 0 1 L0\n"
                                              "python evil 1 0 0 1 L0"));
    QCOMPARE(report.malformed, 5 + 1 + 1);
}

void TestPackageSizes::survivesTruncationAndMutation()
{
    // Every prefix of each kind of database, and random byte changes: parsers only skip.
    const QByteArray samples[] = {
        kBaseStatus + "\nPackage: x\nStatus: install ok installed\nVersion: 1\n",
        "P:musl\nV:1\nF:lib\nR:a\n\nP:b\nF:bin\nR:b\n",
        "a/__init__.py,sha256=x,1\n\"q,\"\"uoted\",,\n../../bin/x,,\n",
        R"({"name":"@s/p","version":"1.0.0","deps":{"a":"1"}})",
    };
    quint32 seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    int parsed = 0;
    for (const QByteArray &sample : samples) {
        QList<QByteArray> inputs;
        for (qsizetype n = 0; n <= sample.size(); ++n)
            inputs.append(sample.left(n));
        for (int m = 0; m < 300; ++m) {
            QByteArray mutated = sample;
            for (int k = 0; k < 1 + int(next() % 4); ++k)
                mutated[qsizetype(next() % quint32(mutated.size()))] = char(next() & 0xff);
            inputs.append(mutated);
        }
        for (const QByteArray &input : std::as_const(inputs)) {
            int malformed = 0;
            parsed += int(PackageDatabase::parseDpkgStatus(input).packages.size());
            parsed += int(PackageDatabase::parseApkInstalled(input).packages.size());
            parsed += int(PackageDatabase::parseFileList(input, &malformed).size());
            parsed += int(PackageDatabase::parseMd5sums(input, &malformed).size());
            const auto record = PackageDatabase::parsePythonRecord(
                input, QStringLiteral("/usr/lib/python3/site-packages/a-1.dist-info/RECORD"), &malformed);
            parsed += record ? int(record->files.size()) : 0;
            const auto node = PackageDatabase::parseNodePackage(
                input, QStringLiteral("/app/node_modules/p/package.json"), &malformed);
            QVERIFY(node && !node->name.isEmpty());
            for (const QString &file : record ? record->files : QStringList())
                QVERIFY(file.startsWith(u'/') && !file.contains(u"/../"));
        }
    }
    QVERIFY(parsed > 0);
}

void TestPackageSizes::readsOnlyTheLayersThatHoldDatabases()
{
    Layers layers = dpkgLayers();
    layers.append({{QStringLiteral("srv/data"), 'f', bytes(4000)}});
    const Synthetic s = build(layers);
    int opened = 0;
    QStringList problems;
    const FileTree &tree = s.analysis.finalTree();
    const QStringList paths = PackageSizes::databasePaths(tree);
    QCOMPARE(paths.size(), 4);
    const auto databases = PackageSizes::readDatabases(tree, paths, s.opener(&opened), &problems);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
    QCOMPARE(opened, 2); // layers 0 and 1; the third holds none
    QVERIFY(databases.value(QStringLiteral("/var/lib/dpkg/status")).contains("golang-go"));
}

void TestPackageSizes::boundsTheDatabaseSize()
{
    // A status claiming more than the bound is never read (the opener would fail the test).
    LayerEntry status;
    status.path = QStringLiteral("var/lib/dpkg/status");
    status.size = PackageDatabase::kMaxDatabaseBytes + 1;
    const LayerEntries entries{status};
    AnalysisLayer layer;
    layer.index = LayerIndex::fromEntries(entries, QStringLiteral("sha256:00"), 0);
    const ImageAnalysis analysis = ImageAnalysis::analyze({layer});
    QStringList problems;
    const auto databases = PackageSizes::readDatabases(
        analysis.finalTree(), PackageSizes::databasePaths(analysis.finalTree()),
        [](int) -> Expected<std::unique_ptr<QIODevice>> {
            return fail(QStringLiteral("must not be opened"));
        },
        &problems);
    QVERIFY(databases.isEmpty());
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems.first().contains(u"more than a package database may hold"),
             qPrintable(problems.first()));
}

void TestPackageSizes::wholeImageWithCache()
{
    QTemporaryDir dir;
    const QString layout = fixtures::writeOciImage(dir.filePath(QStringLiteral("image")), dpkgLayers());
    QVERIFY(!layout.isEmpty());
    auto opened = ImageSource::analyse(layout, nullptr);
    QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
    const QString cache = dir.filePath(QStringLiteral("cache"));
    auto first = PackageSizes::ofImage(opened->image, *opened->analysis, cache);
    QVERIFY(first);
    QVERIFY(!first->fromCache);
    auto second = PackageSizes::ofImage(opened->image, *opened->analysis, cache);
    QVERIFY(second);
    QVERIFY(second->fromCache);
    QCOMPARE(describe(*second), describe(*first));
    QCOMPARE(describe(*first), QStringLiteral("dpkg golang-go 2:1.19~1 1200 2 0 L1\n"
                                              "dpkg base-files 12.4 150 3 1 L0"));
    // A damaged cache file is read around, not trusted.
    const QStringList files = QDir(cache).entryList(QDir::Files);
    QCOMPARE(files.size(), 1);
    QFile damaged(cache + u'/' + files.first());
    QVERIFY(damaged.open(QIODevice::ReadWrite));
    damaged.seek(60);
    damaged.write("garbage");
    damaged.close();
    auto third = PackageSizes::ofImage(opened->image, *opened->analysis, cache);
    QVERIFY(third);
    QVERIFY(!third->fromCache);
    QCOMPARE(describe(*third), describe(*first));
}

// Paths already in normal form are returned as written (without splitting them again);
// those one step from it still go through the full normalisation.
void TestPackageSizes::normalPathsKeptAsWritten_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected"); // "" for nullopt
    QTest::addRow("normal") << "/usr/lib/x86_64-linux-gnu/libc.so.6"
                            << "/usr/lib/x86_64-linux-gnu/libc.so.6";
    QTest::addRow("dots in names") << "/usr/.hidden/..x/x.."
                                   << "/usr/.hidden/..x/x..";
    QTest::addRow("top level") << "/etc"
                               << "/etc";
    QTest::addRow("trailing slash") << "/usr/bin/"
                                    << "/usr/bin";
    QTest::addRow("dot at the end") << "/usr/bin/."
                                    << "/usr/bin";
    QTest::addRow("dotdot at the end") << "/usr/lib/.."
                                       << "/usr";
    QTest::addRow("doubled slash") << "//usr/bin"
                                   << "/usr/bin";
    QTest::addRow("dotdot past the root") << "/.."
                                          << "";
}

void TestPackageSizes::normalPathsKeptAsWritten()
{
    QFETCH(QString, path);
    QFETCH(QString, expected);
    QCOMPARE(PackageDatabase::normalizePath(u"/", path).value_or(QString()), expected);
}

// A list names a directory's files one after another, some through a symlinked directory
// (/lib -> usr/lib), one twice and one that is gone: each file counts once, found as written
// or through the link.
void TestPackageSizes::filesOfADirectoryAndThroughSymlinks()
{
    const Synthetic s =
        build({{{QStringLiteral("lib"), 'l', {}, QStringLiteral("usr/lib")},
                {QStringLiteral("usr/lib/a"), 'f', bytes(10)},
                {QStringLiteral("usr/lib/b"), 'f', bytes(20)},
                {QStringLiteral("usr/lib/e"), 'f', bytes(40)},
                {QStringLiteral("usr/share/f"), 'f', bytes(80)},
                {QStringLiteral("var/lib/dpkg/status"), 'f',
                 "Package: p\nStatus: install ok installed\nVersion: 1\nArchitecture: amd64\n"},
                {QStringLiteral("var/lib/dpkg/info/p.list"), 'f',
                 "/usr/lib/a\n/lib/b\n/usr/lib/b\n/usr/lib/e\n/lib/e\n/usr/lib/missing\n/lib/a\n"
                 "/usr/share/f\n/lib/missing\n"}}});
    const PackageSizeReport report = s.report();
    QCOMPARE(describe(report), QStringLiteral("dpkg p 1 150 4 2 L0"));
    QCOMPARE(report.packageBytes, 150);
}

QTEST_GUILESS_MAIN(TestPackageSizes)
#include "tst_packagesizes.moc"
