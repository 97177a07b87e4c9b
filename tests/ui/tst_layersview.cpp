// The Layers view, offscreen, on the Docker-built reference images: loading in the
// background, bars and segments, tooltips, clicks and selection, the log scale, the
// pickers, a store, export, and images that cannot be opened.
#include "core/analysis/bytesize.h"
#include "core/store/imagestore.h"
#include "ui/imagediffview.h"
#include "ui/layerschart.h"
#include "ui/layersview.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLocale>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <set>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", QStringLiteral("..")) +
           QStringLiteral("/tests/data/images/") + name;
}

// Figures from `docker inspect` / `docker history` of the reference images (see their README).
constexpr qint64 BuildTotal = 3096536;
constexpr qint64 FinalTotal = 1982259;
constexpr int BuildLayers = 8; // 10 history entries, 2 of them metadata only
constexpr int FinalLayers = 2; // 4 history entries, 2 of them metadata only

int distinctColours(const QImage &image)
{
    std::set<QRgb> colours;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3)
            colours.insert(image.pixel(x, y));
    return int(colours.size());
}

} // namespace

class TestLayersView : public QObject
{
    Q_OBJECT

private:
    // A shown view comparing build (left) and final (right).
    std::unique_ptr<LayersView> comparedView()
    {
        auto view = std::make_unique<LayersView>();
        view->resize(1000, 700);
        view->show();
        view->compare(
            {imagePath(QStringLiteral("build.docker.tar")), imagePath(QStringLiteral("final.docker.tar"))});
        return view;
    }

private Q_SLOTS:
    void shortensInstructions()
    {
        QCOMPARE(LayersChart::shortInstruction(QStringLiteral("/bin/sh -c #(nop)  COPY file:abc in /app ")),
                 QStringLiteral("COPY file:abc in /app"));
        QCOMPARE(LayersChart::shortInstruction(QStringLiteral("/bin/sh -c apt-get update")),
                 QStringLiteral("RUN apt-get update"));
        QCOMPARE(LayersChart::shortInstruction(QStringLiteral("RUN /bin/sh -c make all # buildkit")),
                 QStringLiteral("RUN make all"));
        QCOMPARE(
            LayersChart::shortInstruction(QStringLiteral("RUN |1 GOOS=linux /bin/sh -c go build # buildkit")),
            QStringLiteral("RUN go build"));
        QCOMPARE(LayersChart::shortInstruction(QStringLiteral("COPY /bin/busybox /bin/busybox # buildkit")),
                 QStringLiteral("COPY /bin/busybox /bin/busybox"));
        const QString longOne =
            LayersChart::shortInstruction(QStringLiteral("RUN ") + QString(200, u'x'), 40);
        QCOMPARE(longOne.size(), 40);
        QVERIFY(longOne.endsWith(QChar(0x2026)));
        QVERIFY(!LayersChart::shortInstruction(QString()).isEmpty());
    }

    void comparesTwoImages()
    {
        auto view = comparedView();
        QSignalSpy loaded(view.get(), &LayersView::loaded);
        QVERIFY(view->isLoading());
        QVERIFY(view->waitUntilLoaded(60000));
        QCOMPARE(loaded.count(), 1);
        QVERIFY2(view->errors().isEmpty(), qPrintable(view->errors().join(u'\n')));

        const QList<ChartImage> &images = view->chart()->images();
        QCOMPARE(images.size(), 2);
        QCOMPARE(images[0].totalSize, BuildTotal);
        QCOMPARE(images[1].totalSize, FinalTotal);
        // Metadata-only history entries (ENV, CMD) make no segment.
        QCOMPARE(images[0].layers.size(), BuildLayers);
        QCOMPARE(images[1].layers.size(), FinalLayers);
        QCOMPARE(images[0].label, QStringLiteral("build.docker.tar"));
        QCOMPARE(view->headline(), QStringLiteral("3.1 MB vs 2.0 MB — 1.6× smaller"));
        {
            // The ratio is a number like the sizes: in German both use the decimal comma.
            QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
            const QString german = view->headline();
            QLocale::setDefault(QLocale::c());
            QCOMPARE(german, QStringLiteral("3,1 MB vs 2,0 MB — 1,6× smaller"));
        }

        QAbstractItemModelTester tester(view->layerModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(view->layerModel()->rowCount(), BuildLayers + FinalLayers);
        QCOMPARE(view->layerModel()->columnCount(), 5);
        // Both sizes, each named: the one `docker images` counts and the blob as stored.
        QCOMPARE(view->layerModel()->headerData(3, Qt::Horizontal).toString(),
                 QStringLiteral("Size (uncompressed)"));
        QCOMPARE(view->layerModel()->headerData(4, Qt::Horizontal).toString(),
                 QStringLiteral("Blob (as stored)"));

        // The 23-byte `COPY hello.txt ./` layer: its tooltip names the instruction and size.
        int hello = -1;
        for (int l = 0; l < images[0].layers.size(); ++l)
            if (images[0].layers[l].createdBy.contains(QStringLiteral("hello.txt")))
                hello = l;
        QVERIFY(hello >= 0);
        QCOMPARE(images[0].layers[hello].size, 23);
        // A 23-byte file in a docker save tarball's plain layer.tar: 2,560 bytes of tar.
        const qint64 pulled = images[0].layers[hello].compressedSize;
        QCOMPARE(pulled, 2560);
        QCOMPARE(view->layerModel()->index(hello, 4).data(Qt::UserRole).toLongLong(), pulled);
        const QString tip = view->chart()->segmentToolTip(0, hello);
        QVERIFY2(tip.contains(QStringLiteral("COPY hello.txt")), qPrintable(tip));
        QVERIFY2(tip.contains(QStringLiteral("23 B")), qPrintable(tip));
        QVERIFY(view->chart()->segmentToolTip(1, 5).isEmpty());
    }

    void clickingASegmentActivatesItsLayer()
    {
        auto view = comparedView();
        QVERIFY(view->waitUntilLoaded(60000));
        QSignalSpy activated(view.get(), &LayersView::layerActivated);
        LayersChart *chart = view->chart();
        // The largest layer of `final` (the busybox binary) is tall enough to hit.
        const QList<ChartLayer> &layers = chart->images()[1].layers;
        int largest = 0;
        for (int l = 1; l < layers.size(); ++l)
            if (layers[l].size > layers[largest].size)
                largest = l;
        const QRectF rect = chart->segmentRect(1, largest);
        QVERIFY2(rect.height() > 20, qPrintable(QString::number(rect.height())));
        QVERIFY(chart->viewport()->rect().contains(rect.center().toPoint()));
        QTest::mouseClick(chart->viewport(), Qt::LeftButton, {}, rect.center().toPoint());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated[0][0].toString(), imagePath(QStringLiteral("final.docker.tar")));
        QCOMPARE(activated[0][1].toInt(), layers[largest].index);
        QCOMPARE(activated[0][2].toString(), layers[largest].createdBy);
        QCOMPARE(chart->selectedImage(), 1);
        QCOMPARE(chart->selectedLayer(), largest);
        // The table follows, without a second signal.
        const QModelIndex current = view->layerTable()->currentIndex();
        QVERIFY(current.isValid());
        QCOMPARE(current.siblingAtColumn(0).data().toString(), QStringLiteral("final.docker.tar"));
        QCOMPARE(current.siblingAtColumn(1).data().toString(), QString::number(layers[largest].index + 1));
        QCOMPARE(activated.count(), 1);
    }

    void tableRowsActivateAndSelectLayerDoesNot()
    {
        auto view = comparedView();
        QVERIFY(view->waitUntilLoaded(60000));
        QSignalSpy activated(view.get(), &LayersView::layerActivated);

        view->selectLayer(imagePath(QStringLiteral("build.docker.tar")), 3);
        QCOMPARE(activated.count(), 0);
        QCOMPARE(view->chart()->selectedImage(), 0);
        QCOMPARE(view->chart()->selectedLayer(), 3);
        QCOMPARE(view->layerTable()->currentIndex().row(), 3);

        view->selectLayer(QStringLiteral("no such image"), 0);                // ignored
        view->selectLayer(imagePath(QStringLiteral("final.docker.tar")), 99); // clears
        QCOMPARE(view->chart()->selectedLayer(), -1);
        QCOMPARE(activated.count(), 0);

        // Row 9 is the second layer of `final` (8 rows of `build` come first). Two images show
        // their file changes below the chart first; the layer table is the other tab.
        QCOMPARE(view->detailTabs()->currentWidget(), view->diffView());
        view->detailTabs()->setCurrentWidget(view->layerTable());
        QTreeView *table = view->layerTable();
        const QRect cell = table->visualRect(view->layerModel()->index(BuildLayers + 1, 2));
        QVERIFY(cell.isValid());
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated[0][0].toString(), imagePath(QStringLiteral("final.docker.tar")));
        QCOMPARE(activated[0][1].toInt(), 1);
        QCOMPARE(view->chart()->selectedImage(), 1);
        QCOMPARE(view->chart()->selectedLayer(), 1);
    }

    void logScaleKeepsSmallImagesVisibleAndSharesHonest()
    {
        auto view = comparedView();
        QVERIFY(view->waitUntilLoaded(60000));
        LayersChart *chart = view->chart();
        QVERIFY(!chart->axisTitle().contains(QStringLiteral("log")));
        view->setLogScale(true);
        QVERIFY(chart->logScale());
        QVERIFY(chart->axisTitle().contains(QStringLiteral("log scale")));
        QVERIFY(chart->axisTitle().contains(QStringLiteral("share")));

        // Within a bar each segment's height is its share of the image's total.
        for (int image = 0; image < 2; ++image) {
            const ChartImage &shown = chart->images()[image];
            double bar = 0;
            for (int l = 0; l < shown.layers.size(); ++l)
                bar += chart->segmentRect(image, l).height();
            QVERIFY(bar > 100);
            for (int l = 0; l < shown.layers.size(); ++l) {
                const double expected = bar * double(shown.layers[l].size) / double(shown.totalSize);
                QVERIFY2(qAbs(chart->segmentRect(image, l).height() - expected) < 1.0,
                         qPrintable(QStringLiteral("image %1 layer %2").arg(image).arg(l)));
            }
        }
        view->setLogScale(false);
        QVERIFY(!chart->logScale());
        // On the linear scale heights are proportional to the bytes themselves.
        double build = 0, final = 0;
        for (int l = 0; l < BuildLayers; ++l)
            build += chart->segmentRect(0, l).height();
        for (int l = 0; l < FinalLayers; ++l)
            final += chart->segmentRect(1, l).height();
        QVERIFY(qAbs(build / final - double(BuildTotal) / double(FinalTotal)) < 0.05);
    }

    void followsTheLastTwoBuilds()
    {
        LayersView view;
        QVERIFY(view.followsBuilds());
        const QString base = imagePath(QStringLiteral("base.docker.tar"));
        const QString build = imagePath(QStringLiteral("build.docker.tar"));
        const QString final = imagePath(QStringLiteral("final.docker.tar"));
        view.addBuiltImage(base, QStringLiteral("base"));
        QCOMPARE(view.arguments(), QStringList{base});
        view.addBuiltImage(build, QStringLiteral("build"));
        QCOMPARE(view.arguments(), (QStringList{base, build}));
        view.addBuiltImage(final, QStringLiteral("final"));
        QCOMPARE(view.arguments(), (QStringList{build, final}));
        QVERIFY(view.waitUntilLoaded(60000));
        QCOMPARE(view.chart()->images().size(), 2);
        QCOMPARE(view.chart()->images()[1].totalSize, FinalTotal);
        QVERIFY(view.leftPicker()->findData(base) >= 0);

        // Picking images by hand stops following builds.
        view.compare({final, base});
        QVERIFY(!view.followsBuilds());
        view.addBuiltImage(build, QStringLiteral("again"));
        QCOMPARE(view.arguments(), (QStringList{final, base}));
        QCOMPARE(view.leftPicker()->currentData().toString(), final);
        QCOMPARE(view.rightPicker()->currentData().toString(), base);
        QVERIFY(view.waitUntilLoaded(60000));
        QCOMPARE(view.chart()->images().size(), 2);
        // Two images within a few bytes of each other: the headline says by how much, not "1.0×".
        const qint64 delta = view.chart()->images()[1].totalSize - view.chart()->images()[0].totalSize;
        QVERIFY(delta != 0 && qAbs(delta) < 1000);
        const QString expected = delta > 0 ? QStringLiteral(" — %1 B larger").arg(delta)
                                           : QStringLiteral(" — %1 B smaller").arg(-delta);
        QVERIFY2(view.headline().endsWith(expected), qPrintable(view.headline()));
    }

    void picksImagesFromTheStore()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto store = ImageStore::open(dir.path());
        QVERIFY(store);
        auto names =
            store->import(imagePath(QStringLiteral("final.docker.tar")), QStringLiteral("fixture:final"));
        QVERIFY2(names, names ? "" : qPrintable(names.error().message));

        LayersView view;
        view.setStoreRoot(dir.path());
        const int found = view.rightPicker()->findData(QStringLiteral("fixture:final"));
        QVERIFY(found >= 0);
        view.leftPicker()->setCurrentIndex(view.leftPicker()->findData(QStringLiteral("fixture:final")));
        view.rightPicker()->setCurrentIndex(found);
        Q_EMIT view.rightPicker()->activated(found); // as when a person picks it
        // An image beside itself is a fair comparison too.
        QCOMPARE(view.arguments(),
                 (QStringList{QStringLiteral("fixture:final"), QStringLiteral("fixture:final")}));
        QVERIFY(!view.followsBuilds());
        QVERIFY(view.waitUntilLoaded(60000));
        QVERIFY2(view.errors().isEmpty(), qPrintable(view.errors().join(u'\n')));
        QCOMPARE(view.chart()->images().size(), 2);
        QCOMPARE(view.chart()->images()[0].totalSize, FinalTotal);
        QCOMPARE(view.headline(), QStringLiteral("2.0 MB vs 2.0 MB — the same size"));

        view.compare({QStringLiteral("fixture:final")});
        QVERIFY(view.waitUntilLoaded(60000));
        QCOMPARE(view.headline(), QStringLiteral("fixture:final: 2.0 MB in 2 layers"));
    }

    void reportsImagesThatCannotBeOpened()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString text = dir.filePath(QStringLiteral("notes.tar"));
        QFile file(text);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a tarball at all\n");
        file.close();

        LayersView view;
        view.setStoreRoot(dir.filePath(QStringLiteral("no-store")));
        view.compare({text, dir.filePath(QStringLiteral("missing.tar")),
                      imagePath(QStringLiteral("final.docker.tar"))});
        QVERIFY(view.waitUntilLoaded(60000));
        QCOMPARE(view.errors().size(), 2);
        QVERIFY2(view.errors()[0].startsWith(QStringLiteral("Cannot open ") + text),
                 qPrintable(view.errors()[0]));
        QVERIFY2(view.errors()[1].contains(QStringLiteral("missing.tar")), qPrintable(view.errors()[1]));
        // What could be opened is still shown; no store was created just by looking.
        QCOMPARE(view.chart()->images().size(), 1);
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("no-store"))));
    }

    void newComparisonReplacesAPendingOne()
    {
        LayersView view;
        QSignalSpy loaded(&view, &LayersView::loaded);
        view.compare({imagePath(QStringLiteral("build.docker.tar"))});
        view.compare({imagePath(QStringLiteral("final.oci"))});
        QVERIFY(view.waitUntilLoaded(60000));
        QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 2000);
        QCOMPARE(view.chart()->images().size(), 1);
        QCOMPARE(view.chart()->images()[0].totalSize, FinalTotal);
        // Destroying a view while it loads waits for its workers (checked under ASan).
        auto busy = std::make_unique<LayersView>();
        busy->compare(
            {imagePath(QStringLiteral("build.docker.tar")), imagePath(QStringLiteral("build.oci"))});
        busy.reset();
    }

    void exportsThePicture()
    {
        auto view = comparedView();
        QVERIFY(view->waitUntilLoaded(60000));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("layers.png"));
        QString error;
        QVERIFY2(view->exportPng(path, &error), qPrintable(error));
        const QImage image(path);
        QVERIFY(!image.isNull());
        // A slide: full HD whatever the pane's size, with headline, legend and every label.
        QCOMPARE(image.size(), QSize(1920, 1080));
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
            image.save(QStringLiteral("/tmp/stagecraft-layers-export.png"));
        QVERIFY(distinctColours(image) > 10);
        LayersChart *chart = view->chart();
        QCOMPARE(chart->calloutTexts().size(), chart->images().size());
        for (int i = 0; i < chart->images().size(); ++i)
            QCOMPARE(chart->calloutTexts().at(i), formatByteSize(chart->images().at(i).totalSize));
        // The headline's row at the top is not background: the title is drawn there.
        const QColor background = image.pixelColor(2, 2);
        bool titleDrawn = false;
        for (int x = 0; x < image.width() && !titleDrawn; x += 2)
            for (int y = 24; y < 90 && !titleDrawn; y += 2)
                titleDrawn = image.pixelColor(x, y) != background;
        QVERIFY(titleDrawn);

        QVERIFY(!view->exportPng(dir.filePath(QStringLiteral("no/such/dir/x.png")), &error));
        QVERIFY2(error.contains(QStringLiteral("Cannot write")), qPrintable(error));
    }
};

QTEST_MAIN(TestLayersView)
#include "tst_layersview.moc"
