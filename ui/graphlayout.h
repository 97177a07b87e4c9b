// Places a StageGraph's nodes in columns by dependency depth (each image and stage just
// before the first stage that uses it), orders each column to reduce edge crossings and keeps nodes where an
// earlier layout had them. When one row of columns is too wide for the view at a readable size, the columns
// wrap into bands stacked top to bottom, like lines of text, and edges wrap with them (GraphBanding
// does the wrapping and the edge routes).
#pragma once

#include "core/plan/stagegraph.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>

namespace stagecraft::ui {

enum class LayoutNodeKind { Stage, Image };

struct LayoutNode
{
    LayoutNodeKind kind = LayoutNodeKind::Stage;
    int stage = -1; // index into StageGraph::stages for a stage node
    QString image;  // the reference for an image node
    // Identity across edits: "stage:<name>" for a named stage, "stage#<index>:<base>" for an
    // unnamed one, "image:<reference>" for an external image.
    QString key;
    int column = 0; // 0 is the leftmost column; an image is just left of its first user
    int row = 0;    // position within the column, 0 at the top
    int band = 0;   // the band (row of columns) the column wrapped into, 0 at the top
    QRectF rect;
};

struct LayoutEdge
{
    int edge = -1; // index into StageGraph::edges
    int from = -1; // index into GraphLayout::nodes()
    int to = -1;
    // From the source's right side to the target's left side. Consecutive points that lie
    // in one column are joined by a straight line; the others cross the gap between two
    // columns and are drawn as a curve with horizontal tangents at both ends. Where the
    // columns wrap into the next band the edge turns right, down the gap between the bands,
    // left and down again: points one above the other are joined by a straight line.
    QList<QPointF> points;
    bool backward = false; // closes a cycle: goes right to left, drawn as a loop
};

struct LayoutMetrics
{
    QSizeF stageSize{240, 96};
    QSizeF imageSize{240, 48};
    qreal columnGap = 170; // wide enough for a COPY --from label between two columns
    qreal rowGap = 28;
    qreal laneGap = 14; // height one edge takes in a column it passes through
    qreal margin = 24;
    // The view's size in pixels and the smallest zoom at which text stays readable: columns
    // wrap into bands when that lets the graph show larger (or at all) without scrolling
    // sideways. An empty size keeps all columns in one row.
    QSizeF viewport;
    qreal minimumZoom = 1.0;
};

class GraphLayout
{
public:
    // With `previous`, nodes whose identity persists keep their order and, where possible,
    // their position, so that a graph redrawn on every keystroke does not jump around.
    static GraphLayout compute(const StageGraph &graph, const LayoutMetrics &metrics = {},
                               const GraphLayout *previous = nullptr);

    const QList<LayoutNode> &nodes() const { return m_nodes; }
    const QList<LayoutEdge> &edges() const { return m_edges; }
    int columnCount() const { return m_columnCount; }
    int bandCount() const { return m_bandCount; }
    QRectF boundingRect() const { return m_bounds; }
    bool isEmpty() const { return m_nodes.isEmpty(); }

    int stageNode(int stageIndex) const;          // node index, or -1
    int imageNode(const QString &image) const;    // node index, or -1
    int nodeByKey(const QString &key) const;      // node index, or -1
    int crossings() const { return m_crossings; } // between straight column-to-column links
    bool keptPrevious() const { return m_keptPrevious; }

private:
    QList<LayoutNode> m_nodes;
    QList<LayoutEdge> m_edges;
    QHash<QString, int> m_nodeByKey;
    QHash<QString, qreal> m_slotY; // vertical centre of every node and edge lane, by key
    QRectF m_bounds;
    int m_columnCount = 0;
    int m_bandCount = 1;
    int m_crossings = 0;
    bool m_keptPrevious = false;
};

} // namespace stagecraft::ui
