#include "ui/buildlogview.h"

#include "ui/buildlogmodel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace stagecraft::ui {

BuildLogView::BuildLogView(BuildLogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_stageBox(new QComboBox)
    , m_view(new QTreeView)
{
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(BuildLogModel::StageKeyRole);
    m_proxy->setFilterKeyColumn(BuildLogModel::StageColumn);

    m_stageBox->setObjectName(QStringLiteral("logStageFilter"));
    m_stageBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_stageBox->setMinimumContentsLength(10);
    m_stageBox->setToolTip(tr("Show the lines of one stage only"));
    setStages({});
    connect(m_stageBox, &QComboBox::currentIndexChanged, this, &BuildLogView::applyFilter);

    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_proxy);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setAllColumnsShowFocus(true);
    m_view->setAccessibleName(tr("Build log"));
    m_view->header()->setStretchLastSection(true);
    m_view->header()->setSectionResizeMode(BuildLogModel::StageColumn, QHeaderView::Interactive);
    m_view->header()->resizeSection(BuildLogModel::StageColumn, 110);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::Monospace);
    m_view->setFont(mono);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const int line = index.data(BuildLogModel::LineRole).toInt();
        if (line > 0)
            Q_EMIT lineActivated(line);
    });
    // New lines scroll the log only while the reader is at its end.
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this,
            [this](int value) { m_followTail = value >= m_view->verticalScrollBar()->maximum(); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_view->scrollToBottom();
    });

    auto *label = new QLabel(tr("S&tage:"));
    label->setBuddy(m_stageBox);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(4, 2, 4, 2);
    top->addWidget(label);
    top->addWidget(m_stageBox);
    top->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
}

void BuildLogView::setStages(const QList<std::pair<int, QString>> &stages)
{
    const int current = stageFilter();
    const QSignalBlocker blocker(m_stageBox);
    m_stageBox->clear();
    m_stageBox->addItem(tr("All stages"), -1);
    for (const auto &[index, name] : stages)
        m_stageBox->addItem(name, index);
    const int found = m_stageBox->findData(current);
    m_stageBox->setCurrentIndex(found < 0 ? 0 : found);
    applyFilter();
}

void BuildLogView::setStageFilter(int stage)
{
    const int found = m_stageBox->findData(stage);
    m_stageBox->setCurrentIndex(found < 0 ? 0 : found);
    applyFilter();
}

int BuildLogView::stageFilter() const
{
    return m_stageBox->count() == 0 ? -1 : m_stageBox->currentData().toInt();
}

void BuildLogView::applyFilter()
{
    const int stage = stageFilter();
    m_proxy->setFilterRegularExpression(stage < 0 ? QRegularExpression()
                                                  : QRegularExpression(QStringLiteral("^%1$").arg(stage)));
}

} // namespace stagecraft::ui
