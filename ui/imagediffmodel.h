// The compare view's file changes as a table: the paths only in the right image
// (added), only in the left (removed) and in both but different (changed), or the
// directories whose bytes differ, each with both sizes, the delta and the layer of each
// image that wrote it. Wraps an immutable ImageComparison made on a worker thread;
// data() only reads it. A QSortFilterProxyModel sorts (SortRole) and filters by path.
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagecomparison.h"

#include <QAbstractTableModel>
#include <QList>

#include <memory>

namespace stagecraft::ui {

// Two analysed images and what differs between them, handed from the worker as one value.
struct ImageDiff
{
    std::shared_ptr<const ImageAnalysis> left;
    std::shared_ptr<const ImageAnalysis> right;
    QString leftLabel;
    QString rightLabel;
    ImageComparison comparison;
};

class ImageDiffModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column {
        PathColumn,
        ChangeColumn,
        LeftSizeColumn,
        RightSizeColumn,
        DeltaColumn,
        LeftLayerColumn,
        RightLayerColumn,
        ColumnCount
    };
    enum Change { Added, Removed, Changed };
    enum Role {
        SortRole = Qt::UserRole + 1, // path, change, bytes, the delta's size, layer
        ChangeRole,
        DeltaRole,      // the signed delta (right minus left)
        LeftLayerRole,  // the layer index in the left image, -1: absent there
        RightLayerRole, // the same in the right image
    };
    // Which rows are shown: every path, one kind, or the directories.
    enum Show { AllPaths, AddedPaths, RemovedPaths, ChangedPaths, Directories };

    explicit ImageDiffModel(QObject *parent = nullptr);

    void setDiff(std::shared_ptr<const ImageDiff> diff);
    std::shared_ptr<const ImageDiff> diff() const { return m_diff; }
    void setShow(Show show);
    Show show() const { return m_show; }

    // The row's path difference (for tests and activation); null for a bad row.
    const PathDifference *difference(int row) const;
    Change change(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString changeText(Change change, quint8 changes);
    static QString deltaText(qint64 delta); // "+3 B", "−1,1 MB" (a minus sign)

private:
    struct Row
    {
        Change change;
        const PathDifference *difference; // into m_diff's comparison, which outlives the row
    };
    void rebuild();
    QString layerText(const ImageAnalysis *analysis, int layer) const;
    QString layerToolTip(const ImageAnalysis *analysis, const QString &label, int layer) const;

    std::shared_ptr<const ImageDiff> m_diff;
    Show m_show = AllPaths;
    QList<Row> m_rows;
};

} // namespace stagecraft::ui
