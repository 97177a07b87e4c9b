#include "core/analysis/layerstep.h"

#include "core/analysis/bytesize.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace stagecraft {

namespace {

const FileChange *findChange(const QList<FileChange> &changes, const QString &path)
{
    const auto it = std::lower_bound(changes.cbegin(), changes.cend(), path,
                                     [](const FileChange &c, const QString &p) { return c.path < p; });
    return it != changes.cend() && it->path == path ? &*it : nullptr;
}

// Views into the report's paths, which outlive the step's computation: a layer lists tens
// of thousands of paths, and each ancestor looked up would otherwise be a new string.
using PathSet = QSet<QStringView>;

// The highest ancestor of `path` (or `path` itself) that is in `paths`. Sorted lists hold
// a directory's files one after another, so the answer for the last directory is kept:
// each directory's ancestors are looked up once, not once per file.
class TopMost
{
public:
    explicit TopMost(const PathSet &paths)
        : m_paths(paths)
    {}

    QStringView of(QStringView path)
    {
        const qsizetype slash = path.lastIndexOf(u'/');
        if (slash <= 0)
            return path; // directly below the root: no ancestor is a path
        const QStringView dir = path.first(slash);
        if (m_dir.isNull() || dir != m_dir) {
            m_dir = dir;
            m_top = highestAncestor(dir);
            if (m_top.isNull() && m_paths.contains(dir))
                m_top = dir;
        }
        return m_top.isNull() ? path : m_top;
    }

private:
    // The highest proper ancestor of `path` in the set, or a null view.
    QStringView highestAncestor(QStringView path) const
    {
        for (qsizetype slash = path.indexOf(u'/', 1); slash > 0; slash = path.indexOf(u'/', slash + 1)) {
            const QStringView ancestor = path.first(slash);
            if (m_paths.contains(ancestor))
                return ancestor;
        }
        return {};
    }

    const PathSet &m_paths;
    QStringView m_dir;
    QStringView m_top;
};

} // namespace

LayerStep LayerStep::of(const ImageAnalysis &analysis, int layer)
{
    LayerStep step;
    const QList<LayerReport> &layers = analysis.layers();
    if (layer < 0 || layer >= layers.size())
        return step;
    const LayerReport &report = layers[layer];
    step.layer = layer;
    step.createdBy = report.createdBy.isEmpty() ? report.comment : report.createdBy;
    step.layerSize = report.size;

    PathSet added;
    added.reserve(report.changes.added.size());
    for (const FileChange &c : report.changes.added)
        added.insert(c.path);
    QHash<QStringView, ChangedTree> trees;
    TopMost topAdded(added);
    const auto addToTree = [&](const FileChange &c) {
        // Grouped under the highest directory the layer itself created, else the file alone.
        ChangedTree &t = trees[topAdded.of(c.path)];
        t.bytes += c.size;
        ++t.files;
    };
    for (const FileChange &c : report.changes.added) {
        if (c.type == EntryType::Directory)
            continue;
        ++step.addedFiles;
        step.addedBytes += c.size;
        addToTree(c);
    }
    for (const FileChange &c : report.changes.modified) {
        if (c.type == EntryType::Directory)
            continue;
        ++step.modifiedFiles;
        step.modifiedBytes += c.size;
        // What it replaced: the version of the nearest layer below that wrote it.
        for (int below = layer - 1; below >= 0; --below) {
            const LayerDiff &d = layers[below].changes;
            const FileChange *old = findChange(d.added, c.path);
            if (!old)
                old = findChange(d.modified, c.path);
            if (old) {
                step.modifiedBytesWas += old->size;
                break;
            }
        }
        addToTree(c);
    }
    PathSet removed;
    removed.reserve(report.changes.removed.size());
    for (const FileChange &c : report.changes.removed)
        removed.insert(c.path);
    TopMost topRemoved(removed);
    for (const FileChange &c : report.changes.removed) {
        if (topRemoved.of(c.path).size() != c.path.size())
            continue; // below a removed directory, whose size counts it
        ++step.removedPaths;
        step.removedBytes += c.size;
    }
    step.largest.reserve(trees.size());
    for (auto it = trees.cbegin(); it != trees.cend(); ++it) {
        ChangedTree t = it.value();
        t.path = it.key().toString();
        step.largest.append(std::move(t));
    }
    std::sort(step.largest.begin(), step.largest.end(), [](const ChangedTree &a, const ChangedTree &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.path < b.path;
    });
    if (step.largest.size() > kLargest)
        step.largest.resize(kLargest);
    return step;
}

QString LayerStep::headline() const
{
    if (layer < 0)
        return {};
    const qint64 delta = sizeDelta();
    QString text = delta >= 0 ? QStringLiteral("layer %1 added %2").arg(layer).arg(formatByteSize(delta))
                              : QStringLiteral("layer %1 freed %2 (%3 removed), wrote")
                                    .arg(layer)
                                    .arg(formatByteSize(-delta))
                                    .arg(removedPaths == 1 ? QStringLiteral("1 path")
                                                           : QStringLiteral("%1 paths").arg(removedPaths));
    QStringList named;
    constexpr int kNamed = 3;
    for (const ChangedTree &t : largest) {
        if (named.size() == kNamed || t.bytes == 0)
            break;
        named.append(QStringLiteral("%1 (%2)").arg(t.path, formatByteSize(t.bytes)));
    }
    if (!named.isEmpty())
        text += QStringLiteral(": ") + named.join(QStringLiteral(", "));
    if (largest.size() > named.size() && !named.isEmpty())
        text += QStringLiteral(" \u2026");
    return text;
}

} // namespace stagecraft
