#include "ui/filetreemodel.h"

#include "core/analysis/bytesize.h"
#include "ui/sizetext.h"
#include "ui/stagegraphview.h"
#include "ui/theme.h"

#include <QApplication>
#include <QFont>
#include <QGuiApplication>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMimeData>
#include <QStyle>

#include <algorithm>
#include <functional>

namespace stagecraft::ui {

using Item = FileTreeModel::Item;
using Status = FileTreeModel::Status;

namespace {

QString parentPath(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : path.left(slash);
}

// Copies the items `keep` accepts (the root always) into a fresh list, depth first with
// children in name order, and numbers the rows.
QList<Item> compact(const QList<Item> &full, const std::function<bool(int)> &keep)
{
    QList<Item> out;
    out.reserve(full.size());
    std::function<void(int, int)> copy = [&](int from, int parent) {
        Item item = full.at(from);
        item.parent = parent;
        item.children.clear();
        const int id = int(out.size());
        if (parent >= 0) {
            item.row = int(out[parent].children.size());
            out[parent].children.append(id);
        }
        out.append(item);
        QList<int> children = full.at(from).children;
        std::sort(children.begin(), children.end(), [&](int a, int b) {
            const int byName = QString::compare(full.at(a).name, full.at(b).name, Qt::CaseSensitive);
            return byName != 0 ? byName < 0 : a < b;
        });
        for (const int child : std::as_const(children))
            if (keep(child))
                copy(child, id);
    };
    if (!full.isEmpty())
        copy(0, -1);
    return out;
}

} // namespace

std::shared_ptr<const FileTreeModel::Snapshot>
FileTreeModel::buildSnapshot(const FileTree &tree, const LayerDiff *diff, const QList<InefficientFile> &waste,
                             const Options &options)
{
    QHash<QString, Status> changed;
    if (diff) {
        for (const FileChange &c : diff->added)
            changed.insert(c.path, Status::Added);
        for (const FileChange &c : diff->modified)
            changed.insert(c.path, Status::Modified);
    }
    QHash<QString, const InefficientFile *> wasteByPath;
    for (const InefficientFile &f : waste)
        wasteByPath.insert(f.path, &f);
    const auto setWaste = [&wasteByPath](Item &item) {
        if (const InefficientFile *f = wasteByPath.value(item.path)) {
            item.wasted = f->wastedBytes;
            item.reclaimable = f->reclaimableBytes;
        }
    };

    QList<Item> items;
    QHash<int, int> itemOfNode; // tree node id -> item id
    QHash<QString, int> itemOfPath;
    Item root;
    root.type = EntryType::Directory;
    root.path = QStringLiteral("/");
    root.size = tree.totalSize();
    items.append(root);
    itemOfNode.insert(FileTree::Root, 0);
    itemOfPath.insert(root.path, 0);
    int fileCount = 0;
    tree.visitDescendants(FileTree::Root, [&](int id) {
        const FileNode &node = tree.node(id);
        Item item;
        item.name = node.name;
        item.path = tree.path(id);
        item.linkTarget = node.linkTarget;
        item.size = node.type == EntryType::Directory ? node.totalSize : node.size;
        item.uid = node.uid;
        item.gid = node.gid;
        item.mode = node.mode;
        item.type = node.type;
        item.layer = node.layer;
        item.status = changed.value(item.path, Status::Unchanged);
        setWaste(item);
        item.parent = itemOfNode.value(node.parent, 0);
        if (node.type == EntryType::File)
            ++fileCount;
        const int itemId = int(items.size());
        items[item.parent].children.append(itemId);
        itemOfNode.insert(id, itemId);
        itemOfPath.insert(item.path, itemId);
        items.append(item);
    });

    // Removed paths are no longer in the tree: show them where they were, below the
    // deepest directory that is still there.
    if (diff) {
        for (const FileChange &c : diff->removed) {
            if (itemOfPath.contains(c.path))
                continue; // removed and written again: the new entry shows the change
            QString ancestor = parentPath(c.path);
            while (!itemOfPath.contains(ancestor))
                ancestor = parentPath(ancestor);
            Item item;
            const int parent = itemOfPath.value(ancestor);
            item.path = c.path;
            item.name = c.path.mid(ancestor.size() == 1 ? 1 : ancestor.size() + 1);
            item.size = c.size;
            item.type = c.type;
            item.status = Status::Removed;
            setWaste(item);
            item.parent = parent;
            const int itemId = int(items.size());
            items[parent].children.append(itemId);
            items.append(item);
        }
    }

    // A directory's waste is its own plus everything below it (children come after
    // their parents in the list).
    for (qsizetype i = items.size() - 1; i > 0; --i) {
        items[items.at(i).parent].wasted += items.at(i).wasted;
        items[items.at(i).parent].reclaimable += items.at(i).reclaimable;
    }

    auto snapshot = std::make_shared<Snapshot>();
    snapshot->fileCount = fileCount;
    if (options.largestFiles) {
        QList<int> files;
        for (int i = 1; i < items.size(); ++i) {
            const Item &item = items.at(i);
            if (item.type == EntryType::File && item.status != Status::Removed &&
                (!options.onlyChanges || item.status != Status::Unchanged))
                files.append(i);
        }
        std::sort(files.begin(), files.end(), [&](int a, int b) {
            if (items.at(a).size != items.at(b).size)
                return items.at(a).size > items.at(b).size;
            return items.at(a).path < items.at(b).path;
        });
        files.resize(std::min<qsizetype>(files.size(), std::max(0, options.largestCount)));
        Item flatRoot = items.at(0);
        flatRoot.children.clear();
        snapshot->items.append(flatRoot);
        for (const int i : std::as_const(files)) {
            Item item = items.at(i);
            item.name = item.path;
            item.children.clear();
            item.parent = 0;
            item.row = int(snapshot->items.size()) - 1;
            snapshot->items[0].children.append(int(snapshot->items.size()));
            snapshot->items.append(item);
        }
        return snapshot;
    }

    if (options.onlyChanges) {
        QList<bool> keep(items.size(), false);
        keep[0] = true;
        for (qsizetype i = items.size() - 1; i > 0; --i) {
            if (items.at(i).status != Status::Unchanged)
                keep[i] = true;
            if (keep.at(i))
                keep[items.at(i).parent] = true;
        }
        snapshot->items = compact(items, [&](int i) { return keep.at(i); });
    } else {
        snapshot->items = compact(items, [](int) { return true; });
    }
    return snapshot;
}

FileTreeModel::FileTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

FileTreeModel::~FileTreeModel() = default;

void FileTreeModel::setSnapshot(std::shared_ptr<const Snapshot> snapshot, const QString &stageName)
{
    beginResetModel();
    m_snapshot = std::move(snapshot);
    m_stageName = stageName;
    m_byPath.clear();
    if (m_snapshot)
        for (int i = int(m_snapshot->items.size()) - 1; i > 0; --i)
            m_byPath.insert(m_snapshot->items.at(i).path, i);
    endResetModel();
}

QModelIndex FileTreeModel::indexForPath(const QString &path) const
{
    const int id = m_byPath.value(path, -1);
    if (id <= 0)
        return {};
    return createIndex(m_snapshot->items.at(id).row, 0, quintptr(id));
}

const Item *FileTreeModel::itemAt(const QModelIndex &index) const
{
    if (!m_snapshot || !index.isValid())
        return nullptr;
    const auto id = qsizetype(index.internalId());
    return id > 0 && id < m_snapshot->items.size() ? &m_snapshot->items.at(id) : nullptr;
}

QModelIndex FileTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!m_snapshot || column < 0 || column >= ColumnCount || row < 0)
        return {};
    if (parent.isValid() && parent.column() != 0)
        return {};
    const int parentId = parent.isValid() ? int(parent.internalId()) : 0;
    const QList<int> &children = m_snapshot->items.at(parentId).children;
    if (row >= children.size())
        return {};
    return createIndex(row, column, quintptr(children.at(row)));
}

QModelIndex FileTreeModel::parent(const QModelIndex &child) const
{
    const Item *item = itemAt(child);
    if (!item || item->parent <= 0)
        return {};
    return createIndex(m_snapshot->items.at(item->parent).row, 0, quintptr(item->parent));
}

int FileTreeModel::rowCount(const QModelIndex &parent) const
{
    if (!m_snapshot)
        return 0;
    if (!parent.isValid())
        return int(m_snapshot->items.at(0).children.size());
    if (parent.column() != 0)
        return 0;
    const Item *item = itemAt(parent);
    return item ? int(item->children.size()) : 0;
}

int FileTreeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

QString FileTreeModel::modeString(EntryType type, quint32 mode)
{
    QString s(10, QLatin1Char('-'));
    switch (type) {
    case EntryType::Directory: s[0] = QLatin1Char('d'); break;
    case EntryType::Symlink: s[0] = QLatin1Char('l'); break;
    case EntryType::CharDevice: s[0] = QLatin1Char('c'); break;
    case EntryType::BlockDevice: s[0] = QLatin1Char('b'); break;
    case EntryType::Fifo: s[0] = QLatin1Char('p'); break;
    default: break;
    }
    const char *letters = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        if (mode & (1u << (8 - i)))
            s[i + 1] = QLatin1Char(letters[i]);
    if (mode & 04000)
        s[3] = (mode & 0100) ? QLatin1Char('s') : QLatin1Char('S');
    if (mode & 02000)
        s[6] = (mode & 010) ? QLatin1Char('s') : QLatin1Char('S');
    if (mode & 01000)
        s[9] = (mode & 01) ? QLatin1Char('t') : QLatin1Char('T');
    return s;
}

QString FileTreeModel::statusText(const Item &item) const
{
    switch (item.status) {
    case Status::Added: return tr("Added by this layer");
    case Status::Modified: return tr("Changed by this layer");
    case Status::Removed: return tr("Removed by this layer");
    case Status::Unchanged: break;
    }
    return item.layer >= 0 ? tr("Last written by layer %1").arg(item.layer) : QString();
}

QVariant FileTreeModel::data(const QModelIndex &index, int role) const
{
    const Item *item = itemAt(index);
    if (!item)
        return {};
    const bool isDir = item->type == EntryType::Directory;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn:
            if (item->type == EntryType::Symlink && !item->linkTarget.isEmpty())
                return tr("%1 → %2").arg(item->name, item->linkTarget);
            return item->name;
        case SizeColumn: return isDir || item->type == EntryType::File ? sizeText(item->size) : QString();
        case WastedColumn: return item->wasted > 0 ? sizeText(item->wasted) : QString();
        case ModeColumn:
            return item->status == Status::Removed ? QString() : modeString(item->type, item->mode);
        case OwnerColumn:
            return item->status == Status::Removed ? QString()
                                                   : QStringLiteral("%1:%2").arg(item->uid).arg(item->gid);
        }
        break;
    case SortRole:
        switch (column) {
        case NameColumn: return item->name.toLower();
        case SizeColumn: return item->size;
        case WastedColumn: return item->wasted;
        case ModeColumn: return item->mode;
        case OwnerColumn: return item->uid * 1000000 + item->gid;
        }
        break;
    case Qt::TextAlignmentRole:
        if (column == SizeColumn || column == WastedColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole: {
        const bool dark = Theme::isDark(QGuiApplication::palette());
        if (column == WastedColumn && item->wasted > 0)
            return dark ? QColor(0xff, 0xb3, 0x47) : QColor(0xb3, 0x5c, 0x00);
        switch (item->status) {
        case Status::Added: return dark ? QColor(0x7e, 0xd3, 0x7f) : QColor(0x1b, 0x7a, 0x2e);
        case Status::Modified: return dark ? QColor(0xf2, 0xc9, 0x4c) : QColor(0x8a, 0x63, 0x00);
        case Status::Removed: return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc0, 0x1c, 0x28);
        case Status::Unchanged: break;
        }
        break;
    }
    case Qt::FontRole:
        if (item->status == Status::Removed) {
            QFont font;
            font.setStrikeOut(true);
            return font;
        }
        break;
    case Qt::DecorationRole:
        if (column == NameColumn) {
            if (auto *app = qobject_cast<QApplication *>(QCoreApplication::instance()))
                return app->style()->standardIcon(isDir                              ? QStyle::SP_DirIcon
                                                  : item->type == EntryType::Symlink ? QStyle::SP_FileLinkIcon
                                                                                     : QStyle::SP_FileIcon);
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines{item->path};
        if (const QString status = statusText(*item); !status.isEmpty())
            lines.append(status);
        if (item->wasted > 0) {
            lines.append(
                isDir
                    ? tr("%1 wasted below: bytes that more than one layer holds").arg(sizeText(item->wasted))
                    : tr("%1 wasted: this path is in more than one layer").arg(sizeText(item->wasted)));
            lines.append(tr("%1 reclaimable: the wasted bytes without the copy the image keeps")
                             .arg(sizeText(item->reclaimable)));
        }
        return lines.join(QLatin1Char('\n'));
    }
    case StatusRole: return int(item->status);
    case PathRole: return item->path;
    case IsDirectoryRole: return isDir;
    case WastedRole: return item->wasted;
    case ReclaimableRole: return item->reclaimable;
    case LayerRole: return item->layer;
    default: break;
    }
    return {};
}

QString FileTreeModel::wasteFormula()
{
    return tr("Wasted (as dive counts it): for every path that more than one layer writes or removes, "
              "the bytes of all its versions, the copy the image keeps included.\n"
              "Reclaimable: wasted minus the version the image keeps, the bytes a rewrite of the "
              "Dockerfile could save.");
}

QVariant FileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == WastedColumn)
        return wasteFormula();
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case SizeColumn: return tr("Size");
    case WastedColumn: return tr("Wasted");
    case ModeColumn: return tr("Permissions");
    case OwnerColumn: return tr("Owner");
    }
    return {};
}

Qt::ItemFlags FileTreeModel::flags(const QModelIndex &index) const
{
    const Item *item = itemAt(index);
    if (!item)
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    // Only what exists in the stage can be copied out of it.
    if (item->status != Status::Removed && !m_stageName.isEmpty())
        f |= Qt::ItemIsDragEnabled;
    if (item->children.isEmpty())
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QStringList FileTreeModel::mimeTypes() const
{
    return {StageGraphView::artifactMimeType()};
}

QMimeData *FileTreeModel::mimeData(const QModelIndexList &indexes) const
{
    for (const QModelIndex &index : indexes) {
        const Item *item = itemAt(index);
        if (!item || item->status == Status::Removed || m_stageName.isEmpty())
            continue;
        const QJsonObject payload{{QStringLiteral("stage"), m_stageName},
                                  {QStringLiteral("path"), item->path},
                                  {QStringLiteral("dir"), item->type == EntryType::Directory}};
        auto *mime = new QMimeData;
        mime->setData(StageGraphView::artifactMimeType(),
                      QJsonDocument(payload).toJson(QJsonDocument::Compact));
        mime->setText(item->path);
        return mime;
    }
    return nullptr;
}

Qt::DropActions FileTreeModel::supportedDragActions() const
{
    return Qt::CopyAction;
}

} // namespace stagecraft::ui
