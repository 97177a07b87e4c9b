#include "core/analysis/imagecomparison.h"

#include <QHash>

#include <algorithm>

namespace stagecraft {

namespace {

void sortBySize(QList<PathDifference> &list)
{
    std::sort(list.begin(), list.end(), [](const PathDifference &a, const PathDifference &b) {
        const qint64 da = qAbs(a.delta());
        const qint64 db = qAbs(b.delta());
        if (da != db)
            return da > db;
        return a.path < b.path;
    });
}

quint8 differences(const FileNode &a, const FileNode &b)
{
    quint8 changes = 0;
    if (a.type != b.type)
        changes |= PathChangeType;
    if (a.totalSize != b.totalSize)
        changes |= PathChangeSize;
    if ((a.mode & 07777) != (b.mode & 07777))
        changes |= PathChangeMode;
    if (a.uid != b.uid || a.gid != b.gid)
        changes |= PathChangeOwner;
    if (a.linkTarget != b.linkTarget)
        changes |= PathChangeLink;
    return changes;
}

// Walks `a` below `id` (and `b` below `otherId`, the same path there); where `b` lacks a
// path, records it (once for a whole directory) in `missing`; where both hold it and a
// non-directory differs (or a directory became something else), in `changed`. Directories
// in both are walked into. Children are looked up by name under the other side's
// directory, and a path is spelled only for what is recorded: most of two images is the same.
void walk(const FileTree &a, const FileTree &b, int id, int otherId, bool aIsLeft,
          QList<PathDifference> &missing, QList<PathDifference> *changed)
{
    for (int child : a.node(id).children) {
        const FileNode &n = a.node(child);
        const int other = b.child(otherId, n.name);
        if (other < 0) {
            PathDifference d;
            d.path = a.path(child);
            d.type = n.type;
            (aIsLeft ? d.leftSize : d.rightSize) = n.totalSize;
            (aIsLeft ? d.leftLayer : d.rightLayer) = n.layer;
            missing.append(d);
            continue;
        }
        const FileNode &o = b.node(other);
        if (n.type == EntryType::Directory && o.type == EntryType::Directory) {
            walk(a, b, child, other, aIsLeft, missing, changed);
            continue;
        }
        if (!changed)
            continue;
        const quint8 changes = differences(n, o);
        if (changes == 0)
            continue;
        const FileNode &left = aIsLeft ? n : o;
        const FileNode &right = aIsLeft ? o : n;
        PathDifference d;
        d.path = a.path(child);
        d.type = left.type;
        d.leftSize = left.totalSize;
        d.rightSize = right.totalSize;
        d.leftLayer = left.layer;
        d.rightLayer = right.layer;
        d.changes = changes;
        changed->append(d);
    }
}

// Every directory of `tree` down to `depth` levels, by absolute path.
void collectDirectories(const FileTree &tree, int id, const QString &path, int depth,
                        QHash<QString, const FileNode *> &out)
{
    if (depth <= 0)
        return;
    for (int child : tree.node(id).children) {
        const FileNode &n = tree.node(child);
        if (n.type != EntryType::Directory)
            continue;
        const QString childPath = path + u'/' + n.name;
        out.insert(childPath, &n);
        collectDirectories(tree, child, childPath, depth - 1, out);
    }
}

} // namespace

QStringList pathChangeNames(quint8 changes)
{
    QStringList names;
    if (changes & PathChangeType)
        names << QStringLiteral("type");
    if (changes & PathChangeSize)
        names << QStringLiteral("size");
    if (changes & PathChangeMode)
        names << QStringLiteral("mode");
    if (changes & PathChangeOwner)
        names << QStringLiteral("owner");
    if (changes & PathChangeLink)
        names << QStringLiteral("link");
    return names;
}

ImageComparison ImageComparison::compare(const ImageAnalysis &left, const ImageAnalysis &right,
                                         const Options &options)
{
    ImageComparison c;
    c.m_leftTotal = left.totalSize();
    c.m_rightTotal = right.totalSize();
    const QList<LayerReport> &l = left.layers();
    const QList<LayerReport> &r = right.layers();
    bool stillShared = true;
    for (int i = 0; i < qMax(l.size(), r.size()); ++i) {
        LayerPair p;
        p.index = i;
        if (i < l.size()) {
            p.leftSize = l[i].size;
            p.leftCreatedBy = l[i].createdBy;
        }
        if (i < r.size()) {
            p.rightSize = r[i].size;
            p.rightCreatedBy = r[i].createdBy;
        }
        stillShared = stillShared && i < l.size() && i < r.size() && !l[i].diffId.isEmpty() &&
                      l[i].diffId == r[i].diffId;
        p.shared = stillShared;
        if (stillShared)
            ++c.m_sharedLayers;
        c.m_layers.append(p);
    }

    const FileTree &lt = left.finalTree();
    const FileTree &rt = right.finalTree();
    c.m_leftFiles = lt.totalSize();
    c.m_rightFiles = rt.totalSize();
    walk(lt, rt, FileTree::Root, FileTree::Root, true, c.m_onlyInLeft, &c.m_changed);
    walk(rt, lt, FileTree::Root, FileTree::Root, false, c.m_onlyInRight, nullptr);
    sortBySize(c.m_onlyInLeft);
    sortBySize(c.m_onlyInRight);
    sortBySize(c.m_changed);

    QHash<QString, const FileNode *> leftDirs;
    QHash<QString, const FileNode *> rightDirs;
    collectDirectories(lt, FileTree::Root, QString(), options.directoryDepth, leftDirs);
    collectDirectories(rt, FileTree::Root, QString(), options.directoryDepth, rightDirs);
    auto addDirectory = [&c](const QString &path, const FileNode *a, const FileNode *b) {
        PathDifference d;
        d.path = path;
        d.type = EntryType::Directory;
        d.leftSize = a ? a->totalSize : -1;
        d.rightSize = b ? b->totalSize : -1;
        d.leftLayer = a ? a->layer : -1;
        d.rightLayer = b ? b->layer : -1;
        if (d.delta() != 0 || !a || !b)
            c.m_directories.append(d);
    };
    for (auto it = leftDirs.cbegin(); it != leftDirs.cend(); ++it)
        addDirectory(it.key(), it.value(), rightDirs.value(it.key()));
    for (auto it = rightDirs.cbegin(); it != rightDirs.cend(); ++it)
        if (!leftDirs.contains(it.key()))
            addDirectory(it.key(), nullptr, it.value());
    sortBySize(c.m_directories);
    return c;
}

QList<int> ImageComparison::largestUnsharedLayers(int count) const
{
    QList<int> layers;
    for (const LayerPair &p : m_layers)
        if (!p.shared && p.rightSize > 0)
            layers.append(p.index);
    std::stable_sort(layers.begin(), layers.end(),
                     [this](int a, int b) { return m_layers[a].rightSize > m_layers[b].rightSize; });
    if (layers.size() > count)
        layers.resize(count);
    return layers;
}

QList<PathDifference> ImageComparison::largestGrowth(int count) const
{
    QList<PathDifference> grown;
    for (const QList<PathDifference> *list : {&m_onlyInRight, &m_changed})
        for (const PathDifference &d : *list)
            if (d.delta() > 0)
                grown.append(d);
    sortBySize(grown);
    if (grown.size() > count)
        grown.resize(count);
    return grown;
}

} // namespace stagecraft
