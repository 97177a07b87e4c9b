#include "core/analysis/bytesize.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagecomparison.h"
#include "layerspec.h"

#include <QTest>

#include <cmath>

using namespace stagecraft;

namespace {

QList<AnalysisLayer> layersFromSpec(const QString &spec)
{
    QList<AnalysisLayer> layers;
    for (const QString &layer : spec.split(u'|')) {
        AnalysisLayer l;
        l.index = test::layerFromSpec(layer, QString::number(layers.size()));
        l.createdBy = layer.trimmed();
        layers.append(l);
    }
    return layers;
}

QString inefficientList(const ImageAnalysis &analysis)
{
    QStringList out;
    for (const InefficientFile &f : analysis.inefficientFiles())
        out.append(f.path + u':' + QString::number(f.count) + u':' + QString::number(f.wastedBytes));
    return out.join(u' ');
}

// The build image of tests/data/images/ by hand, its base shortened: waste in the
// /out layers (a removed blob, a file written twice) and in /cache (an opaque directory).
const char *const BuildImage = "d etc; f etc/passwd 30; d tmp; d bin; f bin/busybox 1000; l bin/sh busybox"
                               "| d bin; l bin/sh /bin/busybox; l bin/ls /bin/busybox"
                               "| d src"
                               "| d src; f src/hello.txt 23"
                               "| d etc; d out; f out/app 3; f out/blob.bin 1048576"
                               "| d etc; d out; f out/app 3; w out/blob.bin"
                               "| d cache; f cache/a 65536; f cache/b 2; d etc"
                               "| d cache; o cache; f cache/c 2; d etc";

} // namespace

class TestImageAnalysis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void waste_data();
    void waste();
    void layerReports();
    void dockerLayerSize();
    void userWastedPercent();
    void comparison();
    void byteSizes_data();
    void byteSizes();
};

void TestImageAnalysis::waste_data()
{
    QTest::addColumn<QString>("layers");
    QTest::addColumn<bool>("dive");
    QTest::addColumn<qint64>("wasted");
    QTest::addColumn<qint64>("smallestSum"); // efficiency = smallestSum / cumulativeSum
    QTest::addColumn<qint64>("cumulativeSum");
    QTest::addColumn<QString>("inefficient");

    QTest::addRow("single-layer") << "f a 10; f b 5" << false << qint64(0) << qint64(15) << qint64(15) << "";
    QTest::addRow("empty-image") << "d a" << false << qint64(0) << qint64(0) << qint64(0) << "";
    // dive counts every version of a path held more than once, the last one included.
    QTest::addRow("overwrite") << "f a 10 | f a 10" << false << qint64(20) << qint64(10) << qint64(20)
                               << "/a:2:20";
    QTest::addRow("overwrite-smaller")
        << "f a 10 | f a 4 | f a 7" << false << qint64(21) << qint64(4) << qint64(21) << "/a:3:21";
    QTest::addRow("whiteout-file") << "f a 100; f keep 1 | w a" << false << qint64(100) << qint64(1)
                                   << qint64(101) << "/a:2:100";
    QTest::addRow("whiteout-file-dive")
        << "f a 100; f keep 1 | w a" << true << qint64(100) << qint64(1) << qint64(101) << "/a:2:100";
    QTest::addRow("whiteout-directory") << "d c; f c/x 10; f c/y 5 | w c" << false << qint64(15) << qint64(0)
                                        << qint64(15) << "/c/x:2:10 /c/y:2:5";
    // dive sizes the whiteout of a directory by what was below it, as one path seen once.
    QTest::addRow("whiteout-directory-dive")
        << "d c; f c/x 10; f c/y 5 | w c" << true << qint64(0) << qint64(30) << qint64(30) << "";
    QTest::addRow("whiteout-missing") << "f a 1 | w b" << false << qint64(0) << qint64(1) << qint64(1) << "";
    QTest::addRow("opaque") << "d cache; f cache/a 64; f cache/b 2 | d cache; o cache; f cache/c 2" << false
                            << qint64(66) << qint64(2) << qint64(68) << "/cache/a:2:64 /cache/b:2:2";
    // dive never looks at opaque markers.
    QTest::addRow("opaque-dive") << "d cache; f cache/a 64; f cache/b 2 | d cache; o cache; f cache/c 2"
                                 << true << qint64(0) << qint64(68) << qint64(68) << "";
    // Directories listed again (their times changed) and empty directories are empty
    // versions: never waste.
    QTest::addRow("directory-only-layers") << "d etc; f etc/passwd 30 | d etc | d etc; d src" << false
                                           << qint64(0) << qint64(30) << qint64(30) << "";
    // Only the leaves of a layer's own tree are versions: /etc in layer 0 has a child.
    QTest::addRow("non-leaf-directory") << "d etc; f etc/passwd 30 | d etc; f etc/passwd 30" << false
                                        << qint64(60) << qint64(30) << qint64(60) << "/etc/passwd:2:60";
    // Hard links are 0-byte entries (the tar holds the data once).
    QTest::addRow("hardlinks") << "f x 100; h y x | h z x; h y x" << false << qint64(0) << qint64(100)
                               << qint64(100) << "";
    QTest::addRow("symlinks-repeated")
        << "l a b | l a c" << false << qint64(0) << qint64(0) << qint64(0) << "";
    QTest::addRow("removed-then-recreated")
        << "f a 5 | w a | f a 5" << false << qint64(10) << qint64(0) << qint64(10) << "/a:3:10";
    QTest::addRow("build-image") << BuildImage << false << qint64(1048576 + 6 + 65536 + 2)
                                 << qint64(30 + 1000 + 23 + 3 + 2)
                                 << qint64(30 + 1000 + 23 + 1048579 + 3 + 65538 + 2)
                                 << "/out/blob.bin:2:1048576 /cache/a:2:65536 /out/app:2:6 /cache/b:2:2";
    QTest::addRow("build-image-dive")
        << BuildImage << true << qint64(1048576 + 6) << qint64(30 + 1000 + 23 + 3 + 65538 + 2)
        << qint64(30 + 1000 + 23 + 1048579 + 3 + 65538 + 2) << "/out/blob.bin:2:1048576 /out/app:2:6";
}

void TestImageAnalysis::waste()
{
    QFETCH(QString, layers);
    QFETCH(bool, dive);
    QFETCH(qint64, wasted);
    QFETCH(qint64, smallestSum);
    QFETCH(qint64, cumulativeSum);
    QFETCH(QString, inefficient);

    AnalysisOptions options;
    options.wasteModel = dive ? WasteModel::Dive : WasteModel::PerFile;
    const ImageAnalysis analysis = ImageAnalysis::analyze(layersFromSpec(layers), options);
    QCOMPARE(analysis.wastedBytes(), wasted);
    const double efficiency = cumulativeSum == 0 ? 1.0 : double(smallestSum) / double(cumulativeSum);
    QCOMPARE(analysis.efficiency(), efficiency);
    QCOMPARE(inefficientList(analysis), inefficient);
}

void TestImageAnalysis::layerReports()
{
    const ImageAnalysis analysis = ImageAnalysis::analyze(layersFromSpec(QString::fromLatin1(BuildImage)));
    const QList<LayerReport> &layers = analysis.layers();
    QCOMPARE(layers.size(), 8);
    const QList<qint64> sizes{1030, 0, 0, 23, 1048579, 3, 65538, 2};
    for (int i = 0; i < layers.size(); ++i) {
        QCOMPARE(layers[i].index, i);
        QCOMPARE(layers[i].size, sizes[i]);
    }
    QCOMPARE(analysis.totalSize(), 1030 + 23 + 1048579 + 3 + 65538 + 2);
    QCOMPARE(analysis.userSize(), analysis.totalSize() - 1030);

    // Changes of each layer against the ones below.
    QCOMPARE(layers[1].changes.added.size(), 1);    // bin/ls
    QCOMPARE(layers[1].changes.modified.size(), 1); // bin/sh's target changed; bin/ listed again is no change
    QCOMPARE(layers[4].changes.added.size(), 3);    // out, out/app, out/blob.bin
    QCOMPARE(layers[4].changes.modified.size(), 0); // etc listed again
    QCOMPARE(layers[5].changes.modified.size(), 1);
    QCOMPARE(layers[5].changes.removed.size(), 1);
    QCOMPARE(layers[5].changes.removed[0].path, QStringLiteral("/out/blob.bin"));
    QCOMPARE(layers[5].changes.removed[0].size, 1048576);
    QCOMPARE(layers[7].changes.added.size(), 1);
    QCOMPARE(layers[7].changes.removed.size(), 2);

    const FileTree &tree = analysis.finalTree();
    QCOMPARE(tree.find(u"/out/blob.bin"), -1);
    QCOMPARE(tree.find(u"/cache/a"), -1);
    QCOMPARE(tree.node(tree.find(u"/out/app")).layer, 5);
    QCOMPARE(tree.totalSize(), 30 + 1000 + 23 + 3 + 2);
}

void TestImageAnalysis::dockerLayerSize()
{
    const LayerIndex layer =
        test::layerFromSpec(QStringLiteral("f bin/busybox 100; l bin/sh busybox; l bin/ls busybox"));
    QCOMPARE(ImageAnalysis::dockerLayerSize(layer, QString()), 100);
    QCOMPARE(ImageAnalysis::dockerLayerSize(layer, QStringLiteral("buildkit.dockerfile.v0")), 100);
    QCOMPARE(ImageAnalysis::dockerLayerSize(layer, QStringLiteral("Imported from -")), 114);
}

void TestImageAnalysis::userWastedPercent()
{
    // dive: all wasted bytes over the bytes of every layer but the first.
    const ImageAnalysis a =
        ImageAnalysis::analyze(layersFromSpec(QStringLiteral("f base 1000 | f a 10 | f a 30")));
    QCOMPARE(a.wastedBytes(), 40);
    QCOMPARE(a.userSize(), 40);
    QCOMPARE(a.userWastedPercent(), 1.0);

    const ImageAnalysis b =
        ImageAnalysis::analyze(layersFromSpec(QStringLiteral("f a 1000 | f a 1000; f b 3000")));
    QCOMPARE(b.userWastedPercent(), 2000.0 / 4000.0);

    const ImageAnalysis single = ImageAnalysis::analyze(layersFromSpec(QStringLiteral("f a 1")));
    QCOMPARE(single.userWastedPercent(), 0.0);
    QCOMPARE(single.efficiency(), 1.0);

    const ImageAnalysis onlyBaseBytes = ImageAnalysis::analyze(layersFromSpec(QStringLiteral("f a 5 | w a")));
    QVERIFY(std::isinf(onlyBaseBytes.userWastedPercent()));

    const ImageAnalysis none = ImageAnalysis::analyze({});
    QCOMPARE(none.totalSize(), 0);
    QCOMPARE(none.efficiency(), 1.0);
    QCOMPARE(none.finalTree().nodeCount(), 0);
}

void TestImageAnalysis::comparison()
{
    const QList<AnalysisLayer> base = layersFromSpec(QStringLiteral("d usr; f usr/a 10; f usr/b 20"));
    QList<AnalysisLayer> fat = base;
    fat += layersFromSpec(QStringLiteral("d usr/lib; f usr/lib/go 5000; f usr/lib/x 1000; f usr/b 25"));
    QList<AnalysisLayer> slim = base;
    slim += layersFromSpec(QStringLiteral("f app 7; w usr/a"));

    const ImageComparison c =
        ImageComparison::compare(ImageAnalysis::analyze(fat), ImageAnalysis::analyze(slim));
    QCOMPARE(c.sharedLayerCount(), 1);
    QCOMPARE(c.layers().size(), 2);
    QVERIFY(c.layers()[0].shared);
    QVERIFY(!c.layers()[1].shared);
    QCOMPARE(c.layers()[1].leftSize, 6025);
    QCOMPARE(c.layers()[1].rightSize, 7);
    QCOMPARE(c.leftTotal(), 30 + 6025);
    QCOMPARE(c.rightTotal(), 37);

    QCOMPARE(c.onlyInLeft().size(), 2);
    QCOMPARE(c.onlyInLeft()[0].path, QStringLiteral("/usr/lib")); // a whole directory, once
    QCOMPARE(c.onlyInLeft()[0].leftSize, 6000);
    QCOMPARE(c.onlyInLeft()[0].rightSize, -1);
    QCOMPARE(c.onlyInLeft()[1].path, QStringLiteral("/usr/a"));
    QCOMPARE(c.onlyInRight().size(), 1);
    QCOMPARE(c.onlyInRight()[0].path, QStringLiteral("/app"));
    QCOMPARE(c.onlyInRight()[0].rightSize, 7);
    QCOMPARE(c.changed().size(), 1);
    QCOMPARE(c.changed()[0].path, QStringLiteral("/usr/b"));
    QCOMPARE(c.changed()[0].delta(), -5);
}

void TestImageAnalysis::byteSizes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1: refused
    QTest::addRow("digits") << "1048576" << qint64(1048576);
    QTest::addRow("MB") << "20MB" << qint64(20000000);
    QTest::addRow("GB-fraction") << "1.5GB" << qint64(1500000000);
    QTest::addRow("KB") << "512KB" << qint64(512000);
    QTest::addRow("kB-space") << "512 kB" << qint64(512000);
    QTest::addRow("K") << "4K" << qint64(4000);
    QTest::addRow("MiB") << "20MiB" << qint64(20 * 1024 * 1024);
    QTest::addRow("gi") << "1gi" << qint64(1024LL * 1024 * 1024);
    QTest::addRow("B") << "12B" << qint64(12);
    QTest::addRow("lower") << "3mb" << qint64(3000000);
    QTest::addRow("empty") << "" << qint64(-1);
    QTest::addRow("negative") << "-5MB" << qint64(-1);
    QTest::addRow("unknown-unit") << "5 parsecs" << qint64(-1);
    QTest::addRow("huge") << "99999999PB" << qint64(-1);
}

void TestImageAnalysis::byteSizes()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const auto parsed = parseByteSize(text);
    if (bytes < 0) {
        QVERIFY(!parsed.has_value());
        QVERIFY(!parsed.error().message.isEmpty());
    } else {
        QVERIFY2(parsed.has_value(), qPrintable(parsed ? QString() : parsed.error().message));
        QCOMPARE(*parsed, bytes);
    }
    QCOMPARE(formatByteSize(23), QStringLiteral("23 B"));
    QCOMPARE(formatByteSize(1048579), QStringLiteral("1.0 MB"));
    QCOMPARE(formatByteSize(3096536), QStringLiteral("3.1 MB"));
    QCOMPARE(formatByteSize(123456789), QStringLiteral("123 MB"));
}

QTEST_GUILESS_MAIN(TestImageAnalysis)
#include "tst_imageanalysis.moc"
