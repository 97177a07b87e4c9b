#include "ui/treemapview.h"

#include "core/analysis/imagesource.h"
#include "core/analysis/packagesizes.h"
#include "core/store/imagestore.h"
#include "ui/eventwait.h"
#include "ui/filesview.h"
#include "ui/layersview.h"
#include "ui/pullsize.h"
#include "ui/sizetext.h"
#include "ui/treemapcanvas.h"
#include "ui/treemapmodel.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace stagecraft::ui {

TreemapView::TreemapView(QWidget *parent)
    : QWidget(parent)
    , m_model(new TreemapModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    m_pool.setMaxThreadCount(1);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(TreemapModel::SortRole);

    m_up = new QToolButton;
    m_up->setObjectName(QStringLiteral("treemapUp"));
    m_up->setText(tr("Up"));
    m_up->setToolTip(tr("Back to the level above"));
    m_up->setIcon(style()->standardIcon(QStyle::SP_ArrowUp));
    m_up->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_crumbs = new QLabel;
    m_crumbs->setObjectName(QStringLiteral("treemapCrumbs"));
    m_crumbs->setTextInteractionFlags(Qt::LinksAccessibleByMouse);
    m_group = new QCheckBox(tr("Group by package"));
    m_group->setObjectName(QStringLiteral("treemapGroup"));
    m_group->setToolTip(tr("Bytes by installed package (dpkg, apk, Python, node), read from the "
                           "package databases in the image; each file counts for one package"));
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("treemapStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Wrapped, so a long line (a German one, or an image's path) never widens the pane.
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_up);
    bar->addWidget(m_crumbs, 1);
    bar->addWidget(m_group);

    m_legend = new QWidget;
    m_legendLayout = new QHBoxLayout(m_legend);
    m_legendLayout->setContentsMargins(0, 0, 0, 0);
    m_legendLayout->setSpacing(2);

    m_canvas = new TreemapCanvas(m_model);
    m_canvas->setObjectName(QStringLiteral("treemapCanvas"));
    m_list = new QTreeView;
    m_list->setObjectName(QStringLiteral("treemapList"));
    m_list->setModel(m_proxy);
    m_list->setRootIsDecorated(false);
    m_list->setUniformRowHeights(true);
    m_list->setSortingEnabled(true);
    m_list->sortByColumn(TreemapModel::SizeColumn, Qt::DescendingOrder);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(TreemapModel::NameColumn, QHeaderView::Stretch);
    m_list->setColumnHidden(TreemapModel::LineColumn, true); // until packages have lines

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_canvas);
    splitter->addWidget(m_list);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_legend);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);

    connect(m_up, &QToolButton::clicked, m_model, &TreemapModel::goUp);
    connect(m_crumbs, &QLabel::linkActivated, this,
            [this](const QString &link) { m_model->goToCrumb(link.toInt()); });
    connect(m_canvas, &TreemapCanvas::itemClicked, this, &TreemapView::drill);
    connect(m_list, &QTreeView::activated, this,
            [this](const QModelIndex &index) { activateRow(m_proxy->mapToSource(index).row()); });
    connect(m_group, &QCheckBox::toggled, this, &TreemapView::setGroupByPackage);
    connect(m_model, &TreemapModel::levelChanged, this, &TreemapView::updateLevel);
    updateLevel();
}

TreemapView::~TreemapView()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

TreemapView *TreemapView::attach(QTabWidget *views, FilesView *files, LayersView *layers)
{
    auto *view = new TreemapView;
    view->setObjectName(QStringLiteral("treemapView"));
    views->addTab(view, tr("Bytes"));
    // The Files view already resolved the image; the analysis cache makes the second open cheap.
    connect(files, &FilesView::loaded, view, [view, files] {
        if (files->errorText().isEmpty() && files->argument() != view->argument()) {
            view->setStoreRoot(files->storeRoot());
            view->showImage(files->argument());
        }
    });
    connect(files, &FilesView::layerActivated, view, &TreemapView::highlightLayer);
    if (layers)
        connect(layers, &LayersView::layerActivated, view,
                [view](const QString &argument, int layer, const QString &) {
                    if (argument == view->argument())
                        view->highlightLayer(layer);
                });
    return view;
}

void TreemapView::showImage(const QString &argument)
{
    m_cancel.cancel();
    m_cancel = CancellationToken();
    m_argument = argument;
    const quint64 generation = ++m_generation;
    ++m_pending;
    m_status->setText(tr("Reading %1…").arg(argument));
    const QString storeRoot = m_storeRoot;
    const CancellationToken cancel = m_cancel;
    m_pool.start([this, generation, argument, storeRoot, cancel] {
        std::optional<ImageStore> store;
        if (!storeRoot.isEmpty())
            if (auto opened = ImageStore::open(storeRoot))
                store.emplace(std::move(*opened));
        auto opened = ImageSource::analyse(argument, store ? &*store : nullptr, {}, true, cancel);
        QString error;
        std::shared_ptr<const ImageAnalysis> analysis;
        Image image;
        qint64 pull = -1;
        if (opened) {
            analysis = opened->analysis;
            image = opened->image;
            pull = stagecraft::ui::pullSize(*opened).value_or(-1);
        } else {
            error = tr("Could not open %1: %2.").arg(argument, opened.error().message);
        }
        QMetaObject::invokeMethod(
            this,
            [this, generation, error, analysis, image, pull] {
                finishLoad(generation, error, analysis, image, pull);
            },
            Qt::QueuedConnection);
    });
}

void TreemapView::showAnalysis(std::shared_ptr<const ImageAnalysis> analysis, const Image &image)
{
    ++m_generation;
    ++m_pending;
    finishLoad(m_generation, {}, std::move(analysis), image, -1);
}

void TreemapView::finishLoad(quint64 generation, const QString &error,
                             const std::shared_ptr<const ImageAnalysis> &analysis, const Image &image,
                             qint64 pullSize)
{
    --m_pending;
    if (generation != m_generation)
        return;
    m_error = error;
    m_image = image;
    m_pullSize = pullSize;
    m_packagesRequested = false;
    m_highlight = -1;
    m_canvas->setHighlightLayer(-1);
    m_model->setImage(analysis);
    refreshLines();
    rebuildLegend();
    if (m_model->groupByPackage())
        loadPackages();
    updateLevel();
    Q_EMIT loaded();
}

void TreemapView::setGroupByPackage(bool group)
{
    if (m_group->isChecked() != group)
        m_group->setChecked(group); // comes back through toggled()
    m_model->setGroupByPackage(group);
    if (group)
        loadPackages();
}

void TreemapView::loadPackages()
{
    if (m_packagesRequested || !m_model->analysis())
        return;
    m_packagesRequested = true;
    if (m_image.layers.isEmpty()) {
        // A hand-made analysis: no layers to read databases from; every byte is "in no package".
        m_model->setPackages(std::make_shared<const PackageSizeReport>());
        Q_EMIT packagesLoaded();
        return;
    }
    const quint64 generation = m_generation;
    ++m_pending;
    m_status->setText(tr("Reading the package databases…"));
    const QString storeRoot = m_storeRoot;
    const CancellationToken cancel = m_cancel;
    const Image image = m_image;
    const std::shared_ptr<const ImageAnalysis> analysis = m_model->analysis();
    m_pool.start([this, generation, storeRoot, cancel, image, analysis] {
        QString cacheDir;
        if (!storeRoot.isEmpty())
            if (auto store = ImageStore::open(storeRoot))
                cacheDir = store->cacheDir(QStringLiteral("packages"));
        auto report = PackageSizes::ofImage(image, *analysis, cacheDir, cancel);
        auto shared = report ? std::make_shared<const PackageSizeReport>(std::move(*report))
                             : std::make_shared<const PackageSizeReport>();
        QMetaObject::invokeMethod(
            this,
            [this, generation, shared] {
                --m_pending;
                if (generation != m_generation)
                    return;
                m_model->setPackages(shared);
                updateLevel();
                Q_EMIT packagesLoaded();
            },
            Qt::QueuedConnection);
    });
}

void TreemapView::highlightLayer(int layer)
{
    m_highlight = layer >= 0 && layer < m_model->layerCount() ? layer : -1;
    m_canvas->setHighlightLayer(m_highlight);
    for (int i = 0; i < m_legendLayout->count(); ++i)
        if (auto *button = qobject_cast<QToolButton *>(m_legendLayout->itemAt(i)->widget()))
            button->setChecked(button->property("layer").toInt() == m_highlight);
}

void TreemapView::drill(int row)
{
    m_model->drillInto(row);
}

void TreemapView::activateRow(int row)
{
    // A package: its line in the editor, and its files here.
    const int line = m_model->index(row, TreemapModel::LineColumn).data(TreemapModel::LineRole).toInt();
    if (line > 0)
        Q_EMIT lineActivated(line);
    drill(row);
}

void TreemapView::setLineLookup(std::function<int(const QString &)> lookup)
{
    m_lineLookup = std::move(lookup);
    refreshLines();
}

void TreemapView::refreshLines()
{
    QList<int> lines;
    if (m_lineLookup)
        for (const ImageLayer &layer : std::as_const(m_image.layers))
            lines.append(m_lineLookup(layer.descriptor.digest.toString()));
    m_model->setLayerLines(lines);
    updateLevel();
}

void TreemapView::rebuildLegend()
{
    while (QLayoutItem *item = m_legendLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    auto *label = new QLabel(tr("Layers:"));
    m_legendLayout->addWidget(label);
    const int count = m_model->layerCount();
    const auto analysis = m_model->analysis();
    for (int l = 0; l < count; ++l) {
        auto *button = new QToolButton;
        button->setCheckable(true);
        button->setProperty("layer", l);
        button->setText(QString::number(l));
        const QColor colour = TreemapCanvas::layerColor(l);
        button->setStyleSheet(
            QStringLiteral("QToolButton { background: %1; color: #101010; border: 1px solid "
                           "palette(mid); padding: 1px 6px; } QToolButton:checked { border: "
                           "2px solid palette(highlight); font-weight: bold; }")
                .arg(colour.name()));
        const LayerReport &report = analysis->layers()[l];
        button->setToolTip(tr("Layer %1: %2\n%3\nClick to dim the other layers")
                               .arg(l)
                               .arg(sizeText(report.size), report.createdBy.left(200)));
        connect(button, &QToolButton::clicked, this,
                [this, l](bool checked) { highlightLayer(checked ? l : -1); });
        m_legendLayout->addWidget(button);
    }
    m_legendLayout->addStretch(1);
}

void TreemapView::updateLevel()
{
    const QStringList crumbs = m_model->crumbs();
    QStringList links;
    for (qsizetype i = 0; i < crumbs.size(); ++i) {
        const QString name = crumbs[i].toHtmlEscaped();
        links.append(i + 1 == crumbs.size() ? QStringLiteral("<b>%1</b>").arg(name)
                                            : QStringLiteral("<a href=\"%1\">%2</a>").arg(i).arg(name));
    }
    m_crumbs->setText(links.join(QStringLiteral(" › ")));
    m_up->setEnabled(crumbs.size() > 1);
    m_list->setColumnHidden(TreemapModel::LineColumn,
                            !(m_model->groupByPackage() && crumbs.size() == 1 && m_model->hasLines()));
    if (m_pending > 0)
        return;
    m_status->setText(statusText());
}

QString TreemapView::statusText() const
{
    if (!m_error.isEmpty())
        return m_error;
    if (!m_model->analysis())
        return tr("Build or open an image to see where its bytes are.");
    const qint64 total = m_model->analysis()->finalTree().totalSize();
    // The pull size is named as such: it is compressed, the other figures are not.
    if (m_pullSize >= 0)
        return tr("%1 in %2 items here; the image's files hold %3, %4.")
            .arg(sizeText(m_model->levelBytes()))
            .arg(m_model->rowCount())
            .arg(sizeText(total), pullSizeText(m_pullSize));
    return tr("%1 in %2 items here; the image's files hold %3.")
        .arg(sizeText(m_model->levelBytes()))
        .arg(m_model->rowCount())
        .arg(sizeText(total));
}

bool TreemapView::waitUntilLoaded(int timeoutMs)
{
    return processEventsUntil([this] { return m_pending == 0; }, timeoutMs);
}

} // namespace stagecraft::ui
