// The compare view's file changes, offscreen, on the Docker-built reference images: the
// rows are ImageComparison's (counted per kind), sorted by the size of the change,
// filtered by path, by directory; the summary in English and German; a row leads to its
// layer; and the pull size in the headline only for images that have one.
#include "core/analysis/imagecomparison.h"
#include "core/analysis/imagesource.h"
#include "germanlocale.h"
#include "ui/imagediffmodel.h"
#include "ui/imagediffview.h"
#include "ui/layerschart.h"
#include "ui/layersview.h"
#include "ui/sizetext.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", u".."_s) + u"/tests/data/images/"_s + name;
}

// The same comparison made directly, to hold the view's rows against.
ImageComparison expectedComparison(const QString &left, const QString &right)
{
    auto a = ImageSource::analyse(imagePath(left), nullptr, {}, false);
    auto b = ImageSource::analyse(imagePath(right), nullptr, {}, false);
    if (!a || !b)
        qFatal("cannot open the reference images");
    return ImageComparison::compare(*a->analysis, *b->analysis);
}

int countRows(const QAbstractItemModel *model, ImageDiffModel::Change change)
{
    int n = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, 0).data(ImageDiffModel::ChangeRole).toInt() == change)
            ++n;
    return n;
}

} // namespace

class TestImageDiffView : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LayersView> compared(const QString &left, const QString &right)
    {
        auto view = std::make_unique<LayersView>();
        view->resize(1024, 700);
        view->show();
        view->compare({imagePath(left), imagePath(right)});
        if (!view->waitUntilLoaded(60000))
            qFatal("the comparison did not finish");
        return view;
    }

private Q_SLOTS:
    void showsTheComparisonsRows()
    {
        auto view = compared(u"build.docker.tar"_s, u"final.docker.tar"_s);
        QVERIFY2(view->errors().isEmpty(), qPrintable(view->errors().join(u'\n')));
        ImageDiffView *diff = view->diffView();
        // Two images: their file changes are the tab shown below the chart.
        QCOMPARE(view->detailTabs()->currentWidget(), diff);
        ImageDiffModel *model = diff->model();
        QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(model->diff());

        const ImageComparison expected = expectedComparison(u"build.docker.tar"_s, u"final.docker.tar"_s);
        QVERIFY(!expected.onlyInLeft().isEmpty());
        QVERIFY(!expected.onlyInRight().isEmpty());
        QCOMPARE(model->rowCount(),
                 expected.onlyInLeft().size() + expected.onlyInRight().size() + expected.changed().size());
        QCOMPARE(countRows(model, ImageDiffModel::Removed), expected.onlyInLeft().size());
        QCOMPARE(countRows(model, ImageDiffModel::Added), expected.onlyInRight().size());
        QCOMPARE(countRows(model, ImageDiffModel::Changed), expected.changed().size());
        QCOMPARE(model->columnCount(), int(ImageDiffModel::ColumnCount));

        // A removed path: its size and layer on A's side, none on B's.
        const PathDifference &gone = expected.onlyInLeft().first();
        int row = -1;
        for (int r = 0; r < model->rowCount(); ++r)
            if (model->difference(r)->path == gone.path)
                row = r;
        QVERIFY(row >= 0);
        QCOMPARE(model->index(row, ImageDiffModel::ChangeColumn).data().toString(), u"removed"_s);
        QCOMPARE(model->index(row, ImageDiffModel::LeftSizeColumn).data().toString(),
                 sizeText(gone.leftSize));
        QCOMPARE(model->index(row, ImageDiffModel::RightSizeColumn).data().toString(), u"\u2014"_s);
        QCOMPARE(model->index(row, ImageDiffModel::LeftLayerColumn).data().toString(),
                 QString::number(gone.leftLayer + 1));
        QCOMPARE(model->index(row, 0).data(ImageDiffModel::DeltaRole).toLongLong(), gone.delta());
        QVERIFY(model->index(row, ImageDiffModel::LeftLayerColumn)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .startsWith(u"Layer %1 of build.docker.tar: "_s.arg(gone.leftLayer + 1)));

        // Sorted by the size of the change, largest first, whichever way it went.
        QSortFilterProxyModel *proxy = diff->proxyModel();
        for (int r = 1; r < proxy->rowCount(); ++r)
            QVERIFY(qAbs(proxy->index(r - 1, 0).data(ImageDiffModel::DeltaRole).toLongLong()) >=
                    qAbs(proxy->index(r, 0).data(ImageDiffModel::DeltaRole).toLongLong()));

        // The summary: the right image against the left, with the counts.
        const qint64 smaller = expected.leftTotal() - expected.rightTotal();
        QVERIFY(smaller > 0);
        const QString summary =
            u"B (final.docker.tar) is %1 smaller than A (build.docker.tar): %2 paths removed, %3 added, %4 changed."_s
                .arg(sizeText(smaller))
                .arg(expected.onlyInLeft().size())
                .arg(expected.onlyInRight().size())
                .arg(expected.changed().size());
        QVERIFY2(diff->summary().startsWith(summary), qPrintable(diff->summary()));
        // Above the chart, in place of its hint: the first sentence, all of it as the tooltip.
        QCOMPARE(diff->summaryLabel()->text(), summary);
        QCOMPARE(diff->summaryLabel()->toolTip(), diff->summary());
        QVERIFY(diff->summaryLabel()->isVisible());
        // `build` removed a 1 MiB file one layer after writing it: the images differ by more
        // than their files do, and the summary says where the rest is.
        const qint64 files = expected.rightFilesTotal() - expected.leftFilesTotal();
        QVERIFY(files != expected.growth());
        QCOMPARE(
            diff->summary().mid(summary.size()),
            u" Their files differ by %1; the other %2 are in layers whose files later layers removed or "
            u"overwrote."_s.arg(ImageDiffModel::deltaText(files), sizeText(qAbs(expected.growth() - files))));

        // By directory: ImageComparison's directories.
        diff->showBox()->setCurrentIndex(diff->showBox()->findData(ImageDiffModel::Directories));
        Q_EMIT diff->showBox()->activated(diff->showBox()->currentIndex());
        QCOMPARE(model->rowCount(), expected.directories().size());
        diff->showBox()->setCurrentIndex(diff->showBox()->findData(ImageDiffModel::AddedPaths));
        Q_EMIT diff->showBox()->activated(diff->showBox()->currentIndex());
        QCOMPARE(model->rowCount(), expected.onlyInRight().size());
        QCOMPARE(countRows(model, ImageDiffModel::Added), model->rowCount());
    }

    void filtersByPath()
    {
        auto view = compared(u"build.docker.tar"_s, u"final.docker.tar"_s);
        ImageDiffView *diff = view->diffView();
        const int all = diff->proxyModel()->rowCount();
        diff->filterEdit()->setText(u"/OUT"_s); // case does not matter
        const int shown = diff->proxyModel()->rowCount();
        QVERIFY(shown > 0 && shown < all);
        for (int r = 0; r < shown; ++r)
            QVERIFY(diff->proxyModel()->index(r, 0).data().toString().contains(u"/out"_s));
        diff->filterEdit()->clear();
        QCOMPARE(diff->proxyModel()->rowCount(), all);
    }

    void aRowLeadsToItsLayer()
    {
        auto view = compared(u"build.docker.tar"_s, u"final.docker.tar"_s);
        QSignalSpy activated(view.get(), &LayersView::layerActivated);
        ImageDiffView *diff = view->diffView();
        QSortFilterProxyModel *proxy = diff->proxyModel();
        // A path B holds leads to B's layer; one only in A to A's.
        int added = -1;
        int removed = -1;
        for (int r = 0; r < proxy->rowCount(); ++r) {
            const int change = proxy->index(r, 0).data(ImageDiffModel::ChangeRole).toInt();
            if (change == ImageDiffModel::Added && added < 0)
                added = r;
            if (change == ImageDiffModel::Removed && removed < 0)
                removed = r;
        }
        QVERIFY(added >= 0 && removed >= 0);
        Q_EMIT diff->table()->activated(proxy->index(added, 0));
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated[0][0].toString(), imagePath(u"final.docker.tar"_s));
        QCOMPARE(activated[0][1].toInt(),
                 proxy->index(added, 0).data(ImageDiffModel::RightLayerRole).toInt());
        QCOMPARE(view->chart()->selectedImage(), 1);
        Q_EMIT diff->table()->activated(proxy->index(removed, 0));
        QCOMPARE(activated.count(), 2);
        QCOMPARE(activated[1][0].toString(), imagePath(u"build.docker.tar"_s));
        QCOMPARE(activated[1][1].toInt(),
                 proxy->index(removed, 0).data(ImageDiffModel::LeftLayerRole).toInt());
        QCOMPARE(view->chart()->selectedImage(), 0);
    }

    void oneImageHasNoFileChanges()
    {
        LayersView view;
        view.compare({imagePath(u"final.docker.tar"_s)});
        QVERIFY(view.waitUntilLoaded(60000));
        QVERIFY(!view.diffView()->model()->diff());
        QCOMPARE(view.diffView()->model()->rowCount(), 0);
        QCOMPARE(view.detailTabs()->currentWidget(), view.layerTable());
        QVERIFY(view.diffView()->summary().contains(u"two images"_s));
        QVERIFY(view.diffView()->summaryLabel()->isHidden());
        // A newer comparison replaces one still running; destroying the view waits for it.
        auto busy = std::make_unique<LayersView>();
        busy->compare({imagePath(u"build.docker.tar"_s), imagePath(u"final.oci"_s)});
        busy.reset();
    }

    void summaryInGerman()
    {
        test::GermanLocale german(true);
        QVERIFY(german.installed());
        auto view = compared(u"build.docker.tar"_s, u"final.docker.tar"_s);
        const QString summary = view->diffView()->summary();
        // "B (final.docker.tar) ist 1,1 MB kleiner als A (build.docker.tar): …"
        QVERIFY2(summary.contains(u"1,1 MB"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"kleiner"_s), qPrintable(summary));
        QCOMPARE(
            view->diffView()->model()->headerData(ImageDiffModel::ChangeColumn, Qt::Horizontal).toString(),
            u"Änderung"_s);
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
            view->grab().save(u"/tmp/stagecraft-imagediff-de.png"_s);
    }

    void pullSizeOnlyWhereTheImageHasOne()
    {
        {
            // An OCI layout's gzip blobs: what a pull downloads, named as compressed.
            LayersView view;
            view.compare({imagePath(u"final.oci"_s)});
            QVERIFY(view.waitUntilLoaded(60000));
            const ChartImage &image = view.chart()->images().at(0);
            QVERIFY(image.pullSize > 0);
            QVERIFY(image.pullSize < image.totalSize); // busybox compresses
            // Its own line under the uncompressed size that `docker images` shows.
            QCOMPARE(view.headline().section(u'\n', 0, 0),
                     u"final.oci: %1 in 2 layers"_s.arg(sizeText(image.totalSize)));
            QCOMPARE(view.headline().section(u'\n', 1),
                     u"pull size %1 (compressed)"_s.arg(sizeText(image.pullSize)));
        }
        {
            // A `docker save` tarball has no such figure: its layers are plain tars.
            LayersView view;
            view.compare({imagePath(u"final.docker.tar"_s)});
            QVERIFY(view.waitUntilLoaded(60000));
            QCOMPARE(view.chart()->images().at(0).pullSize, -1);
            QVERIFY2(!view.headline().contains(u"pull size"_s), qPrintable(view.headline()));
            QVERIFY(!view.headline().contains(u"compressed"_s));
        }
        {
            // Two OCI images: both pull sizes on the headline's second line.
            auto view = compared(u"build.oci"_s, u"final.oci"_s);
            const QList<ChartImage> &images = view->chart()->images();
            QCOMPARE(view->headline().section(u'\n', 1),
                     u"pull size %1 vs %2 (compressed)"_s.arg(sizeText(images[0].pullSize),
                                                              sizeText(images[1].pullSize)));
        }
        {
            // One of each: only the OCI image's, named.
            auto view = compared(u"build.docker.tar"_s, u"final.oci"_s);
            QCOMPARE(view->headline().section(u'\n', 1),
                     u"final.oci: pull size %1 (compressed)"_s.arg(
                         sizeText(view->chart()->images().at(1).pullSize)));
        }
    }
};

QTEST_MAIN(TestImageDiffView)
#include "tst_imagediffview.moc"
