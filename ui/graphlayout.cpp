#include "ui/graphlayout.h"

#include <QSet>

#include <algorithm>
#include <limits>
#include <numeric>
#include <queue>
#include <vector>

namespace stagecraft::ui {

namespace {

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

    // Bands: how many columns a band holds, chosen so that the graph shows largest in the
    // view without sideways scrolling at the readable zoom; a row of columns that already
    // shows at full size stays one row.
    const int columnCount = layout.m_columnCount;
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
    std::vector<int> bandOf(columnCount, 0);
    std::vector<qreal> bandDy(columnCount, 0);
    struct Band
    {
        int first = 0;
        int last = 0;
        qreal left = 0;   // the x every band starts at
        qreal right = 0;  // right side of its last column
        qreal bottom = 0; // below its lowest vertex
    };
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
    layout.m_bandCount = std::max<int>(1, int(bands.size()));
    for (const QList<int> &col : std::as_const(columns)) {
        int row = 0;
        for (int v : col) {
            if (vertexes[v].node < 0)
                continue;
            LayoutNode &node = layout.m_nodes[vertexes[v].node];
            node.row = row++;
            node.band = bandOf[node.column];
            const QSizeF size = node.rect.size();
            node.rect =
                QRectF(QPointF(columnLeft[node.column] + (columnWidth[node.column] - size.width()) / 2,
                               vertexes[v].y - size.height() / 2),
                       size);
        }
    }

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
        return b.lanes.isEmpty() ? layout.m_nodes[b.to].rect.center().y() : laneY(b, r.slot, b.lanes.front());
    };
    auto previousY = [&](const Route &r) {
        const Bundle &b = bundles[r.bundle];
        return b.lanes.isEmpty() ? layout.m_nodes[b.from].rect.center().y()
                                 : laneY(b, r.slot, b.lanes.back());
    };
    for (qsizetype bi = 0; bi < bundles.size(); ++bi)
        for (qsizetype k = 0; k < bundles[bi].edges.size(); ++k) {
            outs[bundles[bi].from].append({int(bi), int(k)});
            ins[bundles[bi].to].append({int(bi), int(k)});
        }
    QHash<std::pair<int, int>, QPointF> outPort, inPort; // (bundle, slot) → port
    auto spread = [&](int node, QList<Route> &routes, bool rightSide) {
        const QRectF rect = layout.m_nodes[node].rect;
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
    for (const LayoutNode &node : std::as_const(layout.m_nodes))
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
            const int fromColumn = layout.m_nodes[b.from].column;
            const int toColumn = layout.m_nodes[b.to].column;
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
            layout.m_edges.append(edge);
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
            if (layout.m_edges[r].backward)
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
            const LayoutEdge &e = layout.m_edges[list[i].route];
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
        QList<QPointF> &points = layout.m_edges[r].points;
        for (qsizetype i = 0; i < routes[r].size(); ++i) {
            points.append(routes[r][i].point);
            const auto it = inserts[r].constFind(int(i));
            if (it != inserts[r].cend())
                points.append(*it);
        }
    }
    std::sort(layout.m_edges.begin(), layout.m_edges.end(),
              [](const LayoutEdge &a, const LayoutEdge &b) { return a.edge < b.edge; });
    layout.m_bounds = bounds.adjusted(-metrics.margin, -metrics.margin, metrics.margin, metrics.margin);
    return layout;
}

} // namespace stagecraft::ui
