// The second half of GraphLayout: columns already ordered and placed (GraphLayout) wrap
// into bands stacked top to bottom when one row of them is too wide for the view at a
// readable size, like lines of text; then every edge gets its route, from a port on its
// source's right side through the lanes of the columns it passes and, where it leaves a
// band, right, down the gap below the band and left into the next.
#pragma once

#include "ui/graphlayout.h"

#include <QList>
#include <QRectF>
#include <QString>

#include <vector>

namespace stagecraft::ui {

// What GraphLayout's column placement hands over: the units each column orders, with
// their vertical centres, and each column's place and width.
struct PlacedColumns
{
    // A node, or an edge bundle's lane through a column it passes: the units a column orders.
    struct Vertex
    {
        int node = -1; // index into the layout's nodes, -1 for a lane
        int column = 0;
        QString key;
        qreal height = 0;
        qreal weight = 1;
        QList<int> preds; // vertexes in the column to the left
        QList<int> succs; // vertexes in the column to the right
        bool matched = false;
        qreal previousY = 0;
        qreal y = 0; // centre
    };

    // The edges between one pair of nodes, routed side by side.
    struct Bundle
    {
        int from = -1;
        int to = -1;
        QList<int> edges; // indexes into StageGraph::edges
        QList<int> lanes; // vertexes, one per column passed, left to right
        bool backward = false;
    };

    QList<Vertex> vertexes;
    QList<Bundle> bundles;
    QList<QList<int>> columns;      // vertexes of each column, top to bottom
    std::vector<int> column;        // each node's column
    std::vector<qreal> columnLeft;  // x of each column's left side
    std::vector<qreal> columnWidth; // each column's width: its widest node's
};

class GraphBanding
{
public:
    struct Result
    {
        QList<LayoutEdge> edges; // in the order of StageGraph::edges
        QRectF bounds;           // the nodes, lanes and wraps, with the margin around
        int bandCount = 1;
    };

    // Wraps the columns into bands for `metrics.viewport` (moving `placed`'s columns and
    // vertexes into them), sets each node's rect, row and band, and routes the edges.
    static Result apply(const StageGraph &graph, const LayoutMetrics &metrics, PlacedColumns &placed,
                        QList<LayoutNode> &nodes);

private:
    struct Band
    {
        int first = 0;
        int last = 0;
        qreal left = 0;   // the x every band starts at
        qreal right = 0;  // right side of its last column
        qreal bottom = 0; // below its lowest vertex
    };

    // Chooses how many columns a band holds and moves them there; `bandOf` gets each
    // column's band. No bands when the columns stay one row.
    static std::vector<Band> wrap(const StageGraph &graph, const LayoutMetrics &metrics,
                                  PlacedColumns &placed, QList<LayoutNode> &nodes, std::vector<int> &bandOf);
    static Result route(const StageGraph &graph, const LayoutMetrics &metrics, const PlacedColumns &placed,
                        const QList<LayoutNode> &nodes, const std::vector<Band> &bands,
                        const std::vector<int> &bandOf);
};

} // namespace stagecraft::ui
