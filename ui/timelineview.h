// The Timeline dock: a build's steps over time, one row per stage, drawn from a BuildProgress
// (live or a record). It only paints TimelineLayout and turns clicks into Dockerfile lines;
// a live build's many events are coalesced into a few redraws a second.
#pragma once

#include "ui/graphstyle.h"
#include "ui/timelinelayout.h"

#include <QAbstractScrollArea>
#include <QTimer>

namespace stagecraft {
class BuildProgress;
}

namespace stagecraft::ui {

class TimelineView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    // How long a burst of build events waits before one relayout, and how often a running
    // build's bars grow towards "now".
    static constexpr int kRefreshMs = 250;

    explicit TimelineView(QWidget *parent = nullptr);

    // The model shown; the view follows its signals until another is set or it is destroyed.
    void setProgress(const BuildProgress *progress);
    const BuildProgress *progress() const { return m_progress; }

    // Lays out now instead of at the next refresh (tests, screenshots).
    void refresh();
    const TimelineLayout &layout() const { return m_layout; }

    // Where a bar is drawn, in viewport coordinates, and the bar under a viewport position
    // (-1 for none): for tests and tooltips.
    QRectF barRect(int bar) const;
    int barAt(const QPoint &viewportPos) const;
    int selectedBar() const { return m_selected; }
    // Selects the bar of a step without emitting signals (-1 clears).
    void selectStep(int stage, int step);

public Q_SLOTS:
    void setFontScale(qreal scale); // the window's projector zoom

Q_SIGNALS:
    // A bar was clicked: the lines of its step's instruction (1-based, inclusive).
    void stepActivated(int stage, int step, int firstLine, int lastLine);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;
    QSize sizeHint() const override;

private:
    struct Geometry
    {
        qreal margin = 0;
        qreal legendHeight = 0;
        qreal axisHeight = 0;
        qreal rowHeight = 0;
        qreal labelWidth = 0;
        qreal plotLeft = 0;
        qreal plotRight = 0;
        qreal rowsTop = 0; // where row 0 starts before scrolling
        qint64 axisEndMs = 1;
    };

    void scheduleRefresh();
    void updateGeometryAndTicks();
    qreal xOf(qint64 ms) const;
    qreal rowTop(int row) const;
    QColor stateColor(ProgressState state) const;
    QString rowName(const TimelineRow &row) const;
    QString toolTipFor(const TimelineBar &bar) const;
    void paintLegend(QPainter &painter);
    void paintAxis(QPainter &painter, qreal top, qreal bottom);
    void paintBar(QPainter &painter, int index);

    const BuildProgress *m_progress = nullptr;
    TimelineLayout m_layout;
    QList<TimelineTick> m_ticks;
    Geometry m_geometry;
    GraphStyle m_style;
    qreal m_fontScale = 1.0;
    QTimer m_refresh;
    int m_selected = -1;
    int m_selectedStage = -1;
    int m_selectedStep = -1;
};

} // namespace stagecraft::ui
