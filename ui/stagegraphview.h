// The live stage graph beside the editor: shows a StageGraph, follows the editor's cursor,
// reports clicks and artifact drops on stages, zooms, pans and exports pictures for slides.
#pragma once

#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"
#include "ui/stagestate.h"

#include <QGraphicsView>

namespace stagecraft::ui {

class StageGraphScene;

class StageGraphView : public QGraphicsView
{
    Q_OBJECT

public:
    // Drags carrying this type (a file or directory of a stage) can be dropped on a stage.
    static QString artifactMimeType() { return QStringLiteral("application/x-stagecraft-artifact"); }

    explicit StageGraphView(QWidget *parent = nullptr);
    ~StageGraphView() override;

    // Redraws for a new graph; nodes that persist keep their places (and glide to new ones).
    // The Dockerfile supplies the diagnostics that mark stages with errors.
    void setGraph(const StageGraph &graph, const Dockerfile &dockerfile);
    const StageGraph &graph() const;
    int nodeCount() const; // stages and external images
    int edgeCount() const;

    // Highlights a stage (e.g. the one under the editor's cursor) without emitting signals.
    void selectStage(int stageIndex); // -1 clears
    int selectedStage() const;

    // Build progress; `detail` is a short text such as "12.3 s · 1.8 MB".
    void setStageState(int stageIndex, StageState state, const QString &detail = {});
    StageState stageState(int stageIndex) const;
    void clearStageStates();
    // Shown on the stage node's tooltip: why steps that ran were not cached.
    void setStageCacheReasons(int stageIndex, const QStringList &reasons);

    // Where a stage's node is, in scene coordinates (empty when there is no such stage), and
    // the stage under a viewport position (-1 for none): for tests and the window's tooltips.
    QRectF stageSceneRect(int stageIndex) const;
    int stageAt(const QPoint &viewportPos) const;

    qreal zoom() const { return m_zoom; }
    // Fit never zooms out further than this: node text stays readable, the rest scrolls.
    static constexpr qreal kReadableZoom = 0.6;
    // The smallest text on screen, in pixels, that fitting may zoom down to.
    static constexpr qreal kMinimumTextPixels = 10;
    // The zoom at which the graph's smallest text is kMinimumTextPixels (at least
    // kReadableZoom): the floor for fitting, and what the layout wraps its columns for.
    qreal readableZoom() const;
    // The smallest text of the graph as it shows now, in screen pixels.
    qreal smallestTextOnScreen() const;
    // Until the user zooms or pans by hand, the view fits the graph after every change
    // (new text, resize, font); Fit turns that back on.
    bool followsGraph() const { return m_followGraph; }
    // Scrolls (or, when it cannot fit at this zoom, fits) so that the whole graph shows.
    void keepGraphInView();
    qreal fontScale() const;
    void setAnimated(bool animated);

    bool exportSvg(const QString &path);
    bool exportPng(const QString &path, qreal scale = 2.0);
    QImage renderImage(qreal scale = 2.0); // the whole graph on the palette's background

    StageGraphScene *graphScene() const { return m_scene; }

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitToView();
    void setFontScale(qreal scale); // the window's projector zoom: text and nodes grow together

Q_SIGNALS:
    void stageActivated(int stageIndex);
    void stageDoubleClicked(int stageIndex);
    void artifactDropped(int stageIndex, const QByteArray &payload);
    void zoomChanged(qreal zoom);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    void setZoom(qreal zoom);
    void fit();
    void updateViewport(); // tells the scene the size and readable zoom to lay out for
    void stopFollowing() { m_followGraph = false; }
    QRectF exportRect() const;

    StageGraphScene *m_scene = nullptr;
    qreal m_zoom = 1.0;
    QPoint m_pressPos;
    int m_pressStage = -1;
    bool m_followGraph = true;
};

} // namespace stagecraft::ui
