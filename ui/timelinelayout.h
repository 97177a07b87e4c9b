// What the Timeline draws, computed from a BuildProgress without painting: one row per stage,
// a bar per started step in milliseconds since the build's start, and the time axis's
// ticks, so that tests can check overlaps, flags and ticks without reading pixels.
#pragma once

#include "core/common/sourcerange.h"
#include "core/progress/buildprogress.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

namespace stagecraft::ui {

struct TimelineBar
{
    int row = -1; // index into TimelineLayout::rows()
    int stage = -1;
    int step = 0; // as StepProgress::step (0: the FROM)
    SourceRange range;
    QString text; // the instruction
    ProgressState state = ProgressState::Queued;
    bool cached = false;
    bool running = false; // not finished yet: the bar ends at the layout's "now"
    qint64 startMs = 0;
    qint64 endMs = 0; // >= startMs
    qint64 layerSize = 0;
    QString error;

    qint64 durationMs() const { return endMs - startMs; }
    // The Dockerfile lines the step's instruction spans (0 when unknown).
    int firstLine() const { return range.start.line; }
    int lastLine() const;
};

struct TimelineRow
{
    int stage = -1;
    QString name;
    ProgressState state = ProgressState::Queued;
    qint64 startMs = -1; // the stage's span, -1 when it has not started
    qint64 endMs = -1;
    int stepCount = 0;
};

struct TimelineTick
{
    qint64 ms = 0;
    QString label;
};

class TimelineLayout
{
    Q_DECLARE_TR_FUNCTIONS(TimelineLayout)

public:
    // `nowMs`: the time a running step or stage has reached (a live build's clock); a value
    // below the latest time the model holds is raised to it, so a record or a finished build
    // can pass -1.
    static TimelineLayout compute(const BuildProgress &progress, qint64 nowMs = -1);

    const QList<TimelineRow> &rows() const { return m_rows; }
    const QList<TimelineBar> &bars() const { return m_bars; }
    bool isEmpty() const { return m_rows.isEmpty(); }
    qint64 nowMs() const { return m_nowMs; }
    // Where the axis ends: the latest time of any bar or stage, at least 1 ms.
    qint64 endMs() const { return m_endMs; }
    // The bar of a step, -1 when it has none.
    int barOf(int stage, int step) const;

    // Ticks from 0 to at least `endMs` at a round interval (1, 2 or 5 times a power of ten
    // below a second, then 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, hours), the
    // smallest that keeps to `maxIntervals`.
    static QList<TimelineTick> ticks(qint64 endMs, int maxIntervals);
    static qint64 tickInterval(qint64 endMs, int maxIntervals);
    // An axis label for `ms` on an axis ticked every `intervalMs` up to `endMs`: "250 ms",
    // "1.5 s", "45 s", "1 min 30 s", "2 min", "1 h 15 min", in the default locale.
    static QString axisLabel(qint64 ms, qint64 intervalMs, qint64 endMs);
    // A step's duration for tooltips: "0 ms", "340 ms", "12.3 s", "2 min 5 s", "1 h 2 min".
    static QString durationText(qint64 ms);

    // One line per row, for tests: "build 0-350: 0[0-100 done] 1[100-350 cached]".
    QString describe() const;

private:
    QList<TimelineRow> m_rows;
    QList<TimelineBar> m_bars;
    qint64 m_nowMs = 0;
    qint64 m_endMs = 1;
};

} // namespace stagecraft::ui
