#include "ui/filesview.h"

#include "core/analysis/bytesize.h"
#include "core/analysis/imagesource.h"
#include "core/analysis/layerindexer.h"
#include "core/store/imagestore.h"
#include "ui/eventwait.h"
#include "ui/sizetext.h"
#include "ui/stagegraphview.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QCoreApplication>
#include <QEvent>
#include <QEventLoop>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMimeData>
#include <QResizeEvent>
#include <QSortFilterProxyModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace stagecraft::ui {

struct FilesView::Loaded
{
    QString error;
    QString label;
    QList<LayerIndex> indexes; // bottom first, to rebuild the tree after any layer
    std::shared_ptr<const ImageAnalysis> analysis;
};

namespace {

// "RUN /bin/sh -c make # buildkit" -> "RUN make": the history's created_by as it was written.
QString shortCreatedBy(QString createdBy)
{
    createdBy = createdBy.simplified();
    if (createdBy.endsWith(QLatin1String(" # buildkit")))
        createdBy.chop(11);
    createdBy.replace(QLatin1String("RUN /bin/sh -c "), QLatin1String("RUN "));
    if (createdBy.startsWith(QLatin1String("/bin/sh -c #(nop) ")))
        createdBy = createdBy.mid(18).trimmed();
    if (createdBy.size() > 60)
        createdBy = createdBy.left(59) + QChar(0x2026);
    return createdBy;
}

} // namespace

FilesView::FilesView(QWidget *parent)
    : QWidget(parent)
{
    m_pool.setMaxThreadCount(1);

    m_layerBox = new QComboBox(this);
    m_layerBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_layerBox->setMinimumContentsLength(14);
    m_layerBox->setToolTip(tr("Show the filesystem after this layer, with its changes marked"));
    m_filter = new QLineEdit(this);
    m_filter->setPlaceholderText(tr("Filter by name"));
    m_filter->setClearButtonEnabled(true);
    m_changesOnly = new QCheckBox(tr("Only this layer's changes"), this);
    m_changesOnly->setEnabled(false);
    m_largest = new QToolButton(this);
    m_largest->setText(tr("Largest files"));
    m_largest->setCheckable(true);
    m_largest->setToolTip(tr("A flat list of the largest files instead of the tree"));

    // Two rows: in one, the bar needed about 560 pixels in German and squeezed the editor.
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_layerBox, 2);
    bar->addWidget(m_filter, 1);
    auto *options = new QHBoxLayout;
    options->addWidget(m_changesOnly);
    options->addStretch(1);
    options->addWidget(m_largest);

    m_model = new FileTreeModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setAutoAcceptChildRows(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(FileTreeModel::NameColumn);
    m_proxy->setSortRole(FileTreeModel::SortRole);

    m_tree = new QTreeView(this);
    m_tree->setModel(m_proxy);
    m_tree->setSortingEnabled(true);
    m_tree->sortByColumn(FileTreeModel::SizeColumn, Qt::DescendingOrder);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setDragEnabled(true);
    m_tree->setDragDropMode(QAbstractItemView::DragOnly);
    m_tree->setDefaultDropAction(Qt::CopyAction);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(FileTreeModel::NameColumn, QHeaderView::Stretch);
    // The context menu offers what the drag does, for touchpads, projectors and keyboards
    // (the Menu key and Shift+F10 open it on the current file).
    m_copyToStage = new QAction(tr("&Copy to Stage…"), this);
    m_copyToStage->setObjectName(QStringLiteral("actionCopyToStage"));
    m_copyToStage->setToolTip(tr("Insert a COPY --from line that copies this file into another stage"));
    m_copyToStage->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+C")));
    m_copyToStage->setShortcutContext(Qt::WidgetWithChildrenShortcut); // the tree's current file
    m_tree->addAction(m_copyToStage);
    connect(m_copyToStage, &QAction::triggered, this, &FilesView::requestCopyToStage);
    m_contextMenu = new QMenu(this);
    m_contextMenu->setObjectName(QStringLiteral("filesContextMenu"));
    m_contextMenu->addAction(m_copyToStage);
    m_whereFrom = m_contextMenu->addAction(tr("&Where Did This Come From?"), this, [this] {
        const QString path = m_tree->currentIndex().data(FileTreeModel::PathRole).toString();
        if (!path.isEmpty())
            Q_EMIT provenanceRequested(path);
    });
    m_whereFrom->setObjectName(QStringLiteral("actionWhereFrom"));
    m_whereFrom->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+W")));
    m_whereFrom->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_tree->addAction(m_whereFrom);
    m_tree->installEventFilter(this);
    m_tree->viewport()->installEventFilter(this);
    for (int c = FileTreeModel::SizeColumn; c < FileTreeModel::ColumnCount; ++c)
        m_tree->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);

    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A digest is one long word that wrapping cannot break; it must not widen the pane.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addLayout(options);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty())
            m_tree->expandAll();
    });
    connect(m_changesOnly, &QCheckBox::toggled, this, [this] { rebuild(); });
    connect(m_largest, &QToolButton::toggled, this, [this] { rebuild(); });
    connect(m_layerBox, &QComboBox::currentIndexChanged, this, &FilesView::onLayerBoxChanged);
    updateStatus();
}

bool FilesView::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_tree && watched != m_tree->viewport())
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::ContextMenu) {
        auto *menuEvent = static_cast<QContextMenuEvent *>(event);
        if (menuEvent->reason() == QContextMenuEvent::Keyboard) {
            showContextMenu(m_tree->currentIndex());
        } else {
            const QPoint at =
                watched == m_tree ? m_tree->viewport()->mapFrom(m_tree, menuEvent->pos()) : menuEvent->pos();
            const QModelIndex index = m_tree->indexAt(at);
            if (index.isValid())
                m_tree->setCurrentIndex(index);
            showContextMenu(index, menuEvent->globalPos());
        }
        return true;
    }
    if (event->type() == QEvent::KeyPress && watched == m_tree) {
        // Not every platform turns these keys into a context-menu event.
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Menu && key->modifiers() == Qt::NoModifier) ||
            (key->key() == Qt::Key_F10 && key->modifiers() == Qt::ShiftModifier)) {
            showContextMenu(m_tree->currentIndex());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QByteArray FilesView::copyPayload(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid())
        return {};
    const std::unique_ptr<QMimeData> mime(m_proxy->mimeData({proxyIndex.siblingAtColumn(0)}));
    return mime ? mime->data(StageGraphView::artifactMimeType()) : QByteArray();
}

void FilesView::showContextMenu(const QModelIndex &index, QPoint globalPos)
{
    if (m_contextMenu->isVisible())
        return; // the platform and the key filter may both ask for it
    m_copyToStage->setEnabled(!copyPayload(index).isEmpty());
    m_whereFrom->setEnabled(index.isValid() && !index.data(FileTreeModel::PathRole).toString().isEmpty());
    if (globalPos.isNull()) {
        const QRect row = index.isValid() ? m_tree->visualRect(index) : QRect();
        globalPos = m_tree->viewport()->mapToGlobal(row.isValid() ? row.center() : QPoint(8, 8));
    }
    m_contextMenu->popup(globalPos);
    if (m_copyToStage->isEnabled())
        m_contextMenu->setActiveAction(m_copyToStage);
}

void FilesView::requestCopyToStage()
{
    const QByteArray payload = copyPayload(m_tree->currentIndex());
    if (!payload.isEmpty())
        Q_EMIT copyToStageRequested(payload);
}

FilesView::~FilesView()
{
    m_cancel.cancel();
    m_pool.waitForDone();
}

void FilesView::setStoreRoot(const QString &storeRoot)
{
    m_storeRoot = storeRoot;
}

int FilesView::layerCount() const
{
    return m_loaded && m_loaded->analysis ? int(m_loaded->analysis->layers().size()) : 0;
}

std::shared_ptr<const ImageAnalysis> FilesView::analysis() const
{
    return m_loaded ? m_loaded->analysis : nullptr;
}

void FilesView::showImage(const QString &argument, const QString &stageName)
{
    m_cancel.cancel();
    m_cancel = CancellationToken();
    m_argument = argument;
    m_stageName = stageName;
    const quint64 generation = ++m_loadGeneration;
    ++m_pending;
    updateStatus();
    const QString storeRoot = m_storeRoot;
    const CancellationToken cancel = m_cancel;
    m_pool.start([this, generation, argument, storeRoot, cancel] {
        auto result = std::make_shared<Loaded>();
        std::optional<ImageStore> store;
        if (!storeRoot.isEmpty()) {
            if (auto opened = ImageStore::open(storeRoot))
                store.emplace(std::move(*opened));
        }
        QString source;
        auto image = ImageSource::open(argument, store ? &*store : nullptr, &source);
        if (!image) {
            result->error = tr("Could not open %1: %2.").arg(argument, image.error().message);
        } else {
            std::optional<LayerIndexCache> cache;
            if (store)
                cache.emplace(store->cacheDir(QStringLiteral("layer-index")));
            LayerIndexer indexer(cache);
            auto layers = indexer.index(*image, cancel);
            if (!layers) {
                result->error =
                    tr("Could not read the layers of %1: %2.").arg(argument, layers.error().message);
            } else {
                for (const AnalysisLayer &layer : std::as_const(*layers))
                    result->indexes.append(layer.index);
                result->analysis = std::make_shared<const ImageAnalysis>(ImageAnalysis::analyze(*layers));
                result->label = source == QLatin1String("store") ? argument : QFileInfo(argument).fileName();
            }
        }
        QMetaObject::invokeMethod(
            this, [this, generation, result] { finishLoad(generation, result); }, Qt::QueuedConnection);
    });
}

void FilesView::finishLoad(quint64 generation, const std::shared_ptr<const Loaded> &result)
{
    if (generation == m_loadGeneration) {
        m_loaded = result->analysis ? result : nullptr;
        m_error = result->error;
        if (m_layer >= layerCount())
            m_layer = -1;
        fillLayerBox();
        rebuild();
    }
    finishOne();
}

void FilesView::fillLayerBox()
{
    m_updatingBox = true;
    m_layerBox->clear();
    m_layerBox->addItem(tr("All layers"), -1);
    if (m_loaded) {
        for (const LayerReport &layer : m_loaded->analysis->layers()) {
            const QString what = layer.createdBy.isEmpty()
                                     ? (layer.comment.isEmpty() ? tr("(no history)") : layer.comment)
                                     : shortCreatedBy(layer.createdBy);
            m_layerBox->addItem(tr("Layer %1: %2 (%3)").arg(layer.index).arg(what, sizeText(layer.size)),
                                layer.index);
            m_layerBox->setItemData(m_layerBox->count() - 1, layer.createdBy, Qt::ToolTipRole);
        }
    }
    m_layerBox->setCurrentIndex(m_layerBox->findData(m_layer));
    m_updatingBox = false;
}

void FilesView::selectLayer(int layerIndex)
{
    // Before an image has loaded the choice is kept for it; with none (or after an
    // error) there is only the whole, empty, filesystem.
    const bool outOfRange = m_loaded ? layerIndex >= layerCount() : m_pending == 0;
    m_layer = layerIndex < 0 || outOfRange ? -1 : layerIndex;
    m_updatingBox = true;
    if (const int i = m_layerBox->findData(m_layer); i >= 0)
        m_layerBox->setCurrentIndex(i);
    m_updatingBox = false;
    rebuild();
}

void FilesView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // Beside the editor on a small screen the names matter most: the mode and owner
    // columns make way before the name column gets squeezed to a few letters.
    const bool narrow = width() < 520;
    m_tree->setColumnHidden(FileTreeModel::ModeColumn, narrow);
    m_tree->setColumnHidden(FileTreeModel::OwnerColumn, narrow);
}

void FilesView::onLayerBoxChanged(int comboIndex)
{
    if (m_updatingBox || comboIndex < 0)
        return;
    m_layer = m_layerBox->itemData(comboIndex).toInt();
    rebuild();
    Q_EMIT layerActivated(m_layer);
}

void FilesView::rebuild()
{
    m_changesOnly->setEnabled(m_layer >= 0);
    const quint64 generation = ++m_snapshotGeneration;
    if (!m_loaded) {
        m_model->setSnapshot(nullptr, m_stageName);
        updateStatus();
        return;
    }
    FileTreeModel::Options options;
    options.onlyChanges = m_changesOnly->isChecked() && m_layer >= 0;
    options.largestFiles = m_largest->isChecked();
    ++m_pending;
    updateStatus();
    const std::shared_ptr<const Loaded> loaded = m_loaded;
    const int layer = m_layer;
    m_pool.start([this, generation, loaded, layer, options] {
        const ImageAnalysis &analysis = *loaded->analysis;
        const int last = int(analysis.layers().size()) - 1;
        std::shared_ptr<const FileTreeModel::Snapshot> snapshot;
        if (layer < 0 || layer == last) {
            snapshot = FileTreeModel::buildSnapshot(
                analysis.finalTree(), layer < 0 ? nullptr : &analysis.layers().at(layer).changes,
                analysis.inefficientFiles(), options);
        } else {
            const FileTree tree = FileTree::afterLayer(loaded->indexes, layer);
            snapshot = FileTreeModel::buildSnapshot(tree, &analysis.layers().at(layer).changes,
                                                    analysis.inefficientFiles(), options);
        }
        QMetaObject::invokeMethod(
            this, [this, generation, snapshot] { finishSnapshot(generation, snapshot); },
            Qt::QueuedConnection);
    });
}

void FilesView::finishSnapshot(quint64 generation,
                               const std::shared_ptr<const FileTreeModel::Snapshot> &snapshot)
{
    if (generation == m_snapshotGeneration) {
        m_model->setSnapshot(snapshot, m_stageName);
        m_tree->setRootIsDecorated(!m_largest->isChecked());
        // A short list of changes reads best opened; a whole filesystem starts folded.
        if ((m_changesOnly->isChecked() && m_layer >= 0) || !m_filter->text().isEmpty())
            m_tree->expandAll();
    }
    finishOne();
}

void FilesView::finishOne()
{
    if (m_pending > 0)
        --m_pending;
    updateStatus();
    if (m_pending == 0)
        Q_EMIT loaded();
}

void FilesView::updateStatus()
{
    if (m_pending > 0 && !m_loaded) {
        m_status->setText(tr("Reading %1…").arg(m_argument));
        return;
    }
    if (!m_error.isEmpty()) {
        m_status->setText(m_error);
        return;
    }
    if (!m_loaded) {
        m_status->setText(tr("Build the Dockerfile to see each stage's files here."));
        return;
    }
    const ImageAnalysis &analysis = *m_loaded->analysis;
    const FileTreeModel::Snapshot *snapshot = m_model->snapshot();
    const QString name = m_stageName.isEmpty() ? m_loaded->label : tr("stage %1").arg(m_stageName);
    // Singular and plural spelled out: without an English catalogue "%n file(s)" would show as is.
    const int files = snapshot ? snapshot->fileCount : 0;
    QString text =
        files == 1
            ? tr("%1: %2 in 1 file").arg(name, sizeText(analysis.totalSize()))
            : tr("%1: %2 in %3 files").arg(name, sizeText(analysis.totalSize()), QLocale().toString(files));
    // dive's figure counts the copy the image keeps; the one a rewrite can save comes first.
    if (analysis.wastedBytes() > 0)
        text += tr(" · %1 reclaimable, %2 wasted as dive counts it")
                    .arg(sizeText(analysis.reclaimableBytes()), sizeText(analysis.wastedBytes()));
    m_status->setToolTip(analysis.wastedBytes() > 0 ? FileTreeModel::wasteFormula() : QString());
    if (!m_stageName.isEmpty())
        text += tr(" · drag a file onto another stage to copy it there");
    m_status->setText(text);
}

bool FilesView::waitUntilLoaded(int timeoutMs)
{
    return processEventsUntil([this] { return m_pending == 0; }, timeoutMs);
}

void FilesView::changeEvent(QEvent *event)
{
    // The status colours follow the palette; they are asked for again on repaint.
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        m_tree->viewport()->update();
    QWidget::changeEvent(event);
}

} // namespace stagecraft::ui
