#include "core/oci/dockerarchive.h"
#include "core/oci/layerextractor.h"

#include "layerfixtures.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

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

} // namespace

class TestLayerExtractor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void appliesDockerLayers();
    void malicious_data();
    void malicious();
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
    QTest::addColumn<QByteArray>("tar");
    // OUTSIDE stands for the absolute path of a directory next to the destination.
    QTest::addRow("dotdot") << fixtures::makeTar({{QStringLiteral("../escaped"), 'f', "x"}});
    QTest::addRow("dotdot-deep") << fixtures::makeTar({{QStringLiteral("a/b/../../../escaped"), 'f', "x"}});
    QTest::addRow("absolute") << fixtures::makeTar({{QStringLiteral("OUTSIDE/escaped"), 'f', "x"}});
    QTest::addRow("symlink-absolute-then-file")
        << fixtures::makeTar({{QStringLiteral("evil"), 'l', {}, QStringLiteral("OUTSIDE")},
                              {QStringLiteral("evil/escaped"), 'f', "x"}});
    QTest::addRow("symlink-relative-then-file")
        << fixtures::makeTar({{QStringLiteral("evil"), 'l', {}, QStringLiteral("../outside")},
                              {QStringLiteral("evil/escaped"), 'f', "x"}});
    QTest::addRow("symlink-then-dir")
        << fixtures::makeTar({{QStringLiteral("evil"), 'l', {}, QStringLiteral("../outside")},
                              {QStringLiteral("evil/sub/"), 'd'}});
    QTest::addRow("symlink-then-opaque")
        << fixtures::makeTar({{QStringLiteral("evil"), 'l', {}, QStringLiteral("../outside")},
                              {QStringLiteral("evil/.wh..wh..opq"), 'f'}});
    QTest::addRow("hardlink-dotdot") << fixtures::makeTar(
        {{QStringLiteral("h"), 'h', {}, QStringLiteral("../outside/secret")}});
    QTest::addRow("hardlink-through-symlink")
        << fixtures::makeTar({{QStringLiteral("evil"), 'l', {}, QStringLiteral("../outside")},
                              {QStringLiteral("h"), 'h', {}, QStringLiteral("evil/secret")}});
    QTest::addRow("huge-size") << fixtures::makeHugeHeader("big", quint64(1) << 50, QByteArray(4096, 'a'));
    QByteArray random(100000, Qt::Uninitialized);
    QRandomGenerator gen(7);
    for (char &c : random)
        c = char(gen.bounded(256));
    const QByteArray gzipped = fixtures::makeTar({{QStringLiteral("f"), 'f', random}}, Filter::Gzip);
    QTest::addRow("truncated-gzip") << gzipped.left(gzipped.size() / 2);
    random[0] = 'R';
    QTest::addRow("random-bytes") << random;
}

void TestLayerExtractor::malicious()
{
    QFETCH(QByteArray, tar);
    QTemporaryDir dir;
    const QString outside = dir.filePath(QStringLiteral("outside"));
    const QString dest = dir.filePath(QStringLiteral("dest"));
    QVERIFY(QDir().mkpath(outside));
    {
        QFile secret(outside + QStringLiteral("/secret"));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("secret");
    }
    // Rewrite the OUTSIDE placeholder; it is padded in the tar, so rebuild rather than patch.
    if (tar.contains("OUTSIDE")) {
        QList<TarEntry> entries;
        if (qstrcmp(QTest::currentDataTag(), "absolute") == 0)
            entries = {{outside + QStringLiteral("/escaped"), 'f', "x"}};
        else
            entries = {{QStringLiteral("evil"), 'l', {}, outside},
                       {QStringLiteral("evil/escaped"), 'f', "x"}};
        tar = fixtures::makeTar(entries);
    }
    const QStringList before = listTree(dir.path());
    auto report = extractBytes(tar, dest);
    QVERIFY2(!report, "a malicious layer was extracted without an error");
    QVERIFY(!report.error().message.isEmpty());
    // Nothing appeared or changed outside the destination.
    QStringList after = listTree(dir.path());
    after.removeIf(
        [](const QString &p) { return p == QLatin1String("dest") || p.startsWith(QLatin1String("dest/")); });
    QStringList expected = before;
    QCOMPARE(after, expected);
    QCOMPARE(readFile(outside + QStringLiteral("/secret")), QByteArray("secret"));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("escaped"))));
}

void TestLayerExtractor::deviceNodes()
{
    QTemporaryDir dir;
    ExtractOptions options;
    if (::geteuid() == 0)
        options.createDevices = false; // a root test run checks the same path through the option
    auto report = extractBytes(fixtures::makeTar({{QStringLiteral("dev/"), 'd'},
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
    QVERIFY(extractBytes(fixtures::makeTar({{QStringLiteral("d/"), 'd'},
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
