#include "ui/timelinelayout.h"

#include <QLocale>
#include <QStringList>

#include <algorithm>
#include <array>

namespace stagecraft::ui {

namespace {

constexpr qint64 kSecond = 1000;
constexpr qint64 kMinute = 60 * kSecond;
constexpr qint64 kHour = 60 * kMinute;
// A record may claim a build of years; past this the axis stops growing (and cannot overflow).
constexpr qint64 kMaxAxisMs = qint64(100) * 365 * 24 * kHour;

QString decimal(double value, int decimals)
{
    return QLocale().toString(value, 'f', decimals);
}

} // namespace

int TimelineBar::lastLine() const
{
    int last = range.end.line;
    if (range.end.column <= 1 && last > range.start.line)
        --last; // an exclusive end at the start of the next line
    return std::max(range.start.line, last);
}

TimelineLayout TimelineLayout::compute(const BuildProgress &progress, qint64 nowMs)
{
    TimelineLayout layout;
    const QList<int> indexes = progress.stageIndexes();

    // Running steps and stages end at "now", which is never before anything already seen.
    qint64 latest = 0;
    for (int index : indexes) {
        const StageProgress *stage = progress.stage(index);
        latest = std::max({latest, stage->startedMs, stage->endedMs});
        for (const StepProgress &step : stage->steps)
            latest = std::max({latest, step.startedMs, step.completedMs});
    }
    layout.m_nowMs = std::clamp(std::max(nowMs, latest), qint64(0), kMaxAxisMs);
    const qint64 now = layout.m_nowMs;

    qint64 end = 1;
    for (int index : indexes) {
        const StageProgress *stage = progress.stage(index);
        TimelineRow row;
        row.stage = stage->index;
        row.name = stage->name;
        row.state = stage->state;
        row.stepCount = stage->stepCount;
        const int rowIndex = int(layout.m_rows.size());
        const bool stageEnded = stage->endedMs >= 0;

        qint64 firstStart = -1;
        qint64 lastEnd = -1;
        for (const StepProgress &step : stage->steps) {
            if (step.stage < 0 || step.startedMs < 0)
                continue; // not seen or not started: nothing to draw yet
            TimelineBar bar;
            bar.row = rowIndex;
            bar.stage = stage->index;
            bar.step = step.step;
            bar.range = step.range;
            bar.text = step.text;
            bar.state = step.state;
            bar.cached = step.cached;
            bar.layerSize = step.layerSize;
            bar.error = step.error;
            bar.startMs = std::min(step.startedMs, kMaxAxisMs);
            if (step.completedMs >= 0) {
                bar.endMs = step.completedMs;
            } else if (stageEnded) {
                bar.endMs = stage->endedMs; // stopped with its stage (cancelled, another failed)
            } else {
                bar.endMs = now;
                bar.running = step.state == ProgressState::Running;
            }
            bar.endMs = std::clamp(bar.endMs, bar.startMs, kMaxAxisMs);
            firstStart = firstStart < 0 ? bar.startMs : std::min(firstStart, bar.startMs);
            lastEnd = std::max(lastEnd, bar.endMs);
            layout.m_bars.append(bar);
        }

        row.startMs = stage->startedMs >= 0 ? std::min(stage->startedMs, kMaxAxisMs) : firstStart;
        if (row.startMs >= 0) {
            if (stageEnded)
                row.endMs = std::max(std::min(stage->endedMs, kMaxAxisMs), lastEnd);
            else
                row.endMs = stage->state == ProgressState::Running ? now : lastEnd;
            row.endMs = std::max(row.endMs, row.startMs);
            end = std::max(end, row.endMs);
        }
        end = std::max(end, lastEnd);
        layout.m_rows.append(row);
    }
    layout.m_endMs = end;
    return layout;
}

int TimelineLayout::barOf(int stage, int step) const
{
    for (int i = 0; i < m_bars.size(); ++i)
        if (m_bars[i].stage == stage && m_bars[i].step == step)
            return i;
    return -1;
}

qint64 TimelineLayout::tickInterval(qint64 endMs, int maxIntervals)
{
    maxIntervals = std::max(1, maxIntervals);
    endMs = std::clamp(endMs, qint64(1), kMaxAxisMs);
    static constexpr std::array<qint64, 27> kIntervals = {1,
                                                          2,
                                                          5,
                                                          10,
                                                          20,
                                                          50,
                                                          100,
                                                          200,
                                                          500,
                                                          kSecond,
                                                          2 * kSecond,
                                                          5 * kSecond,
                                                          10 * kSecond,
                                                          15 * kSecond,
                                                          30 * kSecond,
                                                          kMinute,
                                                          2 * kMinute,
                                                          5 * kMinute,
                                                          10 * kMinute,
                                                          15 * kMinute,
                                                          30 * kMinute,
                                                          kHour,
                                                          2 * kHour,
                                                          3 * kHour,
                                                          6 * kHour,
                                                          12 * kHour,
                                                          24 * kHour};
    for (qint64 interval : kIntervals)
        if (endMs <= interval * maxIntervals)
            return interval;
    // Beyond a day (only a strange record gets here): whole days, doubling.
    qint64 interval = 24 * kHour;
    while (interval * maxIntervals < endMs)
        interval *= 2;
    return interval;
}

QList<TimelineTick> TimelineLayout::ticks(qint64 endMs, int maxIntervals)
{
    endMs = std::clamp(endMs, qint64(1), kMaxAxisMs);
    const qint64 interval = tickInterval(endMs, maxIntervals);
    const qint64 count = (endMs + interval - 1) / interval;
    const qint64 axisEnd = count * interval;
    QList<TimelineTick> result;
    for (qint64 i = 0; i <= count; ++i)
        result.append({i * interval, axisLabel(i * interval, interval, axisEnd)});
    return result;
}

QString TimelineLayout::axisLabel(qint64 ms, qint64 intervalMs, qint64 endMs)
{
    if (ms == 0)
        return QStringLiteral("0");
    if (intervalMs < kSecond) {
        if (endMs <= kSecond)
            return tr("%1 ms").arg(ms);
        return tr("%1 s").arg(decimal(double(ms) / kSecond, intervalMs >= 100  ? 1
                                                            : intervalMs >= 10 ? 2
                                                                               : 3));
    }
    if (endMs <= kMinute)
        return tr("%1 s").arg(ms / kSecond);
    if (endMs <= kHour || intervalMs < kMinute) {
        const qint64 minutes = ms / kMinute;
        const qint64 seconds = ms % kMinute / kSecond;
        if (ms >= kHour && seconds == 0)
            return tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
        if (minutes == 0)
            return tr("%1 s").arg(seconds);
        return seconds == 0 ? tr("%1 min").arg(minutes) : tr("%1 min %2 s").arg(minutes).arg(seconds);
    }
    const qint64 hours = ms / kHour;
    const qint64 minutes = ms % kHour / kMinute;
    if (hours == 0)
        return tr("%1 min").arg(minutes);
    return minutes == 0 ? tr("%1 h").arg(hours) : tr("%1 h %2 min").arg(hours).arg(minutes);
}

QString TimelineLayout::durationText(qint64 ms)
{
    ms = std::max<qint64>(0, ms);
    if (ms < kSecond)
        return tr("%1 ms").arg(ms);
    if (ms < kMinute)
        return tr("%1 s").arg(decimal(double(ms) / kSecond, 1));
    if (ms < kHour)
        return tr("%1 min %2 s").arg(ms / kMinute).arg(ms % kMinute / kSecond);
    return tr("%1 h %2 min").arg(ms / kHour).arg(ms % kHour / kMinute);
}

QString TimelineLayout::describe() const
{
    QStringList lines;
    for (int r = 0; r < m_rows.size(); ++r) {
        const TimelineRow &row = m_rows[r];
        QString line = row.name;
        if (row.startMs >= 0)
            line += QStringLiteral(" %1-%2").arg(row.startMs).arg(row.endMs);
        line += QLatin1Char(':');
        for (const TimelineBar &bar : m_bars) {
            if (bar.row != r)
                continue;
            line += QStringLiteral(" %1[%2-%3 %4]")
                        .arg(bar.step)
                        .arg(bar.startMs)
                        .arg(bar.endMs)
                        .arg(progressStateName(bar.state));
        }
        lines.append(line);
    }
    return lines.join(QLatin1Char('\n'));
}

} // namespace stagecraft::ui
