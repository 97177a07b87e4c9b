#include "ui/imagediffmodel.h"

#include "ui/layerschart.h"
#include "ui/sizetext.h"

namespace stagecraft::ui {

ImageDiffModel::ImageDiffModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ImageDiffModel::setDiff(std::shared_ptr<const ImageDiff> diff)
{
    beginResetModel();
    m_diff = std::move(diff);
    rebuild();
    endResetModel();
}

void ImageDiffModel::setShow(Show show)
{
    if (show == m_show)
        return;
    beginResetModel();
    m_show = show;
    rebuild();
    endResetModel();
}

void ImageDiffModel::rebuild()
{
    m_rows.clear();
    if (!m_diff)
        return;
    const ImageComparison &c = m_diff->comparison;
    if (m_show == Directories) {
        m_rows.reserve(c.directories().size());
        for (const PathDifference &d : c.directories())
            m_rows.append({d.leftSize < 0 ? Added : d.rightSize < 0 ? Removed : Changed, &d});
        return;
    }
    const auto add = [this](const QList<PathDifference> &list, Change change) {
        for (const PathDifference &d : list)
            m_rows.append({change, &d});
    };
    if (m_show == AllPaths || m_show == AddedPaths)
        add(c.onlyInRight(), Added);
    if (m_show == AllPaths || m_show == RemovedPaths)
        add(c.onlyInLeft(), Removed);
    if (m_show == AllPaths || m_show == ChangedPaths)
        add(c.changed(), Changed);
}

const PathDifference *ImageDiffModel::difference(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].difference : nullptr;
}

ImageDiffModel::Change ImageDiffModel::change(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].change : Changed;
}

int ImageDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ImageDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ImageDiffModel::deltaText(qint64 delta)
{
    if (delta > 0)
        return u'+' + sizeText(delta);
    if (delta < 0)
        return QChar(0x2212) + sizeText(-delta); // a minus sign, not a hyphen
    return sizeText(0);
}

QString ImageDiffModel::changeText(Change change, quint8 changes)
{
    switch (change) {
    case Added: return tr("added");
    case Removed: return tr("removed");
    case Changed: break;
    }
    QStringList what;
    if (changes & PathChangeType)
        what << tr("type");
    if (changes & PathChangeSize)
        what << tr("size");
    if (changes & PathChangeMode)
        what << tr("mode");
    if (changes & PathChangeOwner)
        what << tr("owner");
    if (changes & PathChangeLink)
        what << tr("link");
    return what.isEmpty() ? tr("changed") : tr("changed (%1)").arg(what.join(tr(", ")));
}

QString ImageDiffModel::layerText(const ImageAnalysis *analysis, int layer) const
{
    if (!analysis || layer < 0 || layer >= analysis->layers().size())
        return QStringLiteral("\u2014");
    return QString::number(layer + 1); // numbered as the Layers table numbers them
}

QString ImageDiffModel::layerToolTip(const ImageAnalysis *analysis, const QString &label, int layer) const
{
    if (!analysis || layer < 0 || layer >= analysis->layers().size())
        return tr("Not in %1").arg(label);
    const LayerReport &report = analysis->layers()[layer];
    return tr("Layer %1 of %2: %3")
        .arg(layer + 1)
        .arg(label, LayersChart::shortInstruction(
                        report.createdBy.isEmpty() ? report.comment : report.createdBy, 200));
}

QVariant ImageDiffModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows[index.row()];
    const PathDifference &d = *row.difference;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case PathColumn: return d.type == EntryType::Directory ? d.path + u'/' : d.path;
        case ChangeColumn: return changeText(row.change, d.changes);
        case LeftSizeColumn: return d.leftSize < 0 ? QStringLiteral("\u2014") : sizeText(d.leftSize);
        case RightSizeColumn: return d.rightSize < 0 ? QStringLiteral("\u2014") : sizeText(d.rightSize);
        case DeltaColumn: return deltaText(d.delta());
        case LeftLayerColumn: return layerText(m_diff->left.get(), d.leftLayer);
        case RightLayerColumn: return layerText(m_diff->right.get(), d.rightLayer);
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (column) {
        case PathColumn: return d.path;
        case LeftSizeColumn:
        case LeftLayerColumn: return layerToolTip(m_diff->left.get(), m_diff->leftLabel, d.leftLayer);
        case RightSizeColumn:
        case RightLayerColumn: return layerToolTip(m_diff->right.get(), m_diff->rightLabel, d.rightLayer);
        default: return {};
        }
    case Qt::TextAlignmentRole:
        if (column == PathColumn || column == ChangeColumn)
            return {};
        return QVariant::fromValue(Qt::Alignment(Qt::AlignRight | Qt::AlignVCenter));
    case SortRole:
        switch (column) {
        case PathColumn: return d.path;
        case ChangeColumn: return int(row.change);
        case LeftSizeColumn: return d.leftSize;
        case RightSizeColumn: return d.rightSize;
        case DeltaColumn: return qAbs(d.delta()); // the size of the change, either way
        case LeftLayerColumn: return d.leftLayer;
        case RightLayerColumn: return d.rightLayer;
        default: return {};
        }
    case ChangeRole: return int(row.change);
    case DeltaRole: return d.delta();
    case LeftLayerRole: return d.leftLayer;
    case RightLayerRole: return d.rightLayer;
    default: return {};
    }
}

QVariant ImageDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    const QString left = m_diff ? m_diff->leftLabel : tr("the first image");
    const QString right = m_diff ? m_diff->rightLabel : tr("the second image");
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case LeftSizeColumn:
            return tr("Uncompressed bytes in A (%1); a directory's are everything below it").arg(left);
        case RightSizeColumn: return tr("Uncompressed bytes in B (%1)").arg(right);
        case DeltaColumn: return tr("B minus A; sorted by the size of the change");
        case LeftLayerColumn: return tr("The layer of A (%1) that last wrote the path").arg(left);
        case RightLayerColumn: return tr("The layer of B (%1) that last wrote the path").arg(right);
        default: return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn: return tr("Path");
    case ChangeColumn: return tr("Change");
    case LeftSizeColumn: return tr("Size A");
    case RightSizeColumn: return tr("Size B");
    case DeltaColumn: return tr("Delta");
    case LeftLayerColumn: return tr("Layer A");
    case RightLayerColumn: return tr("Layer B");
    default: return {};
    }
}

} // namespace stagecraft::ui
