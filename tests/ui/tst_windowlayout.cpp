// The window on a projector-sized screen: at 1024×768 and 1280×720, in English and German,
// the editor keeps 60 columns, the side views scroll or wrap instead of squeezing it, every
// toolbar action is on the toolbar, the splitter is remembered, and a file goes from the
// Files tab onto another stage's node in one drag, with Ctrl+Z right after undoing it.
#include "germanlocale.h"
#include "ui/buildlogview.h"
#include "ui/copydropcontroller.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/layersview.h"
#include "ui/liveanalysis.h"
#include "ui/mainwindow.h"
#include "ui/sizetext.h"
#include "ui/stagegraphview.h"
#include "ui/theme.h"
#include "windowatsize.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCompleter>
#include <QDialog>
#include <QElapsedTimer>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>

using namespace stagecraft;
using namespace stagecraft::ui;
using stagecraft::test::GermanLocale;
using stagecraft::test::showAtSize;
using stagecraft::test::WaitFor;
using namespace Qt::StringLiterals;

namespace {

const QString twoStages = u"FROM busybox:fixture AS build\n"
                          u"COPY hello.txt /src/\n"
                          u"\n"
                          u"FROM scratch\n"
                          u"USER 1000\n"
                          u"CMD [\"/hello.txt\"]\n"_s;

} // namespace

class TestWindowLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"stagecraft-tests"_s);
        QCoreApplication::setApplicationName(u"tst_windowlayout"_s);
    }

    void init() { QSettings().clear(); }

    void editorKeepsItsColumns_data() { stagecraft::test::addLanguageAndSizeRows(); }

    void editorKeepsItsColumns()
    {
        QFETCH(bool, german);
        QFETCH(QSize, size);
        const GermanLocale translation(german);
        QVERIFY(!german || translation.installed());
        MainWindow window;
        window.editor()->setPlainText(twoStages);
        window.flushAnalysis();
        QVERIFY(showAtSize(window, size));
        for (const QString &view : {u"graph"_s, u"layers"_s, u"files"_s}) {
            window.showView(view);
            QCoreApplication::processEvents();
            QVERIFY2(window.editor()->visibleColumns() >= DockerfileEditor::kMinimumColumns,
                     qPrintable(u"%1: %2 columns"_s.arg(view).arg(window.editor()->visibleColumns())));
            // The side views fit their pane: no sideways scrolling of the whole pane.
            auto *scroll = window.findChild<QScrollArea *>(u"viewsScroll"_s);
            QVERIFY(scroll);
            QVERIFY2(!scroll->horizontalScrollBar()->isVisible(),
                     qPrintable(u"%1 needs %2 px (graph %4, layers %5, files %6), has %3"_s.arg(view)
                                    .arg(scroll->widget()->minimumSizeHint().width())
                                    .arg(scroll->viewport()->width())
                                    .arg(window.graphView()->minimumSizeHint().width())
                                    .arg(window.layersView()->minimumSizeHint().width())
                                    .arg(window.filesView()->minimumSizeHint().width())));
        }
        // Every toolbar action has its button on a bar, none in an overflow menu.
        for (const QString &name : {u"mainToolBar"_s, u"viewToolBar"_s}) {
            auto *bar = window.findChild<QToolBar *>(name);
            QVERIFY(bar);
            for (QAction *a : bar->actions()) {
                if (a->isSeparator() || !a->isVisible())
                    continue;
                QWidget *widget = bar->widgetForAction(a);
                QVERIFY2(widget && widget->isVisible(), qPrintable(a->objectName() + a->text()));
                QVERIFY2(bar->rect().contains(widget->geometry()), qPrintable(a->objectName() + a->text()));
            }
        }
    }

    void splitterMovesBothWaysAndIsRemembered()
    {
        QList<int> moved;
        {
            MainWindow window;
            QVERIFY(showAtSize(window, QSize(1280, 720)));
            auto *splitter = window.findChild<QSplitter *>(u"splitter"_s);
            QVERIFY(splitter);
            const QList<int> before = splitter->sizes();
            // Wider editor, then narrower: the handle moves both ways.
            splitter->setSizes({before.at(0) + 100, before.at(1) - 100});
            QVERIFY(splitter->sizes().at(0) > before.at(0));
            const QList<int> wider = splitter->sizes();
            splitter->setSizes({wider.at(0) - 40, wider.at(1) + 40});
            QVERIFY(splitter->sizes().at(0) < wider.at(0));
            // What a drag of the handle does: moveSplitter() emits splitterMoved.
            QMetaObject::invokeMethod(splitter, "splitterMoved", Q_ARG(int, wider.at(0) - 40), Q_ARG(int, 1));
            moved = splitter->sizes();
        }
        MainWindow again;
        QVERIFY(showAtSize(again, QSize(1280, 720)));
        QCOMPARE(again.findChild<QSplitter *>(u"splitter"_s)->sizes(), moved);
    }

    // Typing without a pause: the graph and problems follow within the maximum wait, and
    // the growing graph stays inside its pane at a readable size.
    void graphFollowsTypingAndStaysInView()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1024, 768)));
        window.editor()->setFocus();
        int applied = 0;
        connect(&window, &MainWindow::analysisApplied, this, [&applied] { ++applied; });
        QElapsedTimer clock;
        clock.start();
        for (int stage = 0; stage < 6; ++stage) {
            for (const QString &line : {u"FROM alpine AS s%1"_s.arg(stage), u"RUN echo %1"_s.arg(stage)}) {
                QTest::keyClicks(window.editor(), line, Qt::NoModifier, 15); // ~15 ms a key, no pause
                QTest::keyClick(window.editor(), Qt::Key_Return, Qt::NoModifier, 15);
                window.editor()->completer()->popup()->hide();
            }
        }
        const qint64 typedMs = clock.elapsed();
        // One analysis per maximum wait at least (timers may slip on a loaded machine: half).
        QVERIFY2(applied >= typedMs / LiveAnalysis::kMaxWaitMs / 2,
                 qPrintable(u"%1 analyses in %2 ms"_s.arg(applied).arg(typedMs)));
        window.flushAnalysis();
        StageGraphView *graph = window.graphView();
        QCOMPARE(graph->graph().stages.size(), 6);
        QVERIFY(graph->zoom() >= StageGraphView::kReadableZoom);
        const QRectF visible = graph->mapToScene(graph->viewport()->rect()).boundingRect();
        const QRectF first = graph->stageSceneRect(0);
        QVERIFY2(visible.intersects(first), "the first stage slid out of view");

        // Fit on a graph too wide for the pane stops at readable text and shows its start.
        graph->fitToView();
        QVERIFY(graph->zoom() >= StageGraphView::kReadableZoom);
        QVERIFY(
            graph->mapToScene(graph->viewport()->rect()).boundingRect().intersects(graph->stageSceneRect(0)));
    }

    // Ctrl+= on a projector: the whole window grows, menus and toolbar included, and the
    // zoom button says how far.
    void zoomScalesTheWholeWindow()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1280, 720)));
        window.setZoomPercent(100);
        auto *file = window.findChild<QMenu *>(u"menuFile"_s);
        QVERIFY(file);
        const qreal menuBefore = QFontInfo(file->font()).pointSizeF();
        const qreal barBefore = QFontInfo(window.menuBar()->font()).pointSizeF();
        const qreal logBefore = QFontInfo(window.buildLogView()->font()).pointSizeF();
        const qreal graphScaleBefore = window.graphView()->fontScale();
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(window.zoomPercent(), 125);
        QVERIFY(QFontInfo(file->font()).pointSizeF() > menuBefore * 1.15);
        QVERIFY(QFontInfo(window.menuBar()->font()).pointSizeF() > barBefore * 1.15);
        QVERIFY(QFontInfo(window.buildLogView()->font()).pointSizeF() > logBefore * 1.15);
        QVERIFY(window.graphView()->fontScale() > graphScaleBefore);
        // The graph scales itself; its font does not grow a second time.
        QCOMPARE(window.graphView()->font().pointSizeF(), QApplication::font().pointSizeF());
        QCOMPARE(window.action(u"actionZoomReset"_s)->iconText(), u"125 %"_s);
        QTest::keyClick(&window, Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(window.zoomPercent(), 100);
        QCOMPARE(window.action(u"actionZoomReset"_s)->iconText(), u"100 %"_s);
        QCOMPARE(QFontInfo(file->font()).pointSizeF(), menuBefore);
    }

    void germanNumbersAndOneHintForAnEmptyFile()
    {
        {
            const GermanLocale german(true);
            QCOMPARE(sizeText(1'800'000), u"1,8 MB"_s);
        }
        QCOMPARE(sizeText(1'800'000), u"1.8 MB"_s);

        MainWindow window;
        window.newDocument();
        window.flushAnalysis();
        const Diagnostics &shown = window.analysis().diagnostics;
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.first().severity, Severity::Info);
        QVERIFY(shown.first().message.contains(u"FROM"_s));
    }

    // The style's black fallback icons are drawn light on the dark theme.
    void iconsReadableOnDarkTheme()
    {
        MainWindow window;
        QAction *build = window.action(u"actionBuild"_s);
        if (QIcon::hasThemeIcon(u"run-build"_s))
            QSKIP("an icon theme provides the Build icon; the fallback is not used");
        const auto lightness = [build] {
            const QImage image = build->icon().pixmap(32).toImage().convertToFormat(QImage::Format_ARGB32);
            double sum = 0, weight = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x) {
                    const QRgb p = image.pixel(x, y);
                    sum += qAlpha(p) / 255.0 * qGray(p) / 255.0;
                    weight += qAlpha(p) / 255.0;
                }
            return weight > 0 ? sum / weight : -1.0;
        };
        Theme::apply(ThemeChoice::Light);
        QVERIFY(lightness() < 0.35);
        Theme::apply(ThemeChoice::Dark);
        QVERIFY2(lightness() > 0.6, qPrintable(QString::number(lightness())));
        Theme::apply(ThemeChoice::Light);
    }

    void dragFromFilesOntoNodeInOneGesture()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1024, 768), WaitFor::Active));
        window.editor()->setPlainText(twoStages);
        window.editor()->document()->setModified(false);
        window.flushAnalysis();

        // The Files tab shows the build stage; the drag starts in its tree.
        FilesView *files = window.filesView();
        const QString image = QFINDTESTDATA("data/images/build.docker.tar");
        QVERIFY(!image.isEmpty());
        files->showImage(image, u"build"_s);
        QVERIFY(files->waitUntilLoaded(20000));
        QVERIFY2(files->errorText().isEmpty(), qPrintable(files->errorText()));
        window.showView(u"files"_s);
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
            window.grab().save(u"/tmp/stagecraft-files-1024.png"_s);
        const QModelIndex hello =
            files->proxyModel()->mapFromSource(files->fileModel()->indexForPath(u"/src/hello.txt"_s));
        QVERIFY(hello.isValid());
        std::unique_ptr<QMimeData> mime(files->proxyModel()->mimeData({hello}));
        QVERIFY(mime);

        // Hovering over the Graph tab brings the graph to the front during the drag.
        auto *tabs = window.findChild<QTabWidget *>(u"views"_s);
        QTabBar *tabBar = tabs->tabBar();
        const QPoint overTab = tabBar->tabRect(tabs->indexOf(window.graphView())).center();
        QDragEnterEvent enterTab(overTab, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QCoreApplication::sendEvent(tabBar, &enterTab);
        QDragMoveEvent overGraphTab(overTab, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QCoreApplication::sendEvent(tabBar, &overGraphTab);
        QTRY_COMPARE(tabs->currentWidget(), static_cast<QWidget *>(window.graphView()));

        // …and the same drag ends on the last stage's node.
        StageGraphView *graph = window.graphView();
        graph->fitToView();
        const QPoint node = graph->mapFromScene(graph->stageSceneRect(1).center());
        QCOMPARE(graph->stageAt(node), 1);
        QDragEnterEvent enter(node, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QCoreApplication::sendEvent(graph->viewport(), &enter);
        QDragMoveEvent move(node, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QCoreApplication::sendEvent(graph->viewport(), &move);
        QVERIFY(move.isAccepted());
        QDropEvent drop(QPointF(node), Qt::CopyAction, mime.get(), Qt::LeftButton, {});
        QCoreApplication::sendEvent(graph->viewport(), &drop);
        auto *copyDrop = window.findChild<CopyDropController *>();
        QVERIFY(copyDrop);
        QVERIFY(copyDrop->pendingDialog());
        copyDrop->pendingDialog()->accept();
        const QString line = u"COPY --from=build /src/hello.txt /src/hello.txt"_s;
        QVERIFY(window.editor()->toPlainText().contains(line));

        // The keyboard is in the editor: Ctrl+Z at once takes the line out, in one step.
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(window.editor()));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window.editor()->toPlainText(), twoStages);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QVERIFY(window.editor()->toPlainText().contains(line));

        // The same drop again would only duplicate the line: it is refused and says where.
        copyDrop->setConfirmDrops(false);
        QVERIFY(!copyDrop->handleDrop(1, mime->data(StageGraphView::artifactMimeType())));
        QVERIFY2(copyDrop->lastError().contains(u"Line 5"_s), qPrintable(copyDrop->lastError()));
        QCOMPARE(window.editor()->toPlainText().count(line), 1);
    }
};

QTEST_MAIN(TestWindowLayout)
#include "tst_windowlayout.moc"
