// The window as a student uses it: typing grows the graph, problems are listed and
// underlined without blanking the graph, nodes and lines select each other, files
// round-trip, examples open, and the German translation shows German menus.
#include "ui/dockerfileeditor.h"
#include "ui/examplecatalog.h"
#include "ui/mainwindow.h"
#include "ui/problemsmodel.h"
#include "ui/stagegraphview.h"
#include "ui/treemapview.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QComboBox>
#include <QCompleter>
#include <QElapsedTimer>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTranslator>
#include <QTreeView>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

// Waits for the live re-parse that follows typing.
bool waitForAnalysis(MainWindow &window, int timeoutMs = 2000)
{
    QSignalSpy spy(&window, &MainWindow::analysisApplied);
    return spy.wait(timeoutMs);
}

void typeLine(MainWindow &window, const QString &text)
{
    DockerfileEditor *editor = window.editor();
    editor->moveCursor(QTextCursor::End);
    if (!editor->toPlainText().isEmpty() && !editor->toPlainText().endsWith(QLatin1Char('\n')))
        QTest::keyClick(editor, Qt::Key_Return);
    QTest::keyClicks(editor, text);
    editor->completer()->popup()->hide();
}

int copyEdges(const StageGraph &graph)
{
    int n = 0;
    for (const Edge &e : graph.edges)
        if (e.kind == EdgeKind::Copy && !e.isExternal())
            ++n;
    return n;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
        QSettings().clear();
    }

    void init() { QSettings().clear(); }

    void typingAddsNodeAndEdge()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.editor()->setFocus();
        QCOMPARE(window.graphView()->graph().stages.size(), 0);

        QTest::keyClicks(window.editor(), QStringLiteral("FROM alpine AS b"));
        QElapsedTimer sinceKeystroke;
        sinceKeystroke.start();
        QVERIFY(waitForAnalysis(window));
        const qint64 latency = sinceKeystroke.elapsed();
        QVERIFY2(latency < 1000, qPrintable(QString::number(latency)));
        if (latency > 150)
            qWarning("graph update took %lld ms after the keystroke", latency);
        QCOMPARE(window.graphView()->graph().stages.size(), 1);
        QCOMPARE(window.graphView()->graph().stages.first().name, QStringLiteral("b"));
        QVERIFY(window.graphView()->nodeCount() >= 1);

        typeLine(window, QStringLiteral("FROM scratch"));
        typeLine(window, QStringLiteral("COPY --from=b /x /y"));
        QVERIFY(waitForAnalysis(window));
        window.flushAnalysis();
        QCOMPARE(window.graphView()->graph().stages.size(), 2);
        QCOMPARE(copyEdges(window.graphView()->graph()), 1);
        QVERIFY(window.graphView()->edgeCount() >= 1);
        QVERIFY(window.isDocumentModified());
        QVERIFY(window.isWindowModified());
    }

    void badLineShowsProblemAndKeepsGraph()
    {
        MainWindow window;
        window.show();
        QAbstractItemModelTester tester(window.problemsModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        window.editor()->setPlainText(
            QStringLiteral("FROM alpine AS b\nFROM scratch\nCOPY --from=b /x /y\n"));
        window.flushAnalysis();
        QCOMPARE(window.graphView()->graph().stages.size(), 2);
        QCOMPARE(window.problemsModel()->rowCount(), 0);

        typeLine(window, QStringLiteral("COPY --chown"));
        QVERIFY(waitForAnalysis(window));
        QVERIFY(window.problemsModel()->rowCount() > 0);
        const QModelIndex first = window.problemsModel()->index(0, 0);
        QCOMPARE(first.data(ProblemsModel::LineRole).toInt(), 4);
        QCOMPARE(window.graphView()->graph().stages.size(), 2);

        // Everything replaced by a half-typed keyword: no stage at all, the graph stays.
        window.editor()->selectAll();
        QTest::keyClicks(window.editor(), QStringLiteral("FRO"));
        QVERIFY(waitForAnalysis(window));
        window.flushAnalysis();
        QVERIFY(window.problemsModel()->rowCount() > 0);
        QCOMPARE(window.problemsModel()->index(0, 0).data(ProblemsModel::LineRole).toInt(), 1);
        QVERIFY(!window.analysis().graphIsCurrent);
        QCOMPARE(window.graphView()->graph().stages.size(), 2);
        bool wavy = false;
        for (const QTextEdit::ExtraSelection &s : window.editor()->extraSelections())
            wavy = wavy || s.format.underlineStyle() == QTextCharFormat::WaveUnderline;
        QVERIFY(wavy);

        // Clicking a problem goes to its line and column.
        window.editor()->moveCursor(QTextCursor::End);
        Q_EMIT window.problemsView()->activated(window.problemsModel()->index(0, 0));
        QCOMPARE(window.editor()->textCursor().blockNumber(), 0);
    }

    void buildChecksAreListed()
    {
        // The student's squiggle: `as` and `FROM` casing do not match.
        MainWindow window;
        window.editor()->setPlainText(
            QStringLiteral("FROM alpine as build\nFROM scratch\nCOPY --from=build /x /x\n"));
        window.flushAnalysis();
        bool found = false;
        for (const Diagnostic &d : window.problemsModel()->diagnostics())
            found = found || (d.rule == QLatin1String("FromAsCasing") && d.range.start.line == 1);
        QVERIFY(found);
        QCOMPARE(window.graphView()->graph().stages.size(), 2);
    }

    void nodeAndLinesSelectEachOther()
    {
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.editor()->setPlainText(QStringLiteral(
            "FROM alpine AS b\nRUN echo hi\n\nFROM scratch\nCOPY --from=b /x /y\nCMD [\"/y\"]\n"));
        window.flushAnalysis();
        window.graphView()->setAnimated(false);
        window.graphView()->fitToView();
        QCoreApplication::processEvents();

        // A click on the second stage's node selects its lines.
        StageGraphView *view = window.graphView();
        const QPoint nodeCenter = view->mapFromScene(view->stageSceneRect(1).center());
        QCOMPARE(view->stageAt(nodeCenter), 1);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, nodeCenter);
        QTextCursor selection = window.editor()->textCursor();
        QVERIFY(selection.hasSelection());
        QCOMPARE(window.editor()->document()->findBlock(selection.selectionStart()).blockNumber(), 3);
        QCOMPARE(window.editor()->document()->findBlock(selection.selectionEnd()).blockNumber(), 5);

        // The same through the signal, for the first stage.
        Q_EMIT view->stageActivated(0);
        selection = window.editor()->textCursor();
        QCOMPARE(window.editor()->document()->findBlock(selection.selectionStart()).blockNumber(), 0);

        // Moving the cursor into a stage selects its node.
        QTextCursor cursor(window.editor()->document()->findBlockByNumber(4));
        window.editor()->setTextCursor(cursor);
        QCOMPARE(view->selectedStage(), 1);
        cursor = QTextCursor(window.editor()->document()->findBlockByNumber(1));
        window.editor()->setTextCursor(cursor);
        QCOMPARE(view->selectedStage(), 0);
    }

    void completionAfterFromOffersStages()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.editor()->setPlainText(
            QStringLiteral("FROM golang AS build\nFROM alpine AS test\nFROM scratch\n"));
        window.flushAnalysis();
        window.editor()->moveCursor(QTextCursor::End);
        window.editor()->setFocus();
        QTest::keyClicks(window.editor(), QStringLiteral("COPY --from="));
        QCompleter *completer = window.editor()->completer();
        QVERIFY(completer->popup()->isVisible());
        QStringList offered;
        for (int i = 0; i < completer->completionCount(); ++i) {
            completer->setCurrentRow(i);
            offered << completer->currentCompletion();
        }
        QCOMPARE(offered, (QStringList{QStringLiteral("build"), QStringLiteral("test")}));
    }

    void saveOpenRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("Dockerfile"));
        const QString text = QStringLiteral("FROM alpine AS b\nRUN echo \"grüße\"\n");
        {
            MainWindow window;
            window.editor()->insertPlainText(text);
            QVERIFY(window.isDocumentModified());
            QString error;
            QVERIFY2(window.saveFile(path, &error), qPrintable(error));
            QVERIFY(!window.isDocumentModified());
            QCOMPARE(window.currentFile(), path);
            window.newDocument();
            QVERIFY(window.editor()->toPlainText().isEmpty());
            QVERIFY(window.currentFile().isEmpty());
        }
        MainWindow window;
        QString error;
        QVERIFY2(window.openFile(path, &error), qPrintable(error));
        QCOMPARE(window.editor()->toPlainText(), text);
        QVERIFY(!window.isDocumentModified());
        QCOMPARE(window.graphView()->graph().stages.size(), 1);
        QVERIFY(QSettings().value(QStringLiteral("recentFiles")).toStringList().contains(path));

        QVERIFY(!window.openFile(dir.filePath(QStringLiteral("missing")), &error));
        QVERIFY(error.contains(QStringLiteral("missing")));
        QCOMPARE(window.editor()->toPlainText(), text);
    }

    void unsavedChangesFlag()
    {
        MainWindow window;
        window.show();
        QVERIFY(!window.isDocumentModified());
        window.editor()->setFocus();
        QTest::keyClicks(window.editor(), QStringLiteral("FROM a"));
        QVERIFY(window.isDocumentModified());
        QVERIFY(window.isWindowModified());
        QVERIFY(window.windowTitle().contains(QStringLiteral("[*]")));
        window.action(QStringLiteral("actionUndo"))->trigger();
        window.editor()->document()->setModified(false);
        QVERIFY(!window.isWindowModified());
    }

    void examplesOpen_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<int>("stages");
        QTest::addColumn<int>("copies");
        QTest::addRow("go-single-stage") << QStringLiteral("go-single-stage") << 1 << 0;
        QTest::addRow("go-multi-stage") << QStringLiteral("go-multi-stage") << 2 << 1;
        QTest::addRow("copy-from-index") << QStringLiteral("copy-from-index") << 2 << 1;
        QTest::addRow("named-stages") << QStringLiteral("named-stages") << 2 << 1;
        QTest::addRow("alpine-runtime") << QStringLiteral("alpine-runtime") << 2 << 1;
    }

    void examplesOpen()
    {
        QFETCH(QString, id);
        QFETCH(int, stages);
        QFETCH(int, copies);
        QCOMPARE(ExampleCatalog::examples().size(), 5);
        MainWindow window;
        QString error;
        QVERIFY2(window.openExample(id, &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(QFileInfo(window.currentFile()).absolutePath() +
                                  QStringLiteral("/Dockerfile")));
        QCOMPARE(window.graphView()->graph().stages.size(), stages);
        QCOMPARE(copyEdges(window.graphView()->graph()), copies);
        for (const Diagnostic &d : window.analysis().diagnostics)
            QVERIFY2(d.severity != Severity::Error, qPrintable(d.message));
        if (id.startsWith(QLatin1String("go-")))
            QVERIFY(QFileInfo::exists(QFileInfo(window.currentFile()).absolutePath() +
                                      QStringLiteral("/main.go")));
        // The copy is writable, so the example can be edited and saved.
        QVERIFY(window.saveFile(window.currentFile(), &error));
        QVERIFY(!window.openExample(QStringLiteral("no-such-example"), &error));
    }

    void zoomScalesEditorAndGraph()
    {
        MainWindow window;
        const qreal before = window.editor()->font().pointSizeF();
        window.action(QStringLiteral("actionZoomIn"))->trigger();
        QVERIFY(window.zoomPercent() > 100);
        QVERIFY(window.editor()->font().pointSizeF() > before);
        QCOMPARE(window.graphView()->fontScale(), window.zoomPercent() / 100.0);
        window.action(QStringLiteral("actionZoomReset"))->trigger();
        QCOMPARE(window.zoomPercent(), 100);
        QCOMPARE(window.action(QStringLiteral("actionZoomIn"))->shortcut(),
                 QKeySequence(QStringLiteral("Ctrl+=")));
        QCOMPARE(window.action(QStringLiteral("actionZoomOut"))->shortcut(),
                 QKeySequence(QStringLiteral("Ctrl+-")));
        QCOMPARE(window.action(QStringLiteral("actionZoomReset"))->shortcut(),
                 QKeySequence(QStringLiteral("Ctrl+0")));
    }

    void everyActionHasAShortcut()
    {
        MainWindow window;
        for (QAction *a : window.findChildren<QAction *>()) {
            if (a->objectName().startsWith(QLatin1String("action")) &&
                !a->objectName().startsWith(QLatin1String("actionExample")))
                QVERIFY2(!a->shortcut().isEmpty(), qPrintable(a->objectName()));
        }
    }

    void targetChoicePrunes()
    {
        MainWindow window;
        window.editor()->setPlainText(
            QStringLiteral("FROM alpine AS a\nFROM alpine AS b\nFROM scratch AS c\nCOPY --from=a /x /x\n"));
        window.flushAnalysis();
        QComboBox *box = window.targetBox();
        QCOMPARE(box->count(), 4); // last stage, a, b, c
        box->setCurrentIndex(box->findData(QStringLiteral("b")));
        QCOMPARE(window.analysis().plan.target, 1);
    }

    void germanMenus()
    {
        QTranslator translator;
        QVERIFY(translator.load(QStringLiteral(":/i18n/stagecraft_de.qm")));
        QCoreApplication::installTranslator(&translator);
        {
            MainWindow window;
            QStringList titles;
            for (QAction *a : window.menuBar()->actions())
                titles << a->text();
            QCOMPARE(titles, (QStringList{QStringLiteral("&Datei"), QStringLiteral("&Bearbeiten"),
                                          QStringLiteral("&Ansicht"), QStringLiteral("&Erstellen"),
                                          QStringLiteral("&Hilfe")}));
            QCOMPARE(window.action(QStringLiteral("actionSave"))->text(), QStringLiteral("&Speichern"));
        }
        QCoreApplication::removeTranslator(&translator);
    }

    // The Bytes tab's package rows lead to their Dockerfile line in the editor.
    void bytesPackageLineGoesToTheEditor()
    {
        MainWindow window;
        window.editor()->setPlainText(QStringLiteral("FROM debian\nRUN true\nRUN apt-get install -y curl\n"));
        auto *bytes = window.findChild<TreemapView *>(QStringLiteral("treemapView"));
        QVERIFY(bytes);
        Q_EMIT bytes->lineActivated(3);
        QCOMPARE(window.editor()->textCursor().blockNumber(), 2);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
