#include "ui/graphlayout.h"

#include "ui/graphbanding.h"

#include <QSet>

#include <algorithm>
#include <limits>
#include <queue>
#include <vector>

namespace stagecraft::ui {

namespace {

using Vertex = PlacedColumns::Vertex;
using Bundle = PlacedColumns::Bundle;

QString stageKey(const Stage &stage)
{
    if (!stage.name.isEmpty())
        return QStringLiteral("stage:") + stage.name;
    return QStringLiteral("stage#") + QString::number(stage.index) + QLatin1Char(':') + stage.base;
}

// The closest two vertexes of a column may be, centre to centre, `a` above `b`.
qreal minimumDistance(const Vertex &a, const Vertex &b, const LayoutMetrics &metrics)
{
    qreal gap = metrics.rowGap;
    if (a.node < 0 && b.node < 0)
        gap = 0;
    else if (a.node < 0 || b.node < 0)
        gap = metrics.rowGap / 2;
    return (a.height + b.height) / 2 + gap;
}

// Centres for the vertexes of one column, in order, as close to `desired` as the minimum
// distances allow (least squares, weighted): pool-adjacent-violators on the centres minus
// their cumulative minimum offsets, which turns the distance constraints into monotony.
void placeColumn(const QList<int> &column, const std::vector<qreal> &desired, QList<Vertex> &vertexes,
                 const LayoutMetrics &metrics)
{
    const qsizetype n = column.size();
    if (n == 0)
        return;
    std::vector<qreal> offset(n, 0);
    for (qsizetype i = 1; i < n; ++i)
        offset[i] = offset[i - 1] + minimumDistance(vertexes[column[i - 1]], vertexes[column[i]], metrics);
    struct Block
    {
        qreal sum;
        qreal weight;
        qsizetype count;
        qreal value() const { return sum / weight; }
    };
    std::vector<Block> blocks;
    blocks.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const qreal w = vertexes[column[i]].weight;
        blocks.push_back({(desired[i] - offset[i]) * w, w, 1});
        while (blocks.size() > 1 && blocks[blocks.size() - 2].value() > blocks.back().value()) {
            const Block last = blocks.back();
            blocks.pop_back();
            blocks.back().sum += last.sum;
            blocks.back().weight += last.weight;
            blocks.back().count += last.count;
        }
    }
    qsizetype i = 0;
    for (const Block &block : blocks)
        for (qsizetype k = 0; k < block.count; ++k, ++i)
            vertexes[column[i]].y = block.value() + offset[i];
}

qreal meanY(const QList<int> &neighbours, const QList<Vertex> &vertexes)
{
    qreal sum = 0;
    for (int v : neighbours)
        sum += vertexes[v].y;
    return sum / neighbours.size();
}

int countCrossings(const QList<QList<int>> &columns, const QList<Vertex> &vertexes,
                   const std::vector<int> &pos)
{
    int crossings = 0;
    std::vector<std::pair<int, int>> links;
    for (qsizetype c = 0; c + 1 < columns.size(); ++c) {
        links.clear();
        for (int v : columns[c])
            for (int s : vertexes[v].succs)
                links.emplace_back(pos[v], pos[s]);
        std::sort(links.begin(), links.end());
        // Inversions of the targets once sorted by source are the crossings.
        for (size_t i = 0; i < links.size(); ++i)
            for (size_t j = i + 1; j < links.size(); ++j)
                if (links[i].first != links[j].first && links[j].second < links[i].second)
                    ++crossings;
    }
    return crossings;
}

} // namespace

int GraphLayout::stageNode(int stageIndex) const
{
    for (qsizetype i = 0; i < m_nodes.size(); ++i)
        if (m_nodes[i].kind == LayoutNodeKind::Stage && m_nodes[i].stage == stageIndex)
            return int(i);
    return -1;
}

int GraphLayout::imageNode(const QString &image) const
{
    return nodeByKey(QStringLiteral("image:") + image);
}

int GraphLayout::nodeByKey(const QString &key) const
{
    return m_nodeByKey.value(key, -1);
}

GraphLayout GraphLayout::compute(const StageGraph &graph, const LayoutMetrics &metrics,
                                 const GraphLayout *previous)
{
    GraphLayout layout;

    // Nodes: external images, then stages.
    QHash<QString, int> imageIndex;
    auto addImage = [&](const QString &ref) {
        if (ref.isEmpty() || ref == QLatin1String("scratch") || imageIndex.contains(ref))
            return;
        LayoutNode node;
        node.kind = LayoutNodeKind::Image;
        node.image = ref;
        node.key = QStringLiteral("image:") + ref;
        node.rect.setSize(metrics.imageSize);
        imageIndex.insert(ref, int(layout.m_nodes.size()));
        layout.m_nodes.append(node);
    };
    for (const QString &ref : graph.externalImages)
        addImage(ref);
    for (const Edge &edge : graph.edges)
        if (edge.fromStage < 0)
            addImage(edge.fromImage);
    std::vector<int> stageIndex(graph.stages.size(), -1);
    for (qsizetype s = 0; s < graph.stages.size(); ++s) {
        LayoutNode node;
        node.kind = LayoutNodeKind::Stage;
        node.stage = int(s);
        node.key = stageKey(graph.stages[s]);
        if (layout.m_nodeByKey.contains(node.key)) // a duplicate stage name, already diagnosed
            node.key += QLatin1Char('#') + QString::number(s);
        node.rect.setSize(metrics.stageSize);
        stageIndex[s] = int(layout.m_nodes.size());
        layout.m_nodeByKey.insert(node.key, stageIndex[s]);
        layout.m_nodes.append(node);
    }
    for (auto it = imageIndex.cbegin(); it != imageIndex.cend(); ++it)
        layout.m_nodeByKey.insert(layout.m_nodes[it.value()].key, it.value());
    const qsizetype nodeCount = layout.m_nodes.size();
    if (nodeCount == 0)
        return layout;

    // Edges between nodes, bundled by node pair.
    QList<Bundle> bundles;
    QHash<std::pair<int, int>, int> bundleOf;
    for (qsizetype e = 0; e < graph.edges.size(); ++e) {
        const Edge &edge = graph.edges[e];
        int from = -1;
        if (edge.fromStage >= 0 && edge.fromStage < graph.stages.size())
            from = stageIndex[edge.fromStage];
        else if (edge.fromStage < 0)
            from = imageIndex.value(edge.fromImage, -1);
        const int to =
            edge.toStage >= 0 && edge.toStage < graph.stages.size() ? stageIndex[edge.toStage] : -1;
        if (from < 0 || to < 0)
            continue;
        const auto pair = std::make_pair(from, to);
        auto it = bundleOf.find(pair);
        if (it == bundleOf.end()) {
            it = bundleOf.insert(pair, int(bundles.size()));
            bundles.append(Bundle{from, to, {}, {}, false});
        }
        bundles[*it].edges.append(int(e));
    }

    // Columns by longest path from the images (Kahn's order); a cycle is broken at its
    // lowest node, whose edges from the unvisited part of the cycle then point backwards.
    std::vector<QList<int>> outgoing(nodeCount);
    std::vector<int> indegree(nodeCount, 0);
    for (const Bundle &b : bundles)
        if (b.from != b.to) {
            outgoing[b.from].append(b.to);
            ++indegree[b.to];
        }
    std::vector<int> column(nodeCount, 0);
    for (qsizetype i = 0; i < nodeCount; ++i)
        column[i] = layout.m_nodes[i].kind == LayoutNodeKind::Image ? 0 : 1;
    std::vector<bool> done(nodeCount, false);
    std::priority_queue<int, std::vector<int>, std::greater<>> ready;
    for (qsizetype i = 0; i < nodeCount; ++i)
        if (indegree[i] == 0)
            ready.push(int(i));
    qsizetype visited = 0;
    qsizetype nextUnvisited = 0;
    std::vector<int> order; // Kahn's order, for pulling nodes towards their consumers
    order.reserve(nodeCount);
    while (visited < nodeCount) {
        if (ready.empty()) {
            while (done[nextUnvisited])
                ++nextUnvisited;
            indegree[nextUnvisited] = 0;
            ready.push(int(nextUnvisited));
        }
        const int v = ready.top();
        ready.pop();
        if (done[v])
            continue;
        done[v] = true;
        ++visited;
        order.push_back(v);
        for (int w : outgoing[v]) {
            if (done[w])
                continue;
            column[w] = std::max(column[w], column[v] + 1);
            if (--indegree[w] == 0)
                ready.push(w);
        }
    }
    // Then each node as far right as its consumers allow (the last first): an image or a
    // stage that only a late stage uses sits just before it, not in an early column with its
    // edge running through every column between (which, wrapped into bands, would cross
    // every band).
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        int latest = std::numeric_limits<int>::max();
        for (int w : outgoing[*it])
            latest = std::min(latest, column[w] - 1);
        if (latest != std::numeric_limits<int>::max() && latest > column[*it])
            column[*it] = latest;
    }
    {
        std::vector<int> used(column.begin(), column.end());
        std::sort(used.begin(), used.end());
        used.erase(std::unique(used.begin(), used.end()), used.end());
        for (int &c : column)
            c = int(std::lower_bound(used.begin(), used.end(), c) - used.begin());
        layout.m_columnCount = int(used.size());
    }
    for (qsizetype i = 0; i < nodeCount; ++i)
        layout.m_nodes[i].column = column[i];

    // Vertexes: the nodes, then a lane for each column a bundle passes through.
    QList<Vertex> vertexes;
    vertexes.reserve(nodeCount + bundles.size());
    for (qsizetype i = 0; i < nodeCount; ++i) {
        Vertex v;
        v.node = int(i);
        v.column = column[i];
        v.key = layout.m_nodes[i].key;
        v.height = layout.m_nodes[i].rect.height();
        vertexes.append(v);
    }
    for (Bundle &b : bundles) {
        b.backward = column[b.from] >= column[b.to];
        if (b.backward)
            continue;
        const QString bundleKey = layout.m_nodes[b.from].key + QLatin1Char('>') + layout.m_nodes[b.to].key;
        int last = b.from;
        for (int c = column[b.from] + 1; c < column[b.to]; ++c) {
            Vertex lane;
            lane.column = c;
            lane.key = bundleKey + QLatin1Char('@') + QString::number(c);
            lane.height = metrics.laneGap * b.edges.size();
            lane.weight = 0.5;
            const int index = int(vertexes.size());
            vertexes.append(lane);
            vertexes[last].succs.append(index);
            vertexes[index].preds.append(last);
            b.lanes.append(index);
            last = index;
        }
        vertexes[last].succs.append(b.to);
        vertexes[b.to].preds.append(last);
    }
    QList<QList<int>> columns(layout.m_columnCount);
    for (qsizetype v = 0; v < vertexes.size(); ++v)
        columns[vertexes[v].column].append(int(v));

    // Identity with the previous layout: by key, then a renamed stage by its index and a
    // retyped image by its place among the unmatched ones, so typing a name keeps its node.
    int matchedNodes = 0;
    if (previous && !previous->isEmpty()) {
        QSet<QString> usedKeys;
        for (Vertex &v : vertexes) {
            const auto it = previous->m_slotY.constFind(v.key);
            if (it != previous->m_slotY.cend()) {
                v.matched = true;
                v.previousY = *it;
                usedKeys.insert(v.key);
            }
        }
        QList<int> freeImages;
        QHash<int, QString> freeStages;
        for (const LayoutNode &old : previous->m_nodes) {
            if (usedKeys.contains(old.key))
                continue;
            if (old.kind == LayoutNodeKind::Image)
                freeImages.append(int(&old - previous->m_nodes.data()));
            else
                freeStages.insert(old.stage, old.key);
        }
        QList<int> unmatchedImages;
        for (qsizetype i = 0; i < nodeCount; ++i) {
            Vertex &v = vertexes[i];
            if (v.matched)
                continue;
            const LayoutNode &node = layout.m_nodes[i];
            if (node.kind == LayoutNodeKind::Image) {
                unmatchedImages.append(int(i));
            } else if (freeStages.contains(node.stage)) {
                v.matched = true;
                v.previousY = previous->m_slotY.value(freeStages.value(node.stage));
            }
        }
        if (unmatchedImages.size() == freeImages.size()) {
            for (qsizetype k = 0; k < unmatchedImages.size(); ++k) {
                Vertex &v = vertexes[unmatchedImages[k]];
                v.matched = true;
                v.previousY = previous->m_slotY.value(previous->m_nodes[freeImages[k]].key);
            }
        }
        for (qsizetype i = 0; i < nodeCount; ++i)
            matchedNodes += vertexes[i].matched ? 1 : 0;
    }
    const bool keep = matchedNodes > 0 && matchedNodes * 2 >= nodeCount;
    layout.m_keptPrevious = keep;

    std::vector<int> pos(vertexes.size(), 0);
    auto updatePositions = [&] {
        for (const QList<int> &col : columns)
            for (qsizetype i = 0; i < col.size(); ++i)
                pos[col[i]] = int(i);
    };
    updatePositions();

    if (!keep) {
        // Barycenter sweeps, keeping the ordering with the fewest crossings.
        QList<QList<int>> best = columns;
        int bestCrossings = countCrossings(columns, vertexes, pos);
        auto sweep = [&](int c, bool usePreds) {
            QList<int> &col = columns[c];
            std::vector<std::pair<double, int>> keyed;
            keyed.reserve(col.size());
            for (int v : col) {
                const QList<int> &nb = usePreds ? vertexes[v].preds : vertexes[v].succs;
                double key = pos[v];
                if (!nb.isEmpty()) {
                    double sum = 0;
                    for (int w : nb)
                        sum += pos[w];
                    key = sum / nb.size();
                }
                keyed.emplace_back(key, v);
            }
            std::stable_sort(keyed.begin(), keyed.end(),
                             [](const auto &a, const auto &b) { return a.first < b.first; });
            for (qsizetype i = 0; i < col.size(); ++i) {
                col[i] = keyed[i].second;
                pos[col[i]] = int(i);
            }
        };
        // Crossings between the links of u and v (u above v) on one side.
        auto pairCrossings = [&](int u, int v, bool left) {
            const QList<int> &nu = left ? vertexes[u].preds : vertexes[u].succs;
            const QList<int> &nv = left ? vertexes[v].preds : vertexes[v].succs;
            int count = 0;
            for (int a : nu)
                for (int b : nv)
                    count += pos[a] > pos[b] ? 1 : 0;
            return count;
        };
        // Swaps neighbours while that removes crossings: breaks the ties barycenters leave.
        auto transpose = [&](bool acceptTies) {
            for (int round = 0; round < 8; ++round) {
                bool improved = false;
                for (QList<int> &col : columns) {
                    for (qsizetype i = 0; i + 1 < col.size(); ++i) {
                        const int u = col[i];
                        const int v = col[i + 1];
                        const int now = pairCrossings(u, v, true) + pairCrossings(u, v, false);
                        const int swapped = pairCrossings(v, u, true) + pairCrossings(v, u, false);
                        if (swapped < now || (acceptTies && swapped == now && now > 0)) {
                            col[i] = v;
                            col[i + 1] = u;
                            pos[v] = int(i);
                            pos[u] = int(i + 1);
                            improved = true;
                        }
                    }
                }
                if (!improved)
                    break;
            }
        };
        for (int iteration = 0; iteration < 6 && bestCrossings > 0; ++iteration) {
            for (int c = 1; c < layout.m_columnCount; ++c)
                sweep(c, true);
            for (int c = layout.m_columnCount - 2; c >= 0; --c)
                sweep(c, false);
            transpose(false);
            int crossings = countCrossings(columns, vertexes, pos);
            if (crossings < bestCrossings) {
                bestCrossings = crossings;
                best = columns;
            }
            // Plateaus: swapping equals moves the ordering somewhere the next sweep can improve.
            transpose(true);
            transpose(false);
            crossings = countCrossings(columns, vertexes, pos);
            if (crossings < bestCrossings) {
                bestCrossings = crossings;
                best = columns;
            }
        }
        columns = best;
        updatePositions();
        layout.m_crossings = bestCrossings;

        // Vertical positions: stacked, then pulled towards their neighbours, left to right
        // and back, ending left to right so chains of stages come out straight.
        std::vector<qreal> desired;
        for (const QList<int> &col : columns) {
            desired.assign(col.size(), 0);
            placeColumn(col, desired, vertexes, metrics);
        }
        auto pass = [&](int c, bool usePreds) {
            const QList<int> &col = columns[c];
            desired.resize(col.size());
            for (qsizetype i = 0; i < col.size(); ++i) {
                const Vertex &v = vertexes[col[i]];
                const QList<int> &nb = usePreds ? v.preds : v.succs;
                desired[i] = nb.isEmpty() ? v.y : meanY(nb, vertexes);
            }
            placeColumn(col, desired, vertexes, metrics);
        };
        for (int iteration = 0; iteration < 6; ++iteration) {
            for (int c = 1; c < layout.m_columnCount; ++c)
                pass(c, true);
            for (int c = layout.m_columnCount - 2; c >= 0; --c)
                pass(c, false);
        }
        for (int c = 1; c < layout.m_columnCount; ++c)
            pass(c, true);
    } else {
        // Keep the previous order and places; new vertexes go next to their neighbours.
        std::vector<bool> known(vertexes.size(), false);
        std::vector<double> key(vertexes.size(), 0);
        for (qsizetype v = 0; v < vertexes.size(); ++v)
            if (vertexes[v].matched) {
                known[v] = true;
                key[v] = vertexes[v].previousY;
            }
        auto fillFrom = [&](int c, bool usePreds) {
            for (int v : columns[c]) {
                if (known[v])
                    continue;
                const QList<int> &nb = usePreds ? vertexes[v].preds : vertexes[v].succs;
                double sum = 0;
                int count = 0;
                for (int w : nb)
                    if (known[w]) {
                        sum += key[w];
                        ++count;
                    }
                if (count > 0) {
                    known[v] = true;
                    key[v] = sum / count;
                }
            }
        };
        for (int c = 0; c < layout.m_columnCount; ++c)
            fillFrom(c, true);
        for (int c = layout.m_columnCount - 1; c >= 0; --c)
            fillFrom(c, false);
        std::vector<qreal> desired;
        for (QList<int> &col : columns) {
            qreal bottom = -std::numeric_limits<qreal>::infinity();
            for (int v : col)
                if (known[v])
                    bottom = std::max<qreal>(bottom, key[v]);
            for (int v : col)
                if (!known[v]) {
                    key[v] = bottom == -std::numeric_limits<qreal>::infinity() ? 0 : bottom + 1;
                    bottom = key[v];
                }
            // On a tie the vertex already on screen keeps its place; the new one goes below.
            std::stable_sort(col.begin(), col.end(), [&](int a, int b) {
                if (key[a] != key[b])
                    return key[a] < key[b];
                return vertexes[a].matched && !vertexes[b].matched;
            });
            desired.resize(col.size());
            for (qsizetype i = 0; i < col.size(); ++i) {
                Vertex &v = vertexes[col[i]];
                desired[i] = key[col[i]];
                if (v.matched)
                    v.weight *= 8;
                // A new vertex asks for room below its upper neighbour rather than pushing
                // the neighbour, which the reader has already seen, out of its place.
                else if (i > 0)
                    desired[i] = std::max(desired[i],
                                          desired[i - 1] + minimumDistance(vertexes[col[i - 1]], v, metrics));
            }
            placeColumn(col, desired, vertexes, metrics);
        }
        updatePositions();
        layout.m_crossings = countCrossings(columns, vertexes, pos);
    }

    // Horizontal positions: columns as wide as their widest node, nodes centred in them.
    std::vector<qreal> columnLeft(layout.m_columnCount, 0);
    std::vector<qreal> columnWidth(layout.m_columnCount, 0);
    for (const LayoutNode &node : std::as_const(layout.m_nodes))
        columnWidth[node.column] = std::max(columnWidth[node.column], node.rect.width());
    qreal x = metrics.margin;
    for (int c = 0; c < layout.m_columnCount; ++c) {
        columnLeft[c] = x;
        x += columnWidth[c] + metrics.columnGap;
    }

    qreal shift = 0;
    if (!keep) {
        qreal top = std::numeric_limits<qreal>::infinity();
        for (const Vertex &v : std::as_const(vertexes))
            top = std::min(top, v.y - v.height / 2);
        shift = metrics.margin - top;
    }
    for (Vertex &v : vertexes) {
        v.y += shift;
        layout.m_slotY.insert(v.key, v.y); // unwrapped: bands are chosen afresh each time
    }

    // Then the columns wrap into bands and the edges get their routes (GraphBanding).
    PlacedColumns placed{std::move(vertexes), std::move(bundles),    std::move(columns),
                         std::move(column),   std::move(columnLeft), std::move(columnWidth)};
    GraphBanding::Result routed = GraphBanding::apply(graph, metrics, placed, layout.m_nodes);
    layout.m_edges = std::move(routed.edges);
    layout.m_bounds = routed.bounds;
    layout.m_bandCount = routed.bandCount;
    return layout;
}

} // namespace stagecraft::ui
