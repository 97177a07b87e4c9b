// Drag-to-copy end to end: a file dragged out of a stage's Files tree and dropped on
// another stage's graph node or inside that stage in the editor becomes one COPY --from
// line (one undo step), after the popup when it asks; refused drops leave the text alone.
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/stagegraph.h"
#include "ui/copydropcontroller.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/stagegraphview.h"

#include <QDialog>
#include <QLineEdit>
#include <QMimeData>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>
#include <QTextBlock>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

QString imagePath(const QString &name)
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", u".."_s) + u"/tests/data/images/"_s + name;
}

const QString dockerfile = u"FROM busybox:fixture AS build\n"
                           u"COPY hello.txt /src/\n"
                           u"\n"
                           u"FROM scratch\n"
                           u"USER 1000\n"
                           u"CMD [\"/hello.txt\"]\n"_s;

QByteArray payload(const QString &stage, const QString &path, bool dir = false)
{
    return u"{\"stage\":\"%1\",\"path\":\"%2\",\"dir\":%3}"_s.arg(stage, path, dir ? u"true"_s : u"false"_s)
        .toUtf8();
}

} // namespace

class TestCopyDrop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void dragFromTreeOntoNodeInsertsAndUndoRemoves();
    void dropOnEditorUsesTheStageOfTheLine();
    void popupDestination();
    void popupCancel();
    void refusedDrops_data();
    void refusedDrops();
    void dropAboveFirstStage();

private:
    void dropOnNode(const QMimeData &mime, int stage);

    QWidget *m_window = nullptr;
    DockerfileEditor *m_editor = nullptr;
    StageGraphView *m_graph = nullptr;
    CopyDropController *m_controller = nullptr;
};

void TestCopyDrop::init()
{
    m_window = new QWidget;
    m_window->resize(1000, 600);
    m_editor = new DockerfileEditor(m_window);
    m_editor->setGeometry(0, 0, 500, 600);
    m_graph = new StageGraphView(m_window);
    m_graph->setGeometry(500, 0, 500, 600);
    m_graph->setAnimated(false);
    m_editor->setPlainText(dockerfile);
    const Dockerfile parsed = DockerfileParser::parse(dockerfile);
    m_graph->setGraph(StageGraph::fromDockerfile(parsed), parsed);
    m_controller = new CopyDropController(m_editor, m_graph, m_window);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_graph->fitToView();
}

void TestCopyDrop::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

void TestCopyDrop::dropOnNode(const QMimeData &mime, int stage)
{
    const QPoint pos = m_graph->mapFromScene(m_graph->stageSceneRect(stage).center());
    QCOMPARE(m_graph->stageAt(pos), stage);
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_graph->viewport(), &enter);
    QDragMoveEvent move(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_graph->viewport(), &move);
    QVERIFY(move.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_graph->viewport(), &drop);
}

void TestCopyDrop::dragFromTreeOntoNodeInsertsAndUndoRemoves()
{
    // The drag's data comes from the Files view showing the build stage's image.
    FilesView files;
    files.showImage(imagePath(u"build.docker.tar"_s), u"build"_s);
    QVERIFY(files.waitUntilLoaded(20000));
    QVERIFY2(files.errorText().isEmpty(), qPrintable(files.errorText()));
    const QModelIndex hello =
        files.proxyModel()->mapFromSource(files.fileModel()->indexForPath(u"/src/hello.txt"_s));
    QVERIFY(hello.isValid());
    std::unique_ptr<QMimeData> mime(files.proxyModel()->mimeData({hello}));
    QVERIFY(mime);

    m_controller->setConfirmDrops(false);
    QSignalSpy inserted(m_controller, &CopyDropController::copyInserted);
    QVERIFY(!m_editor->document()->isUndoAvailable());
    dropOnNode(*mime, 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().first().toInt(), 5);
    const QString expected = u"FROM busybox:fixture AS build\n"
                             u"COPY hello.txt /src/\n"
                             u"\n"
                             u"FROM scratch\n"
                             u"COPY --from=build /src/hello.txt /src/hello.txt\n"
                             u"USER 1000\n"
                             u"CMD [\"/hello.txt\"]\n"_s;
    QCOMPARE(m_editor->toPlainText(), expected);
    QCOMPARE(m_editor->textCursor().blockNumber(), 4); // the cursor shows the new line

    m_editor->undo(); // one step takes the whole line out
    QCOMPARE(m_editor->toPlainText(), dockerfile);
    QVERIFY(!m_editor->document()->isUndoAvailable());
    m_editor->redo();
    QCOMPARE(m_editor->toPlainText(), expected);
}

void TestCopyDrop::dropOnEditorUsesTheStageOfTheLine()
{
    m_controller->setConfirmDrops(false);
    QSignalSpy inserted(m_controller, &CopyDropController::copyInserted);
    QMimeData mime;
    mime.setData(StageGraphView::artifactMimeType(), payload(u"build"_s, u"/bin"_s, true));

    // Onto the "USER 1000" line (line 5), inside the second stage.
    const QTextBlock block = m_editor->document()->findBlockByNumber(4);
    const QPoint pos = m_editor->cursorRect(QTextCursor(block)).center() + QPoint(20, 0);
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &drop);
    QVERIFY(drop.isAccepted());
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(m_editor->document()->findBlockByNumber(4).text(), u"COPY --from=build /bin /bin"_s);
    QVERIFY(!m_editor->toPlainText().contains(u"{\""_s)); // the payload was not pasted as text

    // Onto the build stage's blank line 3: into the build stage itself, which is refused.
    QSignalSpy refused(m_controller, &CopyDropController::copyRefused);
    const QString before = m_editor->toPlainText();
    const QPoint blank =
        m_editor->cursorRect(QTextCursor(m_editor->document()->findBlockByNumber(2))).center();
    QDragEnterEvent enterBlank(blank, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &enterBlank);
    QDropEvent selfDrop(QPointF(blank), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &selfDrop);
    QCOMPARE(refused.size(), 1);
    QVERIFY(refused.first().first().toString().contains(u"itself"_s));
    QCOMPARE(m_editor->toPlainText(), before);
}

void TestCopyDrop::popupDestination()
{
    QSignalSpy inserted(m_controller, &CopyDropController::copyInserted);
    QVERIFY(m_controller->handleDrop(1, payload(u"build"_s, u"/src/hello.txt"_s)));
    QVERIFY(m_controller->pendingDialog());
    QVERIFY(m_controller->pendingDialog()->isVisible());
    QCOMPARE(inserted.size(), 0);                                           // nothing before OK
    QCOMPARE(m_controller->destinationEdit()->text(), u"/src/hello.txt"_s); // prefilled: the same path
    m_controller->destinationEdit()->selectAll();
    QTest::keyClicks(m_controller->destinationEdit(), u"/srv/greeting.txt"_s);
    QTest::keyClick(m_controller->destinationEdit(), Qt::Key_Return);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(m_editor->document()->findBlockByNumber(4).text(),
             u"COPY --from=build /src/hello.txt /srv/greeting.txt"_s);
    QTRY_VERIFY(!m_controller->pendingDialog());
}

void TestCopyDrop::popupCancel()
{
    QSignalSpy inserted(m_controller, &CopyDropController::copyInserted);
    QVERIFY(m_controller->handleDrop(1, payload(u"build"_s, u"/src/hello.txt"_s)));
    QVERIFY(m_controller->pendingDialog());
    m_controller->pendingDialog()->reject();
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(m_editor->toPlainText(), dockerfile);
}

void TestCopyDrop::refusedDrops_data()
{
    QTest::addColumn<int>("target");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QString>("reason");
    QTest::newRow("onto itself") << 0 << payload(u"build"_s, u"/x"_s) << u"itself"_s;
    QTest::newRow("onto an earlier stage") << 0 << payload(u"1"_s, u"/x"_s) << u"cycle"_s;
    QTest::newRow("unknown stage") << 1 << payload(u"gone"_s, u"/x"_s) << u"no stage"_s;
    QTest::newRow("not JSON") << 1 << QByteArray("/etc/passwd") << u"not a file"_s;
    QTest::newRow("no path") << 1 << QByteArray(R"({"stage":"build"})") << u"not a file"_s;
    QTest::newRow("relative path") << 1 << payload(u"build"_s, u"etc"_s) << u"absolute"_s;
}

void TestCopyDrop::refusedDrops()
{
    QFETCH(int, target);
    QFETCH(QByteArray, payload);
    QFETCH(QString, reason);
    m_controller->setConfirmDrops(false);
    QSignalSpy inserted(m_controller, &CopyDropController::copyInserted);
    QSignalSpy refused(m_controller, &CopyDropController::copyRefused);
    QMimeData mime;
    mime.setData(StageGraphView::artifactMimeType(), payload);
    dropOnNode(mime, target);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(refused.size(), 1);
    QVERIFY2(m_controller->lastError().contains(reason), qPrintable(m_controller->lastError()));
    QCOMPARE(m_editor->toPlainText(), dockerfile);
    QVERIFY(!m_controller->pendingDialog());
}

void TestCopyDrop::dropAboveFirstStage()
{
    m_controller->setConfirmDrops(false);
    m_editor->setPlainText(u"# syntax=docker/dockerfile:1\n\nFROM busybox AS a\nFROM scratch\n"_s);
    QSignalSpy refused(m_controller, &CopyDropController::copyRefused);
    QMimeData mime;
    mime.setData(StageGraphView::artifactMimeType(), payload(u"a"_s, u"/x"_s));
    const QPoint pos = m_editor->cursorRect(QTextCursor(m_editor->document()->firstBlock())).center();
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &enter);
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_editor->viewport(), &drop);
    QCOMPARE(refused.size(), 1);
    QVERIFY(refused.first().first().toString().contains(u"FROM"_s));
}

QTEST_MAIN(TestCopyDrop)
#include "tst_copydrop.moc"
