#include "core/analysis/bytesize.h"
#include "core/analysis/bytewriter.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagecomparison.h"
#include "core/analysis/layerindexer.h"
#include "core/analysis/layerstep.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/ocilayout.h"
#include "layerspec.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace stagecraft;
using namespace Qt::StringLiterals;

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

QString imagesDir()
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", QStringLiteral("..")) +
           QStringLiteral("/tests/data/images");
}

// The reference image `name` ("build", "final") as Docker saved it (`docker`) or as
// skopeo copied it into an OCI layout (`oci`).
Expected<Image> referenceImage(const QString &name, const QString &form)
{
    if (form == QLatin1String("docker")) {
        auto archive = DockerArchive::open(imagesDir() + u'/' + name + u".docker.tar");
        if (!archive)
            return std::unexpected(archive.error());
        return archive->image();
    }
    auto layout = OciLayout::open(imagesDir() + u'/' + name + u".oci");
    if (!layout)
        return std::unexpected(layout.error());
    return layout->image();
}

// `docker history` lines, oldest first (the file lists the newest first).
QList<QJsonObject> dockerHistory(const QString &name)
{
    QFile file(imagesDir() + u'/' + name + u".history.jsonl");
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QJsonObject> lines;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.trimmed().isEmpty())
            lines.prepend(QJsonDocument::fromJson(line).object());
    }
    return lines;
}

QJsonObject dockerInspect(const QString &name)
{
    QFile file(imagesDir() + u'/' + name + u".inspect.json");
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).array().at(0).toObject();
}

} // namespace

class TestImageAnalysis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void waste_data();
    void waste();
    void reclaimable_data();
    void reclaimable();
    void layerStep_data();
    void layerStep();
    void layerStepGroupsByDirectory();
    void layerReports();
    void dockerLayerSize();
    void userWastedPercent();
    void comparison();
    void byteSizes_data();
    void byteSizes();
    void referenceImages_data();
    void referenceImages();
    void referenceWaste_data();
    void referenceWaste();
    void bothFormatsAgree();
    void encodeDecode_data();
    void encodeDecode();
    void decodeRefusesDamage();
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

void TestImageAnalysis::reclaimable_data()
{
    QTest::addColumn<QString>("layers");
    QTest::addColumn<qint64>("wasted");
    QTest::addColumn<qint64>("reclaimable");
    QTest::addColumn<QString>("perFile"); // path:reclaimable, in the inefficient list's order

    QTest::addRow("single-layer") << "f a 10; f b 5" << qint64(0) << qint64(0) << "";
    // Written twice, kept once: one copy could go; dive's wasted counts both.
    QTest::addRow("overwrite") << "f a 10 | f a 10" << qint64(20) << qint64(10) << "/a:10";
    // The image keeps the last version, whatever its size.
    QTest::addRow("overwrite-smaller") << "f a 10 | f a 4 | f a 7" << qint64(21) << qint64(14) << "/a:14";
    // Removed at the end: every version could go.
    QTest::addRow("whiteout-file") << "f a 100; f keep 1 | w a" << qint64(100) << qint64(100) << "/a:100";
    QTest::addRow("whiteout-directory")
        << "d c; f c/x 10; f c/y 5 | w c" << qint64(15) << qint64(15) << "/c/x:10 /c/y:5";
    QTest::addRow("removed-then-recreated") << "f a 5 | w a | f a 5" << qint64(10) << qint64(5) << "/a:5";
    QTest::addRow("build-image") << BuildImage << qint64(1048576 + 6 + 65536 + 2)
                                 << qint64(1048576 + 3 + 65536 + 2)
                                 << "/out/blob.bin:1048576 /cache/a:65536 /out/app:3 /cache/b:2";
}

void TestImageAnalysis::reclaimable()
{
    QFETCH(QString, layers);
    QFETCH(qint64, wasted);
    QFETCH(qint64, reclaimable);
    QFETCH(QString, perFile);
    const ImageAnalysis analysis = ImageAnalysis::analyze(layersFromSpec(layers));
    QCOMPARE(analysis.wastedBytes(), wasted);
    QCOMPARE(analysis.reclaimableBytes(), reclaimable);
    QStringList files;
    for (const InefficientFile &f : analysis.inefficientFiles())
        files.append(f.path + u':' + QString::number(f.reclaimableBytes));
    QCOMPARE(files.join(u' '), perFile);
    // The figures survive the analysis cache's encoding.
    const auto decoded = ImageAnalysis::decode(analysis.encode());
    QVERIFY(decoded);
    QCOMPARE(decoded->reclaimableBytes(), reclaimable);
    QCOMPARE(decoded->inefficientFiles(), analysis.inefficientFiles());
}

void TestImageAnalysis::layerStep_data()
{
    QTest::addColumn<int>("layer");
    QTest::addColumn<QString>("headline");
    QTest::addColumn<QString>("counts"); // added files/bytes, modified files/bytes/was, removed paths/bytes
    QTest::addColumn<QString>("largest");

    // The build image by hand: a RUN that writes /out, the next removes the blob and
    // rewrites /out/app, then /cache emptied through an opaque directory.
    QTest::addRow("writes-a-tree") << 4 << u"layer 4 added 1.0 MB: /out (1.0 MB)"_s
                                   << u"2/1048579 0/0/0 0/0"_s << u"/out:1048579:2"_s;
    QTest::addRow("removes-and-rewrites")
        << 5 << u"layer 5 freed 1.0 MB (1 path removed), wrote: /out/app (3 B)"_s << u"0/0 1/3/3 1/1048576"_s
        << u"/out/app:3:1"_s;
    QTest::addRow("bottom-layer") << 0 << u"layer 0 added 1.0 kB: /bin (1.0 kB), /etc (30 B)"_s
                                  << u"3/1030 0/0/0 0/0"_s << u"/bin:1000:2 /etc:30:1"_s;
    QTest::addRow("out-of-range") << 9 << QString() << u"0/0 0/0/0 0/0"_s << QString();
}

void TestImageAnalysis::layerStep()
{
    QFETCH(int, layer);
    QFETCH(QString, headline);
    QFETCH(QString, counts);
    QFETCH(QString, largest);
    const ImageAnalysis analysis = ImageAnalysis::analyze(layersFromSpec(QString::fromLatin1(BuildImage)));
    const LayerStep step = LayerStep::of(analysis, layer);
    QCOMPARE(step.headline(), headline);
    QCOMPARE(u"%1/%2 %3/%4/%5 %6/%7"_s.arg(step.addedFiles)
                 .arg(step.addedBytes)
                 .arg(step.modifiedFiles)
                 .arg(step.modifiedBytes)
                 .arg(step.modifiedBytesWas)
                 .arg(step.removedPaths)
                 .arg(step.removedBytes),
             counts);
    QStringList trees;
    for (const ChangedTree &t : step.largest)
        trees.append(u"%1:%2:%3"_s.arg(t.path).arg(t.bytes).arg(t.files));
    QCOMPARE(trees.join(u' '), largest);
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

void TestImageAnalysis::referenceImages_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("form");
    for (const char *name : {"build", "final"}) {
        for (const char *form : {"docker", "oci"})
            QTest::addRow("%s-%s", name, form) << QString::fromLatin1(name) << QString::fromLatin1(form);
    }
}

void TestImageAnalysis::referenceImages()
{
    QFETCH(QString, name);
    QFETCH(QString, form);
    const auto image = referenceImage(name, form);
    QVERIFY2(image.has_value(), qPrintable(image ? QString() : image.error().message));
    const QList<QJsonObject> history = dockerHistory(name);
    const QJsonObject inspect = dockerInspect(name);
    QVERIFY(!history.isEmpty());
    QVERIFY(!inspect.isEmpty());

    QTemporaryDir cacheDir;
    QVERIFY(cacheDir.isValid());
    LayerIndexer indexer{LayerIndexCache(cacheDir.path())};
    const auto layers = indexer.index(*image);
    QVERIFY2(layers.has_value(), qPrintable(layers ? QString() : layers.error().message));
    QCOMPARE(indexer.stats().layersRead, image->layers.size());
    QCOMPARE(indexer.stats().layersFromCache, 0);
    const ImageAnalysis analysis = ImageAnalysis::analyze(*layers);

    // Diff IDs as `docker inspect` lists them.
    const QJsonArray rootfs =
        inspect.value(QStringLiteral("RootFS")).toObject().value(QStringLiteral("Layers")).toArray();
    QCOMPARE(analysis.layers().size(), rootfs.size());
    for (int i = 0; i < rootfs.size(); ++i)
        QCOMPARE(analysis.layers()[i].diffId, rootfs[i].toString());

    // Each layer's size is `docker history`'s Size of its step; the steps that made no
    // layer (ENV, LABEL, CMD) have Size 0 there.
    QCOMPARE(image->config.history.size(), history.size());
    QList<bool> matched(history.size(), false);
    for (int i = 0; i < analysis.layers().size(); ++i) {
        const int h = image->layers[i].historyIndex;
        QVERIFY(h >= 0 && h < history.size());
        matched[h] = true;
        const QJsonObject &step = history[h];
        QCOMPARE(analysis.layers()[i].size, step.value(QStringLiteral("Size")).toString().toLongLong());
        QCOMPARE(analysis.layers()[i].createdBy, step.value(QStringLiteral("CreatedBy")).toString());
        QCOMPARE(analysis.layers()[i].compressedSize, image->layers[i].descriptor.size);
        QCOMPARE(analysis.layers()[i].digest, image->layers[i].descriptor.digest.toString());
    }
    for (int h = 0; h < history.size(); ++h) {
        if (!matched[h])
            QCOMPARE(history[h].value(QStringLiteral("Size")).toString(), QStringLiteral("0"));
    }
    QCOMPARE(analysis.totalSize(), inspect.value(QStringLiteral("Size")).toInteger());

    // Reopening reads the cache only, and finds the same.
    LayerIndexer again{LayerIndexCache(cacheDir.path())};
    const auto cached = again.index(*image);
    QVERIFY(cached.has_value());
    QCOMPARE(again.stats().layersFromCache, image->layers.size());
    QCOMPARE(again.stats().layersRead, 0);
    QVERIFY(again.stats().cacheProblems.isEmpty());
    const ImageAnalysis second = ImageAnalysis::analyze(*cached);
    QCOMPARE(second.totalSize(), analysis.totalSize());
    QCOMPARE(second.wastedBytes(), analysis.wastedBytes());
    QCOMPARE(second.finalTree().dump(), analysis.finalTree().dump());
}

void TestImageAnalysis::referenceWaste_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("form");
    QTest::addColumn<bool>("dive");
    QTest::addColumn<qint64>("wasted");
    QTest::addColumn<qint64>("smallestSum");
    QTest::addColumn<QString>("inefficient");

    // Every version of every leaf path across the build image's layers: the base's
    // /etc/passwd and /bin/busybox, hello.txt, /out/app twice, the blob, /cache/a, b, c.
    const qint64 cumulative = 30 + 1982256 + 23 + 3 + 1048576 + 3 + 65536 + 2 + 2;
    Q_UNUSED(cumulative)
    for (const char *form : {"docker", "oci"}) {
        const QString f = QString::fromLatin1(form);
        QTest::addRow("build-%s", form)
            << "build" << f << false << qint64(1048576 + 6 + 65536 + 2) << qint64(30 + 1982256 + 23 + 3 + 2)
            << "/out/blob.bin:2:1048576 /cache/a:2:65536 /out/app:2:6 /cache/b:2:2";
        QTest::addRow("build-%s-dive", form)
            << "build" << f << true << qint64(1048576 + 6) << qint64(30 + 1982256 + 23 + 3 + 65536 + 2 + 2)
            << "/out/blob.bin:2:1048576 /out/app:2:6";
        QTest::addRow("final-%s", form) << "final" << f << false << qint64(0) << qint64(1982256 + 3) << "";
    }
}

void TestImageAnalysis::referenceWaste()
{
    QFETCH(QString, name);
    QFETCH(QString, form);
    QFETCH(bool, dive);
    QFETCH(qint64, wasted);
    QFETCH(qint64, smallestSum);
    QFETCH(QString, inefficient);

    const auto image = referenceImage(name, form);
    QVERIFY2(image.has_value(), qPrintable(image ? QString() : image.error().message));
    LayerIndexer indexer;
    const auto layers = indexer.index(*image);
    QVERIFY2(layers.has_value(), qPrintable(layers ? QString() : layers.error().message));
    AnalysisOptions options;
    options.wasteModel = dive ? WasteModel::Dive : WasteModel::PerFile;
    const ImageAnalysis analysis = ImageAnalysis::analyze(*layers, options);

    QCOMPARE(analysis.wastedBytes(), wasted);
    QCOMPARE(inefficientList(analysis), inefficient);
    qint64 cumulative = 0;
    for (const LayerReport &l : analysis.layers())
        cumulative += l.fileBytes;
    QCOMPARE(analysis.efficiency(), double(smallestSum) / double(cumulative));
    QCOMPARE(analysis.userWastedPercent(), double(wasted) / double(analysis.userSize()));

    if (name == QLatin1String("build")) {
        const FileTree &tree = analysis.finalTree();
        QCOMPARE(tree.find(u"/out/blob.bin"), -1);
        QCOMPARE(tree.find(u"/cache/a"), -1);
        QVERIFY(tree.find(u"/cache/c") > 0);
        QCOMPARE(tree.node(tree.find(u"/out/app")).layer, 5);
        QCOMPARE(tree.node(tree.find(u"/bin/busybox")).size, 1982256);
        QCOMPARE(tree.node(tree.find(u"/bin/sh")).type, EntryType::Symlink);
        const LayerDiff &opaque = analysis.layers()[7].changes;
        QCOMPARE(opaque.removed.size(), 2);
        QCOMPARE(opaque.removed[0].path, QStringLiteral("/cache/a"));
        QCOMPARE(opaque.removed[0].size, 65536);
        QCOMPARE(opaque.added.size(), 1);
        QCOMPARE(opaque.added[0].path, QStringLiteral("/cache/c"));
    }
}

void TestImageAnalysis::bothFormatsAgree()
{
    for (const QString &name : {QStringLiteral("build"), QStringLiteral("final")}) {
        ImageAnalysis analyses[2];
        int n = 0;
        for (const QString &form : {QStringLiteral("docker"), QStringLiteral("oci")}) {
            const auto image = referenceImage(name, form);
            QVERIFY(image.has_value());
            LayerIndexer indexer;
            const auto layers = indexer.index(*image);
            QVERIFY(layers.has_value());
            analyses[n++] = ImageAnalysis::analyze(*layers);
        }
        QCOMPARE(analyses[0].finalTree().dump(), analyses[1].finalTree().dump());
        const ImageComparison c = ImageComparison::compare(analyses[0], analyses[1]);
        QCOMPARE(c.sharedLayerCount(), analyses[0].layers().size());
        QVERIFY(c.onlyInLeft().isEmpty());
        QVERIFY(c.onlyInRight().isEmpty());
        QVERIFY(c.changed().isEmpty());
    }

    // The final image against the build stage it copied from.
    const auto build = referenceImage(QStringLiteral("build"), QStringLiteral("oci"));
    const auto final = referenceImage(QStringLiteral("final"), QStringLiteral("oci"));
    QVERIFY(build && final);
    LayerIndexer indexer;
    const ImageComparison c = ImageComparison::compare(ImageAnalysis::analyze(*indexer.index(*build)),
                                                       ImageAnalysis::analyze(*indexer.index(*final)));
    QCOMPARE(c.sharedLayerCount(), 0);
    QCOMPARE(c.onlyInRight().size(), 1);
    QCOMPARE(c.onlyInRight()[0].path, QStringLiteral("/app"));
    QCOMPARE(c.onlyInLeft()[0].path, QStringLiteral("/etc")); // the largest: /etc/passwd
    QCOMPARE(c.onlyInLeft()[0].leftSize, 30);
    const auto out = std::find_if(c.onlyInLeft().cbegin(), c.onlyInLeft().cend(),
                                  [](const PathDifference &d) { return d.path == QLatin1String("/out"); });
    QVERIFY(out != c.onlyInLeft().cend());
    QCOMPARE(out->leftSize, 3);
    QCOMPARE(out->rightSize, -1);
}

namespace {

QString changesText(const LayerDiff &d)
{
    QStringList out;
    for (const auto *list : {&d.added, &d.modified, &d.removed}) {
        QStringList items;
        for (const FileChange &c : *list)
            items.append(c.path + u' ' + entryTypeName(c.type) + u' ' + QString::number(c.size));
        out.append(items.join(u','));
    }
    return out.join(u" | ");
}

} // namespace

void TestImageAnalysis::encodeDecode_data()
{
    QTest::addColumn<QString>("layers");
    QTest::addColumn<bool>("dive");
    QTest::addRow("build-image") << QString::fromLatin1(BuildImage) << false;
    QTest::addRow("build-image-dive") << QString::fromLatin1(BuildImage) << true;
    QTest::addRow("only-base-bytes") << QStringLiteral("f a 5 | w a") << false; // infinite user waste
    QTest::addRow("empty") << QString() << false;
}

void TestImageAnalysis::encodeDecode()
{
    QFETCH(QString, layers);
    QFETCH(bool, dive);
    AnalysisOptions options;
    options.wasteModel = dive ? WasteModel::Dive : WasteModel::PerFile;
    const ImageAnalysis analysis = layers.isEmpty() ? ImageAnalysis::analyze({}, options)
                                                    : ImageAnalysis::analyze(layersFromSpec(layers), options);

    // Behind a header, as the cache file holds it.
    const QByteArray bytes = QByteArray("HEADER") + analysis.encode();
    auto decoded = ImageAnalysis::decode(bytes, 6);
    QVERIFY2(decoded, decoded ? "" : qPrintable(decoded.error().message));
    QCOMPARE(decoded->wasteModel(), analysis.wasteModel());
    QCOMPARE(decoded->totalSize(), analysis.totalSize());
    QCOMPARE(decoded->userSize(), analysis.userSize());
    QCOMPARE(decoded->compressedSize(), analysis.compressedSize());
    QCOMPARE(decoded->wastedBytes(), analysis.wastedBytes());
    QCOMPARE(decoded->efficiency(), analysis.efficiency());
    QCOMPARE(decoded->userWastedPercent(), analysis.userWastedPercent());
    QCOMPARE(decoded->inefficientFiles(), analysis.inefficientFiles());
    QCOMPARE(decoded->layers().size(), analysis.layers().size());
    for (qsizetype i = 0; i < analysis.layers().size(); ++i) {
        const LayerReport &a = analysis.layers()[i];
        const LayerReport &b = decoded->layers()[i];
        QCOMPARE(b.index, a.index);
        QCOMPARE(b.digest, a.digest);
        QCOMPARE(b.diffId, a.diffId);
        QCOMPARE(b.createdBy, a.createdBy);
        QCOMPARE(b.comment, a.comment);
        QCOMPARE(b.size, a.size);
        QCOMPARE(b.compressedSize, a.compressedSize);
        QCOMPARE(b.fileBytes, a.fileBytes);
        QCOMPARE(b.entryCount, a.entryCount);
        QCOMPARE(changesText(b.changes), changesText(a.changes));
    }
    // The tree is decoded on first use, the same from copies of the result.
    const ImageAnalysis copy = *decoded;
    QCOMPARE(copy.finalTree().dump(), analysis.finalTree().dump());
    QCOMPARE(decoded->finalTree().nodeCount(), analysis.finalTree().nodeCount());
    QCOMPARE(decoded->finalTreePointer().get(), copy.finalTreePointer().get());
    // Encoding a decoded result gives the same bytes.
    QCOMPARE(decoded->encode(), analysis.encode());
}

void TestImageAnalysis::decodeRefusesDamage()
{
    const ImageAnalysis analysis = ImageAnalysis::analyze(layersFromSpec(QString::fromLatin1(BuildImage)));
    const QByteArray bytes = analysis.encode();
    QVERIFY(ImageAnalysis::decode(bytes));
    QVERIFY(!ImageAnalysis::decode(bytes, -1));
    QVERIFY(!ImageAnalysis::decode(bytes, bytes.size() + 1));

    // Cut anywhere: refused while the cut is before the tree; a cut inside the tree
    // (which the cache file's checksum catches first) leaves an empty tree, not a crash.
    ByteWriter treeOnly;
    analysis.finalTree().encode(treeOnly);
    const qsizetype treeStart = bytes.size() - treeOnly.size();
    for (qsizetype n = 0; n < bytes.size(); ++n) {
        auto cut = ImageAnalysis::decode(bytes.left(n));
        if (n < treeStart + 4) {
            QVERIFY2(!cut, qPrintable(QString::number(n)));
            QVERIFY(!cut.error().message.isEmpty());
        } else {
            QVERIFY2(cut, qPrintable(QString::number(n)));
            QCOMPARE(cut->finalTree().nodeCount(), 0);
        }
    }
    // An unknown waste model.
    QByteArray model = bytes;
    model[0] = char(7);
    QVERIFY(!ImageAnalysis::decode(model));
    // Flipping any byte of the part before the tree never crashes (it may decode to
    // other figures: the cache's checksum is what catches that).
    for (qsizetype i = 0; i < treeStart; ++i) {
        QByteArray flipped = bytes;
        flipped[i] = char(flipped[i] ^ 0xff);
        auto result = ImageAnalysis::decode(flipped);
        if (result)
            (void)result->finalTree().nodeCount();
    }
}

// Files are grouped under the highest directory their layer created, whichever directory
// they sit in (siblings, a deeper one, a name sorting between a directory and its
// contents such as /opt/n-m), a file in a directory an earlier layer made stands alone,
// and a removal below a removed directory is not counted twice.
void TestImageAnalysis::layerStepGroupsByDirectory()
{
    const ImageAnalysis analysis = ImageAnalysis::analyze(
        layersFromSpec(u"d opt; f opt/keep 1 | f opt/n/x 10; f opt/n/y 20; f opt/n-m/w 40; f opt/z 80; "
                       u"f opt/n/deep/q 5; f opt/keep 2 | w opt/n; w opt/z; o opt/n-m; f opt/n-m/v 1"_s));
    const LayerStep written = LayerStep::of(analysis, 1);
    QStringList trees;
    for (const ChangedTree &t : written.largest)
        trees.append(u"%1:%2:%3"_s.arg(t.path).arg(t.bytes).arg(t.files));
    QCOMPARE(trees.join(u' '), u"/opt/z:80:1 /opt/n-m:40:1 /opt/n:35:3 /opt/keep:2:1"_s);
    QCOMPARE(written.addedFiles, 5);
    QCOMPARE(written.modifiedBytesWas, 1);

    const LayerStep removing = LayerStep::of(analysis, 2);
    QCOMPARE(removing.removedPaths, 3);
    QCOMPARE(removing.removedBytes, 155);
}

QTEST_GUILESS_MAIN(TestImageAnalysis)
#include "tst_imageanalysis.moc"
