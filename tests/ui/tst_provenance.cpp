// Files → Where Did This Come From? in the window, on images built offline on Docker's
// busybox base: a provenance pick highlights the right lines in the editor and the right
// stages and edges on the graph (dimming the rest), across two and three stages with
// `--from=0`, a stage named in mixed case and renamed after the build, and a file of the
// base image; Esc and an edit take the marks off; a row moves the editor's cursor; a path
// the image lacks and a window without a Dockerfile say so.
// With STAGECRAFT_SHOTS=DIR it also writes the chain at 1024x768, German, light and dark.
#include "germanlocale.h"

#include "core/exec/sandbox.h"
#include "core/store/imagestore.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/mainwindow.h"
#include "ui/provenancepanel.h"
#include "ui/stageedgeitem.h"
#include "ui/stagegraphscene.h"
#include "ui/stagegraphview.h"
#include "ui/stagenodeitem.h"
#include "ui/theme.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QTreeWidget>

#include <memory>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

// The graph's marks as text: traced edges "from>to kind line", traced and dimmed stages.
QString edgeText(const StageGraph &graph, int index)
{
    const Edge &e = graph.edges[index];
    const QString kind = e.kind == EdgeKind::Copy   ? u"copy"_s
                         : e.kind == EdgeKind::From ? u"from"_s
                                                    : u"mount"_s;
    const QString from = e.fromStage >= 0 ? QString::number(e.fromStage) : e.fromImage;
    return u"%1>%2 %3 %4"_s.arg(from).arg(e.toStage).arg(kind).arg(e.range.start.line);
}

struct GraphMarks
{
    QStringList tracedEdges;
    QStringList dimmedEdges;
    QList<int> tracedStages;
    QList<int> dimmedStages;
    QStringList tracedImages;
};

GraphMarks graphMarks(StageGraphScene *scene)
{
    GraphMarks marks;
    for (StageEdgeItem *edge : scene->edgeItems()) {
        if (edge->isTraced())
            marks.tracedEdges << edgeText(scene->graph(), edge->edgeIndex());
        if (edge->isDimmed())
            marks.dimmedEdges << edgeText(scene->graph(), edge->edgeIndex());
    }
    for (StageNodeItem *node : scene->nodeItems()) {
        if (node->isStage() && node->isTraced())
            marks.tracedStages << node->stageIndex();
        if (node->isStage() && node->isDimmed())
            marks.dimmedStages << node->stageIndex();
        if (!node->isStage() && node->isTraced())
            marks.tracedImages << node->node().key;
    }
    marks.tracedEdges.sort();
    marks.dimmedEdges.sort();
    std::sort(marks.tracedStages.begin(), marks.tracedStages.end());
    std::sort(marks.dimmedStages.begin(), marks.dimmedStages.end());
    return marks;
}

} // namespace

class TestProvenance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"stagecraft-tests"_s);
        QCoreApplication::setApplicationName(u"tst_provenance"_s);
        QSettings().clear();
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_storeRoot = m_dir->filePath(u"store"_s);
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        const QString base = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                             u"/tests/data/images/base.docker.tar"_s;
        auto imported = store->import(base, u"busybox:fixture"_s);
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }

    void pickHighlightsLinesAndEdges_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addColumn<bool>("needsSandbox");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QList<int>>("lines");
        QTest::addColumn<QStringList>("edges");
        QTest::addColumn<QList<int>>("stages");
        QTest::addColumn<QList<int>>("dimmed");
        QTest::addColumn<QStringList>("rows"); // line, stage, path column

        // Three stages deep: final copies from Tools (named in mixed case, referred to in
        // lower case), which copied with --from=0 from the unnamed stage's base image.
        const QString three = u"FROM busybox:fixture\n"
                              "FROM scratch AS Tools\n"
                              "COPY --from=0 /etc/passwd /etc/passwd\n"
                              "FROM scratch AS other\n"
                              "COPY --from=0 /bin/busybox /bin/busybox\n"
                              "FROM scratch AS final\n"
                              "COPY --from=tools /etc /copied/\n"
                              "COPY --from=other /bin/busybox /bin/\n"_s;
        QTest::addRow("three-stages-from-0")
            << three << false << u"/copied/passwd"_s << QList<int>{1, 3, 7}
            << QStringList{u"0>1 copy 3"_s, u"1>3 copy 7"_s, u"busybox:fixture>0 from 1"_s}
            << QList<int>{0, 1, 3} << QList<int>{2}
            << QStringList{u"7|final|/etc/passwd → /copied/passwd"_s, u"3|tools|/etc/passwd → /etc/passwd"_s,
                           u"1|stage 0|/etc/passwd in busybox:fixture"_s};
        QTest::addRow("three-stages-other-branch")
            << three << false << u"/bin/busybox"_s << QList<int>{1, 5, 8}
            << QStringList{u"0>2 copy 5"_s, u"2>3 copy 8"_s, u"busybox:fixture>0 from 1"_s}
            << QList<int>{0, 2, 3} << QList<int>{1}
            << QStringList{u"8|final|/bin/busybox → /bin/busybox"_s, u"5|other|/bin/busybox → /bin/busybox"_s,
                           u"1|stage 0|/bin/busybox in busybox:fixture"_s};

        // Two stages: a RUN wrote the file; the final stage's own base image holds busybox.
        const QString two = u"FROM busybox:fixture AS build\n"
                            "RUN mkdir /out && echo data > /out/file\n"
                            "FROM busybox:fixture\n"
                            "COPY --from=build /out/file /file\n"_s;
        QTest::addRow("two-stages-run")
            << two << true << u"/file"_s << QList<int>{2, 4} << QStringList{u"0>1 copy 4"_s}
            << QList<int>{0, 1} << QList<int>{}
            << QStringList{u"4|stage 1|/out/file → /file"_s, u"2|build|writes /out/file"_s};
        QTest::addRow("two-stages-base-image")
            << two << true << u"/bin/busybox"_s << QList<int>{3} << QStringList{u"busybox:fixture>1 from 3"_s}
            << QList<int>{1} << QList<int>{0} << QStringList{u"3|stage 1|/bin/busybox in busybox:fixture"_s};
    }

    void pickHighlightsLinesAndEdges()
    {
        QFETCH(QString, dockerfile);
        QFETCH(bool, needsSandbox);
        QFETCH(QString, path);
        QFETCH(QList<int>, lines);
        QFETCH(QStringList, edges);
        QFETCH(QList<int>, stages);
        QFETCH(QList<int>, dimmed);
        QFETCH(QStringList, rows);
        QString reason;
        if (needsSandbox && !Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));

        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(build(window, dockerfile));
        ProvenancePanel *panel = pick(window, path);
        QVERIFY(panel);
        QCOMPARE(panel->outcome(), ProvenancePanel::Outcome::Traced);

        QCOMPARE(window.editor()->provenanceLines(), lines);
        StageGraphScene *scene = window.graphView()->graphScene();
        const GraphMarks marks = graphMarks(scene);
        QCOMPARE(marks.tracedEdges, edges);
        QCOMPARE(marks.tracedStages, stages);
        QCOMPARE(marks.dimmedStages, dimmed);
        QCOMPARE(marks.tracedEdges.size() + marks.dimmedEdges.size(), scene->edgeItems().size());
        QCOMPARE(marks.tracedImages.isEmpty(), !edges.join(u' ').contains(u"busybox:fixture>"_s));

        QTreeWidget *links = panel->linkView();
        QStringList shownRows;
        for (int i = 0; i < links->topLevelItemCount(); ++i) {
            const QTreeWidgetItem *row = links->topLevelItem(i);
            shownRows << u"%1|%2|%3"_s.arg(row->text(ProvenancePanel::LineColumn),
                                           row->text(ProvenancePanel::StageColumn),
                                           row->text(ProvenancePanel::PathColumn));
        }
        QCOMPARE(shownRows, rows);
        QVERIFY(links->topLevelItem(links->topLevelItemCount() - 1)->font(0).bold()); // the writer

        // A row moves the cursor to its line; the marks stay.
        QTreeWidgetItem *last = links->topLevelItem(links->topLevelItemCount() - 1);
        links->scrollToItem(last);
        QTest::mouseClick(links->viewport(), Qt::LeftButton, {},
                          links->visualItemRect(last).topLeft() + QPoint(4, 4));
        QCOMPARE(window.editor()->textCursor().blockNumber() + 1, lines.first());
        QCOMPARE(window.editor()->provenanceLines(), lines);

        // Esc in the editor takes the marks off the editor and the graph.
        window.editor()->setFocus();
        QTest::keyClick(window.editor(), Qt::Key_Escape);
        QVERIFY(window.editor()->provenanceLines().isEmpty());
        QVERIFY(scene->tracedStages().isEmpty() && scene->tracedEdges().isEmpty());
        for (StageNodeItem *node : scene->nodeItems())
            QVERIFY(!node->isDimmed() && !node->isTraced());

        // Clicking a row marks them again; an edit takes them off.
        QTest::mouseClick(links->viewport(), Qt::LeftButton, {},
                          links->visualItemRect(last).topLeft() + QPoint(4, 4));
        QCOMPARE(window.editor()->provenanceLines(), lines);
        window.editor()->moveCursor(QTextCursor::End);
        window.editor()->insertPlainText(u"# edited\n"_s);
        QVERIFY(window.editor()->provenanceLines().isEmpty());
        QVERIFY(scene->tracedEdges().isEmpty());
        // View → Where It Came From (beside Step Summary) closes the dock, which then forgets
        // its answer, and opens it again.
        QAction *toggle = window.action(u"actionProvenance"_s);
        QVERIFY(toggle && !toggle->shortcut().isEmpty());
        bool inViewMenu = false;
        for (QObject *owner : toggle->associatedObjects())
            if (auto *menu = qobject_cast<QMenu *>(owner))
                inViewMenu = inViewMenu || menu->actions().contains(window.action(u"actionStepSummary"_s));
        QVERIFY(inViewMenu);
        auto *dock = window.findChild<QDockWidget *>(u"provenanceDock"_s);
        toggle->trigger();
        QVERIFY(dock->isHidden());
        QCOMPARE(links->topLevelItemCount(), 0);
        toggle->trigger();
        QVERIFY(dock->isVisible());
    }

    // Tools renamed to Helpers after the build: the changed COPY line is not marked, the
    // unchanged ones are, and the graph still follows the stages by position.
    void renamedAfterBuild()
    {
        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString text = u"FROM busybox:fixture\n"
                             "FROM scratch AS Tools\n"
                             "COPY --from=0 /etc/passwd /etc/passwd\n"
                             "FROM scratch AS final\n"
                             "COPY --from=tools /etc /copied/\n"_s;
        QVERIFY(build(window, text));
        QString renamed = text;
        renamed.replace(u"Tools"_s, u"Helpers"_s).replace(u"tools"_s, u"helpers"_s);
        window.editor()->setPlainText(renamed);
        window.flushAnalysis();
        window.editor()->goTo(5, 1); // the final stage's COPY: the Files view shows its image again
        QVERIFY(window.filesView()->waitUntilLoaded(30000));
        QCOMPARE(window.filesView()->stageName(), u"final"_s);
        ProvenancePanel *panel = pick(window, u"/copied/passwd"_s);
        QVERIFY(panel);
        QCOMPARE(window.editor()->provenanceLines(), (QList<int>{1, 3}));
        QCOMPARE(graphMarks(window.graphView()->graphScene()).tracedEdges,
                 (QStringList{u"0>1 copy 3"_s, u"1>2 copy 5"_s, u"busybox:fixture>0 from 1"_s}));
        QVERIFY2(panel->summary().contains(u"changed since the build"_s), qPrintable(panel->summary()));
    }

    void missingPathAndNoDockerfile()
    {
        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(build(window, u"FROM busybox:fixture AS base\nFROM scratch\nCOPY --from=base /etc /etc\n"_s));
        auto *panel = window.findChild<ProvenancePanel *>();
        QVERIFY(panel);

        // A path the Files view does not list (typed into a search, a stale row): said so.
        QSignalSpy answered(panel, &ProvenancePanel::answered);
        Q_EMIT window.filesView()->provenanceRequested(u"/no/such/file"_s);
        QVERIFY(answered.wait(30000));
        QCOMPARE(panel->outcome(), ProvenancePanel::Outcome::NotFound);
        QVERIFY2(panel->summary().contains(u"/no/such/file is not in this image"_s),
                 qPrintable(panel->summary()));
        QVERIFY(window.editor()->provenanceLines().isEmpty());
        QCOMPARE(panel->linkView()->topLevelItemCount(), 0);

        // The Dockerfile closed: the image is still shown, but nothing can be marked.
        window.editor()->clear();
        Q_EMIT window.filesView()->provenanceRequested(u"/etc/passwd"_s);
        QVERIFY(answered.wait(30000));
        QCOMPARE(panel->outcome(), ProvenancePanel::Outcome::NoDockerfile);
        QVERIFY2(panel->summary().contains(u"No Dockerfile is open"_s), qPrintable(panel->summary()));
    }

    // Not a check: pictures to look at (STAGECRAFT_SHOTS=DIR).
    void screenshots()
    {
        const QString dir = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SHOTS"));
        if (dir.isEmpty())
            QSKIP("set STAGECRAFT_SHOTS=DIR for the pictures");
        for (const bool dark : {false, true}) {
            test::GermanLocale german(true);
            QVERIFY(german.installed());
            Theme::apply(dark ? ThemeChoice::Dark : ThemeChoice::Light);
            MainWindow window;
            window.setStoreRoot(m_storeRoot);
            window.resize(1024, 768);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QVERIFY(build(window, u"FROM busybox:fixture\n"
                                  "FROM scratch AS Tools\n"
                                  "COPY --from=0 /etc/passwd /etc/passwd\n"
                                  "FROM scratch AS other\n"
                                  "COPY --from=0 /bin/busybox /bin/busybox\n"
                                  "FROM scratch AS final\n"
                                  "COPY --from=tools /etc /copied/\n"
                                  "COPY --from=other /bin/busybox /bin/\n"_s));
            QVERIFY(pick(window, u"/copied/passwd"_s));
            window.showView(u"graph"_s);
            window.graphView()->fitToView();
            QTest::qWait(400); // the graph's transition
            QVERIFY(window.grab().save(u"%1/provenance-de-%2.png"_s.arg(dir, dark ? u"dark"_s : u"light"_s)));
        }
        Theme::apply(ThemeChoice::Light);
    }

private:
    static bool build(MainWindow &window, const QString &text)
    {
        window.editor()->setPlainText(text);
        window.flushAnalysis();
        window.editor()->moveCursor(QTextCursor::End); // the Files view shows the last stage
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QString error;
        if (!window.startBuild(&error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        if (!finished.wait(60000) || !finished.at(0).at(0).toBool())
            return false;
        return window.filesView()->waitUntilLoaded(30000);
    }

    // Chooses Where Did This Come From? on `path` in the Files view's context menu.
    static ProvenancePanel *pick(MainWindow &window, const QString &path)
    {
        FilesView *files = window.filesView();
        const QModelIndex source = files->fileModel()->indexForPath(path);
        if (!source.isValid()) {
            qWarning("%s is not listed", qPrintable(path));
            return nullptr;
        }
        const QModelIndex row = files->proxyModel()->mapFromSource(source);
        files->treeView()->setCurrentIndex(row);
        QAction *action = files->whereFromAction();
        if (!action || !files->contextMenu()->actions().contains(action))
            return nullptr;
        auto *panel = window.findChild<ProvenancePanel *>();
        QSignalSpy answered(panel, &ProvenancePanel::answered);
        action->trigger();
        if (!answered.wait(30000))
            return nullptr;
        auto *dock = window.findChild<QDockWidget *>(u"provenanceDock"_s);
        return dock && dock->isVisible() ? panel : nullptr;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_storeRoot;
};

QTEST_MAIN(TestProvenance)
#include "tst_provenance.moc"
