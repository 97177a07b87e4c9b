// The stage graph widget, offscreen: nodes and edges for parsed Dockerfiles, clicks,
// selection from the editor, artifact drops, build states, zoom and picture export.
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/stagegraph.h"
#include "ui/stagegraphscene.h"
#include "ui/stagegraphview.h"
#include "ui/stagenodeitem.h"

#include <QFile>
#include <QImage>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

// The seeds' multi-stage Go example, as typed from the slides.
const QString multiStage = uR"(# BASE IMAGE BUILD
FROM ubuntu AS build
RUN apt-get update && apt-get install golang-go -y
ENV GO111MODULE=off
COPY . .
RUN CGO_ENABLED=0 go build -o /app .

# MULTI STAGE BUILD
FROM scratch
# COPY THE COMPILED BINARY FROM BUILD STAGE
COPY --from=build /app /app
# SET ENTRYPOINT FOR CONTAINER TO RUN
ENTRYPOINT [ "/app" ]
)"_s;

QString corpusFile(const QString &name)
{
    const QByteArray root = qgetenv("STAGECRAFT_SOURCE_DIR");
    if (!root.isEmpty())
        return QString::fromLocal8Bit(root) + u"/tests/data/corpus/"_s + name;
    return QFINDTESTDATA(u"../data/corpus/"_s + name);
}

QString readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

void show(StageGraphView &view, const QString &text, const PlanOptions &options = {})
{
    const Dockerfile dockerfile = DockerfileParser::parse(text);
    view.setGraph(StageGraph::fromDockerfile(dockerfile, options), dockerfile);
}

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x25, 0x27, 0x2b), base(0x1b, 0x1d, 0x21), text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8e, 0xe6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::WindowText, Qt::black);
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, QColor(0x1a, 0x1a, 0x1a));
    p.setColor(QPalette::Button, QColor(0xef, 0xef, 0xef));
    p.setColor(QPalette::ButtonText, Qt::black);
    return p;
}

QPoint viewportCentre(const StageGraphView &view, int stage)
{
    return view.mapFromScene(view.stageSceneRect(stage).center());
}

} // namespace

class TestStageGraphView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void countsFromParsedDockerfile_data();
    void countsFromParsedDockerfile();
    void targetAndNotNeeded();
    void clickActivatesStage_data();
    void clickActivatesStage();
    void clickOnEmptySpaceDoesNothing();
    void doubleClick();
    void selectStageDoesNotEmit();
    void dropArtifactOnStage();
    void dragWithOtherTypeIsRefused();
    void statesChangeColours();
    void errorMarksStage();
    void sameGraphKeepsItems();
    void keepsPlacesWhileTyping();
    void everyPrefixWhileTyping();
    void zoomAndFontScale();
    void exportPictures();
    void renderExamples();

private:
    StageGraphView *m_view = nullptr;
};

void TestStageGraphView::init()
{
    m_view = new StageGraphView;
    m_view->setAnimated(false);
    m_view->resize(1400, 900);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view));
}

void TestStageGraphView::cleanup()
{
    delete m_view;
    m_view = nullptr;
}

void TestStageGraphView::countsFromParsedDockerfile_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("edges");
    QTest::addRow("seed-multi-stage") << multiStage << 3 << 2;
    QTest::addRow("single-stage") << u"FROM golang:1.21\nRUN go build\n"_s << 2 << 1;
    QTest::addRow("scratch") << u"FROM scratch\nCOPY a /\n"_s << 1 << 0;
    QTest::addRow("empty") << QString() << 0 << 0;
    QTest::addRow("half-typed") << u"FROM golang AS b\nFROM scratch\nCOPY --from="_s << 3 << 1;
    QTest::addRow("mount") << u"FROM alpine AS tools\nFROM debian\nRUN --mount=from=tools,target=/t ls\n"_s
                           << 4 << 3;
}

void TestStageGraphView::countsFromParsedDockerfile()
{
    QFETCH(QString, text);
    QFETCH(int, nodes);
    QFETCH(int, edges);
    show(*m_view, text);
    QCOMPARE(m_view->nodeCount(), nodes);
    QCOMPARE(m_view->edgeCount(), edges);
}

void TestStageGraphView::targetAndNotNeeded()
{
    const QString text = u"FROM alpine AS build\nRUN make\nFROM alpine AS docs\nRUN mkdocs\nFROM scratch\n"
                         u"COPY --from=build /out /out\n"_s;
    show(*m_view, text);
    const StageGraphScene *scene = m_view->graphScene();
    QCOMPARE(m_view->graph().target, 2);
    QVERIFY(!m_view->graph().stages[1].needed);
    const StageNodeItem *docs = scene->stageItem(1);
    QVERIFY(docs);
    QVERIFY(docs->opacity() < 1.0);
    QVERIFY(docs->toolTip().contains(m_view->graph().stages[1].notNeededReason));
    QCOMPARE(scene->stageItem(0)->opacity(), 1.0);
}

void TestStageGraphView::clickActivatesStage_data()
{
    QTest::addColumn<int>("stage");
    QTest::addRow("build") << 0;
    QTest::addRow("final") << 1;
}

void TestStageGraphView::clickActivatesStage()
{
    QFETCH(int, stage);
    show(*m_view, multiStage);
    QSignalSpy activated(m_view, &StageGraphView::stageActivated);
    const QPoint pos = viewportCentre(*m_view, stage);
    QVERIFY(m_view->viewport()->rect().contains(pos));
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, pos);
    QCOMPARE(activated.size(), 1);
    QCOMPARE(activated.first().first().toInt(), stage);
    QCOMPARE(m_view->selectedStage(), stage);
    QVERIFY(m_view->graphScene()->stageItem(stage)->isSelectedStage());
}

void TestStageGraphView::clickOnEmptySpaceDoesNothing()
{
    show(*m_view, multiStage);
    QSignalSpy activated(m_view, &StageGraphView::stageActivated);
    // Right of everything and below it.
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, QPoint(1350, 850));
    // The image node is not a stage.
    const int image = m_view->graphScene()->graphLayout().imageNode(u"ubuntu"_s);
    QVERIFY(image >= 0);
    const QRectF imageRect = m_view->graphScene()->graphLayout().nodes()[image].rect;
    QTest::mouseClick(m_view->viewport(), Qt::LeftButton, {}, m_view->mapFromScene(imageRect.center()));
    QCOMPARE(activated.size(), 0);
}

void TestStageGraphView::doubleClick()
{
    show(*m_view, multiStage);
    QSignalSpy doubled(m_view, &StageGraphView::stageDoubleClicked);
    QTest::mouseDClick(m_view->viewport(), Qt::LeftButton, {}, viewportCentre(*m_view, 1));
    QCOMPARE(doubled.size(), 1);
    QCOMPARE(doubled.first().first().toInt(), 1);
}

void TestStageGraphView::selectStageDoesNotEmit()
{
    show(*m_view, multiStage);
    QSignalSpy activated(m_view, &StageGraphView::stageActivated);
    m_view->selectStage(0);
    QCOMPARE(m_view->selectedStage(), 0);
    QVERIFY(m_view->graphScene()->stageItem(0)->isSelectedStage());
    QVERIFY(!m_view->graphScene()->stageItem(1)->isSelectedStage());
    m_view->selectStage(1);
    QVERIFY(!m_view->graphScene()->stageItem(0)->isSelectedStage());
    QVERIFY(m_view->graphScene()->stageItem(1)->isSelectedStage());
    m_view->selectStage(-1);
    QCOMPARE(m_view->selectedStage(), -1);
    m_view->selectStage(99);
    QCOMPARE(m_view->selectedStage(), -1);
    QCOMPARE(activated.size(), 0);
}

void TestStageGraphView::dropArtifactOnStage()
{
    show(*m_view, multiStage);
    QSignalSpy dropped(m_view, &StageGraphView::artifactDropped);
    const QByteArray payload = R"({"stage":0,"path":"/app"})";
    QMimeData mime;
    mime.setData(StageGraphView::artifactMimeType(), payload);
    const QPointF pos = viewportCentre(*m_view, 1);

    QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_view->viewport(), &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_view->viewport(), &move);
    QVERIFY(move.isAccepted());
    QCOMPARE(m_view->graphScene()->dropTarget(), 1);
    QVERIFY(m_view->graphScene()->stageItem(1)->isDropHighlighted());
    QVERIFY(!m_view->graphScene()->stageItem(0)->isDropHighlighted());

    QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_view->viewport(), &drop);
    QCOMPARE(dropped.size(), 1);
    QCOMPARE(dropped.first().at(0).toInt(), 1);
    QCOMPARE(dropped.first().at(1).toByteArray(), payload);
    QCOMPARE(m_view->graphScene()->dropTarget(), -1);
    QVERIFY(!m_view->graphScene()->stageItem(1)->isDropHighlighted());
}

void TestStageGraphView::dragWithOtherTypeIsRefused()
{
    show(*m_view, multiStage);
    QSignalSpy dropped(m_view, &StageGraphView::artifactDropped);
    QMimeData mime;
    mime.setText(u"/app"_s);
    const QPoint pos = viewportCentre(*m_view, 1);
    QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_view->viewport(), &enter);
    QVERIFY(!enter.isAccepted());
    QDropEvent drop(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton, {});
    QCoreApplication::sendEvent(m_view->viewport(), &drop);
    QCOMPARE(dropped.size(), 0);
}

void TestStageGraphView::statesChangeColours()
{
    show(*m_view, multiStage);
    const StageNodeItem *node = m_view->graphScene()->stageItem(0);
    const QColor idle = node->fillColor();
    QSet<QRgb> colours{idle.rgba()};
    const QList<StageState> states{StageState::Queued, StageState::Running, StageState::Cached,
                                   StageState::Done, StageState::Failed};
    for (StageState state : states) {
        m_view->setStageState(0, state, u"12.3 s"_s);
        QCOMPARE(m_view->stageState(0), state);
        QCOMPARE(node->state(), state);
        QCOMPARE(node->detail(), u"12.3 s"_s);
        colours.insert(node->fillColor().rgba());
    }
    QCOMPARE(colours.size(), states.size() + 1);
    QVERIFY(node->toolTip().contains(u"12.3 s"_s));
    m_view->setStageCacheReasons(0, {u"step 2: main.go modified"_s});
    QVERIFY2(node->toolTip().contains(u"Not cached:\n  step 2: main.go modified"_s),
             qPrintable(node->toolTip()));
    // States survive a redraw of the same file (a keystroke during a build) ...
    show(*m_view, multiStage + u"\n"_s);
    QCOMPARE(m_view->graphScene()->stageItem(0)->state(), StageState::Failed);
    QVERIFY(m_view->graphScene()->stageItem(0)->toolTip().contains(u"main.go modified"_s));
    // ... until cleared.
    m_view->clearStageStates();
    QCOMPARE(m_view->graphScene()->stageItem(0)->state(), StageState::Idle);
    QVERIFY(!m_view->graphScene()->stageItem(0)->toolTip().contains(u"main.go modified"_s));
    QCOMPARE(m_view->graphScene()->stageItem(0)->fillColor(), idle);
}

void TestStageGraphView::errorMarksStage()
{
    Dockerfile dockerfile = DockerfileParser::parse(multiStage);
    const StageGraph graph = StageGraph::fromDockerfile(dockerfile);
    Diagnostic error;
    error.range.start = {11, 1};
    error.range.end = {11, 5};
    error.message = u"something is wrong here"_s;
    dockerfile.diagnostics.append(error);
    m_view->setGraph(graph, dockerfile);
    QVERIFY(m_view->graphScene()->stageItem(1)->toolTip().contains(u"something is wrong here"_s));
    QVERIFY(!m_view->graphScene()->stageItem(0)->toolTip().contains(u"something is wrong here"_s));
}

void TestStageGraphView::sameGraphKeepsItems()
{
    // A keystroke that leaves the graph as it is (lines moved, an error came and went)
    // keeps the items, and their tooltips say what a fresh scene's would.
    show(*m_view, multiStage);
    StageNodeItem *final = m_view->graphScene()->stageItem(1);
    const auto freshTip = [](const QString &text, const Dockerfile &dockerfile) {
        StageGraphView fresh;
        fresh.setGraph(StageGraph::fromDockerfile(DockerfileParser::parse(text)), dockerfile);
        return fresh.graphScene()->stageItem(1)->toolTip();
    };
    const QString moved = u"\n\n"_s + multiStage;
    Dockerfile dockerfile = DockerfileParser::parse(moved);
    Diagnostic error;
    error.range = {{13, 1}, {13, 5}};
    error.message = u"something is wrong here"_s;
    dockerfile.diagnostics.append(error);
    m_view->setGraph(StageGraph::fromDockerfile(dockerfile), dockerfile);
    QCOMPARE(m_view->graphScene()->stageItem(1), final);
    QVERIFY(final->toolTip().contains(u"Lines 11–15"_s));
    QVERIFY(final->toolTip().contains(u"something is wrong here"_s));
    QCOMPARE(final->toolTip(), freshTip(moved, dockerfile));
    QVERIFY(!m_view->graphScene()->stageItem(0)->toolTip().contains(u"something is wrong here"_s));
    show(*m_view, moved);
    QCOMPARE(m_view->graphScene()->stageItem(1), final);
    QVERIFY(!final->toolTip().contains(u"something is wrong here"_s));
    QCOMPARE(final->toolTip(), freshTip(moved, DockerfileParser::parse(moved)));
}

void TestStageGraphView::keepsPlacesWhileTyping()
{
    show(*m_view, multiStage);
    const QRectF build = m_view->stageSceneRect(0);
    const QRectF final = m_view->stageSceneRect(1);
    // A line added in the first stage, then a new stage at the end.
    QString text = multiStage;
    text.replace(u"ENV GO111MODULE=off\n"_s, u"ENV GO111MODULE=off\nRUN echo hi\n"_s);
    show(*m_view, text);
    QCOMPARE(m_view->stageSceneRect(0), build);
    QCOMPARE(m_view->stageSceneRect(1), final);
    show(*m_view, text + u"FROM alpine AS debug\nCOPY --from=build /app /app\n"_s);
    QCOMPARE(m_view->nodeCount(), 5);
    QCOMPARE(m_view->stageSceneRect(0), build);
    QCOMPARE(m_view->stageSceneRect(1), final);
}

void TestStageGraphView::everyPrefixWhileTyping()
{
    // A student typing the example character by character, with transitions running: every
    // half-typed state draws, and once a stage's FROM line is complete it stays in place.
    m_view->setAnimated(true);
    const qsizetype secondFrom = multiStage.indexOf(u"FROM scratch"_s);
    QRectF build;
    for (qsizetype i = 0; i <= multiStage.size(); ++i) {
        show(*m_view, multiStage.left(i));
        QVERIFY(m_view->nodeCount() <= 4); // "FROM s" is an image until "scratch" is complete
        if (i == secondFrom)
            build = m_view->stageSceneRect(0);
        if (i > secondFrom)
            QCOMPARE(m_view->stageSceneRect(0), build);
    }
    QCOMPARE(m_view->nodeCount(), 3);
    QCOMPARE(m_view->edgeCount(), 2);
    QTRY_VERIFY(!m_view->graphScene()->isAnimating());
    QCOMPARE(m_view->graphScene()->stageItem(0)->pos(), build.topLeft());
}

void TestStageGraphView::zoomAndFontScale()
{
    show(*m_view, multiStage);
    QCOMPARE(m_view->zoom(), 1.0);
    m_view->zoomIn();
    QVERIFY(m_view->zoom() > 1.0);
    m_view->zoomOut();
    m_view->zoomOut();
    QVERIFY(m_view->zoom() < 1.0);
    m_view->resetZoom();
    QCOMPARE(m_view->zoom(), 1.0);
    m_view->fitToView();
    QVERIFY(m_view->zoom() > 0.1 && m_view->zoom() <= 2.0);
    const QRectF graphRect = m_view->graphScene()->graphRect();
    const QRect visible = m_view->mapFromScene(graphRect).boundingRect();
    QVERIFY(m_view->viewport()->rect().adjusted(-2, -2, 2, 2).contains(visible));

    const QSizeF before = m_view->stageSceneRect(0).size();
    m_view->setFontScale(2.0);
    QCOMPARE(m_view->fontScale(), 2.0);
    const QSizeF after = m_view->stageSceneRect(0).size();
    QVERIFY(after.width() > before.width() * 1.6);
    QVERIFY(after.height() > before.height() * 1.6);
    QCOMPARE(m_view->nodeCount(), 3);
}

void TestStageGraphView::exportPictures()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    show(*m_view, multiStage);
    const QString png = dir.filePath(u"graph.png"_s);
    QVERIFY(m_view->exportPng(png, 2.0));
    QImage image(png);
    QVERIFY(!image.isNull());
    const QRectF rect = m_view->graphScene()->graphRect();
    QCOMPARE(image.width(), qRound(rect.width() * 2));
    // The picture is not blank: some pixels differ from the background.
    const QRgb background = image.pixel(0, 0);
    int different = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4)
            different += image.pixel(x, y) != background ? 1 : 0;
    QVERIFY(different > 100);

    const QString svg = dir.filePath(u"graph.svg"_s);
    QVERIFY(m_view->exportSvg(svg));
    QFile file(svg);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray content = file.readAll();
    QVERIFY(content.contains("<svg"));
    QVERIFY(content.contains("build"));

    QVERIFY(!m_view->exportPng(dir.filePath(u"missing/dir/graph.png"_s)));
}

void TestStageGraphView::renderExamples()
{
    // The seeds' example and BuildKit's own 49-stage Dockerfile, in light and dark
    // palettes: rendered always, written out for a look when STAGECRAFT_GRAPH_PNG_DIR is set.
    const QString outDir = qEnvironmentVariable("STAGECRAFT_GRAPH_PNG_DIR");
    const QString buildkit = readFile(corpusFile(u"moby__buildkit__Dockerfile"_s));
    QVERIFY(!buildkit.isEmpty());
    const QList<std::pair<QString, QString>> examples{{u"multistage"_s, multiStage},
                                                      {u"buildkit"_s, buildkit}};
    for (const auto &[name, text] : examples) {
        for (const bool dark : {false, true}) {
            m_view->setPalette(dark ? darkPalette() : lightPalette());
            show(*m_view, text);
            if (name == u"buildkit"_s) {
                QCOMPARE(m_view->graph().stages.size(), 49);
                QCOMPARE(m_view->nodeCount(), 49 + m_view->graph().externalImages.size());
            }
            if (name == u"multistage"_s)
                m_view->setStageState(0, StageState::Done, u"38 s · 1.26 GB"_s);
            const QImage image = m_view->renderImage(1.5);
            QVERIFY(!image.isNull());
            if (!outDir.isEmpty())
                QVERIFY(
                    image.save(outDir + u"/graph-"_s + name + (dark ? u"-dark"_s : u"-light"_s) + u".png"_s));
            m_view->clearStageStates();
        }
    }
}

QTEST_MAIN(TestStageGraphView)
#include "tst_stagegraphview.moc"
