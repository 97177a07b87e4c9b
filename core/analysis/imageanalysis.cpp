#include "core/analysis/imageanalysis.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <limits>

namespace stagecraft {

namespace {

// Every version of one path across the layers, as dive's efficiency pass keeps it.
struct PathVersions
{
    qint64 cumulative = 0;
    qint64 smallest = -1;
    int count = 0;
};

class VersionLedger
{
public:
    void record(const QString &relativePath, qint64 size)
    {
        PathVersions &v = m_paths[relativePath];
        v.cumulative += size;
        if (v.smallest < 0 || size < v.smallest)
            v.smallest = size;
        ++v.count;
    }
    const QHash<QString, PathVersions> &paths() const { return m_paths; }

private:
    QHash<QString, PathVersions> m_paths;
};

// Records a removal (size 0, as dive sizes a file whiteout) for every leaf below `id`.
void recordRemovedLeaves(const FileTree &tree, int id, const QString &relativePath, VersionLedger &ledger)
{
    for (int child : tree.node(id).children) {
        const FileNode &n = tree.node(child);
        const QString childPath = relativePath.isEmpty() ? n.name : relativePath + u'/' + n.name;
        if (n.children.isEmpty())
            ledger.record(childPath, 0);
        else
            recordRemovedLeaves(tree, child, childPath, ledger);
    }
}

// dive visits, per layer, only the leaves of the layer's own tree: entries nothing else
// in the same layer lies below. Opaque markers are never part of that tree.
QSet<QString> parentsWithinLayer(const QList<IndexEntry> &entries)
{
    QSet<QString> parents;
    for (const IndexEntry &e : entries) {
        if (e.type == EntryType::OpaqueWhiteout)
            continue;
        qsizetype end = e.path.lastIndexOf(u'/');
        while (end > 0) {
            const QString parent = e.path.left(end);
            if (parents.contains(parent))
                break; // its own parents were added with it
            parents.insert(parent);
            end = parent.lastIndexOf(u'/');
        }
    }
    return parents;
}

} // namespace

qint64 ImageAnalysis::dockerLayerSize(const LayerIndex &index, const QString &historyComment)
{
    if (historyComment.startsWith(QLatin1String("Imported from")))
        return index.fileBytes() + index.symlinkBytes();
    return index.fileBytes();
}

ImageAnalysis ImageAnalysis::analyze(const QList<AnalysisLayer> &layers, const AnalysisOptions &options)
{
    ImageAnalysis result;
    result.m_model = options.wasteModel;
    const bool dive = options.wasteModel == WasteModel::Dive;

    FileTree tree;
    FileTree diveTree; // only used by the dive model: stacked without opaque directories
    VersionLedger ledger;

    for (int i = 0; i < layers.size(); ++i) {
        const AnalysisLayer &layer = layers[i];
        const QList<IndexEntry> &entries = layer.index.entries();

        LayerReport report;
        report.index = i;
        report.digest = layer.digest;
        report.diffId = layer.index.diffId();
        report.createdBy = layer.createdBy;
        report.comment = layer.comment;
        report.size = dockerLayerSize(layer.index, layer.comment);
        report.compressedSize = layer.index.compressedSize();
        report.fileBytes = layer.index.fileBytes();
        report.entryCount = int(entries.size());

        // The versions this layer adds, measured against the tree below it.
        const QSet<QString> parents = parentsWithinLayer(entries);
        QHash<QString, qint64> written; // a path listed twice in one tar is one node in dive
        QSet<QString> whiteouts;
        for (const IndexEntry &e : entries) {
            if (e.type == EntryType::OpaqueWhiteout || e.path.isEmpty())
                continue;
            if (e.type == EntryType::Whiteout)
                whiteouts.insert(e.path);
            else if (!parents.contains(e.path))
                written.insert(e.path, e.size);
        }
        for (auto it = written.cbegin(); it != written.cend(); ++it)
            ledger.record(it.key(), it.value());
        for (const QString &path : std::as_const(whiteouts)) {
            if (dive) {
                // dive sizes a whiteout by what was below it when it was a directory, and
                // as 0 when it was a file.
                const int id = diveTree.find(path);
                const bool wasDirectory = id >= 0 && diveTree.node(id).type == EntryType::Directory;
                ledger.record(path, wasDirectory ? diveTree.node(id).totalSize : 0);
            } else {
                ledger.record(path, 0);
                const int id = tree.find(path);
                if (id >= 0)
                    recordRemovedLeaves(tree, id, path, ledger);
            }
        }
        if (!dive) {
            for (const IndexEntry &e : entries) {
                if (e.type != EntryType::OpaqueWhiteout)
                    continue;
                const int id = tree.find(e.path);
                if (id >= 0 && tree.node(id).type == EntryType::Directory)
                    recordRemovedLeaves(tree, id, e.path, ledger);
            }
        }

        report.changes = tree.apply(layer.index, i);
        if (dive)
            diveTree.apply(layer.index, i, FileTree::ApplyOptions{.honourOpaqueDirectories = false});

        result.m_totalSize += report.size;
        if (i > 0)
            result.m_userSize += report.size;
        result.m_compressedSize += report.compressedSize;
        result.m_layers.append(std::move(report));
    }

    qint64 smallestSum = 0;
    qint64 cumulativeSum = 0;
    const QHash<QString, PathVersions> &paths = ledger.paths();
    for (auto it = paths.cbegin(); it != paths.cend(); ++it) {
        const PathVersions &v = it.value();
        smallestSum += v.smallest;
        cumulativeSum += v.cumulative;
        if (v.count < 2)
            continue;
        result.m_wastedBytes += v.cumulative;
        if (v.cumulative > 0)
            result.m_inefficientFiles.append(InefficientFile{u'/' + it.key(), v.count, v.cumulative});
    }
    result.m_efficiency = cumulativeSum == 0 ? 1.0 : double(smallestSum) / double(cumulativeSum);
    if (result.m_userSize > 0)
        result.m_userWastedPercent = double(result.m_wastedBytes) / double(result.m_userSize);
    else
        result.m_userWastedPercent = result.m_wastedBytes > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    std::sort(result.m_inefficientFiles.begin(), result.m_inefficientFiles.end(),
              [](const InefficientFile &a, const InefficientFile &b) {
                  if (a.wastedBytes != b.wastedBytes)
                      return a.wastedBytes > b.wastedBytes;
                  return a.path < b.path;
              });
    result.m_finalTree = std::make_shared<const FileTree>(std::move(tree));
    return result;
}

} // namespace stagecraft
