// The build log dock's content: the log lines in a table, a combo box that shows one
// stage's lines only, and a double click that jumps to the step's instruction.
#pragma once

#include <QWidget>

class QComboBox;
class QSortFilterProxyModel;
class QTreeView;

namespace stagecraft::ui {

class BuildLogModel;

class BuildLogView : public QWidget
{
    Q_OBJECT

public:
    explicit BuildLogView(BuildLogModel *model, QWidget *parent = nullptr);

    // The stages the filter offers: index → display name, in order.
    void setStages(const QList<std::pair<int, QString>> &stages);
    // -1: every stage.
    void setStageFilter(int stage);
    int stageFilter() const;

    QComboBox *stageBox() const { return m_stageBox; }
    QTreeView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }

Q_SIGNALS:
    void lineActivated(int sourceLine);

private:
    void applyFilter();

    BuildLogModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QComboBox *m_stageBox;
    QTreeView *m_view;
    bool m_followTail = true;
};

} // namespace stagecraft::ui
