// The Problems list: one row per diagnostic of the current analysis (severity icon,
// message, line:column, rule). Wraps an immutable snapshot; reset on every analysis.
#pragma once

#include "core/common/diagnostic.h"

#include <QAbstractTableModel>

namespace stagecraft::ui {

class ProblemsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { MessageColumn, LocationColumn, RuleColumn, ColumnCount };
    enum Role { LineRole = Qt::UserRole + 1, ColumnRole, SeverityRole };

    explicit ProblemsModel(QObject *parent = nullptr);

    void setDiagnostics(const Diagnostics &diagnostics);
    const Diagnostics &diagnostics() const { return m_diagnostics; }
    const Diagnostic &diagnosticAt(const QModelIndex &index) const { return m_diagnostics.at(index.row()); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    Diagnostics m_diagnostics;
};

} // namespace stagecraft::ui
