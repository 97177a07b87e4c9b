#include "ui/stagegraphview.h"

#include "ui/stagegraphscene.h"
#include "ui/stagenodeitem.h"

#include <QApplication>
#include <QDragEnterEvent>
#include <QFile>
#include <QImage>
#include <QMimeData>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QWheelEvent>

namespace stagecraft::ui {

namespace {

constexpr qreal minimumZoom = 0.1;
constexpr qreal maximumZoom = 8.0;
constexpr qreal zoomStep = 1.25;

} // namespace

StageGraphView::StageGraphView(QWidget *parent)
    : QGraphicsView(parent)
    , m_scene(new StageGraphScene(this))
{
    setScene(m_scene);
    m_scene->setAppearance(palette(), font());
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    // Top-left, so that nodes added while typing do not shift the ones already there.
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setAcceptDrops(true);
    viewport()->setAcceptDrops(true);
    setFrameShape(QFrame::NoFrame);
    setAccessibleName(tr("Stage graph"));
    // Moving a scroll bar by hand is panning: the view stops fitting the graph by itself.
    for (QScrollBar *bar : {horizontalScrollBar(), verticalScrollBar()})
        connect(bar, &QScrollBar::actionTriggered, this, &StageGraphView::stopFollowing);
}

StageGraphView::~StageGraphView() = default;

void StageGraphView::setGraph(const StageGraph &graph, const Dockerfile &dockerfile)
{
    m_scene->setGraph(graph, dockerfile);
    keepGraphInView();
}

qreal StageGraphView::readableZoom() const
{
    const qreal text = m_scene->style().smallestTextPixels();
    if (text <= 0)
        return kReadableZoom;
    return std::clamp(kMinimumTextPixels / text, kReadableZoom, 1.0);
}

qreal StageGraphView::smallestTextOnScreen() const
{
    return m_scene->style().smallestTextPixels() * transform().m11();
}

void StageGraphView::updateViewport()
{
    m_scene->setViewport(QSizeF(viewport()->size()), readableZoom());
}

void StageGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    updateViewport();
    if (m_followGraph)
        fit();
}

void StageGraphView::keepGraphInView()
{
    if (m_followGraph) {
        fit();
        return;
    }
    // While someone types the graph grows and its nodes move; it must not wander out of
    // the pane.
    const QRectF rect = m_scene->graphRect();
    if (rect.isEmpty() || viewport()->width() < 2 || viewport()->height() < 2)
        return;
    const QRectF visible = mapToScene(viewport()->rect()).boundingRect();
    if (visible.contains(rect))
        return;
    // The user chose this zoom: scroll, never zoom. When the graph is larger than the pane
    // the window keeps the cursor's stage in view.
    if (rect.width() * m_zoom <= viewport()->width() && rect.height() * m_zoom <= viewport()->height())
        ensureVisible(rect, 0, 0);
}

const StageGraph &StageGraphView::graph() const
{
    return m_scene->graph();
}

int StageGraphView::nodeCount() const
{
    return int(m_scene->nodeItems().size());
}

int StageGraphView::edgeCount() const
{
    return int(m_scene->edgeItems().size());
}

void StageGraphView::selectStage(int stageIndex)
{
    m_scene->selectStage(stageIndex);
    if (StageNodeItem *item = m_scene->stageItem(stageIndex))
        ensureVisible(item->node().rect, 40, 40);
}

int StageGraphView::selectedStage() const
{
    return m_scene->selectedStage();
}

void StageGraphView::setStageState(int stageIndex, StageState state, const QString &detail)
{
    m_scene->setStageState(stageIndex, state, detail);
}

void StageGraphView::setStageCacheReasons(int stageIndex, const QStringList &reasons)
{
    m_scene->setStageCacheReasons(stageIndex, reasons);
}

StageState StageGraphView::stageState(int stageIndex) const
{
    return m_scene->stageState(stageIndex);
}

void StageGraphView::clearStageStates()
{
    m_scene->clearStageStates();
}

QRectF StageGraphView::stageSceneRect(int stageIndex) const
{
    const int n = m_scene->graphLayout().stageNode(stageIndex);
    return n >= 0 ? m_scene->graphLayout().nodes()[n].rect : QRectF();
}

int StageGraphView::stageAt(const QPoint &viewportPos) const
{
    return m_scene->stageAt(mapToScene(viewportPos));
}

qreal StageGraphView::fontScale() const
{
    return m_scene->fontScale();
}

void StageGraphView::setAnimated(bool animated)
{
    m_scene->setAnimated(animated);
}

void StageGraphView::setZoom(qreal zoom)
{
    zoom = std::clamp(zoom, minimumZoom, maximumZoom);
    if (qFuzzyCompare(zoom, m_zoom) && qFuzzyCompare(transform().m11(), zoom))
        return;
    m_zoom = zoom;
    setTransform(QTransform::fromScale(zoom, zoom));
    Q_EMIT zoomChanged(m_zoom);
}

void StageGraphView::zoomIn()
{
    stopFollowing();
    setZoom(m_zoom * zoomStep);
}

void StageGraphView::zoomOut()
{
    stopFollowing();
    setZoom(m_zoom / zoomStep);
}

void StageGraphView::resetZoom()
{
    stopFollowing();
    setZoom(1.0);
}

void StageGraphView::fitToView()
{
    m_followGraph = true;
    updateViewport();
    fit();
}

void StageGraphView::fit()
{
    const QRectF rect = m_scene->graphRect();
    if (rect.isEmpty() || viewport()->width() < 2 || viewport()->height() < 2)
        return;
    // Fitting starts over: the scene may have grown while it was edited and not shrunk back.
    m_scene->setSceneRect(rect);
    const qreal zoom = std::min(viewport()->width() / rect.width(), viewport()->height() / rect.height());
    // Small graphs are not blown up past their natural size, which would make the zoom jump
    // as the graph grows while typing; that is what the font scale is for. Big ones are not
    // shrunk below readable text: the layout wraps them, the rest is a scroll away.
    setZoom(std::clamp(zoom, readableZoom(), 1.0));
    if (m_zoom > zoom + 1e-6) // it does not fit: show where it starts, the first stages
        centerOn(rect.topLeft() + QPointF(viewport()->width(), viewport()->height()) / (2 * m_zoom));
    else
        centerOn(rect.center());
}

void StageGraphView::setFontScale(qreal scale)
{
    m_scene->setFontScale(scale);
    updateViewport();
    if (m_followGraph)
        fit();
}

void StageGraphView::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = event->position().toPoint();
    m_pressStage = event->button() == Qt::LeftButton ? stageAt(m_pressPos) : -1;
    QGraphicsView::mousePressEvent(event);
}

void StageGraphView::mouseMoveEvent(QMouseEvent *event)
{
    // Dragging the background pans the view: the view stops fitting the graph by itself.
    if ((event->buttons() & Qt::LeftButton) && m_pressStage < 0 &&
        (event->position().toPoint() - m_pressPos).manhattanLength() >= QApplication::startDragDistance())
        stopFollowing();
    QGraphicsView::mouseMoveEvent(event);
}

void StageGraphView::mouseReleaseEvent(QMouseEvent *event)
{
    QGraphicsView::mouseReleaseEvent(event);
    const QPoint pos = event->position().toPoint();
    const bool click = (pos - m_pressPos).manhattanLength() < QApplication::startDragDistance();
    if (event->button() == Qt::LeftButton && click && m_pressStage >= 0 && stageAt(pos) == m_pressStage) {
        m_scene->selectStage(m_pressStage);
        Q_EMIT stageActivated(m_pressStage);
    }
    m_pressStage = -1;
}

void StageGraphView::mouseDoubleClickEvent(QMouseEvent *event)
{
    QGraphicsView::mouseDoubleClickEvent(event);
    if (event->button() != Qt::LeftButton)
        return;
    const int stage = stageAt(event->position().toPoint());
    if (stage >= 0) {
        event->accept();
        Q_EMIT stageDoubleClicked(stage);
    }
}

void StageGraphView::wheelEvent(QWheelEvent *event)
{
    if (!(event->modifiers() & Qt::ControlModifier)) {
        stopFollowing(); // scrolling by hand
        QGraphicsView::wheelEvent(event);
        return;
    }
    const int delta = event->angleDelta().y();
    stopFollowing();
    if (delta != 0)
        setZoom(m_zoom * std::pow(zoomStep, delta / 120.0));
    event->accept();
}

void StageGraphView::dragEnterEvent(QDragEnterEvent *event)
{
    if (!event->mimeData()->hasFormat(artifactMimeType())) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    m_scene->setDropTarget(stageAt(event->position().toPoint()));
}

void StageGraphView::dragMoveEvent(QDragMoveEvent *event)
{
    if (!event->mimeData()->hasFormat(artifactMimeType())) {
        event->ignore();
        return;
    }
    const int stage = stageAt(event->position().toPoint());
    m_scene->setDropTarget(stage);
    // Accepting only over a stage shows the "no drop" cursor elsewhere; the event keeps
    // coming for the whole view so the highlight follows the cursor.
    if (stage >= 0)
        event->acceptProposedAction();
    else
        event->ignore();
}

void StageGraphView::dragLeaveEvent(QDragLeaveEvent *event)
{
    m_scene->setDropTarget(-1);
    event->accept();
}

void StageGraphView::dropEvent(QDropEvent *event)
{
    const int stage = stageAt(event->position().toPoint());
    m_scene->setDropTarget(-1);
    if (stage < 0 || !event->mimeData()->hasFormat(artifactMimeType())) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    Q_EMIT artifactDropped(stage, event->mimeData()->data(artifactMimeType()));
}

void StageGraphView::changeEvent(QEvent *event)
{
    QGraphicsView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange)
        m_scene->setAppearance(palette(), font());
    if (event->type() == QEvent::FontChange) {
        updateViewport();
        if (m_followGraph)
            fit();
    }
}

QRectF StageGraphView::exportRect() const
{
    return m_scene->graphRect();
}

QImage StageGraphView::renderImage(qreal scale)
{
    const QRectF source = exportRect();
    scale = std::clamp(scale, 0.1, 16.0);
    const QSize size = (source.size() * scale).toSize().expandedTo(QSize(1, 1));
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(m_scene->style().background);
    QPainter painter(&image);
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    m_scene->render(&painter, QRectF(QPointF(0, 0), size), source, Qt::KeepAspectRatio);
    painter.end();
    return image;
}

bool StageGraphView::exportPng(const QString &path, qreal scale)
{
    return renderImage(scale).save(path, "PNG");
}

bool StageGraphView::exportSvg(const QString &path)
{
    const QRectF source = exportRect();
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(source.size().toSize());
    generator.setViewBox(QRectF(QPointF(0, 0), source.size()));
    generator.setTitle(tr("Stage graph"));
    QPainter painter;
    if (!painter.begin(&generator))
        return false;
    painter.setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing);
    m_scene->render(&painter, QRectF(QPointF(0, 0), source.size()), source, Qt::KeepAspectRatio);
    painter.end();
    QFile check(path);
    return check.exists() && check.size() > 0;
}

} // namespace stagecraft::ui
