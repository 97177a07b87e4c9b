#include "ui/liveanalysis.h"

#include "core/checks/buildchecks.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/imagechecks/lastbuildimage.h"
#include "core/plan/buildplan.h"

#include <QElapsedTimer>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <utility>

namespace stagecraft::ui {

namespace {

// All findings of one analysis. The plan warns of some things a rule reports too
// (LaterStageReference): the rule's finding, which the user can configure, stands for both.
Diagnostics combined(const Diagnostics &parse, const Diagnostics &plan, const Diagnostics &checks)
{
    Diagnostics all = parse + checks;
    const auto key = [](const Diagnostic &d) {
        return QStringLiteral("%1:%2:%3").arg(d.range.start.line).arg(d.range.start.column).arg(d.rule);
    };
    QSet<QString> ruled;
    for (const Diagnostic &d : all)
        if (!d.rule.isEmpty())
            ruled.insert(key(d));
    for (const Diagnostic &d : plan)
        if (d.rule.isEmpty() || !ruled.contains(key(d)))
            all.append(d);
    return all;
}

} // namespace

LiveAnalysis::LiveAnalysis(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(kDelayMs);
    connect(&m_timer, &QTimer::timeout, this, [this] { run(false); });
    m_checksTimer.setSingleShot(true);
    connect(&m_checksTimer, &QTimer::timeout, this, &LiveAnalysis::startChecks);
    m_workers.setMaxThreadCount(1);
}

LiveAnalysis::~LiveAnalysis()
{
    // A worker still checking posts its findings to this object: let it finish first.
    m_workers.clear();
    m_workers.waitForDone();
}

void LiveAnalysis::setText(const QString &text)
{
    m_text = text;
    if (!m_timer.isActive())
        m_pendingSince.start();
    // A cheap analysis follows every keystroke at once; an expensive one waits for a quiet
    // period, which each keystroke restarts, but never past the maximum wait.
    // A slower one leaves itself room within the maximum wait.
    const int cost = int(std::ceil(m_costMs));
    const int delay = cost < kEveryKeyMs ? 0 : std::max(0, std::min(kDelayMs, kMaxWaitMs - cost));
    const qint64 waited = m_pendingSince.elapsed();
    m_timer.start(int(std::clamp<qint64>(kMaxWaitMs - cost - waited, 0, delay)));
}

void LiveAnalysis::analyzeNow(const QString &text)
{
    m_text = text;
    m_timer.stop();
    run(true);
}

void LiveAnalysis::setTarget(const QString &target)
{
    if (target == m_target)
        return;
    m_target = target;
    m_timer.stop();
    run(true);
}

void LiveAnalysis::setLastBuild(std::shared_ptr<const LastBuildImage> image)
{
    if (image == m_lastBuild)
        return;
    m_lastBuild = std::move(image);
    m_timer.stop();
    run(true);
}

void LiveAnalysis::flush()
{
    if (m_timer.isActive()) {
        m_timer.stop();
        run(true);
    } else if (m_checksTimer.isActive() || m_checksRunning) {
        m_checksTimer.stop();
        runChecks(); // the worker's findings, if it is still busy, are dropped
    }
}

void LiveAnalysis::run(bool complete)
{
    QElapsedTimer clock;
    clock.start();
    AnalysisResult next;
    next.generation = m_result.generation + 1;
    auto parsed = std::make_shared<const Dockerfile>(DockerfileParser::parse(m_text));
    next.dockerfile = *parsed;
    PlanOptions options;
    options.target = m_target;
    // A big file's plan and build checks take longer than a keystroke may wait (about 100 ms
    // for 5,000 lines): the graph follows at once from the parse, the checks come after a
    // pause in typing (their old findings stay listed until then).
    const bool split = !complete && m_checksCostMs >= kInstantMs;
    m_checksTimer.stop();
    ++m_checksJob; // the worker's findings for an older text no longer apply
    m_checksRunning = false;
    if (split) {
        next.plan = StageGraph::fromDockerfile(next.dockerfile, options);
        next.diagnostics = combined(next.dockerfile.diagnostics, next.plan.diagnostics, m_checkDiagnostics);
        m_parsed = std::move(parsed);
        m_checksTimer.start(kDelayMs);
    } else {
        QElapsedTimer checksClock;
        checksClock.start();
        // One plan feeds the graph and the build checks.
        const BuildPlan plan = BuildPlan::fromDockerfile(std::move(parsed), options);
        next.plan = plan.graph();
        BuildCheckOptions checks;
        checks.stagecraftRules = true; // Stagecraft's own rules teach while typing too
        if (m_lastBuild)
            m_lastBuild->addTo(checks, plan);
        m_checkDiagnostics = BuildChecks::run(plan, checks);
        m_checksCostMs = double(checksClock.nsecsElapsed()) / 1e6;
        next.diagnostics = combined(next.dockerfile.diagnostics, next.plan.diagnostics, m_checkDiagnostics);
    }
    if (!m_target.isEmpty() && next.plan.target < 0 && !next.plan.stages.isEmpty()) {
        // A target that no longer exists (renamed while typing) falls back to the last stage.
        next.plan = StageGraph::fromDockerfile(next.dockerfile, {});
    }
    if (next.dockerfile.instructions.isEmpty()) {
        // An empty (or comments-only) file is where everyone starts: one hint, not two red
        // errors saying there is nothing ("no instructions", "no FROM").
        Diagnostic hint;
        hint.severity = Severity::Info;
        hint.range = {{1, 1}, {1, 1}};
        hint.message =
            tr("Start with a FROM line, such as FROM alpine:3.20, or open one of File → Examples.");
        next.diagnostics = {hint};
    }
    std::stable_sort(next.diagnostics.begin(), next.diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) { return a.range.start < b.range.start; });
    next.elapsedMicros = clock.nsecsElapsed() / 1000;

    // A half-typed line must not blank the graph: while the text has errors and plans to
    // fewer stages than the last good graph, keep that graph and only underline the problem.
    const bool broken =
        next.plan.stages.isEmpty() ||
        (hasErrors(next.diagnostics) && next.plan.stages.size() < m_result.graph.stages.size());
    if (broken && m_hasGoodGraph && !m_text.trimmed().isEmpty()) {
        next.graph = m_result.graph;
        next.graphDockerfile = m_result.graphDockerfile;
        next.graphIsCurrent = false;
    } else {
        next.graph = next.plan;
        next.graphDockerfile = next.dockerfile;
        m_hasGoodGraph = !next.plan.stages.isEmpty();
    }
    m_result = std::move(next);
    Q_EMIT analyzed();
    // Smoothed, so that one slow run (a fresh layout, a loaded machine) does not switch a
    // small file over to waiting for pauses.
    m_costMs = m_costMs * 0.7 + double(clock.nsecsElapsed()) / 1e6 * 0.3;
}

namespace {

// The plan and build checks of one text. Runs on the GUI thread or a worker: it only reads
// what it is given, and everything it is given is immutable or a copy.
Diagnostics checkPlan(std::shared_ptr<const Dockerfile> parsed, const QString &target,
                      const std::shared_ptr<const LastBuildImage> &lastBuild)
{
    PlanOptions options;
    options.target = target;
    const BuildPlan plan = BuildPlan::fromDockerfile(std::move(parsed), options);
    BuildCheckOptions checks;
    checks.stagecraftRules = true;
    if (lastBuild)
        lastBuild->addTo(checks, plan);
    return BuildChecks::run(plan, checks);
}

} // namespace

void LiveAnalysis::runChecks()
{
    ++m_checksJob;
    m_checksRunning = false;
    if (!m_parsed)
        return;
    QElapsedTimer clock;
    clock.start();
    const Diagnostics checks = checkPlan(std::exchange(m_parsed, nullptr), m_target, m_lastBuild);
    applyChecks(checks, double(clock.nsecsElapsed()) / 1e6);
}

void LiveAnalysis::startChecks()
{
    if (!m_parsed)
        return;
    // About 100 ms for 5,000 lines: on this thread it would hold up the keystroke that comes
    // while it runs. The text shown meanwhile keeps the previous findings, as before.
    const quint64 job = ++m_checksJob;
    m_checksRunning = true;
    // m_parsed stays: a flush() while the worker runs checks it here instead.
    m_workers.start([this, job, parsed = m_parsed, target = m_target, lastBuild = m_lastBuild]() mutable {
        QElapsedTimer clock;
        clock.start();
        Diagnostics checks = checkPlan(std::move(parsed), target, lastBuild);
        const double costMs = double(clock.nsecsElapsed()) / 1e6;
        // Only a queued call touches this object: it runs on the GUI thread, and the
        // destructor waits for this worker before the object goes away.
        QMetaObject::invokeMethod(
            this,
            [this, job, checks = std::move(checks), costMs] {
                if (job != m_checksJob)
                    return; // the text changed since: a newer analysis supersedes these findings
                m_checksRunning = false;
                m_parsed = nullptr;
                applyChecks(checks, costMs);
            },
            Qt::QueuedConnection);
    });
}

void LiveAnalysis::applyChecks(const Diagnostics &checks, double costMs)
{
    m_checkDiagnostics = checks;
    m_checksCostMs = costMs;
    AnalysisResult next = m_result;
    ++next.generation;
    next.diagnostics = combined(next.dockerfile.diagnostics, next.plan.diagnostics, m_checkDiagnostics);
    if (next.dockerfile.instructions.isEmpty())
        next.diagnostics = m_result.diagnostics; // the hint, as the first phase gave it
    std::stable_sort(next.diagnostics.begin(), next.diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) { return a.range.start < b.range.start; });
    next.elapsedMicros += qint64(costMs * 1000);
    m_result = std::move(next);
    Q_EMIT analyzed();
}

} // namespace stagecraft::ui
