// The stage graph layout: columns by depth, crossing reduction, no overlaps, stability
// across edits, and speed on a big graph. Graphs are built by hand, as the plan makes them.
#include "ui/graphlayout.h"

#include <QElapsedTimer>
#include <QTest>

#include <limits>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

// "name=base" per stage (base: an earlier stage's name, an image, or "scratch"; name may be
// "-" for an unnamed stage) and "source>target:kind[:path,path]" per extra edge, kind being
// copy or mount; the source may be an image.
StageGraph makeGraph(const QStringList &stages, const QStringList &edges = {})
{
    StageGraph graph;
    auto stageNamed = [&](const QString &name) {
        for (const Stage &s : std::as_const(graph.stages))
            if (s.name == name || QString::number(s.index) == name)
                return s.index;
        return -1;
    };
    auto addImage = [&](const QString &ref) {
        if (ref != QLatin1String("scratch") && !graph.externalImages.contains(ref))
            graph.externalImages.append(ref);
    };
    for (const QString &spec : stages) {
        const qsizetype eq = spec.indexOf(QLatin1Char('='));
        Stage stage;
        stage.index = int(graph.stages.size());
        stage.name = spec.left(eq) == QLatin1String("-") ? QString() : spec.left(eq);
        stage.base = spec.mid(eq + 1);
        stage.baseStage = stageNamed(stage.base);
        stage.stepCount = 3;
        Edge edge;
        edge.toStage = stage.index;
        edge.fromStage = stage.baseStage;
        if (stage.baseStage < 0 && stage.base != QLatin1String("scratch")) {
            addImage(stage.base);
            edge.fromImage = stage.base;
        }
        if (stage.baseStage >= 0 || !edge.fromImage.isEmpty())
            graph.edges.append(edge);
        graph.stages.append(stage);
    }
    for (const QString &spec : edges) {
        const QStringList parts = spec.split(QLatin1Char(':'));
        const QStringList ends = parts[0].split(QLatin1Char('>'));
        Edge edge;
        edge.fromStage = stageNamed(ends[0]);
        if (edge.fromStage < 0) {
            edge.fromImage = ends[0];
            addImage(ends[0]);
        }
        edge.toStage = stageNamed(ends[1]);
        edge.kind = parts.value(1) == QLatin1String("mount") ? EdgeKind::Mount : EdgeKind::Copy;
        if (parts.size() > 2)
            edge.paths = parts[2].split(QLatin1Char(','));
        graph.edges.append(edge);
    }
    graph.target = int(graph.stages.size()) - 1;
    return graph;
}

QRectF stageRect(const GraphLayout &layout, int stage)
{
    return layout.nodes()[layout.stageNode(stage)].rect;
}

int stageColumn(const GraphLayout &layout, int stage)
{
    return layout.nodes()[layout.stageNode(stage)].column;
}

} // namespace

class TestGraphLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columns_data();
    void columns();
    void noOverlaps_data();
    void noOverlaps();
    void linearChainIsStraight();
    void diamondHasNoCrossings();
    void crossingReduction();
    void stableWhenStageAdded_data();
    void stableWhenStageAdded();
    void stableWhileTypingName();
    void identicalGraphGivesIdenticalLayout();
    void cycleDoesNotHang();
    void badIndexesAreIgnored();
    void emptyGraph();
    void bigGraph();
};

void TestGraphLayout::columns_data()
{
    QTest::addColumn<QStringList>("stages");
    QTest::addColumn<QStringList>("edges");
    QTest::addColumn<QList<int>>("expected"); // column of each stage

    QTest::addRow("linear-chain") << QStringList{u"a=alpine"_s, u"b=a"_s, u"c=b"_s, u"d=c"_s} << QStringList{}
                                  << QList<int>{1, 2, 3, 4};
    QTest::addRow("diamond") << QStringList{u"base=debian"_s, u"left=base"_s, u"right=base"_s,
                                            u"final=scratch"_s}
                             << QStringList{u"left>final:copy:/l"_s, u"right>final:copy:/r"_s}
                             << QList<int>{1, 2, 2, 3};
    QTest::addRow("go-multi-stage") << QStringList{u"build=golang:1.21"_s, u"-=scratch"_s}
                                    << QStringList{u"build>1:copy:/app"_s} << QList<int>{1, 2};
    QTest::addRow("scratch-only") << QStringList{u"-=scratch"_s, u"-=scratch"_s}
                                  << QStringList{u"0>1:copy:/x"_s} << QList<int>{0, 1};
    QTest::addRow("images-first") << QStringList{u"a=alpine"_s, u"b=a"_s, u"c=golang"_s}
                                  << QStringList{u"b>c:copy:/x"_s, u"busybox>c:copy:/bin/sh"_s}
                                  << QList<int>{1, 2, 3};
    QTest::addRow("mount-edge") << QStringList{u"tools=alpine"_s, u"app=debian"_s}
                                << QStringList{u"tools>app:mount"_s} << QList<int>{1, 2};
}

void TestGraphLayout::columns()
{
    QFETCH(QStringList, stages);
    QFETCH(QStringList, edges);
    QFETCH(QList<int>, expected);
    const StageGraph graph = makeGraph(stages, edges);
    const GraphLayout layout = GraphLayout::compute(graph);
    QCOMPARE(layout.nodes().size(), graph.stages.size() + graph.externalImages.size());
    QList<int> actual;
    for (int s = 0; s < graph.stages.size(); ++s)
        actual.append(stageColumn(layout, s));
    QCOMPARE(actual, expected);
    for (const QString &image : graph.externalImages) {
        const int n = layout.imageNode(image);
        QVERIFY(n >= 0);
        QCOMPARE(layout.nodes()[n].kind, LayoutNodeKind::Image);
        // Just left of the first stage that uses it.
        int firstUser = std::numeric_limits<int>::max();
        for (const LayoutEdge &e : layout.edges())
            if (e.from == n)
                firstUser = std::min(firstUser, layout.nodes()[e.to].column);
        QCOMPARE(layout.nodes()[n].column, firstUser - 1);
    }
    QCOMPARE(layout.edges().size(), graph.edges.size());
    for (const LayoutEdge &e : layout.edges()) {
        QVERIFY(e.points.size() >= 2);
        QCOMPARE(e.points.first().x(), layout.nodes()[e.from].rect.right());
        QCOMPARE(e.points.last().x(), layout.nodes()[e.to].rect.left());
        QVERIFY(!e.backward);
    }
}

void TestGraphLayout::noOverlaps_data()
{
    QTest::addColumn<StageGraph>("graph");
    QTest::addRow("diamond") << makeGraph(
        {u"base=debian"_s, u"left=base"_s, u"right=base"_s, u"final=scratch"_s},
        {u"left>final:copy:/l"_s, u"right>final:copy:/r"_s});
    QTest::addRow("fan-out") << makeGraph(
        {u"base=alpine"_s, u"a=base"_s, u"b=base"_s, u"c=base"_s, u"d=base"_s, u"e=base"_s, u"all=scratch"_s},
        {u"a>all:copy:/a"_s, u"b>all:copy:/b"_s, u"c>all:copy:/c"_s, u"d>all:copy:/d"_s, u"e>all:copy:/e"_s});
    QTest::addRow("long-edges") << makeGraph(
        {u"a=alpine"_s, u"b=a"_s, u"c=b"_s, u"d=c"_s, u"x=golang"_s, u"y=x"_s, u"final=scratch"_s},
        {u"a>final:copy:/1"_s, u"a>final:copy:/2"_s, u"x>d:copy:/3"_s, u"d>final:copy:/4"_s,
         u"y>final:copy:/5"_s});
}

void TestGraphLayout::noOverlaps()
{
    QFETCH(StageGraph, graph);
    const GraphLayout layout = GraphLayout::compute(graph);
    const auto &nodes = layout.nodes();
    for (qsizetype i = 0; i < nodes.size(); ++i)
        for (qsizetype j = i + 1; j < nodes.size(); ++j)
            QVERIFY2(!nodes[i].rect.intersects(nodes[j].rect),
                     qPrintable(nodes[i].key + QStringLiteral(" overlaps ") + nodes[j].key));
    // Straight runs of edges through a column never pass through a node.
    for (const LayoutEdge &e : layout.edges()) {
        for (qsizetype k = 1; k < e.points.size(); ++k) {
            const QPointF a = e.points[k - 1];
            const QPointF b = e.points[k];
            if (a.y() != b.y() || b.x() - a.x() < 2)
                continue;
            const QRectF run(a.x() + 1, a.y() - 0.5, b.x() - a.x() - 2, 1);
            for (qsizetype n = 0; n < nodes.size(); ++n)
                if (n != e.from && n != e.to)
                    QVERIFY2(!nodes[n].rect.intersects(run), qPrintable(nodes[n].key));
        }
    }
    QVERIFY(layout.boundingRect().contains(nodes.first().rect));
}

void TestGraphLayout::linearChainIsStraight()
{
    const GraphLayout layout = GraphLayout::compute(makeGraph({u"a=alpine"_s, u"b=a"_s, u"c=b"_s}));
    const qreal y = layout.nodes()[layout.imageNode(u"alpine"_s)].rect.center().y();
    for (int s = 0; s < 3; ++s)
        QCOMPARE(stageRect(layout, s).center().y(), y);
    QCOMPARE(layout.crossings(), 0);
    for (const LayoutEdge &e : layout.edges())
        QCOMPARE(e.points.first().y(), e.points.last().y());
}

void TestGraphLayout::diamondHasNoCrossings()
{
    const GraphLayout layout = GraphLayout::compute(
        makeGraph({u"base=debian"_s, u"left=base"_s, u"right=base"_s, u"final=scratch"_s},
                  {u"left>final:copy:/l"_s, u"right>final:copy:/r"_s}));
    QCOMPARE(layout.crossings(), 0);
    // The two branches share a column, one above the other; the ends sit between them.
    QCOMPARE(stageColumn(layout, 1), stageColumn(layout, 2));
    const qreal top = std::min(stageRect(layout, 1).center().y(), stageRect(layout, 2).center().y());
    const qreal bottom = std::max(stageRect(layout, 1).center().y(), stageRect(layout, 2).center().y());
    QVERIFY(stageRect(layout, 3).center().y() > top && stageRect(layout, 3).center().y() < bottom);
}

void TestGraphLayout::crossingReduction()
{
    // Stages written so that file order crosses every edge: barycenters untangle them.
    const StageGraph graph =
        makeGraph({u"a=alpine"_s, u"b=busybox"_s, u"c=centos"_s, u"z=c"_s, u"y=b"_s, u"x=a"_s},
                  {u"a>z:copy:/1"_s, u"c>x:copy:/2"_s});
    const GraphLayout layout = GraphLayout::compute(graph);
    QCOMPARE(layout.crossings(), 1);
}

void TestGraphLayout::stableWhenStageAdded_data()
{
    QTest::addColumn<QStringList>("before");
    QTest::addColumn<QStringList>("after");
    QTest::addColumn<QStringList>("edgesAfter");
    const QStringList base{u"build=golang:1.21"_s, u"test=build"_s, u"final=scratch"_s};
    const QStringList edges{u"build>final:copy:/app"_s};
    QTest::addRow("stage-added-below") << base << (base + QStringList{u"debug=final"_s}) << edges;
    QTest::addRow("stage-added-above") << base << (QStringList{u"tools=alpine"_s} + base) << edges;
    QTest::addRow("unrelated-stage-added-between")
        << base << QStringList{u"build=golang:1.21"_s, u"docs=node:20"_s, u"test=build"_s, u"final=scratch"_s}
        << edges;
}

void TestGraphLayout::stableWhenStageAdded()
{
    QFETCH(QStringList, before);
    QFETCH(QStringList, after);
    QFETCH(QStringList, edgesAfter);
    const GraphLayout first = GraphLayout::compute(makeGraph(before, {u"build>final:copy:/app"_s}));
    const GraphLayout second = GraphLayout::compute(makeGraph(after, edgesAfter), {}, &first);
    QVERIFY(second.keptPrevious());
    for (const LayoutNode &node : first.nodes()) {
        const int n = second.nodeByKey(node.key);
        QVERIFY2(n >= 0, qPrintable(node.key));
        QCOMPARE(second.nodes()[n].rect.topLeft(), node.rect.topLeft());
    }
    const auto &nodes = second.nodes();
    for (qsizetype i = 0; i < nodes.size(); ++i)
        for (qsizetype j = i + 1; j < nodes.size(); ++j)
            QVERIFY(!nodes[i].rect.intersects(nodes[j].rect));
}

void TestGraphLayout::stableWhileTypingName()
{
    // "FROM golang AS b", "AS bu", "AS bui": the node is the same stage all along.
    GraphLayout layout =
        GraphLayout::compute(makeGraph({u"b=golang"_s, u"-=scratch"_s}, {u"b>1:copy:/app"_s}));
    const QPointF place = stageRect(layout, 0).topLeft();
    for (const QString &name : {u"bu"_s, u"bui"_s, u"buil"_s, u"build"_s}) {
        layout = GraphLayout::compute(
            makeGraph({name + u"=golang"_s, u"-=scratch"_s}, {name + u">1:copy:/app"_s}), {}, &layout);
        QCOMPARE(stageRect(layout, 0).topLeft(), place);
    }
    // Typing the image: "golang:1" → "golang:1.21".
    const QPointF imagePlace = layout.nodes()[layout.imageNode(u"golang"_s)].rect.topLeft();
    layout = GraphLayout::compute(makeGraph({u"build=golang:1"_s, u"-=scratch"_s}, {u"build>1:copy:/app"_s}),
                                  {}, &layout);
    QCOMPARE(layout.nodes()[layout.imageNode(u"golang:1"_s)].rect.topLeft(), imagePlace);
}

void TestGraphLayout::identicalGraphGivesIdenticalLayout()
{
    // A line added inside a stage changes ranges, not the graph: nothing may move.
    const StageGraph graph =
        makeGraph({u"base=debian"_s, u"left=base"_s, u"right=base"_s, u"final=scratch"_s},
                  {u"left>final:copy:/l"_s, u"right>final:copy:/r"_s});
    const GraphLayout first = GraphLayout::compute(graph);
    const GraphLayout second = GraphLayout::compute(graph, {}, &first);
    QCOMPARE(second.nodes().size(), first.nodes().size());
    for (qsizetype i = 0; i < first.nodes().size(); ++i)
        QCOMPARE(second.nodes()[i].rect, first.nodes()[i].rect);
    for (qsizetype i = 0; i < first.edges().size(); ++i)
        QCOMPARE(second.edges()[i].points, first.edges()[i].points);
}

void TestGraphLayout::cycleDoesNotHang()
{
    // COPY --from each other: the plan diagnoses the cycle; the layout still draws it.
    const StageGraph graph = makeGraph({u"a=alpine"_s, u"b=alpine"_s}, {u"a>b:copy:/x"_s, u"b>a:copy:/y"_s});
    const GraphLayout layout = GraphLayout::compute(graph);
    QCOMPARE(layout.edges().size(), 4);
    int backward = 0;
    for (const LayoutEdge &e : layout.edges())
        backward += e.backward ? 1 : 0;
    QCOMPARE(backward, 1);
}

void TestGraphLayout::badIndexesAreIgnored()
{
    StageGraph graph = makeGraph({u"a=alpine"_s});
    Edge bad;
    bad.fromStage = 7;
    bad.toStage = 0;
    graph.edges.append(bad);
    bad.fromStage = 0;
    bad.toStage = -3;
    graph.edges.append(bad);
    bad.fromStage = -1;
    bad.fromImage.clear();
    bad.toStage = 0;
    graph.edges.append(bad);
    const GraphLayout layout = GraphLayout::compute(graph);
    QCOMPARE(layout.nodes().size(), 2);
    QCOMPARE(layout.edges().size(), 1);
}

void TestGraphLayout::emptyGraph()
{
    const GraphLayout layout = GraphLayout::compute(StageGraph{});
    QVERIFY(layout.isEmpty());
    QCOMPARE(layout.edges().size(), 0);
    const GraphLayout again = GraphLayout::compute(StageGraph{}, {}, &layout);
    QVERIFY(again.isEmpty());
}

void TestGraphLayout::bigGraph()
{
    // 500 stages: a tree of FROM edges over 20 images and COPY --from edges across it.
    QStringList stages;
    QStringList edges;
    for (int i = 0; i < 500; ++i) {
        const QString name = u"s"_s + QString::number(i);
        if (i % 25 == 0)
            stages << name + u"=image"_s + QString::number(i / 25) + u":latest"_s;
        else
            stages << name + u"=s"_s + QString::number(i - 1 - (i * 7) % std::min(i, 13));
        if (i > 30 && i % 3 == 0)
            edges << u"s"_s + QString::number((i * 31) % (i - 1)) + u">"_s + name + u":copy:/out"_s;
    }
    const StageGraph graph = makeGraph(stages, edges);
    QElapsedTimer timer;
    timer.start();
    const GraphLayout layout = GraphLayout::compute(graph);
    const qint64 fresh = timer.elapsed();
    timer.restart();
    const GraphLayout again = GraphLayout::compute(graph, {}, &layout);
    const qint64 kept = timer.elapsed();
    qInfo("500 stages, %lld edges: fresh layout %lld ms, incremental %lld ms, %d columns, %d crossings",
          qint64(graph.edges.size()), fresh, kept, layout.columnCount(), layout.crossings());
    QCOMPARE(layout.nodes().size(), 520);
    const auto &nodes = layout.nodes();
    for (qsizetype i = 0; i < nodes.size(); ++i)
        for (qsizetype j = i + 1; j < nodes.size(); ++j)
            if (nodes[i].column == nodes[j].column && nodes[i].rect.intersects(nodes[j].rect))
                QFAIL(qPrintable(nodes[i].key + u" overlaps "_s + nodes[j].key));
}

QTEST_GUILESS_MAIN(TestGraphLayout)
#include "tst_graphlayout.moc"
