// The Files view on a real `docker save` image: the tree and its sizes, a layer's added,
// changed and removed paths, wasted space, the name filter, the largest-files list, the
// layer chooser and the drag payload; the model is checked by QAbstractItemModelTester.
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/stagegraphview.h"
#include "ui/theme.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <functional>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", u".."_s) + u"/tests/data/images/"_s + name;
}

using Status = FileTreeModel::Status;

// Every index of a model, depth first.
void visit(const QAbstractItemModel &model, const QModelIndex &parent,
           const std::function<void(const QModelIndex &)> &f)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        f(index);
        visit(model, index, f);
    }
}

QModelIndex findPath(const QAbstractItemModel &model, const QString &path)
{
    QModelIndex found;
    visit(model, {}, [&](const QModelIndex &index) {
        if (!found.isValid() && index.data(FileTreeModel::PathRole).toString() == path)
            found = index;
    });
    return found;
}

int layerMatching(const FilesView &view, const QString &createdBy)
{
    for (int i = 1; i < view.layerBox()->count(); ++i)
        if (view.layerBox()->itemData(i, Qt::ToolTipRole).toString().contains(createdBy))
            return view.layerBox()->itemData(i).toInt();
    return -1;
}

} // namespace

class TestFilesView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void wholeFilesystem();
    void layerChangesMarked();
    void onlyThisLayersChanges();
    void filterByName();
    void largestFiles();
    void layerChooser();
    void dragPayload();
    void badImage();
    void render();

private:
    FilesView *m_view = nullptr;
    QAbstractItemModelTester *m_modelTester = nullptr;
    QAbstractItemModelTester *m_proxyTester = nullptr;
};

void TestFilesView::init()
{
    m_view = new FilesView;
    m_view->resize(900, 600);
    m_modelTester = new QAbstractItemModelTester(
        m_view->fileModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_view);
    m_proxyTester = new QAbstractItemModelTester(
        m_view->proxyModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_view);
    QSignalSpy loaded(m_view, &FilesView::loaded);
    m_view->showImage(imagePath(u"build.docker.tar"_s), u"build"_s);
    QVERIFY(m_view->isLoading());
    QVERIFY(m_view->waitUntilLoaded(20000));
    QVERIFY2(m_view->errorText().isEmpty(), qPrintable(m_view->errorText()));
    QVERIFY(loaded.size() >= 1);
}

void TestFilesView::cleanup()
{
    delete m_view;
    m_view = nullptr;
}

void TestFilesView::wholeFilesystem()
{
    const FileTreeModel &model = *m_view->fileModel();
    QCOMPARE(m_view->selectedLayer(), -1);
    QVERIFY(model.rowCount() > 3);

    const QModelIndex hello = findPath(model, u"/src/hello.txt"_s);
    QVERIFY(hello.isValid());
    QCOMPARE(model.index(hello.row(), FileTreeModel::SizeColumn, hello.parent())
                 .data(FileTreeModel::SortRole)
                 .toLongLong(),
             23);
    QCOMPARE(hello.data().toString(), u"hello.txt"_s);
    QCOMPARE(hello.data(FileTreeModel::StatusRole).toInt(),
             int(Status::Unchanged)); // nothing marked for "All layers"

    // A directory's size is everything below it.
    const QModelIndex out = findPath(model, u"/out"_s);
    QVERIFY(out.isValid());
    QVERIFY(out.data(FileTreeModel::IsDirectoryRole).toBool());
    qint64 below = 0;
    visit(model, out, [&](const QModelIndex &i) {
        if (!i.data(FileTreeModel::IsDirectoryRole).toBool())
            below += model.index(i.row(), FileTreeModel::SizeColumn, i.parent())
                         .data(FileTreeModel::SortRole)
                         .toLongLong();
    });
    QCOMPARE(model.index(out.row(), FileTreeModel::SizeColumn, out.parent())
                 .data(FileTreeModel::SortRole)
                 .toLongLong(),
             below);
    // The removed blob is gone from the final filesystem.
    QVERIFY(!findPath(model, u"/out/blob.bin"_s).isValid());

    // /out/app was written twice: wasted, and so is its directory.
    const QModelIndex app = findPath(model, u"/out/app"_s);
    QVERIFY(app.isValid());
    QVERIFY(app.data(FileTreeModel::WastedRole).toLongLong() > 0);
    QVERIFY(out.data(FileTreeModel::WastedRole).toLongLong() >=
            app.data(FileTreeModel::WastedRole).toLongLong());
    QVERIFY(!model.index(app.row(), FileTreeModel::WastedColumn, app.parent()).data().toString().isEmpty());
    QVERIFY(hello.data(FileTreeModel::WastedRole).toLongLong() == 0);
    // Reclaimable leaves out the copy the image keeps: /out/app's last version is kept.
    const qint64 appSize = model.index(app.row(), FileTreeModel::SizeColumn, app.parent())
                               .data(FileTreeModel::SortRole)
                               .toLongLong();
    QCOMPARE(app.data(FileTreeModel::ReclaimableRole).toLongLong(),
             app.data(FileTreeModel::WastedRole).toLongLong() - appSize);
    QVERIFY(out.data(FileTreeModel::ReclaimableRole).toLongLong() >=
            app.data(FileTreeModel::ReclaimableRole).toLongLong());
    QVERIFY(app.data(Qt::ToolTipRole).toString().contains(u"reclaimable"_s));
    QVERIFY(model.headerData(FileTreeModel::WastedColumn, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(u"Reclaimable"_s));
    QCOMPARE(model.index(hello.row(), FileTreeModel::ModeColumn, hello.parent()).data().toString().size(),
             10);

    QVERIFY(m_view->statusLabel()->text().contains(u"stage build"_s));
    // Both figures on the status line, reclaimable first, with the formula as its help.
    const QString status = m_view->statusLabel()->text();
    QVERIFY2(status.contains(u"reclaimable"_s) && status.contains(u"as dive counts it"_s),
             qPrintable(status));
    QVERIFY(status.indexOf(u"reclaimable"_s) < status.indexOf(u"wasted"_s));
    QCOMPARE(m_view->statusLabel()->toolTip(), FileTreeModel::wasteFormula());
}

void TestFilesView::layerChangesMarked()
{
    const int rmLayer = layerMatching(*m_view, u"rm /out/blob.bin"_s);
    QVERIFY(rmLayer > 0);
    QSignalSpy activated(m_view, &FilesView::layerActivated);
    m_view->selectLayer(rmLayer);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QCOMPARE(activated.size(), 0); // selectLayer never emits
    QCOMPARE(m_view->selectedLayer(), rmLayer);
    QCOMPARE(m_view->layerBox()->currentData().toInt(), rmLayer);

    const FileTreeModel &model = *m_view->fileModel();
    const QModelIndex blob = findPath(model, u"/out/blob.bin"_s);
    QVERIFY2(blob.isValid(), "a removed file is still listed");
    QCOMPARE(blob.data(FileTreeModel::StatusRole).toInt(), int(Status::Removed));
    QVERIFY(blob.data(Qt::FontRole).value<QFont>().strikeOut());
    QVERIFY(blob.data(Qt::ForegroundRole).isValid());
    QVERIFY(blob.data(FileTreeModel::WastedRole).toLongLong() >= 1048576);
    QCOMPARE(findPath(model, u"/out/app"_s).data(FileTreeModel::StatusRole).toInt(), int(Status::Modified));
    QCOMPARE(findPath(model, u"/src/hello.txt"_s).data(FileTreeModel::StatusRole).toInt(),
             int(Status::Unchanged));
    // Before the layer that makes /cache, it is not there.
    QVERIFY(!findPath(model, u"/cache"_s).isValid());

    const int copyLayer = layerMatching(*m_view, u"COPY hello.txt"_s);
    QVERIFY(copyLayer >= 0);
    m_view->selectLayer(copyLayer);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QCOMPARE(findPath(model, u"/src/hello.txt"_s).data(FileTreeModel::StatusRole).toInt(),
             int(Status::Added));
    QVERIFY(!findPath(model, u"/out"_s).isValid());

    m_view->selectLayer(-1);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QVERIFY(findPath(model, u"/cache/c"_s).isValid());
    QCOMPARE(findPath(model, u"/cache/c"_s).data(FileTreeModel::StatusRole).toInt(), int(Status::Unchanged));
}

void TestFilesView::onlyThisLayersChanges()
{
    QVERIFY(!m_view->changesOnlyBox()->isEnabled()); // nothing to narrow to for "All layers"
    const int rmLayer = layerMatching(*m_view, u"rm /out/blob.bin"_s);
    m_view->selectLayer(rmLayer);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QVERIFY(m_view->changesOnlyBox()->isEnabled());
    QTest::mouseClick(m_view->changesOnlyBox(), Qt::LeftButton, {},
                      QPoint(5, m_view->changesOnlyBox()->height() / 2));
    QVERIFY(m_view->changesOnlyBox()->isChecked());
    QVERIFY(m_view->waitUntilLoaded(10000));

    const FileTreeModel &model = *m_view->fileModel();
    QStringList leaves;
    visit(model, {}, [&](const QModelIndex &i) {
        if (model.rowCount(i) == 0) {
            leaves.append(i.data(FileTreeModel::PathRole).toString());
            QVERIFY(i.data(FileTreeModel::StatusRole).toInt() != int(Status::Unchanged));
        }
    });
    leaves.sort();
    QCOMPARE(leaves, (QStringList{u"/out/app"_s, u"/out/blob.bin"_s}));
    QCOMPARE(model.rowCount(), 1); // only /out leads to them
}

void TestFilesView::filterByName()
{
    QTest::keyClicks(m_view->filterEdit(), u"HELLO"_s);
    const QSortFilterProxyModel &proxy = *m_view->proxyModel();
    QStringList paths;
    visit(proxy, {}, [&](const QModelIndex &i) { paths.append(i.data(FileTreeModel::PathRole).toString()); });
    QVERIFY2(paths.contains(u"/src/hello.txt"_s), qPrintable(paths.join(u' ')));
    QVERIFY(paths.contains(u"/src"_s)); // the way to it
    QVERIFY(!paths.contains(u"/bin/busybox"_s));
    QVERIFY(!paths.contains(u"/out/app"_s));
    // Opened so the matches are visible.
    QVERIFY(m_view->treeView()->isExpanded(proxy.mapFromSource(findPath(*m_view->fileModel(), u"/src"_s))));

    m_view->filterEdit()->clear();
    QVERIFY(findPath(proxy, u"/bin/busybox"_s).isValid());
}

void TestFilesView::largestFiles()
{
    QTest::mouseClick(m_view->largestButton(), Qt::LeftButton);
    QVERIFY(m_view->largestButton()->isChecked());
    QVERIFY(m_view->waitUntilLoaded(10000));
    const FileTreeModel &model = *m_view->fileModel();
    QVERIFY(model.rowCount() > 2);
    qint64 previous = std::numeric_limits<qint64>::max();
    for (int row = 0; row < model.rowCount(); ++row) {
        const QModelIndex i = model.index(row, FileTreeModel::SizeColumn);
        QCOMPARE(model.rowCount(i.siblingAtColumn(0)), 0);
        QVERIFY(!i.siblingAtColumn(0).data(FileTreeModel::IsDirectoryRole).toBool());
        QVERIFY(i.data(FileTreeModel::SortRole).toLongLong() <= previous);
        previous = i.data(FileTreeModel::SortRole).toLongLong();
    }
    QCOMPARE(model.index(0, 0).data().toString(), u"/bin/busybox"_s); // the whole path in the flat list
    // The view sorts by size, largest first.
    QCOMPARE(m_view->proxyModel()->index(0, 0).data(FileTreeModel::PathRole).toString(), u"/bin/busybox"_s);
    QVERIFY(!m_view->treeView()->rootIsDecorated());
}

void TestFilesView::layerChooser()
{
    QComboBox *box = m_view->layerBox();
    QCOMPARE(box->count(), m_view->layerCount() + 1);
    QVERIFY(m_view->layerCount() >= 5);
    QCOMPARE(box->itemData(0).toInt(), -1);
    QVERIFY(box->itemText(2).contains(u"busybox --install"_s) ||
            box->itemText(1).contains(u"busybox --install"_s));
    QSignalSpy activated(m_view, &FilesView::layerActivated);
    box->setCurrentIndex(2); // as a person picking it
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toInt(), 1);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QCOMPARE(m_view->selectedLayer(), 1);
}

void TestFilesView::dragPayload()
{
    FileTreeModel &model = *m_view->fileModel();
    QCOMPARE(model.mimeTypes(), QStringList{StageGraphView::artifactMimeType()});
    const QModelIndex hello = findPath(model, u"/src/hello.txt"_s);
    QVERIFY(model.flags(hello) & Qt::ItemIsDragEnabled);
    std::unique_ptr<QMimeData> mime(model.mimeData({hello}));
    QVERIFY(mime);
    const QJsonObject payload =
        QJsonDocument::fromJson(mime->data(StageGraphView::artifactMimeType())).object();
    QCOMPARE(payload.value(u"stage"_s).toString(), u"build"_s);
    QCOMPARE(payload.value(u"path"_s).toString(), u"/src/hello.txt"_s);
    QCOMPARE(payload.value(u"dir"_s).toBool(), false);
    std::unique_ptr<QMimeData> dir(
        m_view->proxyModel()->mimeData({m_view->proxyModel()->mapFromSource(findPath(model, u"/src"_s))}));
    QVERIFY(dir);
    QCOMPARE(QJsonDocument::fromJson(dir->data(StageGraphView::artifactMimeType()))
                 .object()
                 .value(u"dir"_s)
                 .toBool(),
             true);

    // A removed file is not in the stage and cannot be copied out of it.
    m_view->selectLayer(layerMatching(*m_view, u"rm /out/blob.bin"_s));
    QVERIFY(m_view->waitUntilLoaded(10000));
    const QModelIndex blob = findPath(model, u"/out/blob.bin"_s);
    QVERIFY(!(model.flags(blob) & Qt::ItemIsDragEnabled));
    QVERIFY(!model.mimeData({blob}));
}

void TestFilesView::badImage()
{
    m_view->showImage(u"/nonexistent/image.tar"_s, u"x"_s);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QVERIFY(!m_view->errorText().isEmpty());
    QVERIFY(m_view->errorText().contains(u"/nonexistent/image.tar"_s));
    QCOMPARE(m_view->fileModel()->rowCount(), 0);
    QCOMPARE(m_view->layerBox()->count(), 1);
    QCOMPARE(m_view->statusLabel()->text(), m_view->errorText());
    m_view->selectLayer(3); // no layers: stays on the whole (empty) filesystem
    QVERIFY(m_view->waitUntilLoaded(10000));
    QCOMPARE(m_view->selectedLayer(), -1);

    // Not an image at all.
    m_view->showImage(imagePath(u"README.md"_s), u"x"_s);
    QVERIFY(m_view->waitUntilLoaded(10000));
    QVERIFY(!m_view->errorText().isEmpty());
}

void TestFilesView::render()
{
    m_view->selectLayer(layerMatching(*m_view, u"rm /out/blob.bin"_s));
    m_view->changesOnlyBox()->setChecked(true);
    QVERIFY(m_view->waitUntilLoaded(10000));
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
    QVERIFY(m_view->treeView()->isExpanded(m_view->proxyModel()->index(0, 0))); // a short list opens
    const QImage image = m_view->grab().toImage();
    QVERIFY(!image.isNull());
    // Screenshots to look at by hand, in both of the window's themes: FILESVIEW_SHOTS=/some/dir.
    if (const QString dir = qEnvironmentVariable("FILESVIEW_SHOTS"); !dir.isEmpty()) {
        const QPalette original = QApplication::palette();
        QApplication::setPalette(Theme::lightPalette());
        QApplication::processEvents();
        m_view->grab().save(dir + u"/filesview-light.png"_s);
        QApplication::setPalette(Theme::darkPalette());
        QApplication::processEvents();
        m_view->grab().save(dir + u"/filesview-dark.png"_s);
        m_view->changesOnlyBox()->setChecked(false);
        QVERIFY(m_view->waitUntilLoaded(10000));
        m_view->treeView()->expandAll();
        m_view->grab().save(dir + u"/filesview-dark-tree.png"_s);
        QApplication::setPalette(original);
    }
}

QTEST_MAIN(TestFilesView)
#include "tst_filesview.moc"
