#include "ui/buildlogmodel.h"

#include "ui/theme.h"

#include <QApplication>
#include <QColor>
#include <QFont>
#include <QPalette>

namespace stagecraft::ui {

BuildLogModel::BuildLogModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void BuildLogModel::append(int stage, const QString &stageName, Kind kind, const QString &text,
                           int sourceLine)
{
    const int row = int(m_lines.size());
    beginInsertRows({}, row, row);
    m_lines.append({stage, stageName, kind, text, sourceLine});
    endInsertRows();
}

void BuildLogModel::clear()
{
    if (m_lines.isEmpty())
        return;
    beginResetModel();
    m_lines.clear();
    endResetModel();
}

int BuildLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_lines.size());
}

int BuildLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant BuildLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Line &line = m_lines.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        if (index.column() == StageColumn)
            return line.stageName;
        return line.text;
    case StageKeyRole: return line.stage < 0 ? QString() : QString::number(line.stage);
    case KindRole: return int(line.kind);
    case LineRole: return line.sourceLine;
    case Qt::FontRole:
        if (line.kind == Kind::Step) {
            QFont bold = QApplication::font();
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ForegroundRole:
        if (line.kind == Kind::Error)
            return Theme::isDark(QApplication::palette()) ? QColor(0xff, 0x8a, 0x80)
                                                          : QColor(0xb0, 0x1c, 0x1c);
        if (line.kind == Kind::Warning)
            return Theme::isDark(QApplication::palette()) ? QColor(0xe3, 0xb3, 0x41)
                                                          : QColor(0x9a, 0x67, 0x00);
        if (line.kind == Kind::Info || index.column() == StageColumn) {
            QColor dim = QApplication::palette().color(QPalette::Text);
            dim.setAlphaF(0.65f);
            return dim;
        }
        return {};
    default: return {};
    }
}

QVariant BuildLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == StageColumn ? tr("Stage") : tr("Message");
}

QString BuildLogModel::text() const
{
    QStringList lines;
    for (const Line &line : m_lines)
        lines.append(line.stageName + QStringLiteral(" | ") + line.text);
    return lines.join(QLatin1Char('\n'));
}

} // namespace stagecraft::ui
