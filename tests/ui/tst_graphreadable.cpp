// The stage graph on a projector-sized window: at 1024×768 and 1280×720, in English and
// German, every node of the seeds' and the shipped examples' Dockerfiles shows inside the
// graph pane with its text at a readable size; wide graphs wrap their columns into bands
// and stay readable (scrolling only downwards); the view keeps the graph in view while it
// changes until the user zooms or pans by hand; a big file's graph follows a keystroke
// before its slower build checks. STAGECRAFT_GRAPH_SHOTS=DIR keeps a picture
// of each case there, to look at.
#include "germanlocale.h"
#include "tests/bench/largedockerfile.h"
#include "ui/dockerfileeditor.h"
#include "ui/graphstyle.h"
#include "ui/liveanalysis.h"
#include "ui/mainwindow.h"
#include "ui/stagegraphscene.h"
#include "ui/stagegraphview.h"
#include "ui/stagenodeitem.h"
#include "windowatsize.h"

#include <QDir>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTranslator>

using namespace stagecraft;
using namespace stagecraft::ui;
using stagecraft::test::GermanLocale;
using stagecraft::test::showAtSize;
using namespace Qt::StringLiterals;

namespace {

QString sourceDir()
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", u".."_s);
}

// The multi-stage Dockerfiles a class opens first: the tutorials' seeds, the seeds' own
// examples and the examples shipped in the program.
QStringList seedFiles()
{
    QStringList files;
    const QDir plan(sourceDir() + u"/tests/data/plan"_s);
    for (const QString &name : plan.entryList({u"seed*.Dockerfile"_s}, QDir::Files, QDir::Name))
        files << plan.filePath(name);
    for (const QString &path :
         {u"/tests/data/seeds/busybox/Dockerfile"_s, u"/tests/data/seeds/go-app/Dockerfile"_s,
          u"/tests/data/seeds/go-app/Dockerfile.multi"_s, u"/tests/data/seeds/go-heredoc/Dockerfile"_s})
        files << sourceDir() + path;
    const QDir examples(sourceDir() + u"/resources/examples"_s);
    for (const QString &name : examples.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
        files << examples.filePath(name + u"/Dockerfile"_s);
    return files;
}

// Twelve stages in a chain, then a stage that copies from ten others (a fan-in).
QString wideDockerfile()
{
    QString text = u"FROM alpine:3.20 AS s0\nRUN echo 0 > /out\n"_s;
    for (int i = 1; i < 12; ++i)
        text += u"FROM s%1 AS s%2\nRUN echo %2 >> /out\n"_s.arg(i - 1).arg(i);
    for (int i = 0; i < 10; ++i)
        text += u"FROM busybox:1.36 AS part%1\nRUN echo %1 > /part%1\n"_s.arg(i);
    text += u"FROM s11 AS final\n"_s;
    for (int i = 0; i < 10; ++i)
        text += u"COPY --from=part%1 /part%1 /parts/\n"_s.arg(i);
    return text;
}

void keepShot(QWidget *window, const QString &name)
{
    const QString dir = qEnvironmentVariable("STAGECRAFT_GRAPH_SHOTS");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    window->grab().save(dir + u'/' + name + u".png"_s);
}

} // namespace

namespace {

// The same findings, in the same order and places.
void sameFindings(const LiveAnalysis &analysis, const LiveAnalysis &fresh)
{
    QCOMPARE(analysis.result().diagnostics.size(), fresh.result().diagnostics.size());
    for (qsizetype i = 0; i < fresh.result().diagnostics.size(); ++i) {
        QCOMPARE(analysis.result().diagnostics[i].message, fresh.result().diagnostics[i].message);
        QCOMPARE(analysis.result().diagnostics[i].range, fresh.result().diagnostics[i].range);
    }
}

} // namespace

class TestGraphReadable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"stagecraft-tests"_s);
        QCoreApplication::setApplicationName(u"tst_graphreadable"_s);
        QVERIFY(seedFiles().size() >= 12);
    }

    void init() { QSettings().clear(); }

    void seedsShowWholeAndReadable_data()
    {
        QTest::addColumn<bool>("german");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QString>("file");
        for (const QString &file : seedFiles()) {
            const QString name = QDir(sourceDir()).relativeFilePath(file);
            for (const QSize size : stagecraft::test::projectorSizes())
                for (bool german : {false, true})
                    QTest::addRow("%s-%dx%d-%s", german ? "de" : "en", size.width(), size.height(),
                                  qPrintable(name))
                        << german << size << file;
        }
    }

    void seedsShowWholeAndReadable()
    {
        QFETCH(bool, german);
        QFETCH(QSize, size);
        QFETCH(QString, file);
        const GermanLocale translation(german);
        QVERIFY(!german || translation.installed());
        MainWindow window;
        QVERIFY(showAtSize(window, size));
        QString error;
        QVERIFY2(window.openFile(file, &error), qPrintable(error));
        window.flushAnalysis();
        window.showView(u"graph"_s);
        QCoreApplication::processEvents();
        StageGraphView *graph = window.graphView();
        QVERIFY(graph->nodeCount() >= 2);
        QVERIFY(graph->isVisible());
        QVERIFY2(
            graph->smallestTextOnScreen() >= StageGraphView::kMinimumTextPixels,
            qPrintable(u"text %1 px at zoom %2"_s.arg(graph->smallestTextOnScreen()).arg(graph->zoom())));
        const QRect viewport = graph->viewport()->rect();
        for (const StageNodeItem *node : graph->graphScene()->nodeItems()) {
            const QRect onScreen = graph->mapFromScene(node->node().rect).boundingRect();
            QVERIFY2(viewport.contains(onScreen),
                     qPrintable(u"%1 at %2,%3 %4×%5 outside the %6×%7 pane"_s.arg(node->node().key)
                                    .arg(onScreen.x())
                                    .arg(onScreen.y())
                                    .arg(onScreen.width())
                                    .arg(onScreen.height())
                                    .arg(viewport.width())
                                    .arg(viewport.height())));
        }
        // A build's status fits its node's own line, in German too ("aus dem Cache · …").
        const QString detail = u"12.3 s · 1.8 MB"_s;
        const GraphStyle &style = graph->graphScene()->style();
        for (int stage = 0; stage < graph->graph().stages.size(); ++stage) {
            graph->setStageState(stage, StageState::Cached, detail);
            const StageNodeItem *node = graph->graphScene()->stageItem(stage);
            const QString status = StageNodeItem::tr("cached") + u" · "_s + detail;
            const qreal room = node->size().width() - 2 * style.padding() - 14 * style.scale;
            QVERIFY2(QFontMetricsF(style.smallFont).horizontalAdvance(status) <= room, qPrintable(status));
        }
        keepShot(&window, QString::fromLatin1(QTest::currentDataTag()).replace(u'/', u'_'));
    }

    // Twelve stages in a chain and a fan-in of ten: the columns wrap into bands, the text
    // stays readable, and what does not fit scrolls downwards, never sideways.
    void wideGraphWrapsAndStaysReadable_data() { stagecraft::test::addLanguageAndSizeRows(); }

    void wideGraphWrapsAndStaysReadable()
    {
        QFETCH(bool, german);
        QFETCH(QSize, size);
        const GermanLocale translation(german);
        MainWindow window;
        QVERIFY(showAtSize(window, size));
        window.showView(u"graph"_s);
        window.editor()->setPlainText(wideDockerfile());
        window.flushAnalysis();
        QCoreApplication::processEvents();
        StageGraphView *graph = window.graphView();
        QCOMPARE(graph->graph().stages.size(), 23);
        const GraphLayout &layout = graph->graphScene()->graphLayout();
        QVERIFY2(layout.bandCount() > 1, qPrintable(QString::number(layout.columnCount())));
        QVERIFY(graph->smallestTextOnScreen() >= StageGraphView::kMinimumTextPixels);
        // Every node is within the pane's width; the height scrolls.
        const QRect viewport = graph->viewport()->rect();
        const QRectF visible = graph->mapToScene(viewport).boundingRect();
        for (const LayoutNode &node : layout.nodes()) {
            QVERIFY2(node.rect.left() >= visible.left() - 0.5 && node.rect.right() <= visible.right() + 0.5,
                     qPrintable(node.key));
        }
        QVERIFY(graph->horizontalScrollBar()->maximum() == 0 || !graph->horizontalScrollBar()->isVisible());
        // Nodes of different bands never overlap, and each wrapping edge goes down between
        // the bands and enters its target from the left.
        const QList<LayoutNode> &nodes = layout.nodes();
        for (qsizetype i = 0; i < nodes.size(); ++i)
            for (qsizetype j = i + 1; j < nodes.size(); ++j)
                QVERIFY2(!nodes[i].rect.intersects(nodes[j].rect),
                         qPrintable(nodes[i].key + u" "_s + nodes[j].key));
        int wrapping = 0;
        for (const LayoutEdge &edge : layout.edges()) {
            QCOMPARE(edge.points.last().x(), nodes[edge.to].rect.left());
            QCOMPARE(edge.points.first().x(), nodes[edge.from].rect.right());
            if (nodes[edge.from].band != nodes[edge.to].band) {
                ++wrapping;
                QVERIFY(edge.points.size() >= 6);
                QVERIFY(edge.points[edge.points.size() - 2].x() < nodes[edge.to].rect.left());
            }
        }
        QVERIFY(wrapping > 0);
        keepShot(&window, QString::fromLatin1(QTest::currentDataTag()) + u"-wide"_s);
    }

    // While the file changes the graph stays in view; after the user zooms it stays where
    // they put it, until Fit.
    void followsTheGraphUntilTheUserZooms()
    {
        MainWindow window;
        QVERIFY(showAtSize(window, QSize(1024, 768)));
        window.showView(u"graph"_s);
        StageGraphView *graph = window.graphView();
        QString text;
        for (int i = 0; i < 5; ++i) {
            text += u"FROM alpine:3.20 AS s%1\nRUN echo %1\n"_s.arg(i);
            if (i > 0)
                text += u"COPY --from=s%1 / /\n"_s.arg(i - 1);
            window.editor()->setPlainText(text);
            window.flushAnalysis();
            QVERIFY(graph->followsGraph());
            QVERIFY(graph->smallestTextOnScreen() >= StageGraphView::kMinimumTextPixels);
            const QRectF visible = graph->mapToScene(graph->viewport()->rect()).boundingRect();
            const QSizeF needed = graph->graphScene()->graphRect().size() * graph->readableZoom();
            const bool fits = needed.width() <= graph->viewport()->width() &&
                              needed.height() <= graph->viewport()->height();
            // All of it in view when it fits at readable text; otherwise as wide as the
            // pane, the rest a scroll down.
            for (const LayoutNode &node : graph->graphScene()->graphLayout().nodes()) {
                QVERIFY2(node.rect.left() >= visible.left() && node.rect.right() <= visible.right(),
                         qPrintable(node.key));
                if (fits)
                    QVERIFY2(visible.contains(node.rect), qPrintable(node.key));
            }
        }
        graph->zoomIn();
        QVERIFY(!graph->followsGraph());
        const qreal zoom = graph->zoom();
        window.editor()->setPlainText(text + u"FROM alpine AS more\n"_s);
        window.flushAnalysis();
        QCOMPARE(graph->zoom(), zoom);
        graph->fitToView();
        QVERIFY(graph->followsGraph());
        QVERIFY(graph->smallestTextOnScreen() >= StageGraphView::kMinimumTextPixels);
    }

    // A 5,000-line file: a keystroke's graph comes from the parse at once; the slower plan
    // and build checks follow after a pause, and flushing gives the complete findings.
    void bigFileGraphFirstChecksAfter()
    {
        LiveAnalysis analysis;
        const QString text = bench::largeDockerfile(500);
        analysis.analyzeNow(text);
        QCOMPARE(analysis.result().plan.stages.size(), 500);
        QSignalSpy analyzed(&analysis, &LiveAnalysis::analyzed);
        const QString typed = text + u"FROM alpine AS extra\n"_s;
        analysis.setText(typed);
        QVERIFY(analyzed.wait(2000));
        QCOMPARE(analysis.result().plan.stages.size(), 501);
        QVERIFY(analysis.isPending()); // the build checks, after a pause
        analysis.flush();
        QVERIFY(!analysis.isPending());
        LiveAnalysis fresh;
        fresh.analyzeNow(typed);
        QCOMPARE(analysis.result().diagnostics.size(), fresh.result().diagnostics.size());
        for (qsizetype i = 0; i < fresh.result().diagnostics.size(); ++i)
            QCOMPARE(analysis.result().diagnostics[i].message, fresh.result().diagnostics[i].message);
    }

    // The build checks of a big file run on a worker while the typist goes on: findings for
    // a text already changed are dropped, and once typing stops they are the final text's.
    void bigFileChecksOnWorkerLatestWins()
    {
        LiveAnalysis analysis;
        const QString text = bench::largeDockerfile(500);
        analysis.analyzeNow(text);
        QString typed = text;
        for (const QChar c : u"FROM alpine AS extra\nRUN apt-get install -y curl\n"_s) {
            typed += c;
            analysis.setText(typed);
            QTest::qWait(c == u'\n' ? 150 : 20); // pauses long enough for checks to start
        }
        QTRY_VERIFY_WITH_TIMEOUT(!analysis.isPending(), 10000);
        QCOMPARE(analysis.result().plan.stages.size(), 501);
        LiveAnalysis fresh;
        fresh.analyzeNow(typed);
        sameFindings(analysis, fresh);
        if (QTest::currentTestFailed())
            return;

        // Flushed while the worker is (most likely) still checking: the findings are
        // complete at once, and the worker's, arriving later, change nothing.
        typed += u"MAINTAINER someone\nCMD echo more\n"_s; // two more build-check findings
        analysis.setText(typed);
        QTRY_VERIFY(analysis.result().dockerfile.instructions.size() ==
                    fresh.result().dockerfile.instructions.size() + 2);
        QTest::qWait(LiveAnalysis::kDelayMs + 10);
        analysis.flush();
        QVERIFY(!analysis.isPending());
        LiveAnalysis again;
        again.analyzeNow(typed);
        sameFindings(analysis, again);
        if (QTest::currentTestFailed())
            return;
        QTest::qWait(300);
        sameFindings(analysis, again);
    }
};

QTEST_MAIN(TestGraphReadable)
#include "tst_graphreadable.moc"
