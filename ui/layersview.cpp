#include "ui/layersview.h"

#include "core/analysis/bytesize.h"
#include "core/analysis/imagesource.h"
#include "core/store/imagestore.h"
#include "ui/eventwait.h"
#include "ui/imagediffview.h"
#include "ui/layerschart.h"
#include "ui/pullsize.h"
#include "ui/sizetext.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTabBar>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <cmath>

namespace stagecraft::ui {

namespace {

constexpr int ImageRole = Qt::UserRole + 1;
constexpr int LayerRole = Qt::UserRole + 2;

enum Column { ImageColumn, LayerColumn, InstructionColumn, SizeColumn, CompressedColumn, ColumnCount };

QString ratioText(double ratio)
{
    // In the reader's number format, like the sizes beside it ("1,6×" in German).
    const QLocale locale;
    return ratio >= 10 ? locale.toString(qlonglong(std::llround(ratio))) : locale.toString(ratio, 'f', 1);
}

} // namespace

// What a worker hands back: an image ready to draw, or why it could not be opened.
struct LayersView::Loaded
{
    QString argument;
    std::optional<ChartImage> image;
    std::shared_ptr<const ImageAnalysis> analysis; // for the file comparison
    QString error;
};

LayersView::LayersView(QWidget *parent)
    : QWidget(parent)
{
    m_pool.setMaxThreadCount(2);

    m_leftBox = new QComboBox(this);
    m_leftBox->setObjectName(QStringLiteral("layersLeftPicker"));
    m_rightBox = new QComboBox(this);
    m_rightBox->setObjectName(QStringLiteral("layersRightPicker"));
    for (QComboBox *box : {m_leftBox, m_rightBox}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(8); // long references elide; the pane stays narrow
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        connect(box, &QComboBox::activated, this, &LayersView::pickersChanged);
    }

    m_lastBuildsButton = new QToolButton(this);
    m_lastBuildsButton->setObjectName(QStringLiteral("layersLastBuilds"));
    m_lastBuildsButton->setText(tr("Last two builds"));
    m_lastBuildsButton->setToolTip(tr("Compare the two images built last, and follow new builds"));
    m_lastBuildsButton->setCheckable(true);
    m_lastBuildsButton->setChecked(true);
    connect(m_lastBuildsButton, &QToolButton::toggled, this, &LayersView::setFollowsBuilds);

    m_openButton = new QToolButton(this);
    m_openButton->setObjectName(QStringLiteral("layersOpen"));
    m_openButton->setText(tr("Open"));
    m_openButton->setPopupMode(QToolButton::InstantPopup);
    auto *openMenu = new QMenu(m_openButton);
    openMenu->addAction(tr("Open Tarball…"), this, [this] { openFileInteractive(false); });
    openMenu->addAction(tr("Open OCI Directory…"), this, [this] { openFileInteractive(true); });
    m_openButton->setMenu(openMenu);

    // A toggle button like "Last two builds" beside it: a check box's outline vanished on
    // the dark theme.
    m_logBox = new QToolButton(this);
    m_logBox->setText(tr("Log scale"));
    m_logBox->setCheckable(true);
    m_logBox->setObjectName(QStringLiteral("layersLogScale"));
    m_logBox->setToolTip(
        tr("Bar heights on a logarithmic scale, so a small image stays visible next to a big one"));

    m_exportButton = new QToolButton(this);
    m_exportButton->setObjectName(QStringLiteral("layersExport"));
    m_exportButton->setText(tr("Export PNG…"));
    connect(m_exportButton, &QToolButton::clicked, this, &LayersView::exportInteractive);

    auto *pickers = new QHBoxLayout;
    pickers->addWidget(new QLabel(tr("Compare"), this));
    pickers->addWidget(m_leftBox, 1);
    pickers->addWidget(new QLabel(tr("with"), this));
    pickers->addWidget(m_rightBox, 1);
    // The buttons get a row of their own: in one row with the pickers the view needed
    // about 880 pixels (970 in German) and squeezed the editor of a 1024-pixel window.
    // The scale choice sits beside the status line, not in this row: all four in one row
    // needed 470 pixels in German, more than the pane has beside the editor at 1024×768.
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_lastBuildsButton);
    buttons->addWidget(m_openButton);
    buttons->addStretch(1);
    buttons->addWidget(m_exportButton);

    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("layersHeadline"));
    QFont big = m_headline->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    m_headline->setFont(big);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_headline->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_headline->setWordWrap(true); // a long headline wraps rather than widening the pane

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("layersStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A digest is one long word that wrapping cannot break; it must not widen the pane.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_chart = new LayersChart(this);
    connect(m_chart, &LayersChart::segmentClicked, this, &LayersView::onSegmentClicked);
    connect(m_logBox, &QToolButton::toggled, m_chart, &LayersChart::setLogScale);

    m_model = new QStandardItemModel(0, ColumnCount, this);
    m_model->setHorizontalHeaderLabels(
        {tr("Image"), tr("Layer"), tr("Instruction"), tr("Size (uncompressed)"), tr("Blob (as stored)")});
    m_table = new QTreeView(this);
    m_table->setObjectName(QStringLiteral("layersTable"));
    m_table->setModel(m_model);
    m_table->setRootIsDecorated(false);
    m_table->setUniformRowHeights(true);
    m_table->setAlternatingRowColors(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->header()->setStretchLastSection(false);
    m_table->header()->setSectionResizeMode(InstructionColumn, QHeaderView::Stretch);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (!m_updatingTable && current.isValid())
                    onTableRowActivated(current.row());
            });

    m_diff = new ImageDiffView(this);
    m_diff->setObjectName(QStringLiteral("imageDiffView"));
    connect(m_diff, &ImageDiffView::layerActivated, this, [this](int image, int layer) {
        m_chart->setSelectedLayer(image, layer);
        onSegmentClicked(image, layer);
    });
    // The file changes and the layer table share the space below the chart: both as rows
    // under it left the chart too little height at 1024×768.
    m_details = new QTabWidget(this);
    m_details->setObjectName(QStringLiteral("layersDetails"));
    m_details->setDocumentMode(true);
    m_details->addTab(m_diff, tr("Changed files"));
    m_details->addTab(m_table, tr("Layers"));
    connect(m_details->tabBar(), &QTabBar::tabBarClicked, this, [this] { m_userPickedTab = true; });

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_chart);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    // Scaled to the splitter's height: three fifths for the chart, whose axis title elides
    // below about 250 pixels, the rest for the list below it.
    splitter->setSizes({600, 400});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(pickers);
    layout->addLayout(buttons);
    auto *statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_diff->summaryLabel(), 1); // in place of the status for two images
    statusRow->addStretch(0);                        // keeps the toggle at the right while both are hidden
    statusRow->addWidget(m_logBox, 0, Qt::AlignTop);
    layout->addWidget(m_headline);
    layout->addLayout(statusRow);
    layout->addWidget(splitter, 1);

    m_status->setText(tr("Build an image, pick two from the store or open a tarball to compare layers."));
}

LayersView::~LayersView()
{
    // Workers post back to this object; none may still run once it is gone.
    m_cancel.cancel();
    m_pool.waitForDone();
}

void LayersView::setStoreRoot(const QString &storeRoot)
{
    m_storeRoot = storeRoot;
    refreshPickers();
}

void LayersView::compare(const QStringList &arguments)
{
    setFollowsBuilds(false);
    startLoad(arguments);
}

void LayersView::addBuiltImage(const QString &reference, const QString &label)
{
    m_builds.removeIf([&](const QPair<QString, QString> &b) { return b.first == reference; });
    m_builds.append({reference, label});
    refreshPickers();
    if (m_followBuilds)
        setFollowsBuilds(true); // reloads the last two
}

void LayersView::setFollowsBuilds(bool follow)
{
    m_followBuilds = follow;
    if (m_lastBuildsButton->isChecked() != follow) {
        const QSignalBlocker blocker(m_lastBuildsButton);
        m_lastBuildsButton->setChecked(follow);
    }
    if (!follow || m_builds.isEmpty())
        return;
    QStringList last;
    for (qsizetype i = std::max<qsizetype>(0, m_builds.size() - 2); i < m_builds.size(); ++i)
        last << m_builds[i].first;
    if (last != m_arguments || !m_errors.isEmpty())
        startLoad(last);
}

void LayersView::setLogScale(bool log)
{
    m_logBox->setChecked(log);
}

void LayersView::startLoad(const QStringList &arguments)
{
    m_cancel.cancel();
    m_cancel = CancellationToken();
    const quint64 generation = ++m_generation;
    m_arguments = arguments;
    m_errors.clear();
    m_results = QList<std::shared_ptr<const Loaded>>(arguments.size());
    m_pending = int(arguments.size());
    setPickers(arguments);
    m_status->setText(arguments.isEmpty() ? QString() : tr("Loading %1…").arg(arguments.join(tr(", "))));
    if (arguments.isEmpty()) {
        showLoaded();
        return;
    }
    const QString root = m_storeRoot;
    const CancellationToken cancel = m_cancel;
    for (int slot = 0; slot < arguments.size(); ++slot) {
        const QString argument = arguments[slot];
        m_pool.start([this, generation, slot, argument, root, cancel] {
            auto result = std::make_shared<Loaded>();
            result->argument = argument;
            // Only an existing store is used: opening one creates it, which merely
            // looking at a tarball should not do.
            std::optional<ImageStore> store;
            if (!root.isEmpty() && QFileInfo(root).isDir()) {
                auto opened = ImageStore::open(root);
                if (opened)
                    store.emplace(std::move(*opened));
            }
            auto opened = ImageSource::analyse(argument, store ? &*store : nullptr, {}, true, cancel);
            if (!opened) {
                result->error = opened.error().message;
            } else {
                ChartImage image;
                image.argument = argument;
                image.label = opened->label;
                image.totalSize = opened->analysis->totalSize();
                image.pullSize = pullSize(*opened).value_or(-1);
                for (const LayerReport &report : opened->analysis->layers())
                    image.layers.append({report.index, report.createdBy, report.size, report.compressedSize});
                result->image = std::move(image);
                result->analysis = opened->analysis;
            }
            // The destructor waits for the pool, so `this` outlives the worker; a posted
            // call left over after the object is gone is dropped by Qt.
            QMetaObject::invokeMethod(
                this, [this, generation, slot, result] { finishOne(generation, slot, result); },
                Qt::QueuedConnection);
        });
    }
}

void LayersView::finishOne(quint64 generation, int slot, const std::shared_ptr<const Loaded> &result)
{
    if (generation != m_generation)
        return; // a newer comparison replaced this one
    m_results[slot] = result;
    if (--m_pending == 0)
        showLoaded();
}

void LayersView::showLoaded()
{
    QList<ChartImage> images;
    QList<std::shared_ptr<const ImageAnalysis>> analyses;
    m_errors.clear();
    for (const auto &result : std::as_const(m_results)) {
        if (!result)
            continue;
        if (result->image) {
            ChartImage image = *result->image;
            // A built image is named as its build ("Build 2 (app)"), not by its digest.
            for (const auto &[reference, label] : std::as_const(m_builds))
                if (reference == image.argument)
                    image.label = label;
            images.append(image);
            analyses.append(result->analysis);
        } else
            m_errors.append(tr("Cannot open %1: %2").arg(result->argument, result->error));
    }
    m_chart->setImages(images);
    if (images.size() == 2) {
        m_diff->compare(analyses[0], analyses[1], images[0].label, images[1].label);
        if (!m_userPickedTab)
            m_details->setCurrentWidget(m_diff);
    } else {
        m_diff->clear(tr("Pick two images to see which files differ."));
        if (!m_userPickedTab)
            m_details->setCurrentWidget(m_table);
    }

    m_updatingTable = true; // rebuilding the rows is no choice of a layer
    m_model->removeRows(0, m_model->rowCount());
    for (int i = 0; i < images.size(); ++i) {
        const ChartImage &image = images[i];
        for (int l = 0; l < image.layers.size(); ++l) {
            const ChartLayer &layer = image.layers[l];
            QList<QStandardItem *> row;
            row << new QStandardItem(image.label) << new QStandardItem(QString::number(layer.index + 1))
                << new QStandardItem(LayersChart::shortInstruction(layer.createdBy, 200))
                << new QStandardItem(sizeText(layer.size))
                << new QStandardItem(layer.compressedSize > 0 ? sizeText(layer.compressedSize)
                                                              : QStringLiteral("\u2014"));
            row[InstructionColumn]->setToolTip(layer.createdBy);
            row[LayerColumn]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row[SizeColumn]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row[SizeColumn]->setData(layer.size, Qt::UserRole);
            row[CompressedColumn]->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            row[CompressedColumn]->setData(layer.compressedSize, Qt::UserRole);
            row[CompressedColumn]->setToolTip(
                tr("The layer's blob as the image stores it: compressed in registry, OCI and store images "
                   "(what a pull downloads), plain tar in a docker save tarball"));
            for (QStandardItem *item : row) {
                item->setData(i, ImageRole);
                item->setData(l, LayerRole);
            }
            m_model->appendRow(row);
        }
    }
    m_updatingTable = false;
    m_table->resizeColumnToContents(ImageColumn);
    m_table->resizeColumnToContents(LayerColumn);
    m_table->resizeColumnToContents(SizeColumn);
    m_table->resizeColumnToContents(CompressedColumn);

    m_headline->setText(headline());
    if (!m_errors.isEmpty())
        m_status->setText(m_errors.join(QLatin1Char('\n')));
    else if (images.isEmpty())
        m_status->setText(tr("Build an image, pick two from the store or open a tarball to compare layers."));
    else if (images.size() == 2)
        // The file changes' summary takes its place: both, wrapped beside the editor, pushed
        // the list out of a 1024×768 window's pane.
        m_status->clear();
    else
        m_status->setText(tr("Click a segment or a row to find the instruction that made the layer."));
    m_status->setVisible(!m_status->text().isEmpty());
    m_diff->summaryLabel()->setVisible(images.size() == 2);
    refreshPickers();
    Q_EMIT loaded();
}

QString LayersView::headline() const
{
    const QList<ChartImage> &images = m_chart->images();
    if (images.isEmpty())
        return {};
    const QString sizes = sizesHeadline();
    if (images.size() > 2)
        return sizes; // each image's pull size is in its part already
    // The pull size is a second figure, named as such, beside the uncompressed one that
    // `docker images` shows: the two differ by the compression ratio.
    QString pull;
    if (images.size() == 1 && images[0].pullSize >= 0)
        pull = pullSizeText(images[0].pullSize);
    else if (images.size() == 2 && images[0].pullSize >= 0 && images[1].pullSize >= 0)
        pull = tr("pull size %1 vs %2 (compressed)")
                   .arg(sizeText(images[0].pullSize), sizeText(images[1].pullSize));
    else if (images.size() == 2)
        for (const ChartImage &image : images)
            if (image.pullSize >= 0)
                pull = tr("%1: %2").arg(image.label, pullSizeText(image.pullSize));
    return pull.isEmpty() ? sizes : sizes + u'\n' + pull;
}

QString LayersView::sizesHeadline() const
{
    const QList<ChartImage> &images = m_chart->images();
    if (images.size() == 1) {
        const QString size = sizeText(images[0].totalSize);
        return images[0].layers.size() == 1
                   ? tr("%1: %2 in 1 layer").arg(images[0].label, size)
                   : tr("%1: %2 in %3 layers").arg(images[0].label, size).arg(images[0].layers.size());
    }
    if (images.size() == 2) {
        const qint64 left = images[0].totalSize;
        const qint64 right = images[1].totalSize;
        const QString sizes = tr("%1 vs %2").arg(sizeText(left), sizeText(right));
        if (left == right)
            return tr("%1 — the same size").arg(sizes);
        if (left <= 0 || right <= 0)
            return tr("%1 — one image holds no bytes").arg(sizes);
        const double ratio = double(qMax(left, right)) / double(qMin(left, right));
        // Within 5 % a ratio reads "1.0× smaller": the bytes say how much instead.
        if (ratio < 1.05)
            return right < left ? tr("%1 — %2 smaller").arg(sizes, sizeText(left - right))
                                : tr("%1 — %2 larger").arg(sizes, sizeText(right - left));
        if (right < left)
            return tr("%1 — %2× smaller").arg(sizes, ratioText(ratio));
        return tr("%1 — %2× larger").arg(sizes, ratioText(ratio));
    }
    QStringList parts;
    for (const ChartImage &image : images)
        parts << (image.pullSize >= 0
                      ? tr("%1 %2, %3")
                            .arg(image.label, sizeText(image.totalSize), pullSizeText(image.pullSize))
                      : tr("%1 %2").arg(image.label, sizeText(image.totalSize)));
    return parts.join(QStringLiteral(" · "));
}

bool LayersView::isLoading() const
{
    return m_pending > 0 || m_diff->isComparing();
}

bool LayersView::waitUntilLoaded(int timeoutMs)
{
    return processEventsUntil([this] { return !isLoading(); }, timeoutMs);
}

void LayersView::refreshPickers()
{
    const QSignalBlocker leftBlocker(m_leftBox);
    const QSignalBlocker rightBlocker(m_rightBox);
    m_updatingPickers = true;
    m_leftBox->clear();
    m_rightBox->clear();
    for (auto it = m_builds.crbegin(); it != m_builds.crend(); ++it)
        addPickerItem(it->first, tr("%1 (built)").arg(it->second.isEmpty() ? it->first : it->second));
    if (!m_storeRoot.isEmpty() && QFileInfo(m_storeRoot).isDir()) {
        if (auto store = ImageStore::open(m_storeRoot)) {
            if (auto references = store->references()) {
                for (auto it = references->cbegin(); it != references->cend(); ++it)
                    addPickerItem(it.key(), it.key());
            }
        }
    }
    for (const QString &path : std::as_const(m_opened))
        addPickerItem(path, QDir::toNativeSeparators(path));
    for (const QString &argument : std::as_const(m_arguments))
        addPickerItem(argument, argument);
    m_updatingPickers = false;
    setPickers(m_arguments);
}

void LayersView::addPickerItem(const QString &argument, const QString &text)
{
    for (QComboBox *box : {m_leftBox, m_rightBox})
        if (box->findData(argument) < 0)
            box->addItem(text, argument);
}

void LayersView::setPickers(const QStringList &arguments)
{
    const QSignalBlocker leftBlocker(m_leftBox);
    const QSignalBlocker rightBlocker(m_rightBox);
    for (const QString &argument : arguments)
        addPickerItem(argument, argument);
    m_leftBox->setCurrentIndex(arguments.size() > 0 ? m_leftBox->findData(arguments[0]) : -1);
    m_rightBox->setCurrentIndex(arguments.size() > 1 ? m_rightBox->findData(arguments[1]) : -1);
}

void LayersView::pickersChanged()
{
    if (m_updatingPickers)
        return;
    QStringList chosen;
    for (QComboBox *box : {m_leftBox, m_rightBox})
        if (box->currentIndex() >= 0)
            chosen << box->currentData().toString();
    if (chosen.isEmpty() || chosen == m_arguments)
        return;
    compare(chosen);
}

void LayersView::openFileInteractive(bool directory)
{
    const QString path =
        directory ? QFileDialog::getExistingDirectory(this, tr("Open OCI Image Layout"))
                  : QFileDialog::getOpenFileName(this, tr("Open Image Tarball"), QString(),
                                                 tr("Image tarballs (*.tar *.docker.tar);;All files (*)"));
    if (path.isEmpty())
        return;
    if (!m_opened.contains(path))
        m_opened.append(path);
    // The new image goes on the right, next to what was there before (or alone).
    QStringList chosen;
    if (!m_arguments.isEmpty())
        chosen << m_arguments.first();
    chosen << path;
    compare(chosen);
}

bool LayersView::exportPng(const QString &path, QString *error)
{
    // A slide, not a screenshot of the pane: full HD with the headline and a legend.
    const QImage picture = m_chart->renderForSlides(headline());
    if (picture.isNull() || !picture.save(path, "PNG")) {
        if (error)
            *error = tr("Cannot write the chart to %1.").arg(QDir::toNativeSeparators(path));
        return false;
    }
    return true;
}

void LayersView::exportInteractive()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Chart"), QStringLiteral("layers.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportPng(path, &error))
        m_status->setText(error);
}

void LayersView::selectLayer(const QString &argument, int layerIndex)
{
    const QList<ChartImage> &images = m_chart->images();
    for (int i = 0; i < images.size(); ++i) {
        if (images[i].argument != argument)
            continue;
        m_chart->setSelectedLayer(i, layerIndex);
        selectTableRow(m_chart->selectedImage(), m_chart->selectedLayer());
        return;
    }
}

void LayersView::selectTableRow(int image, int layer)
{
    m_updatingTable = true;
    QModelIndex found;
    for (int row = 0; row < m_model->rowCount() && image >= 0; ++row) {
        const QModelIndex index = m_model->index(row, 0);
        if (index.data(ImageRole).toInt() == image && index.data(LayerRole).toInt() == layer) {
            found = index;
            break;
        }
    }
    if (found.isValid()) {
        m_table->selectionModel()->setCurrentIndex(found, QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
        m_table->scrollTo(found);
    } else {
        m_table->selectionModel()->clear();
    }
    m_updatingTable = false;
}

void LayersView::onSegmentClicked(int image, int layer)
{
    selectTableRow(image, layer);
    activate(image, layer);
}

void LayersView::onTableRowActivated(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    const int image = index.data(ImageRole).toInt();
    const int layer = index.data(LayerRole).toInt();
    m_chart->setSelectedLayer(image, layer);
    activate(image, layer);
}

void LayersView::activate(int image, int layer)
{
    const QList<ChartImage> &images = m_chart->images();
    if (image < 0 || image >= images.size() || layer < 0 || layer >= images[image].layers.size())
        return;
    const ChartLayer &l = images[image].layers[layer];
    Q_EMIT layerActivated(images[image].argument, l.index, l.createdBy);
}

} // namespace stagecraft::ui
