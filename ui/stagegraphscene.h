// The stage graph's items: lays a StageGraph out (GraphLayout), creates a node item per
// stage and image and an edge item per edge, and keeps selection, target, build states
// and drop highlighting on them. Moves persisting nodes smoothly when the graph changes.
#pragma once

#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"
#include "ui/graphlayout.h"
#include "ui/graphstyle.h"
#include "ui/stagestate.h"

#include <QGraphicsScene>
#include <QHash>
#include <QPointer>
#include <QSet>

class QGraphicsSimpleTextItem;
class QVariantAnimation;

namespace stagecraft::ui {

class StageEdgeItem;
class StageNodeItem;

class StageGraphScene : public QGraphicsScene
{
    Q_OBJECT

public:
    explicit StageGraphScene(QObject *parent = nullptr);
    ~StageGraphScene() override;

    void setGraph(const StageGraph &graph, const Dockerfile &dockerfile);
    const StageGraph &graph() const { return m_graph; }
    const GraphLayout &graphLayout() const { return m_layout; }
    const GraphStyle &style() const { return m_style; }

    // The view's palette and font; a new font or scale lays the graph out afresh.
    void setAppearance(const QPalette &palette, const QFont &font);
    void setFontScale(qreal scale);
    qreal fontScale() const { return m_fontScale; }
    void setAnimated(bool animated) { m_animated = animated; }
    // The view's size in pixels and its smallest readable zoom: the layout wraps its columns
    // into bands to fit them (GraphLayout). Lays the graph out again when that changes.
    void setViewport(const QSizeF &size, qreal minimumZoom);
    // Counts layouts: a test or benchmark can tell that the scene shows a new graph.
    quint64 layoutGeneration() const { return m_layoutGeneration; }
    bool isAnimating() const;

    const QList<StageNodeItem *> &nodeItems() const { return m_nodes; }
    const QList<StageEdgeItem *> &edgeItems() const { return m_edges; }
    StageNodeItem *stageItem(int stageIndex) const;
    int stageAt(const QPointF &scenePos) const; // -1 when no stage node is there
    QRectF graphRect() const;                   // everything drawn, with a margin

    void selectStage(int stageIndex);
    int selectedStage() const { return m_selected; }
    void setStageState(int stageIndex, StageState state, const QString &detail);
    StageState stageState(int stageIndex) const;
    void clearStageStates();
    void setStageCacheReasons(int stageIndex, const QStringList &reasons);
    void setDropTarget(int stageIndex); // -1 clears
    int dropTarget() const { return m_dropTarget; }
    void setHoveredNode(StageNodeItem *node);
    // A "Where Did This Come From?" chain: these stages and edges (indexes into the graph's
    // stages and edges) stand out, with the image nodes at the traced edges' ends, and the
    // rest is dimmed until clearTrace(). Kept by index while the graph is redrawn.
    void setTrace(const QSet<int> &stages, const QSet<int> &edges);
    void clearTrace() { setTrace({}, {}); }
    const QSet<int> &tracedStages() const { return m_tracedStages; }
    const QSet<int> &tracedEdges() const { return m_tracedEdges; }

Q_SIGNALS:
    void graphLaidOut();

private:
    void rebuild(bool keepPlaces);
    void applyAnimation(qreal t);
    void updateEmphasis();
    void placeLabels();
    void applyTrace();
    qreal nodeOpacity(const StageNodeItem *item) const;

    StageGraph m_graph;
    QHash<int, QStringList> m_errors; // stage index → error messages in its lines
    GraphLayout m_layout;
    GraphStyle m_style;
    QPalette m_palette;
    QFont m_font;
    qreal m_fontScale = 1.0;
    bool m_animated = true;
    QSizeF m_viewport;
    qreal m_minimumZoom = 1.0;
    quint64 m_layoutGeneration = 0;

    QList<StageNodeItem *> m_nodes; // parallel to m_layout.nodes()
    QList<StageEdgeItem *> m_edges;
    QGraphicsSimpleTextItem *m_placeholder = nullptr;
    QHash<int, std::pair<StageState, QString>> m_states;
    QHash<int, QStringList> m_cacheReasons;
    int m_selected = -1;
    int m_dropTarget = -1;
    StageNodeItem *m_hovered = nullptr;
    QSet<int> m_tracedStages;
    QSet<int> m_tracedEdges;

    // Node and edge offsets from their final places at the start of a transition.
    QVariantAnimation *m_animation = nullptr;
    QList<QPointF> m_nodeStart;
    QList<bool> m_nodeIsNew;
    QList<QList<QPointF>> m_edgeStart;
    QList<QList<QPointF>> m_edgeEnd;
};

} // namespace stagecraft::ui
