// Re-parses the editor's text shortly after each edit (a single-shot timer) and plans
// the stage graph, keeping the last good graph while a half-typed line breaks it. A big
// file's build checks run on a worker thread so that they never hold up the next keystroke.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace stagecraft {
class LastBuildImage;
}

namespace stagecraft::ui {

struct AnalysisResult
{
    Dockerfile dockerfile;      // the parse of the current text
    StageGraph plan;            // the plan of the current text (may have no stages)
    Dockerfile graphDockerfile; // the text the shown graph was planned from
    StageGraph graph;           // the graph to show: the current plan or the last good one
    bool graphIsCurrent = true; // false while the last good graph is kept
    Diagnostics diagnostics;    // parser, plan and build checks of the current text, by position
    qint64 elapsedMicros = 0;   // parse + plan + checks
    quint64 generation = 0;     // counts analyses, so views can tell a new one
};

class LiveAnalysis : public QObject
{
    Q_OBJECT

public:
    static constexpr int kDelayMs = 80;
    // Someone typing without a pause still sees the graph and problems follow: a pending
    // analysis runs at the latest this long after the first unanalysed keystroke.
    static constexpr int kMaxWaitMs = 100;
    // An analysis (with the window applying it) that took less than this runs on the next
    // turn of the event loop after each keystroke, so the graph and problems follow the
    // text within a frame; slower ones wait for a pause (kDelayMs) as above.
    static constexpr int kInstantMs = 8;
    // Up to this cost the graph still follows every keystroke at once: the text and the graph
    // then appear in the same frame, and a key every 60 ms still leaves the interface time
    // to breathe. Beyond it, a keystroke would hold the editor up longer than it may wait.
    static constexpr int kEveryKeyMs = 50;

    explicit LiveAnalysis(QObject *parent = nullptr);
    ~LiveAnalysis() override;

    void setText(const QString &text);    // analyses after kDelayMs
    void analyzeNow(const QString &text); // analyses at once (file opened, tests)
    void setTarget(const QString &target);
    // The image the last build made (null: none): the size rules then give its bytes for the
    // steps whose text still matches it. Analyses the current text again at once.
    void setLastBuild(std::shared_ptr<const LastBuildImage> image);
    QString target() const { return m_target; }
    bool isPending() const { return m_timer.isActive() || m_checksTimer.isActive() || m_checksRunning; }
    void flush(); // runs a pending analysis now

    const AnalysisResult &result() const { return m_result; }

Q_SIGNALS:
    void analyzed();

private:
    void run(bool complete); // complete: with the build checks even when they are slow
    void runChecks();        // the plan and build checks of a file the graph already shows, here
    void startChecks();      // the same on the worker thread
    void applyChecks(const Diagnostics &checks, double costMs);

    QTimer m_timer;
    QTimer m_checksTimer;                       // a big file's build checks, after a pause in typing
    std::shared_ptr<const Dockerfile> m_parsed; // what the pending checks are for
    Diagnostics m_checkDiagnostics;             // the last build checks' findings
    double m_checksCostMs = 0;                  // what the plan and build checks took
    // Counts requests for build checks: a worker's findings for an older text are dropped.
    quint64 m_checksJob = 0;
    bool m_checksRunning = false; // a worker is checking m_checksJob's text
    QElapsedTimer m_pendingSince; // the first keystroke not analysed yet
    QString m_text;
    QString m_target;
    std::shared_ptr<const LastBuildImage> m_lastBuild;
    AnalysisResult m_result;
    bool m_hasGoodGraph = false;
    double m_costMs = 0;   // what an analysis takes, with the slots applying it (smoothed)
    QThreadPool m_workers; // one thread; waited for on destruction, before the members it reads
};

} // namespace stagecraft::ui
