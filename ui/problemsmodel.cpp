#include "ui/problemsmodel.h"

#include <QApplication>
#include <QIcon>
#include <QStyle>

namespace stagecraft::ui {

ProblemsModel::ProblemsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void ProblemsModel::setDiagnostics(const Diagnostics &diagnostics)
{
    if (diagnostics == m_diagnostics)
        return; // keeps the view's selection while typing produces the same problems
    beginResetModel();
    m_diagnostics = diagnostics;
    endResetModel();
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_diagnostics.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Diagnostic &d = m_diagnostics.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case MessageColumn: return d.message;
        case LocationColumn:
            return d.range.isValid()
                       ? tr("Line %1, column %2").arg(d.range.start.line).arg(d.range.start.column)
                       : QString();
        case RuleColumn: return d.rule;
        }
        return {};
    case Qt::ToolTipRole: return d.url.isEmpty() ? d.message : d.message + QLatin1Char('\n') + d.url;
    case Qt::DecorationRole:
        if (index.column() != MessageColumn || !qApp)
            return {};
        switch (d.severity) {
        case Severity::Error: return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
        case Severity::Warning: return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        case Severity::Info: return QApplication::style()->standardIcon(QStyle::SP_MessageBoxInformation);
        }
        return {};
    case LineRole: return d.range.start.line;
    case ColumnRole: return d.range.start.column;
    case SeverityRole: return int(d.severity);
    default: return {};
    }
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case MessageColumn: return tr("Problem");
    case LocationColumn: return tr("Location");
    case RuleColumn: return tr("Rule");
    }
    return {};
}

} // namespace stagecraft::ui
