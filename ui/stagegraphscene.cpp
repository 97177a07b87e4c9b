#include "ui/stagegraphscene.h"

#include "ui/stageedgeitem.h"
#include "ui/stagenodeitem.h"

#include <QApplication>
#include <QEasingCurve>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsView>
#include <QVariantAnimation>

namespace stagecraft::ui {

namespace {

int lastLine(const SourceRange &range)
{
    if (range.end.line > range.start.line && range.end.column <= 1)
        return range.end.line - 1;
    return std::max(range.start.line, range.end.line);
}

// Whether two graphs draw the same: the same nodes, texts and edges. Line numbers (which
// move with every line typed above a stage) only reach tooltips.
bool drawsTheSame(const StageGraph &a, const StageGraph &b)
{
    if (a.target != b.target || a.externalImages != b.externalImages || a.stages.size() != b.stages.size() ||
        a.edges.size() != b.edges.size())
        return false;
    for (qsizetype i = 0; i < a.stages.size(); ++i) {
        const Stage &x = a.stages[i];
        const Stage &y = b.stages[i];
        if (x.index != y.index || x.name != y.name || x.base != y.base || x.platform != y.platform ||
            x.baseStage != y.baseStage || x.stepCount != y.stepCount || x.needed != y.needed ||
            x.notNeededReason != y.notNeededReason)
            return false;
    }
    for (qsizetype i = 0; i < a.edges.size(); ++i) {
        const Edge &x = a.edges[i];
        const Edge &y = b.edges[i];
        if (x.fromStage != y.fromStage || x.fromImage != y.fromImage || x.toStage != y.toStage ||
            x.kind != y.kind || x.paths != y.paths)
            return false;
    }
    return true;
}

QString edgeToolTip(const StageGraph &graph, const Edge &edge)
{
    const auto source = [&] {
        return edge.isExternal() ? edge.fromImage : graph.stages[edge.fromStage].displayName();
    };
    QString tip;
    if (edge.kind == EdgeKind::From)
        tip = QStringLiteral("FROM %1").arg(source());
    else if (edge.kind == EdgeKind::Copy)
        tip = QStringLiteral("COPY --from=%1 %2").arg(source(), edge.paths.join(QLatin1Char(' ')));
    else
        tip = QStringLiteral("RUN --mount=from=%1").arg(source());
    if (edge.range.isValid())
        tip = QStringLiteral("%1: %2").arg(edge.range.start.line).arg(tip);
    return tip;
}

} // namespace

StageGraphScene::StageGraphScene(QObject *parent)
    : QGraphicsScene(parent)
    , m_palette(QApplication::palette())
    , m_font(QApplication::font())
    , m_animation(new QVariantAnimation(this))
{
    m_style = GraphStyle::fromPalette(m_palette, m_font, m_fontScale);
    setBackgroundBrush(m_style.background);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setDuration(220);
    m_animation->setEasingCurve(QEasingCurve::OutCubic);
    connect(m_animation, &QVariantAnimation::valueChanged, this,
            [this](const QVariant &value) { applyAnimation(value.toReal()); });
    rebuild(false);
}

StageGraphScene::~StageGraphScene() = default;

void StageGraphScene::setGraph(const StageGraph &graph, const Dockerfile &dockerfile)
{
    const StageGraph previous = std::exchange(m_graph, graph);
    const QHash<int, QStringList> previousErrors = std::exchange(m_errors, {});
    auto collect = [this](const Diagnostics &diagnostics) {
        for (const Diagnostic &d : diagnostics) {
            if (d.severity != Severity::Error || !d.range.isValid())
                continue;
            for (const Stage &stage : std::as_const(m_graph.stages)) {
                if (!stage.range.isValid())
                    continue;
                if (d.range.start.line >= stage.range.start.line &&
                    d.range.start.line <= lastLine(stage.range)) {
                    m_errors[stage.index].append(
                        QStringLiteral("%1: %2").arg(d.range.start.line).arg(d.message));
                    break;
                }
            }
        }
    };
    collect(dockerfile.diagnostics);
    collect(graph.diagnostics);
    if (m_selected >= m_graph.stages.size())
        m_selected = -1;
    m_dropTarget = -1;
    // Most keystrokes change a RUN line, not the graph: then the scene keeps its items and
    // only their tooltips learn the new line numbers. Laying out and recreating hundreds of
    // items for every key would make a big file lag behind the typing.
    // An error marker sits on a node's corner and takes no room: a half-typed line that
    // changes only the errors does not move anything either.
    if (!m_nodes.isEmpty() && drawsTheSame(previous, m_graph)) {
        // Only the items whose lines moved: a key typed within a line moves none, and
        // rebuilding 1,500 tooltips of a big file took longer than a frame.
        for (StageNodeItem *node : std::as_const(m_nodes)) {
            if (!node->isStage())
                continue;
            const Stage &was = previous.stages[node->stageIndex()];
            const Stage &now = m_graph.stages[node->stageIndex()];
            if (was.range != now.range || was.fromRange != now.fromRange ||
                was.fromInstruction != now.fromInstruction || was.lastInstruction != now.lastInstruction)
                node->setStage(now);
            const QStringList errors = m_errors.value(node->stageIndex());
            if (errors != previousErrors.value(node->stageIndex()))
                node->setErrors(errors);
        }
        for (StageEdgeItem *edge : std::as_const(m_edges)) {
            const Edge &now = m_graph.edges[edge->edgeIndex()];
            if (previous.edges[edge->edgeIndex()].range != now.range)
                edge->setToolTip(edgeToolTip(m_graph, now));
        }
        for (StageNodeItem *node : std::as_const(m_nodes))
            node->setDropHighlighted(false);
        ++m_layoutGeneration;
        return;
    }
    rebuild(true);
}

void StageGraphScene::setAppearance(const QPalette &palette, const QFont &font)
{
    const bool fontChanged = font != m_font;
    m_palette = palette;
    m_font = font;
    m_style = GraphStyle::fromPalette(m_palette, m_font, m_fontScale);
    setBackgroundBrush(m_style.background);
    if (fontChanged) {
        rebuild(false);
    } else {
        if (m_placeholder)
            m_placeholder->setBrush(m_style.mutedText);
        for (StageEdgeItem *edge : std::as_const(m_edges))
            edge->setLabel(edge->label());
        placeLabels();
        update();
    }
}

void StageGraphScene::setFontScale(qreal scale)
{
    scale = std::clamp(scale, 0.25, 8.0);
    if (qFuzzyCompare(scale, m_fontScale))
        return;
    m_fontScale = scale;
    m_style = GraphStyle::fromPalette(m_palette, m_font, m_fontScale);
    rebuild(false);
}

void StageGraphScene::setViewport(const QSizeF &size, qreal minimumZoom)
{
    if (size == m_viewport && qFuzzyCompare(minimumZoom, m_minimumZoom))
        return;
    m_viewport = size;
    m_minimumZoom = minimumZoom;
    rebuild(true);
}

bool StageGraphScene::isAnimating() const
{
    return m_animation->state() == QAbstractAnimation::Running;
}

StageNodeItem *StageGraphScene::stageItem(int stageIndex) const
{
    const int n = m_layout.stageNode(stageIndex);
    return n >= 0 && n < m_nodes.size() ? m_nodes[n] : nullptr;
}

int StageGraphScene::stageAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (item->type() != StageNodeItem::Type)
            continue;
        const auto *node = static_cast<StageNodeItem *>(item);
        if (node->isStage())
            return node->stageIndex();
    }
    return -1;
}

QRectF StageGraphScene::graphRect() const
{
    QRectF rect = m_layout.boundingRect();
    for (const StageEdgeItem *edge : m_edges)
        rect = rect.united(edge->mapRectToScene(edge->boundingRect()));
    if (m_placeholder)
        rect = rect.united(m_placeholder->sceneBoundingRect().adjusted(-40, -40, 40, 40));
    return rect;
}

void StageGraphScene::selectStage(int stageIndex)
{
    if (stageIndex < 0 || stageIndex >= m_graph.stages.size())
        stageIndex = -1;
    m_selected = stageIndex;
    for (StageNodeItem *node : std::as_const(m_nodes))
        node->setSelected(node->isStage() && node->stageIndex() == m_selected);
    updateEmphasis();
}

void StageGraphScene::setStageState(int stageIndex, StageState state, const QString &detail)
{
    if (state == StageState::Idle && detail.isEmpty())
        m_states.remove(stageIndex);
    else
        m_states.insert(stageIndex, {state, detail});
    if (StageNodeItem *node = stageItem(stageIndex))
        node->setState(state, detail);
}

StageState StageGraphScene::stageState(int stageIndex) const
{
    return m_states.value(stageIndex, {StageState::Idle, QString()}).first;
}

void StageGraphScene::clearStageStates()
{
    m_states.clear();
    m_cacheReasons.clear();
    for (StageNodeItem *node : std::as_const(m_nodes)) {
        node->setState(StageState::Idle, QString());
        node->setCacheReasons({});
    }
}

void StageGraphScene::setStageCacheReasons(int stageIndex, const QStringList &reasons)
{
    if (reasons.isEmpty())
        m_cacheReasons.remove(stageIndex);
    else
        m_cacheReasons.insert(stageIndex, reasons);
    if (StageNodeItem *node = stageItem(stageIndex))
        node->setCacheReasons(reasons);
}

void StageGraphScene::setDropTarget(int stageIndex)
{
    m_dropTarget = stageIndex;
    for (StageNodeItem *node : std::as_const(m_nodes))
        node->setDropHighlighted(node->isStage() && node->stageIndex() == stageIndex);
}

void StageGraphScene::setHoveredNode(StageNodeItem *node)
{
    if (m_hovered == node)
        return;
    if (m_hovered && m_nodes.contains(m_hovered))
        m_hovered->setHovered(false);
    m_hovered = node;
    if (m_hovered)
        m_hovered->setHovered(true);
    updateEmphasis();
}

void StageGraphScene::updateEmphasis()
{
    const int hoveredNode = m_hovered ? int(m_nodes.indexOf(m_hovered)) : -1;
    const int selectedNode = m_layout.stageNode(m_selected);
    for (qsizetype i = 0; i < m_edges.size(); ++i) {
        const LayoutEdge &e = m_layout.edges()[i];
        const bool touches = (hoveredNode >= 0 && (e.from == hoveredNode || e.to == hoveredNode)) ||
                             (selectedNode >= 0 && (e.from == selectedNode || e.to == selectedNode));
        m_edges[i]->setEmphasized(touches);
    }
}

void StageGraphScene::setTrace(const QSet<int> &stages, const QSet<int> &edges)
{
    m_tracedStages = stages;
    m_tracedEdges = edges;
    applyTrace();
}

qreal StageGraphScene::nodeOpacity(const StageNodeItem *item) const
{
    const bool unneeded = item->isStage() && item->stageIndex() >= 0 &&
                          item->stageIndex() < m_graph.stages.size() &&
                          !m_graph.stages[item->stageIndex()].needed;
    return (unneeded ? 0.45 : 1.0) * (item->isDimmed() ? 0.35 : 1.0);
}

void StageGraphScene::applyTrace()
{
    const bool active = !m_tracedStages.isEmpty() || !m_tracedEdges.isEmpty();
    QSet<int> nodes; // layout node indexes on the chain
    for (qsizetype i = 0; i < m_edges.size(); ++i) {
        const bool traced = m_tracedEdges.contains(m_edges[i]->edgeIndex());
        m_edges[i]->setTrace(traced, active && !traced);
        if (traced)
            nodes << m_layout.edges()[i].from << m_layout.edges()[i].to;
    }
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        StageNodeItem *item = m_nodes[i];
        const bool traced =
            nodes.contains(int(i)) || (item->isStage() && m_tracedStages.contains(item->stageIndex()));
        item->setTrace(traced, active && !traced);
        item->setOpacity(nodeOpacity(item));
    }
}

void StageGraphScene::rebuild(bool keepPlaces)
{
    m_animation->stop();
    // Where things are on screen now: the start of the transition.
    QHash<QString, QPointF> oldPos;
    QHash<int, QPointF> oldStagePos;
    for (StageNodeItem *node : std::as_const(m_nodes)) {
        oldPos.insert(node->node().key, node->pos());
        if (node->isStage())
            oldStagePos.insert(node->stageIndex(), node->pos());
    }
    const bool hadNodes = !m_nodes.isEmpty();

    LayoutMetrics metrics = m_style.metrics();
    metrics.viewport = m_viewport;
    metrics.minimumZoom = m_minimumZoom;
    GraphLayout layout =
        GraphLayout::compute(m_graph, metrics, keepPlaces && !m_layout.isEmpty() ? &m_layout : nullptr);
    ++m_layoutGeneration;
    m_layout = std::move(layout);

    m_hovered = nullptr;
    qDeleteAll(m_nodes);
    qDeleteAll(m_edges);
    m_nodes.clear();
    m_edges.clear();
    delete m_placeholder;
    m_placeholder = nullptr;

    static const Stage noStage;
    for (const LayoutNode &n : m_layout.nodes()) {
        const Stage &stage = n.kind == LayoutNodeKind::Stage ? m_graph.stages[n.stage] : noStage;
        auto *item = new StageNodeItem(this, n, stage);
        if (n.kind == LayoutNodeKind::Stage) {
            item->setTarget(n.stage == m_graph.target);
            item->setSelected(n.stage == m_selected);
            item->setErrors(m_errors.value(n.stage));
            const auto state = m_states.value(n.stage, {StageState::Idle, QString()});
            item->setState(state.first, state.second);
            item->setCacheReasons(m_cacheReasons.value(n.stage));
            if (!stage.needed)
                item->setOpacity(0.45); // applyTrace() below adds the dimming of a chain
        }
        addItem(item);
        m_nodes.append(item);
    }

    // One label per bundle of COPY edges between the same two nodes.
    QHash<std::pair<int, int>, StageEdgeItem *> labelled;
    QHash<std::pair<int, int>, QStringList> labels;
    for (const LayoutEdge &e : m_layout.edges()) {
        const Edge &edge = m_graph.edges[e.edge];
        auto *item = new StageEdgeItem(this, edge, e.edge);
        item->setPoints(e.points, e.backward);
        const bool needed = edge.toStage >= 0 && edge.toStage < m_graph.stages.size()
                                ? m_graph.stages[edge.toStage].needed
                                : true;
        item->setNeeded(needed);
        if (edge.kind == EdgeKind::Copy && !edge.paths.isEmpty()) {
            const auto pair = std::make_pair(e.from, e.to);
            if (!labelled.contains(pair))
                labelled.insert(pair, item);
            QStringList &list = labels[pair];
            for (const QString &path : edge.paths)
                if (!list.contains(path))
                    list.append(path);
        }
        addItem(item);
        m_edges.append(item);
    }
    for (auto it = labelled.cbegin(); it != labelled.cend(); ++it)
        it.value()->setLabel(labels.value(it.key()).join(QStringLiteral(", ")));
    placeLabels();
    for (StageEdgeItem *item : std::as_const(m_edges))
        item->setToolTip(edgeToolTip(m_graph, item->edge()));

    if (m_nodes.isEmpty()) {
        m_placeholder =
            new QGraphicsSimpleTextItem(tr("No stages yet.\nType FROM and an image name to start one."));
        QFont font = m_style.textFont;
        m_placeholder->setFont(font);
        m_placeholder->setBrush(m_style.mutedText);
        m_placeholder->setPos(m_style.metrics().margin, m_style.metrics().margin);
        addItem(m_placeholder);
    }

    // Keep the scene from shrinking while the same graph is edited, so that the view does
    // not scroll the nodes away from under the reader; a fresh layout starts over.
    const QRectF rect = graphRect();
    setSceneRect(keepPlaces && m_layout.keptPrevious() ? sceneRect().united(rect) : rect);
    updateEmphasis();
    applyTrace();

    // Transition: persisting nodes glide from their old places, new ones fade in.
    bool visible = false;
    for (QGraphicsView *view : views())
        visible = visible || view->isVisible();
    m_nodeStart.clear();
    m_nodeIsNew.clear();
    m_edgeStart.clear();
    m_edgeEnd.clear();
    if (!m_animated || !visible || !hadNodes || !m_layout.keptPrevious()) {
        Q_EMIT graphLaidOut();
        return;
    }
    bool moves = false;
    for (StageNodeItem *item : std::as_const(m_nodes)) {
        const LayoutNode &n = item->node();
        QPointF start = n.rect.topLeft();
        bool isNew = true;
        if (oldPos.contains(n.key)) {
            start = oldPos.value(n.key);
            isNew = false;
        } else if (n.kind == LayoutNodeKind::Stage && oldStagePos.contains(n.stage)) {
            start = oldStagePos.value(n.stage);
            isNew = false;
        }
        moves = moves || isNew || start != n.rect.topLeft();
        m_nodeStart.append(start);
        m_nodeIsNew.append(isNew);
    }
    if (!moves) {
        Q_EMIT graphLaidOut();
        return;
    }
    for (qsizetype i = 0; i < m_edges.size(); ++i) {
        const LayoutEdge &e = m_layout.edges()[i];
        const QPointF fromDelta = m_nodeStart[e.from] - m_layout.nodes()[e.from].rect.topLeft();
        const QPointF toDelta = m_nodeStart[e.to] - m_layout.nodes()[e.to].rect.topLeft();
        QList<QPointF> start;
        const qsizetype n = e.points.size();
        for (qsizetype k = 0; k < n; ++k) {
            const qreal t = n > 1 ? qreal(k) / (n - 1) : 0;
            start.append(e.points[k] + fromDelta * (1 - t) + toDelta * t);
        }
        m_edgeStart.append(start);
        m_edgeEnd.append(e.points);
    }
    applyAnimation(0);
    m_animation->start();
    Q_EMIT graphLaidOut();
}

void StageGraphScene::placeLabels()
{
    // First free place for each label, in edge order; where every place is taken the label
    // is left out (the edge's tooltip still names the paths) rather than drawn over another.
    const qreal margin = 3 * m_style.scale;
    QList<QRectF> taken;
    for (const LayoutNode &node : m_layout.nodes())
        taken.append(node.rect.adjusted(-margin, -margin, margin, margin));
    for (StageEdgeItem *edge : std::as_const(m_edges)) {
        if (edge->label().isEmpty())
            continue;
        const QSizeF size = edge->labelSize();
        const QList<QPointF> candidates = edge->labelCandidates();
        int chosen = -1;
        for (qsizetype i = 0; i < candidates.size() && chosen < 0; ++i) {
            const QRectF rect(candidates[i].x() - size.width() / 2, candidates[i].y() - size.height() / 2,
                              size.width(), size.height());
            const bool free = std::none_of(taken.cbegin(), taken.cend(),
                                           [&](const QRectF &other) { return other.intersects(rect); });
            if (free) {
                chosen = int(i);
                taken.append(rect.adjusted(-margin, -margin, margin, margin));
            }
        }
        edge->setLabelPlacement(chosen);
    }
}

void StageGraphScene::applyAnimation(qreal t)
{
    if (m_nodeStart.size() != m_nodes.size() || m_edgeStart.size() != m_edges.size())
        return;
    for (qsizetype i = 0; i < m_nodes.size(); ++i) {
        StageNodeItem *item = m_nodes[i];
        const QPointF end = item->node().rect.topLeft();
        item->setPos(m_nodeStart[i] + (end - m_nodeStart[i]) * t);
        if (m_nodeIsNew[i]) {
            item->setOpacity(nodeOpacity(item) * t);
        }
    }
    for (qsizetype i = 0; i < m_edges.size(); ++i) {
        QList<QPointF> points = m_edgeEnd[i];
        for (qsizetype k = 0; k < points.size(); ++k)
            points[k] = m_edgeStart[i][k] + (m_edgeEnd[i][k] - m_edgeStart[i][k]) * t;
        m_edges[i]->setPoints(points, m_layout.edges()[i].backward);
    }
}

} // namespace stagecraft::ui
