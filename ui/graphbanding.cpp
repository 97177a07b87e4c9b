#include "ui/graphbanding.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <limits>
#include <numeric>

namespace stagecraft::ui {

using Vertex = PlacedColumns::Vertex;
using Bundle = PlacedColumns::Bundle;

GraphBanding::Result GraphBanding::apply(const StageGraph &graph, const LayoutMetrics &metrics,
                                         PlacedColumns &placed, QList<LayoutNode> &nodes)
{
    std::vector<int> bandOf;
    const std::vector<Band> bands = wrap(graph, metrics, placed, nodes, bandOf);
    Result result = route(graph, metrics, placed, nodes, bands, bandOf);
    result.bandCount = std::max<int>(1, int(bands.size()));
    return result;
}

std::vector<GraphBanding::Band> GraphBanding::wrap(const StageGraph &graph, const LayoutMetrics &metrics,
                                                   PlacedColumns &placed, QList<LayoutNode> &nodes,
                                                   std::vector<int> &bandOf)
{
    QList<Vertex> &vertexes = placed.vertexes;
    const QList<Bundle> &bundles = placed.bundles;
    const QList<QList<int>> &columns = placed.columns;
    const std::vector<int> &column = placed.column;
    std::vector<qreal> &columnLeft = placed.columnLeft;
    const std::vector<qreal> &columnWidth = placed.columnWidth;

    // Bands: how many columns a band holds, chosen so that the graph shows largest in the
    // view without sideways scrolling at the readable zoom; a row of columns that already
    // shows at full size stays one row.
    const int columnCount = int(columns.size());
    // Lanes a wrap after each column would need: one per group of the edges crossing that
    // gap that share a source or a target (as the routes below lay them).
    std::vector<int> spanning(columnCount, 0);
    {
        std::vector<QList<int>> crossing(columnCount); // bundles crossing the gap right of c
        for (qsizetype bi = 0; bi < bundles.size(); ++bi)
            if (!bundles[bi].backward)
                for (int c = column[bundles[bi].from]; c < column[bundles[bi].to]; ++c)
                    crossing[c].append(int(bi));
        for (int c = 0; c < columnCount; ++c) {
            QHash<int, int> parent; // node → node, union-find over sources and targets
            auto find = [&](int n) {
                while (parent.value(n, n) != n)
                    n = parent.value(n);
                return n;
            };
            // Keys: a node and an edge kind; a target's is negative.
            auto kindOf = [&](int bi) { return int(graph.edges[bundles[bi].edges.first()].kind); };
            for (int bi : std::as_const(crossing[c])) {
                const int a = find(bundles[bi].from * 4 + kindOf(bi));
                const int b = find(-1 - (bundles[bi].to * 4 + kindOf(bi)));
                if (a != b)
                    parent.insert(a, b);
            }
            QSet<int> roots;
            for (int bi : std::as_const(crossing[c]))
                roots.insert(find(bundles[bi].from * 4 + kindOf(bi)));
            spanning[c] = int(roots.size());
        }
    }
    std::vector<qreal> columnTop(columnCount, std::numeric_limits<qreal>::infinity());
    std::vector<qreal> columnBottom(columnCount, -std::numeric_limits<qreal>::infinity());
    for (const Vertex &v : std::as_const(vertexes)) {
        columnTop[v.column] = std::min(columnTop[v.column], v.y - v.height / 2);
        columnBottom[v.column] = std::max(columnBottom[v.column], v.y + v.height / 2);
    }
    auto wrapRoom = [&](int edges) { return edges > 0 ? (edges + 1) * metrics.laneGap : 0.0; };
    auto bandGap = [&](int edges) { return 2 * metrics.rowGap + edges * metrics.laneGap; };
    struct Banding
    {
        qreal width = 0;
        qreal height = 0;
        qreal leftRoom = 0;
    };
    auto measure = [&](int perBand) {
        Banding result;
        qreal widest = 0;
        qreal height = 0;
        for (int first = 0; first < columnCount; first += perBand) {
            const int last = std::min(columnCount, first + perBand) - 1;
            qreal top = std::numeric_limits<qreal>::infinity();
            qreal bottom = -top;
            for (int c = first; c <= last; ++c) {
                top = std::min(top, columnTop[c]);
                bottom = std::max(bottom, columnBottom[c]);
            }
            height += bottom - top;
            const qreal right = last + 1 < columnCount ? wrapRoom(spanning[last]) : 0.0;
            widest = std::max(widest, columnLeft[last] + columnWidth[last] - columnLeft[first] + right);
            if (first > 0)
                result.leftRoom = std::max(result.leftRoom, wrapRoom(spanning[first - 1]));
            if (last + 1 < columnCount)
                height += bandGap(spanning[last]);
        }
        result.width = widest + result.leftRoom + 2 * metrics.margin;
        result.height = height + 2 * metrics.margin;
        return result;
    };
    int perBand = columnCount;
    const QSizeF view = metrics.viewport;
    if (columnCount > 1 && view.width() > 1 && view.height() > 1) {
        const qreal minimumZoom = std::max<qreal>(metrics.minimumZoom, 0.01);
        auto zoomFor = [&](const Banding &b) {
            return std::min({view.width() / b.width, view.height() / b.height, qreal(1)});
        };
        const Banding single = measure(columnCount);
        if (zoomFor(single) < 1 - 1e-9) {
            qreal bestZoom = -1;
            qreal narrowest = std::numeric_limits<qreal>::infinity();
            int narrowestBand = columnCount;
            for (int k = columnCount; k >= 1; --k) {
                const Banding b = k == columnCount ? single : measure(k);
                if (b.width < narrowest - 1e-6) {
                    narrowest = b.width;
                    narrowestBand = k;
                }
                if (b.width * minimumZoom > view.width() + 1e-6)
                    continue; // would scroll sideways at readable text
                const qreal zoom = zoomFor(b);
                if (zoom > bestZoom + 1e-6) {
                    bestZoom = zoom;
                    perBand = k;
                }
            }
            if (bestZoom < 0)
                perBand = narrowestBand;
        }
    }
    bandOf.assign(columnCount, 0);
    std::vector<qreal> bandDy(columnCount, 0);
    std::vector<Band> bands;
    if (perBand < columnCount) {
        const qreal leftRoom = measure(perBand).leftRoom;
        qreal y = metrics.margin;
        for (int first = 0; first < columnCount; first += perBand) {
            Band band;
            band.first = first;
            band.last = std::min(columnCount, first + perBand) - 1;
            band.left = metrics.margin + leftRoom;
            qreal top = std::numeric_limits<qreal>::infinity();
            qreal bottom = -top;
            for (int c = band.first; c <= band.last; ++c) {
                top = std::min(top, columnTop[c]);
                bottom = std::max(bottom, columnBottom[c]);
            }
            const qreal dx = band.left - columnLeft[band.first];
            for (int c = band.first; c <= band.last; ++c) {
                bandOf[c] = int(bands.size());
                bandDy[c] = y - top;
                columnLeft[c] += dx;
            }
            band.right = columnLeft[band.last] + columnWidth[band.last];
            band.bottom = y + bottom - top;
            y = band.bottom + (band.last + 1 < columnCount ? bandGap(spanning[band.last]) : 0.0);
            bands.push_back(band);
        }
        for (Vertex &v : vertexes)
            v.y += bandDy[v.column];
    }
    for (const QList<int> &col : std::as_const(columns)) {
        int row = 0;
        for (int v : col) {
            if (vertexes[v].node < 0)
                continue;
            LayoutNode &node = nodes[vertexes[v].node];
            node.row = row++;
            node.band = bandOf[node.column];
            const QSizeF size = node.rect.size();
            node.rect =
                QRectF(QPointF(columnLeft[node.column] + (columnWidth[node.column] - size.width()) / 2,
                               vertexes[v].y - size.height() / 2),
                       size);
        }
    }
    return bands;
}

GraphBanding::Result GraphBanding::route(const StageGraph &graph, const LayoutMetrics &metrics,
                                         const PlacedColumns &placed, const QList<LayoutNode> &nodes,
                                         const std::vector<Band> &bands, const std::vector<int> &bandOf)
{
    const QList<Vertex> &vertexes = placed.vertexes;
    const QList<Bundle> &bundles = placed.bundles;
    const std::vector<qreal> &columnLeft = placed.columnLeft;
    const std::vector<qreal> &columnWidth = placed.columnWidth;
    const qsizetype nodeCount = nodes.size();
    Result result;

    // Edge routes: ports spread along the node sides in the order of where the edges go.
    struct Route
    {
        int bundle;
        int slot; // position within the bundle
    };
    std::vector<QList<Route>> outs(nodeCount), ins(nodeCount);
    auto laneY = [&](const Bundle &b, int slot, int lane) {
        return vertexes[lane].y + (slot - (b.edges.size() - 1) / 2.0) * metrics.laneGap;
    };
    auto nextY = [&](const Route &r) {
        const Bundle &b = bundles[r.bundle];
        return b.lanes.isEmpty() ? nodes[b.to].rect.center().y() : laneY(b, r.slot, b.lanes.front());
    };
    auto previousY = [&](const Route &r) {
        const Bundle &b = bundles[r.bundle];
        return b.lanes.isEmpty() ? nodes[b.from].rect.center().y() : laneY(b, r.slot, b.lanes.back());
    };
    for (qsizetype bi = 0; bi < bundles.size(); ++bi)
        for (qsizetype k = 0; k < bundles[bi].edges.size(); ++k) {
            outs[bundles[bi].from].append({int(bi), int(k)});
            ins[bundles[bi].to].append({int(bi), int(k)});
        }
    QHash<std::pair<int, int>, QPointF> outPort, inPort; // (bundle, slot) → port
    auto spread = [&](int node, QList<Route> &routes, bool rightSide) {
        const QRectF rect = nodes[node].rect;
        std::stable_sort(routes.begin(), routes.end(), [&](const Route &a, const Route &b) {
            return rightSide ? nextY(a) < nextY(b) : previousY(a) < previousY(b);
        });
        const qsizetype m = routes.size();
        const qreal step = m > 1 ? std::min(metrics.laneGap, rect.height() * 0.8 / (m - 1)) : 0;
        for (qsizetype i = 0; i < m; ++i) {
            const qreal y = rect.center().y() + (i - (m - 1) / 2.0) * step;
            const QPointF p(rightSide ? rect.right() : rect.left(), y);
            (rightSide ? outPort : inPort).insert({routes[i].bundle, routes[i].slot}, p);
        }
    };
    for (qsizetype n = 0; n < nodeCount; ++n) {
        spread(int(n), outs[n], true);
        spread(int(n), ins[n], false);
    }
    QRectF bounds;
    for (const LayoutNode &node : std::as_const(nodes))
        bounds = bounds.united(node.rect);
    // Each route first as points with the column they belong to; where two consecutive
    // points lie in different bands, the wrap is filled in below.
    struct RoutePoint
    {
        QPointF point;
        int column;
    };
    QList<QList<RoutePoint>> routes;
    for (qsizetype bi = 0; bi < bundles.size(); ++bi) {
        const Bundle &b = bundles[bi];
        for (qsizetype k = 0; k < b.edges.size(); ++k) {
            LayoutEdge edge;
            edge.edge = b.edges[k];
            edge.from = b.from;
            edge.to = b.to;
            edge.backward = b.backward;
            const QPointF start = outPort.value({int(bi), int(k)});
            const QPointF end = inPort.value({int(bi), int(k)});
            const int fromColumn = nodes[b.from].column;
            const int toColumn = nodes[b.to].column;
            QList<RoutePoint> route;
            route.append({start, fromColumn});
            const qreal fromRight = columnLeft[fromColumn] + columnWidth[fromColumn];
            if (!b.backward && start.x() < fromRight)
                route.append({QPointF(fromRight, start.y()), fromColumn});
            for (int lane : b.lanes) {
                const qreal y = laneY(b, int(k), lane);
                const int c = vertexes[lane].column;
                route.append({QPointF(columnLeft[c], y), c});
                route.append({QPointF(columnLeft[c] + columnWidth[c], y), c});
                bounds = bounds.united(QRectF(columnLeft[c], y, columnWidth[c], 1));
            }
            if (!b.backward && end.x() > columnLeft[toColumn])
                route.append({QPointF(columnLeft[toColumn], end.y()), toColumn});
            route.append({end, toColumn});
            result.edges.append(edge);
            routes.append(route);
        }
    }
    // Wraps: the edges leaving a band go right, down the gap below it, left and down into
    // the next band. Edges of one kind that share a source or a target share a lane (a fan-in merges
    // like a bus into its target); the others get lanes of their own. The topmost takes the
    // outermost lane on the right, the lowest one in the gap and the innermost on the left,
    // so that lanes do not cross.
    struct Wrap
    {
        int route;
        int point; // the wrap goes between this point and the next
        qreal y;
        int group = -1;
    };
    std::vector<QList<Wrap>> wraps(bands.size());
    if (!bands.empty())
        for (qsizetype r = 0; r < routes.size(); ++r) {
            if (result.edges[r].backward)
                continue;
            for (qsizetype i = 0; i + 1 < routes[r].size(); ++i) {
                const int band = bandOf[routes[r][i].column];
                if (band != bandOf[routes[r][i + 1].column])
                    wraps[band].append({int(r), int(i), routes[r][i].point.y()});
            }
        }
    std::vector<QHash<int, QList<QPointF>>> inserts(routes.size()); // point → wrap points
    for (qsizetype band = 0; band < qsizetype(wraps.size()); ++band) {
        QList<Wrap> &list = wraps[band];
        std::stable_sort(list.begin(), list.end(), [](const Wrap &a, const Wrap &b) { return a.y < b.y; });
        // Groups: wraps joined by a shared source or target node (union-find).
        std::vector<int> parent(list.size());
        std::iota(parent.begin(), parent.end(), 0);
        auto find = [&](int n) {
            while (parent[n] != n)
                n = parent[n] = parent[parent[n]];
            return n;
        };
        QHash<int, int> bySource, byTarget; // node and edge kind → a wrap
        for (qsizetype i = 0; i < list.size(); ++i) {
            const LayoutEdge &e = result.edges[list[i].route];
            const int kind = int(graph.edges[e.edge].kind);
            for (auto [map, node] :
                 {std::pair{&bySource, e.from * 4 + kind}, std::pair{&byTarget, e.to * 4 + kind}}) {
                const auto it = map->constFind(node);
                if (it == map->cend())
                    map->insert(node, int(i));
                else
                    parent[find(int(i))] = find(*it);
            }
        }
        QHash<int, int> groupIndex; // root → lane, in order of the group's topmost wrap
        for (qsizetype i = 0; i < list.size(); ++i) {
            const int root = find(int(i));
            if (!groupIndex.contains(root))
                groupIndex.insert(root, int(groupIndex.size()));
            list[i].group = groupIndex.value(root);
        }
        const qsizetype m = groupIndex.size();
        const Band &above = bands[band];
        for (const Wrap &w : std::as_const(list)) {
            const qsizetype i = w.group;
            const QPointF next = routes[w.route][w.point + 1].point;
            const qreal right = above.right + (m - i) * metrics.laneGap;
            const qreal gapY = above.bottom + metrics.rowGap + (m - 1 - i + 0.5) * metrics.laneGap;
            const qreal left = bands[band + 1].left - (i + 1) * metrics.laneGap;
            inserts[w.route].insert(w.point, {QPointF(right, w.y), QPointF(right, gapY), QPointF(left, gapY),
                                              QPointF(left, next.y())});
            bounds = bounds.united(QRectF(QPointF(left, gapY), QPointF(right, gapY + 1)));
        }
    }
    for (qsizetype r = 0; r < routes.size(); ++r) {
        QList<QPointF> &points = result.edges[r].points;
        for (qsizetype i = 0; i < routes[r].size(); ++i) {
            points.append(routes[r][i].point);
            const auto it = inserts[r].constFind(int(i));
            if (it != inserts[r].cend())
                points.append(*it);
        }
    }
    std::sort(result.edges.begin(), result.edges.end(),
              [](const LayoutEdge &a, const LayoutEdge &b) { return a.edge < b.edge; });
    result.bounds = bounds.adjusted(-metrics.margin, -metrics.margin, metrics.margin, metrics.margin);
    return result;
}

} // namespace stagecraft::ui
