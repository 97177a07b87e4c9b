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

// The highest ancestor of `path` (or `path` itself) that is in `paths`.
QString topMost(const QString &path, const QSet<QString> &paths)
{
    QString top = path;
    for (qsizetype slash = path.indexOf(u'/', 1); slash > 0; slash = path.indexOf(u'/', slash + 1)) {
        const QString ancestor = path.left(slash);
        if (paths.contains(ancestor)) {
            top = ancestor;
            break;
        }
    }
    return top;
}

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

    QSet<QString> changedDirs; // directories the layer added or modified
    for (const QList<FileChange> *list : {&report.changes.added, &report.changes.modified})
        for (const FileChange &c : *list)
            if (c.type == EntryType::Directory)
                changedDirs.insert(c.path);
    QSet<QString> added;
    for (const FileChange &c : report.changes.added)
        added.insert(c.path);
    QHash<QString, ChangedTree> trees;
    const auto addToTree = [&](const FileChange &c) {
        // Grouped under the highest directory the layer itself created, else the file alone.
        const QString key = topMost(c.path, added);
        ChangedTree &t = trees[key];
        t.path = key;
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
    QSet<QString> removed;
    for (const FileChange &c : report.changes.removed)
        removed.insert(c.path);
    for (const FileChange &c : report.changes.removed) {
        if (topMost(c.path, removed) != c.path)
            continue; // below a removed directory, whose size counts it
        ++step.removedPaths;
        step.removedBytes += c.size;
    }
    step.largest = trees.values();
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
