#include "ui/treemapmodel.h"

#include "ui/sizetext.h"

#include <QSet>

#include <algorithm>

namespace stagecraft::ui {

TreemapModel::TreemapModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void TreemapModel::setImage(std::shared_ptr<const ImageAnalysis> analysis)
{
    m_analysis = std::move(analysis);
    m_packages.reset();
    m_packageFiles.clear();
    m_path.clear();
    m_package = -1;
    rebuild();
}

void TreemapModel::setPackages(std::shared_ptr<const PackageSizeReport> packages)
{
    m_packages = std::move(packages);
    assignFiles();
    m_package = -1;
    if (m_grouped)
        rebuild();
}

void TreemapModel::setGroupByPackage(bool group)
{
    if (group == m_grouped)
        return;
    m_grouped = group;
    m_package = -1;
    rebuild();
}

void TreemapModel::setLayerLines(const QList<int> &lines)
{
    if (lines == m_layerLines)
        return;
    m_layerLines = lines;
    if (m_grouped && m_package < 0)
        rebuild();
}

bool TreemapModel::hasLines() const
{
    return std::any_of(m_layerLines.cbegin(), m_layerLines.cend(), [](int line) { return line > 0; });
}

int TreemapModel::layerCount() const
{
    return m_analysis ? int(m_analysis->layers().size()) : 0;
}

qint64 TreemapModel::levelBytes() const
{
    qint64 total = 0;
    for (const TreemapItem &item : m_items)
        total += item.bytes;
    return total;
}

bool TreemapModel::drillInto(int row)
{
    if (row < 0 || row >= m_items.size() || !m_items[row].drillable)
        return false;
    const TreemapItem &item = m_items[row];
    if (m_grouped)
        m_package = item.package;
    else
        m_path.append(item.node);
    rebuild();
    return true;
}

bool TreemapModel::goUp()
{
    if (m_grouped) {
        if (m_package < 0)
            return false;
        m_package = -1;
    } else {
        if (m_path.isEmpty())
            return false;
        m_path.removeLast();
    }
    rebuild();
    return true;
}

void TreemapModel::goToCrumb(int index)
{
    if (m_grouped) {
        if (index == 0 && m_package >= 0)
            goUp();
        return;
    }
    if (index < 0 || index >= m_path.size() + 1 || index == m_path.size())
        return;
    m_path.resize(index);
    rebuild();
}

QStringList TreemapModel::crumbs() const
{
    if (m_grouped) {
        QStringList levels{tr("Packages")};
        if (m_packages && m_package >= 0 && m_package < m_packages->packages.size())
            levels.append(m_packages->packages[m_package].name);
        return levels;
    }
    QStringList levels{QStringLiteral("/")};
    if (m_analysis)
        for (int id : m_path)
            levels.append(m_analysis->finalTree().node(id).name);
    return levels;
}

QString TreemapModel::currentPath() const
{
    if (m_grouped || !m_analysis || m_path.isEmpty())
        return QStringLiteral("/");
    return m_analysis->finalTree().path(m_path.last());
}

int TreemapModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

int TreemapModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TreemapModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_items.size())
        return {};
    const TreemapItem &item = m_items[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return item.detail.isEmpty() ? item.name : QStringLiteral("%1  (%2)").arg(item.name, item.detail);
        case SizeColumn: return sizeText(item.bytes);
        case LayerColumn: return item.layer >= 0 ? QVariant(item.layer) : QVariant(QStringLiteral("–"));
        case LineColumn: return item.line > 0 ? QVariant(item.line) : QVariant();
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == LineColumn && item.line > 0)
            return tr("Dockerfile line %1 made the layer that installed %2; double-click to go there")
                .arg(item.line)
                .arg(item.name);
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == NameColumn ? QVariant() : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole:
        switch (index.column()) {
        case NameColumn: return item.name;
        case SizeColumn: return item.bytes;
        case LayerColumn: return item.layer;
        case LineColumn: return item.line;
        default: return {};
        }
    case BytesRole: return item.bytes;
    case LayerRole: return item.layer;
    case DrillableRole: return item.drillable;
    case LineRole: return item.line;
    default: return {};
    }
}

QVariant TreemapModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return m_grouped && m_package < 0 ? tr("Package") : tr("Path");
    case SizeColumn: return tr("Size");
    case LayerColumn: return tr("Layer");
    case LineColumn: return tr("Line");
    default: return {};
    }
}

void TreemapModel::rebuild()
{
    beginResetModel();
    m_items.clear();
    if (m_analysis) {
        if (!m_grouped)
            directoryLevel();
        else if (m_package < 0)
            packageLevel();
        else
            packageFilesLevel();
    }
    std::stable_sort(m_items.begin(), m_items.end(), [](const TreemapItem &a, const TreemapItem &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
    });
    endResetModel();
    Q_EMIT levelChanged();
}

void TreemapModel::finishItem(TreemapItem &item) const
{
    qint64 most = 0;
    for (qsizetype l = 0; l < item.layerBytes.size(); ++l)
        if (item.layerBytes[l] > most) {
            most = item.layerBytes[l];
            item.layer = int(l);
        }
}

TreemapItem TreemapModel::itemForNode(int id) const
{
    const FileTree &tree = m_analysis->finalTree();
    const FileNode &node = tree.node(id);
    TreemapItem item;
    item.name = node.name;
    item.node = id;
    item.layerBytes.fill(0, layerCount());
    item.bytes = node.type == EntryType::Directory ? node.totalSize : node.size;
    if (node.type != EntryType::Directory) {
        if (node.layer >= 0 && node.layer < item.layerBytes.size())
            item.layerBytes[node.layer] = node.size;
        item.layer = node.layer;
        return item;
    }
    item.drillable = !node.children.isEmpty();
    QList<int> stack{id};
    while (!stack.isEmpty()) {
        const FileNode &n = tree.node(stack.takeLast());
        if (n.type == EntryType::Directory)
            stack.append(n.children);
        else if (n.layer >= 0 && n.layer < item.layerBytes.size())
            item.layerBytes[n.layer] += n.size;
    }
    finishItem(item);
    if (item.layer < 0)
        item.layer = node.layer; // an empty directory: the layer that made it
    return item;
}

void TreemapModel::directoryLevel()
{
    const FileTree &tree = m_analysis->finalTree();
    const int current = m_path.isEmpty() ? FileTree::Root : m_path.last();
    const auto bySize = [](const TreemapItem &a, const TreemapItem &b) {
        return a.bytes != b.bytes ? a.bytes > b.bytes : a.name < b.name;
    };
    for (int child : tree.node(current).children) {
        TreemapItem item = itemForNode(child);
        if (item.drillable) {
            for (int grandchild : tree.node(child).children)
                item.children.append(itemForNode(grandchild));
            std::sort(item.children.begin(), item.children.end(), bySize);
            if (item.children.size() > kMaxChildren)
                item.children.resize(kMaxChildren);
        }
        m_items.append(std::move(item));
    }
}

void TreemapModel::assignFiles()
{
    m_packageFiles.clear();
    if (!m_packages || !m_analysis)
        return;
    QSet<int> taken;
    for (const PackageSize &p : m_packages->packages) {
        QList<int> mine;
        for (int id : p.nodes)
            if (!taken.contains(id)) {
                taken.insert(id);
                mine.append(id);
            }
        m_packageFiles.append(mine);
    }
}

void TreemapModel::packageLevel()
{
    if (!m_packages)
        return;
    const FileTree &tree = m_analysis->finalTree();
    TreemapItem rest = itemForNode(FileTree::Root);
    rest.name = tr("(in no package)");
    rest.node = -1;
    rest.package = kNoPackage;
    rest.drillable = false;
    for (qsizetype i = 0; i < m_packages->packages.size(); ++i) {
        const PackageSize &p = m_packages->packages[i];
        TreemapItem item;
        item.name = p.name;
        item.detail = p.version.isEmpty() ? packageManagerName(p.manager)
                                          : packageManagerName(p.manager) + u' ' + p.version;
        item.package = int(i);
        item.layerBytes.fill(0, layerCount());
        for (int id : m_packageFiles.value(i)) {
            const FileNode &node = tree.node(id);
            item.bytes += node.size;
            if (node.layer >= 0 && node.layer < item.layerBytes.size()) {
                item.layerBytes[node.layer] += node.size;
                rest.layerBytes[node.layer] -= node.size;
            }
        }
        rest.bytes -= item.bytes;
        item.drillable = !m_packageFiles.value(i).isEmpty();
        finishItem(item);
        if (item.layer < 0)
            item.layer = p.layer;
        item.line = p.layer >= 0 ? m_layerLines.value(p.layer, 0) : 0;
        m_items.append(item);
    }
    rest.layer = -1;
    finishItem(rest);
    m_items.append(rest);
}

void TreemapModel::packageFilesLevel()
{
    const FileTree &tree = m_analysis->finalTree();
    for (int id : m_packageFiles.value(m_package)) {
        TreemapItem item = itemForNode(id);
        item.name = tree.path(id);
        item.drillable = false;
        m_items.append(item);
    }
}

} // namespace stagecraft::ui
