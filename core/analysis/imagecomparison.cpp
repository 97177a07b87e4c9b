#include "core/analysis/imagecomparison.h"

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

// Walks `a`; where `b` lacks a path, records it (once for a whole directory) in
// `missing`; where both hold a non-directory of another size or type, in `changed`.
void walk(const FileTree &a, const FileTree &b, int id, const QString &relativePath, bool aIsLeft,
          QList<PathDifference> &missing, QList<PathDifference> *changed)
{
    for (int child : a.node(id).children) {
        const FileNode &n = a.node(child);
        const QString childPath = relativePath.isEmpty() ? n.name : relativePath + u'/' + n.name;
        const int other = b.find(childPath);
        if (other < 0) {
            PathDifference d;
            d.path = u'/' + childPath;
            d.type = n.type;
            (aIsLeft ? d.leftSize : d.rightSize) = n.totalSize;
            missing.append(d);
            continue;
        }
        const FileNode &o = b.node(other);
        if (n.type == EntryType::Directory && o.type == EntryType::Directory) {
            walk(a, b, child, childPath, aIsLeft, missing, changed);
        } else if (changed && (n.type != o.type || n.totalSize != o.totalSize)) {
            PathDifference d;
            d.path = u'/' + childPath;
            d.type = n.type;
            d.leftSize = aIsLeft ? n.totalSize : o.totalSize;
            d.rightSize = aIsLeft ? o.totalSize : n.totalSize;
            changed->append(d);
        }
    }
}

} // namespace

ImageComparison ImageComparison::compare(const ImageAnalysis &left, const ImageAnalysis &right)
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
    walk(lt, rt, FileTree::Root, QString(), true, c.m_onlyInLeft, &c.m_changed);
    walk(rt, lt, FileTree::Root, QString(), false, c.m_onlyInRight, nullptr);
    sortBySize(c.m_onlyInLeft);
    sortBySize(c.m_onlyInRight);
    sortBySize(c.m_changed);
    return c;
}

} // namespace stagecraft
