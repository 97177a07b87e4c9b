// The Files view's model: an immutable snapshot of a merged file tree after some layer,
// with that layer's added, modified and removed paths marked (removed ones still listed)
// and the image's wasted space, built off the GUI thread and swapped in at once.
#pragma once

#include "core/analysis/filetree.h"
#include "core/analysis/imageanalysis.h"

#include <QAbstractItemModel>

#include <memory>

namespace stagecraft::ui {

class FileTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, SizeColumn, WastedColumn, ModeColumn, OwnerColumn, ColumnCount };
    enum class Status { Unchanged, Added, Modified, Removed };
    enum Role {
        StatusRole = Qt::UserRole + 1, // int(Status)
        PathRole,                      // absolute path
        SortRole,                      // what the proxy sorts a column by (sizes as numbers)
        IsDirectoryRole,
        WastedRole,      // wasted bytes (a directory: the sum below it)
        LayerRole,       // the layer that last wrote the path, -1 for removed entries
        ReclaimableRole, // the wasted bytes without the version the image keeps (a directory: the sum)
    };

    // The help text: how the wasted and reclaimable figures are counted.
    static QString wasteFormula();

    struct Item
    {
        QString name; // shown: the last component, or the whole path in the flat list
        QString path;
        QString linkTarget;
        qint64 size = 0; // a directory's is everything below it
        qint64 wasted = 0;
        qint64 reclaimable = 0;
        qint64 uid = 0;
        qint64 gid = 0;
        quint32 mode = 0;
        EntryType type = EntryType::File;
        int layer = -1;
        Status status = Status::Unchanged;
        int parent = -1;
        int row = 0; // position among the parent's children
        QList<int> children;
    };

    struct Options
    {
        bool onlyChanges = false;  // keep changed paths and the directories leading to them
        bool largestFiles = false; // a flat list of the largest regular files instead of the tree
        int largestCount = 100;
    };

    // items[0] is the invisible root.
    struct Snapshot
    {
        QList<Item> items;
        int fileCount = 0; // regular files in the tree (removed ones not counted)
    };

    // Pure; safe on any thread. `diff` may be null (nothing marked).
    static std::shared_ptr<const Snapshot> buildSnapshot(const FileTree &tree, const LayerDiff *diff,
                                                         const QList<InefficientFile> &waste,
                                                         const Options &options);

    explicit FileTreeModel(QObject *parent = nullptr);
    ~FileTreeModel() override;

    // Swaps the content in one reset. `stageName` is what drags carry as their source.
    void setSnapshot(std::shared_ptr<const Snapshot> snapshot, const QString &stageName);
    const Snapshot *snapshot() const { return m_snapshot.get(); }
    QString stageName() const { return m_stageName; }
    QModelIndex indexForPath(const QString &path) const; // first item with that path, or invalid

    static QString modeString(EntryType type, quint32 mode); // "drwxr-xr-x"

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;

private:
    const Item *itemAt(const QModelIndex &index) const;
    QString statusText(const Item &item) const;

    std::shared_ptr<const Snapshot> m_snapshot;
    QHash<QString, int> m_byPath; // path -> item id
    QString m_stageName;
};

} // namespace stagecraft::ui
