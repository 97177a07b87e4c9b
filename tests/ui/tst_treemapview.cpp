#include "core/analysis/imagesource.h"
#include "germanlocale.h"
#include "layerspec.h"
#include "synthimage.h"
#include "ui/sizetext.h"
#include "ui/treemapcanvas.h"
#include "ui/treemaplayout.h"
#include "ui/treemapmodel.h"
#include "ui/treemapview.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace stagecraft;
using namespace stagecraft::ui;
using fixtures::TarEntry;
using namespace Qt::StringLiterals;

namespace {

// Three layers: a base, a toolchain, and an app that rewrites a file of the base.
std::shared_ptr<const ImageAnalysis> synthetic()
{
    QList<AnalysisLayer> layers;
    for (const QString &spec :
         {u"d usr; d usr/bin; f usr/bin/sh 100; f usr/bin/ls 50; d etc; f etc/passwd 10"_s,
          u"d usr/lib; d usr/lib/go; f usr/lib/go/go 5000; f usr/lib/go/vet 700"_s,
          u"d app; f app/server 900; f etc/passwd 12; f usr/bin/empty 0"_s}) {
        AnalysisLayer layer;
        layer.index = test::layerFromSpec(spec);
        layer.createdBy = u"RUN "_s + spec.left(20);
        layers.append(layer);
    }
    return std::make_shared<const ImageAnalysis>(ImageAnalysis::analyze(layers));
}

QStringList names(const QAbstractItemModel *model)
{
    QStringList out;
    for (int row = 0; row < model->rowCount(); ++row)
        out.append(model->index(row, TreemapModel::NameColumn).data().toString());
    return out;
}

QStringList describe(const TreemapModel &model)
{
    QStringList out;
    for (const TreemapItem &item : model.items())
        out.append(u"%1 %2 L%3%4"_s.arg(item.name)
                       .arg(item.bytes)
                       .arg(item.layer)
                       .arg(item.drillable ? u" >"_s : QString()));
    return out;
}

} // namespace

class TestTreemapView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutTilesTheRectangle();
    void modelTotalsAndDrilling();
    void sortableList();
    void groupsByPackage();
    void packageRowLeadsToItsLine();
    void pullSizeInTheStatus();
    void canvasClicksAndLayers();
    void realImageByEye();
};

void TestTreemapView::layoutTilesTheRectangle()
{
    const QList<qint64> weights{600, 300, 60, 30, 10, 0};
    const QRectF area(0, 0, 400, 300);
    const QList<QRectF> rects = TreemapLayout::squarify(weights, area);
    QCOMPARE(rects.size(), weights.size());
    double covered = 0;
    for (qsizetype i = 0; i < rects.size(); ++i) {
        covered += rects[i].width() * rects[i].height();
        QVERIFY(area.adjusted(-0.01, -0.01, 0.01, 0.01).contains(rects[i]) || rects[i].isEmpty());
        // Each area is proportional to its weight.
        QVERIFY(qAbs(rects[i].width() * rects[i].height() - 120000.0 * weights[i] / 1000) < 0.5);
        for (qsizetype j = 0; j < i; ++j)
            QVERIFY(!rects[i].intersects(rects[j].adjusted(0.01, 0.01, -0.01, -0.01)));
    }
    QVERIFY(qAbs(covered - 120000.0) < 1);
    QVERIFY(rects.last().isEmpty());
    // Squarified: the largest is far from a sliver.
    QVERIFY(rects[0].width() / rects[0].height() < 3 && rects[0].height() / rects[0].width() < 3);
}

void TestTreemapView::modelTotalsAndDrilling()
{
    const auto analysis = synthetic();
    TreemapModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImage(analysis);
    // The top level adds up to the image's bytes, to the byte.
    QCOMPARE(model.levelBytes(), analysis->finalTree().totalSize());
    QCOMPARE(model.levelBytes(), 100 + 50 + 5000 + 700 + 900 + 12);
    QCOMPARE(describe(model), (QStringList{u"usr 5850 L1 >"_s, u"app 900 L2 >"_s, u"etc 12 L2 >"_s}));
    QCOMPARE(model.crumbs(), QStringList{u"/"_s});

    QVERIFY(model.drillInto(0));
    QCOMPARE(model.crumbs(), (QStringList{u"/"_s, u"usr"_s}));
    QCOMPARE(model.currentPath(), u"/usr"_s);
    QCOMPARE(describe(model), (QStringList{u"lib 5700 L1 >"_s, u"bin 150 L0 >"_s}));
    QVERIFY(model.drillInto(1));
    QCOMPARE(describe(model), (QStringList{u"sh 100 L0"_s, u"ls 50 L0"_s, u"empty 0 L2"_s}));
    QVERIFY(!model.drillInto(0)); // a file
    QCOMPARE(model.crumbs().size(), 3);
    model.goToCrumb(1);
    QCOMPARE(model.currentPath(), u"/usr"_s);
    QVERIFY(model.goUp());
    QVERIFY(!model.goUp());
    QCOMPARE(model.currentPath(), u"/"_s);
}

void TestTreemapView::sortableList()
{
    TreemapView view;
    view.showAnalysis(synthetic());
    QSortFilterProxyModel *proxy = view.proxyModel();
    QCOMPARE(names(proxy), (QStringList{u"usr"_s, u"app"_s, u"etc"_s})); // by size, largest first
    proxy->sort(TreemapModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(names(proxy), (QStringList{u"app"_s, u"etc"_s, u"usr"_s}));
    proxy->sort(TreemapModel::SizeColumn, Qt::AscendingOrder);
    QCOMPARE(names(proxy), (QStringList{u"etc"_s, u"app"_s, u"usr"_s}));
    proxy->sort(TreemapModel::LayerColumn, Qt::AscendingOrder);
    QCOMPARE(names(proxy).first(), u"usr"_s); // layer 1 before the two of layer 2
    // Activating a row of the list drills in like a click on the map.
    const QModelIndex usr = proxy->index(0, 0);
    Q_EMIT view.listView()->activated(usr);
    QCOMPARE(view.model()->currentPath(), u"/usr"_s);
    QVERIFY(view.crumbLabel()->text().contains(u"<b>usr</b>"_s));
}

void TestTreemapView::groupsByPackage()
{
    QTemporaryDir dir;
    const QByteArray status = "Package: base-files\nStatus: install ok installed\nVersion: 12\n\n"
                              "Package: golang-go\nStatus: install ok installed\nVersion: 1.19\n";
    const QString layout = fixtures::writeOciImage(
        dir.filePath(u"image"_s), {{{u"etc/os-release"_s, 'f', QByteArray(300, 'o')},
                                    {u"etc/hostname"_s, 'f', QByteArray(20, 'h')},
                                    {u"var/lib/dpkg/info/base-files.list"_s, 'f', "/etc/os-release\n"}},
                                   {{u"usr/lib/go/bin/go"_s, 'f', QByteArray(5000, 'g')},
                                    {u"usr/lib/go/src/a.go"_s, 'f', QByteArray(700, 'a')},
                                    {u"var/lib/dpkg/status"_s, 'f', status},
                                    {u"var/lib/dpkg/info/golang-go.list"_s, 'f',
                                     "/usr/lib/go/bin/go\n/usr/lib/go/src/a.go\n/etc/os-release\n"}}});
    QVERIFY(!layout.isEmpty());
    TreemapView view;
    view.setStoreRoot(dir.filePath(u"store"_s));
    view.showImage(layout);
    QVERIFY(view.waitUntilLoaded(20000));
    QVERIFY2(view.errorText().isEmpty(), qPrintable(view.errorText()));
    const qint64 total = view.model()->analysis()->finalTree().totalSize();
    QCOMPARE(view.model()->levelBytes(), total);

    QSignalSpy packages(&view, &TreemapView::packagesLoaded);
    view.groupBox()->setChecked(true);
    QVERIFY(packages.count() > 0 || packages.wait(20000));
    QVERIFY(view.model()->groupByPackage());
    // /etc/os-release is listed by both: it counts once, for the larger package.
    const QStringList expected{u"golang-go 6000 L1 >"_s, u"(in no package) %1 L1"_s.arg(total - 6000),
                               u"base-files 0 L0"_s};
    QCOMPARE(describe(*view.model()), expected);
    QCOMPARE(view.model()->levelBytes(), total);
    QCOMPARE(view.model()->crumbs(), QStringList{u"Packages"_s});

    QVERIFY(view.model()->drillInto(0));
    QCOMPARE(view.model()->crumbs(), (QStringList{u"Packages"_s, u"golang-go"_s}));
    QCOMPARE(describe(*view.model()),
             (QStringList{u"/usr/lib/go/bin/go 5000 L1"_s, u"/usr/lib/go/src/a.go 700 L1"_s,
                          u"/etc/os-release 300 L0"_s}));
    QVERIFY(view.model()->goUp());
    view.setGroupByPackage(false);
    QCOMPARE(view.model()->crumbs(), QStringList{u"/"_s});
    QCOMPARE(view.model()->levelBytes(), total);
}

void TestTreemapView::packageRowLeadsToItsLine()
{
    QTemporaryDir dir;
    const QByteArray status = "Package: base-files\nStatus: install ok installed\nVersion: 12\n\n"
                              "Package: golang-go\nStatus: install ok installed\nVersion: 1.19\n";
    const QString layout = fixtures::writeOciImage(
        dir.filePath(u"image"_s), {{{u"etc/os-release"_s, 'f', QByteArray(300, 'o')},
                                    {u"var/lib/dpkg/info/base-files.list"_s, 'f', "/etc/os-release\n"}},
                                   {{u"usr/lib/go/bin/go"_s, 'f', QByteArray(5000, 'g')},
                                    {u"var/lib/dpkg/status"_s, 'f', status},
                                    {u"var/lib/dpkg/info/golang-go.list"_s, 'f', "/usr/lib/go/bin/go\n"}}});
    QVERIFY(!layout.isEmpty());
    auto image = ImageSource::open(layout, nullptr);
    QVERIFY(image);
    QCOMPARE(image->layers.size(), 2);
    // As the window's last build would say: the second layer came from line 7; the base's
    // layer from no line of this Dockerfile.
    const QString toolchain = image->layers[1].descriptor.digest.toString();

    TreemapView view;
    view.resize(1024, 768);
    view.show();
    view.setLineLookup([toolchain](const QString &digest) { return digest == toolchain ? 7 : 0; });
    view.showImage(layout);
    QVERIFY(view.waitUntilLoaded(20000));
    QSignalSpy packages(&view, &TreemapView::packagesLoaded);
    view.setGroupByPackage(true);
    QVERIFY(packages.count() > 0 || packages.wait(20000));
    QVERIFY(view.waitUntilLoaded(20000));

    TreemapModel *model = view.model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    int go = -1;
    int base = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString name = model->items()[row].name;
        if (name == u"golang-go"_s)
            go = row;
        if (name == u"base-files"_s)
            base = row;
    }
    QVERIFY(go >= 0 && base >= 0);
    QCOMPARE(model->index(go, TreemapModel::LineColumn).data().toInt(), 7);
    QVERIFY(!model->index(base, TreemapModel::LineColumn).data().isValid());
    QVERIFY(!view.listView()->isColumnHidden(TreemapModel::LineColumn));
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
        view.grab().save(u"/tmp/stagecraft-treemap-package-lines.png"_s);

    QSignalSpy line(&view, &TreemapView::lineActivated);
    QSortFilterProxyModel *proxy = view.proxyModel();
    Q_EMIT view.listView()->activated(proxy->mapFromSource(model->index(base, 0)));
    QCOMPARE(line.count(), 0); // no line known: only its files
    QVERIFY(model->goUp());
    Q_EMIT view.listView()->activated(proxy->mapFromSource(model->index(go, 0)));
    QCOMPARE(line.count(), 1);
    QCOMPARE(line[0][0].toInt(), 7);
    // Its files are shown too; they have no line column.
    QCOMPARE(model->crumbs(), (QStringList{u"Packages"_s, u"golang-go"_s}));
    QVERIFY(view.listView()->isColumnHidden(TreemapModel::LineColumn));

    // A new build changes the lines; refreshLines() asks again.
    view.setLineLookup([](const QString &) { return 0; });
    QVERIFY(model->goUp());
    QVERIFY(!model->hasLines());
    QVERIFY(view.listView()->isColumnHidden(TreemapModel::LineColumn));
}

void TestTreemapView::pullSizeInTheStatus()
{
    const QString images = qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", u".."_s) + u"/tests/data/images/"_s;
    TreemapView view;
    view.showImage(images + u"final.oci"_s);
    QVERIFY(view.waitUntilLoaded(60000));
    QVERIFY(view.pullSize() > 0);
    QVERIFY2(view.statusText().contains(u"pull size %1 (compressed)"_s.arg(sizeText(view.pullSize()))),
             qPrintable(view.statusText()));
    view.showImage(images + u"final.docker.tar"_s);
    QVERIFY(view.waitUntilLoaded(60000));
    QCOMPARE(view.pullSize(), -1);
    QVERIFY2(!view.statusText().contains(u"pull size"_s), qPrintable(view.statusText()));

    // In German, with the reader's number format; the long line wraps in a 1024×768 window.
    const stagecraft::test::GermanLocale german(true);
    QVERIFY(german.installed());
    TreemapView translated;
    translated.resize(500, 600);
    translated.show();
    translated.showImage(images + u"final.oci"_s);
    QVERIFY(translated.waitUntilLoaded(60000));
    QVERIFY2(translated.statusText().contains(
                 u"Pull-Größe %1 (komprimiert)"_s.arg(sizeText(translated.pullSize()))),
             qPrintable(translated.statusText()));
    QVERIFY(translated.statusText().contains(u","_s));
    QVERIFY(translated.minimumSizeHint().width() <= 500);
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
        translated.grab().save(u"/tmp/stagecraft-treemap-de.png"_s);
}

void TestTreemapView::canvasClicksAndLayers()
{
    TreemapView view;
    view.resize(1024, 768);
    view.showAnalysis(synthetic());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    TreemapCanvas *canvas = view.canvas();
    const QRectF usr = canvas->itemRect(0);
    QVERIFY(usr.width() > 10 && usr.height() > 10);
    // usr holds 5850 of 6762 bytes: its share of the map is the same, within a pixel's rounding.
    const double share = usr.width() * usr.height() / (canvas->width() - 2.0) / (canvas->height() - 2.0);
    QVERIFY2(qAbs(share - 5850.0 / 6762.0) < 0.01, qPrintable(QString::number(share)));

    // A layer picked in the legend dims the rest.
    view.highlightLayer(2);
    QCOMPARE(canvas->highlightLayer(), 2);
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
        view.grab().save(u"/tmp/stagecraft-treemap-1024.png"_s);
    view.highlightLayer(-1);
    QCOMPARE(canvas->highlightLayer(), -1);

    QTest::mouseClick(canvas, Qt::LeftButton, {}, usr.center().toPoint());
    QCOMPARE(view.model()->currentPath(), u"/usr"_s);
    QTest::mouseClick(view.findChild<QWidget *>(u"treemapUp"_s), Qt::LeftButton);
    QCOMPARE(view.model()->currentPath(), u"/"_s);
}

// For looking at it by eye: STAGECRAFT_TREEMAP_IMAGE names an image (an OCI layout, a
// `docker save` tarball), STAGECRAFT_SCREENSHOTS asks for the PNGs.
void TestTreemapView::realImageByEye()
{
    const QString image = qEnvironmentVariable("STAGECRAFT_TREEMAP_IMAGE");
    if (image.isEmpty() || !qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS"))
        QSKIP("set STAGECRAFT_TREEMAP_IMAGE and STAGECRAFT_SCREENSHOTS to render a real image");
    QTemporaryDir dir;
    TreemapView view;
    view.resize(1024, 768);
    view.setStoreRoot(dir.filePath(u"store"_s));
    view.showImage(image);
    QVERIFY(view.waitUntilLoaded(120000));
    QVERIFY2(view.errorText().isEmpty(), qPrintable(view.errorText()));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.model()->levelBytes(), view.model()->analysis()->finalTree().totalSize());
    view.grab().save(u"/tmp/stagecraft-treemap-real.png"_s);
    view.highlightLayer(0);
    view.grab().save(u"/tmp/stagecraft-treemap-real-layer0.png"_s);
    view.highlightLayer(-1);
    QSignalSpy packages(&view, &TreemapView::packagesLoaded);
    view.setGroupByPackage(true);
    QVERIFY(packages.count() > 0 || packages.wait(120000));
    QCOMPARE(view.model()->levelBytes(), view.model()->analysis()->finalTree().totalSize());
    view.grab().save(u"/tmp/stagecraft-treemap-real-packages.png"_s);
}

QTEST_MAIN(TestTreemapView)
#include "tst_treemapview.moc"
