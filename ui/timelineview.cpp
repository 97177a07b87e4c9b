#include "ui/timelineview.h"

#include "core/progress/buildprogress.h"

#include <QDateTime>
#include <QEvent>
#include <QHelpEvent>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace stagecraft::ui {

namespace {

constexpr int kMaxToolTipText = 300; // instruction and error text in a tooltip

QString bounded(const QString &text)
{
    const QString simplified = text.left(kMaxToolTipText * 2).simplified();
    return simplified.size() > kMaxToolTipText ? simplified.left(kMaxToolTipText) + QChar(0x2026)
                                               : simplified;
}

StageState stageStateOf(ProgressState state)
{
    switch (state) {
    case ProgressState::Idle: return StageState::Idle;
    case ProgressState::Queued:
    case ProgressState::Cancelled: return StageState::Queued;
    case ProgressState::Running: return StageState::Running;
    case ProgressState::Cached: return StageState::Cached;
    case ProgressState::Done: return StageState::Done;
    case ProgressState::Failed: return StageState::Failed;
    }
    return StageState::Idle;
}

} // namespace

TimelineView::TimelineView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    setAccessibleName(tr("Timeline"));
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setFrameShape(QFrame::NoFrame);
    m_style = GraphStyle::fromPalette(palette(), font(), m_fontScale);
    m_refresh.setSingleShot(true);
    // refresh() starts the timer again while a build runs: its bars grow with the clock.
    connect(&m_refresh, &QTimer::timeout, this, &TimelineView::refresh);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, viewport(), qOverload<>(&QWidget::update));
    updateGeometryAndTicks();
}

void TimelineView::setProgress(const BuildProgress *progress)
{
    if (m_progress)
        disconnect(m_progress, nullptr, this, nullptr);
    m_progress = progress;
    if (m_progress) {
        connect(m_progress, &BuildProgress::stageChanged, this, &TimelineView::scheduleRefresh);
        connect(m_progress, &BuildProgress::stepChanged, this, &TimelineView::scheduleRefresh);
        connect(m_progress, &BuildProgress::buildChanged, this, &TimelineView::scheduleRefresh);
        connect(m_progress, &BuildProgress::cleared, this, &TimelineView::scheduleRefresh);
        connect(m_progress, &QObject::destroyed, this, [this] {
            m_progress = nullptr;
            refresh();
        });
    }
    refresh();
}

void TimelineView::scheduleRefresh()
{
    // Not restarted by later events: a steady stream still redraws every kRefreshMs.
    if (!m_refresh.isActive())
        m_refresh.start(kRefreshMs);
}

void TimelineView::refresh()
{
    m_refresh.stop();
    if (m_progress) {
        const bool running = m_progress->state() == ProgressState::Running && m_progress->origin().isValid();
        const qint64 now = running ? m_progress->origin().msecsTo(QDateTime::currentDateTimeUtc()) : -1;
        m_layout = TimelineLayout::compute(*m_progress, now);
        if (running && isVisible())
            m_refresh.start(kRefreshMs);
    } else {
        m_layout = TimelineLayout();
    }
    m_selected = m_layout.barOf(m_selectedStage, m_selectedStep);
    updateGeometryAndTicks();
    viewport()->update();
}

void TimelineView::selectStep(int stage, int step)
{
    m_selectedStage = stage;
    m_selectedStep = step;
    m_selected = m_layout.barOf(stage, step);
    viewport()->update();
}

void TimelineView::setFontScale(qreal scale)
{
    m_fontScale = std::clamp(scale, 0.25, 8.0);
    m_style = GraphStyle::fromPalette(palette(), font(), m_fontScale);
    updateGeometryAndTicks();
    updateGeometry();
    viewport()->update();
}

void TimelineView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::FontChange) {
        m_style = GraphStyle::fromPalette(palette(), font(), m_fontScale);
        updateGeometryAndTicks();
        viewport()->update();
    }
}

void TimelineView::showEvent(QShowEvent *event)
{
    QAbstractScrollArea::showEvent(event);
    refresh(); // hidden, a running build's clock was not followed
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateGeometryAndTicks();
}

QSize TimelineView::sizeHint() const
{
    const qreal rows = std::clamp<qreal>(m_layout.rows().size(), 3, 12);
    return QSize(640, int(m_geometry.rowsTop + rows * m_geometry.rowHeight + m_geometry.margin));
}

QString TimelineView::rowName(const TimelineRow &row) const
{
    if (row.name.isEmpty() || row.name == QString::number(row.stage))
        return tr("stage %1").arg(row.stage);
    return row.name;
}

void TimelineView::updateGeometryAndTicks()
{
    const QFontMetricsF text(m_style.textFont);
    const QFontMetricsF small(m_style.smallFont);
    const qreal s = m_style.scale;
    Geometry &g = m_geometry;
    g.margin = 8 * s;
    g.legendHeight = small.height() + 10 * s;
    g.axisHeight = small.height() + 8 * s;
    g.rowHeight = std::round(text.height() * 1.9);
    g.rowsTop = g.legendHeight + g.axisHeight;

    const qreal width = viewport()->width();
    qreal names = 0;
    for (const TimelineRow &row : m_layout.rows())
        names = std::max(names, text.horizontalAdvance(rowName(row)));
    g.labelWidth = std::min(names + 6 * s, std::max<qreal>(40 * s, width * 0.25));
    // The widest label an axis usually carries sets how many ticks fit.
    const qreal labelSpace =
        small.horizontalAdvance(TimelineLayout::axisLabel(59 * 60000 + 59000, 1000, 3600000));
    g.plotLeft = g.margin + g.labelWidth + g.margin;
    g.plotRight = std::max(g.plotLeft + 20 * s, width - g.margin - labelSpace / 2);
    const int maxIntervals = std::max(1, int((g.plotRight - g.plotLeft) / (labelSpace + 16 * s)));
    m_ticks = TimelineLayout::ticks(m_layout.endMs(), maxIntervals);
    g.axisEndMs = m_ticks.isEmpty() ? 1 : std::max<qint64>(1, m_ticks.back().ms);

    const qreal content = m_layout.rows().size() * g.rowHeight;
    const qreal visible = std::max<qreal>(0, viewport()->height() - g.rowsTop);
    verticalScrollBar()->setRange(0, std::max(0, int(std::ceil(content - visible))));
    verticalScrollBar()->setPageStep(std::max(1, int(visible)));
    verticalScrollBar()->setSingleStep(std::max(1, int(g.rowHeight)));
}

qreal TimelineView::xOf(qint64 ms) const
{
    const Geometry &g = m_geometry;
    return g.plotLeft + (g.plotRight - g.plotLeft) * (double(ms) / double(g.axisEndMs));
}

qreal TimelineView::rowTop(int row) const
{
    return m_geometry.rowsTop + row * m_geometry.rowHeight - verticalScrollBar()->value();
}

QRectF TimelineView::barRect(int index) const
{
    if (index < 0 || index >= m_layout.bars().size())
        return {};
    const TimelineBar &bar = m_layout.bars()[index];
    const qreal left = xOf(bar.startMs);
    // Cached and metadata steps take no time; they still get a bar one can see and hover.
    const qreal right = std::max(xOf(bar.endMs), left + 3 * m_style.scale);
    const qreal top = rowTop(bar.row) + m_geometry.rowHeight * 0.18;
    return QRectF(left, top, right - left, m_geometry.rowHeight * 0.64);
}

int TimelineView::barAt(const QPoint &viewportPos) const
{
    if (viewportPos.y() < m_geometry.rowsTop)
        return -1;
    const qreal minWidth = 8 * m_style.scale;
    int found = -1;
    qreal nearest = 0;
    for (int i = 0; i < m_layout.bars().size(); ++i) {
        QRectF hit = barRect(i);
        if (hit.width() < minWidth)
            hit.adjust(-(minWidth - hit.width()) / 2, 0, (minWidth - hit.width()) / 2, 0);
        if (!hit.contains(viewportPos))
            continue;
        // Short bars side by side overlap once widened: the one nearest the pointer wins.
        const qreal distance = std::abs(hit.center().x() - viewportPos.x());
        if (found < 0 || distance < nearest) {
            found = i;
            nearest = distance;
        }
    }
    return found;
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const int index = barAt(event->position().toPoint());
    if (index < 0)
        return;
    const TimelineBar &bar = m_layout.bars()[index];
    selectStep(bar.stage, bar.step);
    Q_EMIT stepActivated(bar.stage, bar.step, bar.firstLine(), bar.lastLine());
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    // The press acted already; the release of that click ends here too.
    if (event->button() == Qt::LeftButton && barAt(event->position().toPoint()) >= 0)
        event->accept();
    else
        QAbstractScrollArea::mouseReleaseEvent(event);
}

bool TimelineView::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int index = barAt(help->pos());
        if (index < 0) {
            QToolTip::hideText();
            event->ignore();
        } else {
            QToolTip::showText(help->globalPos(), toolTipFor(m_layout.bars()[index]), viewport(),
                               barRect(index).toAlignedRect());
        }
        return true;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

QString TimelineView::toolTipFor(const TimelineBar &bar) const
{
    QStringList lines;
    const QString text = bar.text.isEmpty() ? tr("step %1").arg(bar.step) : bounded(bar.text);
    lines.append(QStringLiteral("<b>%1</b>").arg(text.toHtmlEscaped()));
    // "Stage 2" for an unnamed stage: its name is its number.
    const TimelineRow &row = m_layout.rows().at(bar.row);
    const QString stage =
        (row.name.isEmpty() ? QString::number(row.stage) : bounded(row.name)).toHtmlEscaped();
    lines.append(bar.firstLine() > 0 ? tr("Stage %1, line %2").arg(stage).arg(bar.firstLine())
                                     : tr("Stage %1").arg(stage));
    const QString duration = TimelineLayout::durationText(bar.durationMs());
    switch (bar.state) {
    case ProgressState::Cached: lines.append(tr("Cached (%1)").arg(duration)); break;
    case ProgressState::Running: lines.append(tr("Running for %1").arg(duration)); break;
    case ProgressState::Failed: lines.append(tr("Failed after %1").arg(duration)); break;
    case ProgressState::Cancelled: lines.append(tr("Cancelled after %1").arg(duration)); break;
    default: lines.append(tr("Built in %1").arg(duration)); break;
    }
    if (bar.layerSize > 0)
        lines.append(tr("Layer: %1").arg(QLocale().formattedDataSize(bar.layerSize)));
    if (!bar.error.isEmpty())
        lines.append(bounded(bar.error).toHtmlEscaped());
    return lines.join(QStringLiteral("<br>"));
}

QColor TimelineView::stateColor(ProgressState state) const
{
    return m_style.stateColor(stageStateOf(state));
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter painter(viewport());
    painter.setRenderHint(QPainter::Antialiasing);
    const GraphStyle &st = m_style;
    const Geometry &g = m_geometry;
    const QRectF area = viewport()->rect();
    painter.fillRect(area, st.background);

    if (m_layout.isEmpty()) {
        painter.setFont(st.textFont);
        painter.setPen(st.mutedText);
        painter.drawText(area.adjusted(g.margin, g.margin, -g.margin, -g.margin),
                         Qt::AlignCenter | Qt::TextWordWrap,
                         tr("Build the Dockerfile or open a build record to see its steps over time."));
        return;
    }

    // Rows scroll under the fixed legend and axis.
    painter.save();
    painter.setClipRect(QRectF(0, g.rowsTop, area.width(), area.height() - g.rowsTop));
    const qreal rowsBottom = std::min(area.bottom(), rowTop(int(m_layout.rows().size())));
    for (int r = 0; r < m_layout.rows().size(); ++r) {
        const TimelineRow &row = m_layout.rows()[r];
        const qreal top = rowTop(r);
        if (top > area.bottom() || top + g.rowHeight < g.rowsTop)
            continue;
        if (r % 2 == 1)
            painter.fillRect(QRectF(0, top, area.width(), g.rowHeight),
                             mixColors(st.background, st.text, 0.035));
        painter.setFont(st.textFont);
        painter.setPen(row.state == ProgressState::Failed ? st.error : st.text);
        const QRectF label(g.margin, top, g.labelWidth, g.rowHeight);
        painter.drawText(label, Qt::AlignVCenter | Qt::AlignLeft,
                         QFontMetricsF(st.textFont).elidedText(rowName(row), Qt::ElideRight, label.width()));
        // The stage's span behind its steps: stages that ran side by side overlap here.
        if (row.startMs >= 0) {
            const QRectF span(xOf(row.startMs), top + g.rowHeight * 0.08,
                              std::max(xOf(row.endMs) - xOf(row.startMs), 1.0), g.rowHeight * 0.84);
            painter.fillRect(span, mixColors(st.background, stateColor(row.state), st.dark ? 0.16 : 0.10));
        }
    }
    painter.setPen(QPen(mixColors(st.background, st.text, 0.12), 1));
    for (const TimelineTick &tick : std::as_const(m_ticks))
        painter.drawLine(QPointF(xOf(tick.ms), g.rowsTop), QPointF(xOf(tick.ms), rowsBottom));
    for (int i = 0; i < m_layout.bars().size(); ++i)
        paintBar(painter, i);
    if (m_progress && m_progress->state() == ProgressState::Running) {
        QPen now(stateColor(ProgressState::Running), 1.5 * st.scale, Qt::DashLine);
        painter.setPen(now);
        const qreal x = xOf(m_layout.nowMs());
        painter.drawLine(QPointF(x, g.rowsTop), QPointF(x, rowsBottom));
    }
    painter.restore();

    painter.fillRect(QRectF(0, 0, area.width(), g.rowsTop), st.background);
    paintLegend(painter);
    paintAxis(painter, g.legendHeight, g.rowsTop);
}

void TimelineView::paintBar(QPainter &painter, int index)
{
    const GraphStyle &st = m_style;
    const TimelineBar &bar = m_layout.bars()[index];
    const QRectF rect = barRect(index);
    if (rect.bottom() < m_geometry.rowsTop || rect.top() > viewport()->height())
        return;
    const QColor color = stateColor(bar.state);
    const qreal radius = std::min(3 * st.scale, rect.width() / 2);
    QPainterPath path;
    path.addRoundedRect(rect, radius, radius);
    QPen border(color, 1.2 * st.scale);
    switch (bar.state) {
    case ProgressState::Cached:
        // Hatched with a dashed outline: told apart from built steps without relying on hue.
        painter.fillPath(path, mixColors(st.background, color, st.dark ? 0.22 : 0.14));
        painter.fillPath(path, QBrush(mixColors(st.background, color, 0.75), Qt::BDiagPattern));
        border.setStyle(Qt::DashLine);
        break;
    case ProgressState::Failed:
        painter.fillPath(path, mixColors(st.background, color, 0.75));
        border.setWidthF(2 * st.scale);
        break;
    case ProgressState::Cancelled:
        painter.fillPath(path, mixColors(st.background, color, 0.25));
        border.setStyle(Qt::DotLine);
        break;
    default: painter.fillPath(path, mixColors(st.background, color, st.dark ? 0.55 : 0.45)); break;
    }
    painter.setPen(border);
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(path);
    if (index == m_selected) {
        // Not the graph's orange selection: here orange means running.
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2.5 * st.scale));
        painter.drawRoundedRect(rect.adjusted(-2 * st.scale, -2 * st.scale, 2 * st.scale, 2 * st.scale),
                                radius + 2 * st.scale, radius + 2 * st.scale);
    }
    const QFontMetricsF small(st.smallFont);
    const qreal room = rect.width() - 8 * st.scale;
    // A few letters and an ellipsis say nothing; the tooltip has the whole instruction.
    if (room > small.averageCharWidth() * 12 && !bar.text.isEmpty()) {
        painter.setFont(st.smallFont);
        painter.setPen(bar.state == ProgressState::Failed ? st.background : st.text);
        painter.drawText(rect.adjusted(4 * st.scale, 0, -4 * st.scale, 0), Qt::AlignVCenter | Qt::AlignLeft,
                         small.elidedText(bar.text.left(512).simplified(), Qt::ElideRight, room));
    }
}

void TimelineView::paintLegend(QPainter &painter)
{
    const GraphStyle &st = m_style;
    const Geometry &g = m_geometry;
    const QFontMetricsF small(st.smallFont);
    painter.setFont(st.smallFont);
    const qreal swatchHeight = small.height() * 0.8;
    const qreal swatchWidth = swatchHeight * 1.8;
    const qreal centre = g.legendHeight / 2;

    const struct
    {
        ProgressState state;
        QString text;
    } items[] = {{ProgressState::Done, tr("Built")},
                 {ProgressState::Cached, tr("Cached")},
                 {ProgressState::Running, tr("Running")},
                 {ProgressState::Failed, tr("Failed")}};
    qreal x = viewport()->width() - g.margin;
    for (auto it = std::rbegin(items); it != std::rend(items); ++it) {
        const qreal textWidth = small.horizontalAdvance(it->text);
        x -= textWidth;
        painter.setPen(st.text);
        painter.drawText(QRectF(x, 0, textWidth + 1, g.legendHeight), Qt::AlignVCenter | Qt::AlignLeft,
                         it->text);
        x -= swatchWidth + 5 * st.scale;
        const QRectF swatch(x, centre - swatchHeight / 2, swatchWidth, swatchHeight);
        const QColor color = stateColor(it->state);
        QPen border(color, 1.2 * st.scale);
        if (it->state == ProgressState::Cached) {
            painter.fillRect(swatch, mixColors(st.background, color, st.dark ? 0.22 : 0.14));
            painter.fillRect(swatch, QBrush(mixColors(st.background, color, 0.75), Qt::BDiagPattern));
            border.setStyle(Qt::DashLine);
        } else {
            painter.fillRect(swatch, mixColors(st.background, color,
                                               it->state == ProgressState::Failed ? 0.75
                                               : st.dark                          ? 0.55
                                                                                  : 0.45));
        }
        painter.setPen(border);
        painter.drawRect(swatch);
        x -= 14 * st.scale;
    }

    // On the left: how the build went and how long it took (or has run so far).
    const QString duration = TimelineLayout::durationText(m_layout.endMs());
    QString summary;
    switch (m_progress ? m_progress->state() : ProgressState::Idle) {
    case ProgressState::Running: summary = tr("Running for %1").arg(duration); break;
    case ProgressState::Failed: summary = tr("Failed after %1").arg(duration); break;
    case ProgressState::Cancelled: summary = tr("Cancelled after %1").arg(duration); break;
    default: summary = tr("Took %1").arg(duration); break;
    }
    painter.setPen(st.mutedText);
    const qreal room = x - g.margin;
    if (room > 0)
        painter.drawText(QRectF(g.margin, 0, room, g.legendHeight), Qt::AlignVCenter | Qt::AlignLeft,
                         small.elidedText(summary, Qt::ElideRight, room));
}

void TimelineView::paintAxis(QPainter &painter, qreal top, qreal bottom)
{
    const GraphStyle &st = m_style;
    const QFontMetricsF small(st.smallFont);
    painter.setFont(st.smallFont);
    const QColor line = mixColors(st.background, st.text, 0.45);
    painter.setPen(QPen(line, 1));
    painter.drawLine(QPointF(m_geometry.plotLeft, bottom - 0.5), QPointF(m_geometry.plotRight, bottom - 0.5));
    for (const TimelineTick &tick : std::as_const(m_ticks)) {
        const qreal x = xOf(tick.ms);
        painter.setPen(QPen(line, 1));
        painter.drawLine(QPointF(x, bottom - 4 * st.scale), QPointF(x, bottom));
        const qreal w = small.horizontalAdvance(tick.label);
        painter.setPen(st.mutedText);
        painter.drawText(QRectF(x - w / 2, top, w + 1, bottom - top - 4 * st.scale), Qt::AlignCenter,
                         tick.label);
    }
}

} // namespace stagecraft::ui
