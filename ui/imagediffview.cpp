#include "ui/imagediffview.h"

#include "ui/eventwait.h"
#include "ui/sizetext.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace stagecraft::ui {

ImageDiffView::ImageDiffView(QWidget *parent)
    : QWidget(parent)
    , m_model(new ImageDiffModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_pool.setMaxThreadCount(1);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ImageDiffModel::SortRole);
    m_proxy->setFilterKeyColumn(ImageDiffModel::PathColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("imageDiffSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_show = new QComboBox(this);
    m_show->setObjectName(QStringLiteral("imageDiffShow"));
    m_show->addItem(tr("All changes"), ImageDiffModel::AllPaths);
    m_show->addItem(tr("Added"), ImageDiffModel::AddedPaths);
    m_show->addItem(tr("Removed"), ImageDiffModel::RemovedPaths);
    m_show->addItem(tr("Changed"), ImageDiffModel::ChangedPaths);
    m_show->addItem(tr("By directory"), ImageDiffModel::Directories);
    m_show->setToolTip(
        tr("Which paths to list; by directory: the directories two levels down whose bytes differ"));
    connect(m_show, &QComboBox::activated, this,
            [this] { m_model->setShow(ImageDiffModel::Show(m_show->currentData().toInt())); });

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("imageDiffFilter"));
    m_filter->setPlaceholderText(tr("Filter paths"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_table = new QTreeView(this);
    m_table->setObjectName(QStringLiteral("imageDiffTable"));
    m_table->setModel(m_proxy);
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true); // tens of thousands of rows stay quick
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(ImageDiffModel::DeltaColumn, Qt::DescendingOrder);
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(ImageDiffModel::PathColumn, QHeaderView::Stretch);
    for (int column = ImageDiffModel::ChangeColumn; column < ImageDiffModel::ColumnCount; ++column)
        m_table->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    connect(m_table, &QTreeView::activated, this, &ImageDiffView::onActivated);
    // The header and a couple of rows: in the window's pane beside the editor the chart
    // above needs the height more (the splitter gives the list more when there is room).
    m_table->setMinimumHeight(m_table->header()->sizeHint().height() + 3 * fontMetrics().height());

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_show);
    bar->addWidget(m_filter, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->addWidget(m_summary);
    layout->addLayout(bar);
    layout->addWidget(m_table, 1);

    clear(tr("Pick two images to see which files differ."));
}

ImageDiffView::~ImageDiffView()
{
    // A worker posts back to this object; none may still run once it is gone.
    m_pool.waitForDone();
}

void ImageDiffView::compare(std::shared_ptr<const ImageAnalysis> left,
                            std::shared_ptr<const ImageAnalysis> right, const QString &leftLabel,
                            const QString &rightLabel)
{
    const quint64 generation = ++m_generation;
    ++m_pending;
    m_message = tr("Comparing the files of %1 and %2…").arg(leftLabel, rightLabel);
    m_model->setDiff(nullptr);
    updateSummary();
    m_pool.start([this, generation, left = std::move(left), right = std::move(right), leftLabel, rightLabel] {
        auto diff = std::make_shared<ImageDiff>();
        diff->left = left;
        diff->right = right;
        diff->leftLabel = leftLabel;
        diff->rightLabel = rightLabel;
        diff->comparison = ImageComparison::compare(*left, *right);
        std::shared_ptr<const ImageDiff> done = std::move(diff);
        // The destructor waits for the pool, so `this` outlives the worker.
        QMetaObject::invokeMethod(
            this, [this, generation, done] { finishCompare(generation, done); }, Qt::QueuedConnection);
    });
}

void ImageDiffView::clear(const QString &message)
{
    ++m_generation; // a comparison still running is no longer wanted
    m_message = message;
    m_model->setDiff(nullptr);
    updateSummary();
}

void ImageDiffView::finishCompare(quint64 generation, const std::shared_ptr<const ImageDiff> &diff)
{
    --m_pending;
    if (generation != m_generation)
        return;
    m_message.clear();
    m_model->setDiff(diff);
    updateSummary();
    Q_EMIT compared();
}

bool ImageDiffView::waitUntilCompared(int timeoutMs)
{
    return processEventsUntil([this] { return m_pending == 0; }, timeoutMs);
}

QString ImageDiffView::summary() const
{
    return summaryParts().join(u' ');
}

QStringList ImageDiffView::summaryParts() const
{
    const auto diff = m_model->diff();
    if (!diff)
        return {m_message};
    const ImageComparison &c = diff->comparison;
    const QLocale locale;
    const qint64 growth = c.growth();
    // The columns say A and B; the sentence says which image each is.
    QString sizes;
    if (growth > 0)
        sizes =
            tr("B (%1) is %2 larger than A (%3)").arg(diff->rightLabel, sizeText(growth), diff->leftLabel);
    else if (growth < 0)
        sizes =
            tr("B (%1) is %2 smaller than A (%3)").arg(diff->rightLabel, sizeText(-growth), diff->leftLabel);
    else
        sizes = tr("B (%1) is as large as A (%2)").arg(diff->rightLabel, diff->leftLabel);
    // The images' sizes count every layer; bytes a later layer removed or overwrote are in
    // no path of either final filesystem, so the rows cannot add up to the difference.
    QString hidden;
    const qint64 filesGrowth = c.rightFilesTotal() - c.leftFilesTotal();
    if (filesGrowth != growth)
        hidden = tr("Their files differ by %1; the other %2 are in layers whose files later layers "
                    "removed or overwrote.")
                     .arg(ImageDiffModel::deltaText(filesGrowth), sizeText(qAbs(growth - filesGrowth)));
    const auto count = [&locale](qsizetype n, const QString &one, const QString &many) {
        return n == 1 ? one : many.arg(locale.toString(qlonglong(n)));
    };
    const qsizetype removed = c.onlyInLeft().size();
    const qsizetype added = c.onlyInRight().size();
    const qsizetype changed = c.changed().size();
    QStringList parts;
    if (removed + added + changed == 0)
        parts << tr("%1; their files are the same.").arg(sizes);
    else
        parts << tr("%1: %2, %3, %4.")
                     .arg(sizes, count(removed, tr("1 path removed"), tr("%1 paths removed")),
                          count(added, tr("1 added"), tr("%1 added")),
                          count(changed, tr("1 changed"), tr("%1 changed")));
    if (!hidden.isEmpty())
        parts << hidden;
    return parts;
}

void ImageDiffView::updateSummary()
{
    // The first sentence on the label, which sits in a narrow pane; all of it as the tooltip.
    const QStringList parts = summaryParts();
    m_summary->setText(parts.value(0));
    m_summary->setToolTip(parts.join(u' '));
    m_show->setEnabled(m_model->diff() != nullptr);
    m_filter->setEnabled(m_model->diff() != nullptr);
}

void ImageDiffView::onActivated(const QModelIndex &index)
{
    const QModelIndex source = m_proxy->mapToSource(index);
    const PathDifference *d = m_model->difference(source.row());
    if (!d)
        return;
    if (d->rightLayer >= 0)
        Q_EMIT layerActivated(1, d->rightLayer);
    else if (d->leftLayer >= 0)
        Q_EMIT layerActivated(0, d->leftLayer);
}

} // namespace stagecraft::ui
