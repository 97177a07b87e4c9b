// The lines of the window's build log: what each stage's steps printed, which steps began,
// were cached or failed, and the output of a run of the built image, with the stage that
// printed each line so the log can be filtered by stage.
#pragma once

#include <QAbstractTableModel>
#include <QList>

namespace stagecraft::ui {

class BuildLogModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { StageColumn, MessageColumn, ColumnCount };
    enum class Kind { Step, Output, Error, Info, Warning };
    // The stage index as text ("" for build-wide lines): an exact-match filter key.
    static constexpr int StageKeyRole = Qt::UserRole + 1;
    static constexpr int KindRole = Qt::UserRole + 2;
    static constexpr int LineRole = Qt::UserRole + 3; // source line of the instruction, 0: none

    explicit BuildLogModel(QObject *parent = nullptr);

    void append(int stage, const QString &stageName, Kind kind, const QString &text, int sourceLine = 0);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString text() const; // every line, "stage | message", for copying and tests

private:
    struct Line
    {
        int stage = -1;
        QString stageName;
        Kind kind = Kind::Output;
        QString text;
        int sourceLine = 0;
    };
    QList<Line> m_lines;
};

} // namespace stagecraft::ui
