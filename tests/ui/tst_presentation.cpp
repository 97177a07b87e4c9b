// The window for a projector and for keyboards: View → Presentation (F5) at 1024×768 in
// English and German, light and dark — every font at least 20 pt, every toolbar action on
// a bar, no clipped labels, the editor and the graph taking turns, everything back as it
// was after Esc; Files → Copy to Stage… from the keyboard, undone by Ctrl+Z; and the
// problems a beginner meets first (an empty file, an unterminated heredoc).
#include "germanlocale.h"
#include "ui/buildlogview.h"
#include "ui/copydropcontroller.h"
#include "ui/copytostagedialog.h"
#include "ui/dockerfileeditor.h"
#include "ui/enginepicker.h"
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/lineendbadges.h"
#include "ui/mainwindow.h"
#include "ui/presentationmode.h"
#include "ui/problemsmodel.h"
#include "ui/runpanel.h"
#include "ui/stagegraphview.h"
#include "ui/theme.h"
#include "windowatsize.h"

#include <QAction>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabBar>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTranslator>
#include <QTreeView>

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

qreal points(const QWidget *widget)
{
    return QFontInfo(widget->font()).pointSizeF();
}

// Whole columns of the editor's font its viewport shows, measured here rather than asked
// of the editor.
int columnsShown(const DockerfileEditor *editor)
{
    const qreal advance = QFontMetricsF(editor->font()).horizontalAdvance(u'm');
    return int((editor->viewport()->width() - 2 * editor->document()->documentMargin()) / advance);
}

QList<QToolBar *> toolBars(const MainWindow &window)
{
    return {window.findChild<QToolBar *>(u"mainToolBar"_s), window.findChild<QToolBar *>(u"viewToolBar"_s)};
}

} // namespace

class TestPresentation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"stagecraft-tests"_s);
        QCoreApplication::setApplicationName(u"tst_presentation"_s);
    }

    void init() { QSettings().clear(); }
    void cleanup() { Theme::apply(ThemeChoice::Light); }

    void presentationAt1024_data()
    {
        QTest::addColumn<bool>("german");
        QTest::addColumn<bool>("dark");
        QTest::newRow("en-light") << false << false;
        QTest::newRow("de-light") << true << false;
        QTest::newRow("en-dark") << false << true;
        QTest::newRow("de-dark") << true << true;
    }

    void presentationAt1024()
    {
        QFETCH(bool, german);
        QFETCH(bool, dark);
        const GermanLocale translation(german);
        QVERIFY(!german || translation.installed());
        Theme::apply(dark ? ThemeChoice::Dark : ThemeChoice::Light);
        MainWindow window;
        window.editor()->setPlainText(twoStages);
        window.flushAnalysis();
        QVERIFY(showAtSize(window, QSize(1024, 768), WaitFor::Active));
        const int zoomBefore = window.zoomPercent();
        const qreal editorBefore = points(window.editor());
        auto *menuFile = window.findChild<QMenu *>(u"menuFile"_s);
        QVERIFY(menuFile);
        const qreal menuBefore = points(menuFile);

        QTest::keyClick(&window, Qt::Key_F5);
        PresentationMode *presentation = window.presentationMode();
        QVERIFY(presentation->isActive());
        QVERIFY(window.action(u"actionPresentation"_s)->isChecked());
        QCoreApplication::processEvents();
        shoot(window, u"editor"_s);

        // The whole window at 20 pt or more: menus, toolbars, tabs, docks, editor.
        QList<const QWidget *> parts{menuFile, window.menuBar(), window.editor(), window.statusBar()};
        for (QToolBar *bar : toolBars(window)) {
            QVERIFY(bar);
            parts.append(bar);
        }
        parts.append(window.findChild<QTabBar *>());
        parts.append(window.problemsView());
        for (const QWidget *part : std::as_const(parts))
            QVERIFY2(points(part) >= PresentationMode::kMinPointSize - 0.5,
                     qPrintable(u"%1: %2 pt"_s.arg(part->objectName(), QString::number(points(part)))));

        // Every toolbar action has a button on a bar (the view bar takes a second row),
        // and no button is narrower than its label needs.
        const QList<QToolBar *> bars = toolBars(window);
        QVERIFY(bars.at(1)->y() > bars.at(0)->y());
        for (QToolBar *bar : bars)
            for (QAction *a : bar->actions()) {
                if (a->isSeparator())
                    continue;
                QWidget *widget = bar->widgetForAction(a);
                QVERIFY2(widget && widget->isVisible(), qPrintable(a->objectName()));
                QVERIFY2(bar->rect().contains(widget->geometry()), qPrintable(a->objectName()));
                if (qobject_cast<QLineEdit *>(widget))
                    continue; // the build arguments field scrolls its text; it may give way
                QVERIFY2(widget->width() >= widget->sizeHint().width(),
                         qPrintable(u"%1: %2 < %3"_s.arg(a->objectName())
                                        .arg(widget->width())
                                        .arg(widget->sizeHint().width())));
            }
        // The views' tabs are not elided either.
        QTabBar *tabs = window.findChild<QTabBar *>();
        for (int i = 0; i < tabs->count(); ++i)
            QVERIFY2(tabs->tabRect(i).width() >= tabs->fontMetrics().horizontalAdvance(tabs->tabText(i)),
                     qPrintable(tabs->tabText(i)));

        // The status bar's words are whole: what the class reads (line, stage, problems) stays,
        // the analysis time and the engine picker step aside while presenting.
        for (const QLabel *label : window.statusBar()->findChildren<QLabel *>()) {
            if (!label->isVisible() || label->text().isEmpty() || label->objectName() == u"stageLabel"_s)
                continue; // the stage's name takes the room that is left
            QVERIFY2(label->width() >= label->sizeHint().width(),
                     qPrintable(u"%1 \"%2\": %3 < %4"_s.arg(label->objectName(), label->text())
                                    .arg(label->width())
                                    .arg(label->sizeHint().width())));
        }
        QVERIFY(!window.findChild<QWidget *>(u"parseLabel"_s)->isVisible());
        QVERIFY(!window.findChild<EnginePicker *>()->isVisible());

        // At 1024 pixels the editor and the graph take turns, F6 switches.
        QVERIFY(presentation->takesTurns());
        QVERIFY(window.editor()->isVisible());
        QVERIFY(!window.graphView()->isVisible());
        qInfo("editor %.1f pt, menu %.1f pt, %d columns", points(window.editor()), points(menuFile),
              window.editor()->visibleColumns());
        // The editor has the whole width, and in it the 60 columns of the normal window.
        QVERIFY2(columnsShown(window.editor()) >= DockerfileEditor::kMinimumColumns,
                 qPrintable(QString::number(columnsShown(window.editor()))));
        QTest::keyClick(&window, Qt::Key_F6);
        QVERIFY(!window.editor()->isVisible());
        QVERIFY(window.graphView()->isVisible());
        QTRY_VERIFY(window.graphView()->width() > 900);
        QTest::qWait(50); // the graph fits itself to its new width
        // Build states read by their shape and word, not by colour alone.
        window.graphView()->setStageState(0, StageState::Cached);
        window.graphView()->setStageState(1, StageState::Failed, u"step 2"_s);
        shoot(window, u"graph"_s);
        window.graphView()->setStageState(0, StageState::Idle);
        window.graphView()->setStageState(1, StageState::Idle);
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier); // Go to Editor
        QVERIFY(window.editor()->isVisible());
        QVERIFY(!window.graphView()->isVisible());

        // Ctrl+= grows the presentation font, and it is remembered.
        const qreal editorAt20 = points(window.editor());
        QTest::keyClick(&window, Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(presentation->pointSize(), PresentationMode::kMinPointSize + 2);
        QCOMPARE(QSettings().value(u"presentation/pointSize"_s).toInt(), PresentationMode::kMinPointSize + 2);
        QVERIFY(points(window.editor()) > editorAt20);
        QTest::keyClick(&window, Qt::Key_Minus, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_Minus, Qt::ControlModifier);
        QCOMPARE(presentation->pointSize(), PresentationMode::kMinPointSize); // never below 20

        // Esc leaves: the zoom, the fonts, both panes and the single toolbar row come back.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QVERIFY(!presentation->isActive());
        QVERIFY(!window.action(u"actionPresentation"_s)->isChecked());
        QCOMPARE(window.zoomPercent(), zoomBefore);
        QCOMPARE(points(window.editor()), editorBefore);
        QCOMPARE(points(menuFile), menuBefore);
        QVERIFY(window.editor()->isVisible());
        QVERIFY(window.graphView()->isVisible());
        QVERIFY(window.findChild<QWidget *>(u"parseLabel"_s)->isVisible());
        QVERIFY(window.findChild<EnginePicker *>()->isVisible());
        QTRY_COMPARE(bars.at(1)->y(), bars.at(0)->y());
        // F5 enters and leaves too.
        QTest::keyClick(&window, Qt::Key_F5);
        QVERIFY(presentation->isActive());
        QTest::keyClick(&window, Qt::Key_F5);
        QVERIFY(!presentation->isActive());
    }

    // Sixty columns of the 20 pt font at 1024×768 and 1280×720, in English and German, light
    // and dark: with a file long enough to scroll, with the numbers of a 99-line file, and
    // after a build, whose badges ("aus dem Cache") move from the gutter to the line ends.
    void sixtyColumnsWhilePresenting_data()
    {
        QTest::addColumn<bool>("german");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("dark");
        for (const QSize size : stagecraft::test::projectorSizes())
            for (const bool german : {false, true})
                for (const bool dark : {false, true})
                    QTest::addRow("%s-%dx%d-%s", german ? "de" : "en", size.width(), size.height(),
                                  dark ? "dark" : "light")
                        << german << size << dark;
    }

    void sixtyColumnsWhilePresenting()
    {
        QFETCH(bool, german);
        QFETCH(QSize, size);
        QFETCH(bool, dark);
        const GermanLocale translation(german);
        QVERIFY(!german || translation.installed());
        Theme::apply(dark ? ThemeChoice::Dark : ThemeChoice::Light);
        MainWindow window;
        QString text = twoStages;
        for (int line = 7; line < 150; ++line) // three-digit line numbers, and line 150 empty
            text += u"RUN echo %1\n"_s.arg(line);
        window.editor()->setPlainText(text);
        window.flushAnalysis();
        QVERIFY(showAtSize(window, size));
        DockerfileEditor *editor = window.editor();
        const int columnsBefore = columnsShown(editor);
        window.presentationMode()->setActive(true);
        QCoreApplication::processEvents();
        QVERIFY(QFontInfo(editor->font()).pointSizeF() >= PresentationMode::kMinPointSize - 0.5);
        QVERIFY(window.presentationMode()->takesTurns());
        QVERIFY(editor->isVisible());
        QVERIFY2(
            columnsShown(editor) >= DockerfileEditor::kMinimumColumns,
            qPrintable(u"%1 columns (%2 before presenting)"_s.arg(columnsShown(editor)).arg(columnsBefore)));

        // After a build: the badges stand at the line ends, the code keeps its columns.
        const QString cached = QCoreApplication::translate("stagecraft::ui::BuildController", "cached");
        QVERIFY(!german || cached != u"cached"_s);
        editor->setLayerBadges({{1, {LayerBadge::Kind::Cached, cached, {}}},
                                {2, {LayerBadge::Kind::Added, u"+4,3 MB"_s, {}}},
                                {5, {LayerBadge::Kind::Empty, u"0 B"_s, {}}}});
        QCoreApplication::processEvents();
        QVERIFY2(columnsShown(editor) >= DockerfileEditor::kMinimumColumns,
                 qPrintable(u"%1 columns with badges"_s.arg(columnsShown(editor))));
        auto *badges = editor->findChild<LineEndBadges *>();
        QVERIFY(badges);
        const QImage shot = window.grab().toImage();
        QCOMPARE(badges->drawnCount(), 3);
        // A badge never covers code: on a line that reaches the right edge it is left out.
        editor->goTo(5, 10);
        editor->insertPlainText(u" "_s.repeated(columnsShown(editor) - 10) + u"#"_s);
        QVERIFY(editor->hasLayerBadges());
        window.grab();
        QCOMPARE(badges->drawnCount(), 2);
        qInfo("%d columns while presenting, %d before", columnsShown(editor), columnsBefore);
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS"))
            shot.save(u"/tmp/stagecraft-present-columns-%1.png"_s.arg(
                QString::fromLatin1(QTest::currentDataTag())));

        // Leaving gives the gutter its badge column and the editor its frame back.
        window.presentationMode()->setActive(false);
        QVERIFY(!editor->findChild<LineEndBadges *>());
        QVERIFY(!editor->hasCompactGutter());
        QVERIFY(editor->frameShape() != QFrame::NoFrame);
        QCOMPARE(editor->verticalScrollBarPolicy(), Qt::ScrollBarAsNeeded);
    }

    void wideWindowKeepsBothPanes()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(2560, 1440)));
        window.presentationMode()->setActive(true);
        QVERIFY(!window.presentationMode()->takesTurns());
        QVERIFY(window.editor()->isVisible());
        QVERIFY(window.graphView()->isVisible());
        window.resize(1024, 768);
        QTRY_VERIFY(window.presentationMode()->takesTurns());
        QVERIFY(window.editor()->isVisible() != window.graphView()->isVisible());
    }

    void copyToStageFromTheKeyboard()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1024, 768), WaitFor::Active));
        window.editor()->setPlainText(twoStages);
        window.editor()->document()->setModified(false);
        window.flushAnalysis();

        FilesView *files = window.filesView();
        const QString image = QFINDTESTDATA("data/images/build.docker.tar");
        QVERIFY(!image.isEmpty());
        files->showImage(image, u"build"_s);
        QVERIFY(files->waitUntilLoaded(20000));
        window.showView(u"files"_s);
        const QModelIndex hello =
            files->proxyModel()->mapFromSource(files->fileModel()->indexForPath(u"/src/hello.txt"_s));
        QVERIFY(hello.isValid());
        files->treeView()->setFocus();
        files->treeView()->setCurrentIndex(hello);

        // Shift+F10 opens the context menu on the current file, with Copy to Stage… in it.
        QTest::keyClick(files->treeView(), Qt::Key_F10, Qt::ShiftModifier);
        QTRY_VERIFY(files->contextMenu()->isVisible());
        QVERIFY(files->copyToStageAction()->isEnabled());
        QCOMPARE(files->contextMenu()->activeAction(), files->copyToStageAction());
        files->contextMenu()->close();
        // So does the Menu key (as a context-menu event from the keyboard).
        QContextMenuEvent key(QContextMenuEvent::Keyboard, QPoint(1, 1),
                              files->treeView()->mapToGlobal(QPoint(1, 1)));
        QCoreApplication::sendEvent(files->treeView(), &key);
        QTRY_VERIFY(files->contextMenu()->isVisible());
        QTest::keyClick(files->contextMenu(), Qt::Key_Return);

        // The dialog offers the stages that can take the file, the same path as destination.
        CopyToStageDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = window.findChild<CopyToStageDialog *>()));
        QCOMPARE(dialog->stageBox()->count(), 1); // the build stage cannot copy from itself
        QCOMPARE(dialog->targetStage(), 1);
        QCOMPARE(dialog->destination(), u"/src/hello.txt"_s);
        const QString line = u"COPY --from=build /src/hello.txt /src/hello.txt"_s;
        QCOMPARE(dialog->previewLabel()->text(), line);
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS"))
            dialog->grab().save(u"/tmp/stagecraft-copy-to-stage.png"_s);
        dialog->accept();
        QCOMPARE(window.editor()->toPlainText().count(line), 1);

        // The keyboard is in the editor: Ctrl+Z takes the line out in one step.
        QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget *>(window.editor()));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window.editor()->toPlainText(), twoStages);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);

        // The same copy again is refused like a second drop: no duplicate line.
        window.copyDropController()->setConfirmDrops(false);
        QSignalSpy refused(window.copyDropController(), &CopyDropController::copyRefused);
        files->treeView()->setCurrentIndex(hello);
        files->copyToStageAction()->trigger();
        QTRY_VERIFY((dialog = window.findChild<CopyToStageDialog *>()));
        dialog->accept();
        QCOMPARE(refused.size(), 1);
        QVERIFY2(refused.first().first().toString().contains(u"Line 5"_s),
                 qPrintable(refused.first().first().toString()));
        QCOMPARE(window.editor()->toPlainText().count(line), 1);
    }

    void problemsThatTeach()
    {
        MainWindow window;
        window.newDocument();
        window.flushAnalysis();
        QCOMPARE(window.analysis().diagnostics.size(), 1); // one hint, not two red errors
        QCOMPARE(window.analysis().diagnostics.first().severity, Severity::Info);
        QCOMPARE(window.problemsModel()->rowCount(), 1);

        window.editor()->setPlainText(u"FROM alpine:3.20\nRUN <<EOF\necho hello\nCMD [\"sh\"]\n"_s);
        window.flushAnalysis();
        bool found = false;
        for (const Diagnostic &d : window.analysis().diagnostics)
            if (d.message.contains(u"heredoc"_s)) {
                found = true;
                QCOMPARE(d.severity, Severity::Error);
                QCOMPARE(d.range.start.line, 2);
            }
        QVERIFY(found);
    }

    // What Run does with the Build Log before the output arrives: about a third of the
    // window (the dock's title and tabs take part of it), not the two rows it starts with.
    void runOutputGetsAReadablePanel()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1024, 768)));
        auto *dock = window.findChild<QDockWidget *>(u"buildLogDock"_s);
        QVERIFY(dock);
        auto *panel = window.findChild<RunPanel *>();
        QVERIFY(panel);
        const int before = dock->height();
        panel->showLog(true);
        QTRY_VERIFY(dock->isVisible());
        QTRY_VERIFY2(dock->height() > before && dock->height() >= window.height() / 4,
                     qPrintable(QString::number(dock->height())));
        const int rows = window.buildLogView()->height() / window.buildLogView()->fontMetrics().height();
        QVERIFY2(rows >= 8, qPrintable(QString::number(rows)));
    }

private:
    void shoot(MainWindow &window, const QString &pane)
    {
        if (!qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // for looking at it by eye
            return;
        const QString name = QString::fromLatin1(QTest::currentDataTag());
        window.grab().save(u"/tmp/stagecraft-present-%1-%2.png"_s.arg(name, pane));
    }
};

QTEST_MAIN(TestPresentation)
#include "tst_presentation.moc"
