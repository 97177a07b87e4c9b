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
    connect(&m_checksTimer, &QTimer::timeout, this, &LiveAnalysis::runChecks);
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
    } else if (m_checksTimer.isActive()) {
        m_checksTimer.stop();
        runChecks();
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

void LiveAnalysis::runChecks()
{
    if (!m_parsed)
        return;
    QElapsedTimer clock;
    clock.start();
    PlanOptions options;
    options.target = m_target;
    const BuildPlan plan = BuildPlan::fromDockerfile(std::exchange(m_parsed, nullptr), options);
    BuildCheckOptions checks;
    checks.stagecraftRules = true;
    if (m_lastBuild)
        m_lastBuild->addTo(checks, plan);
    m_checkDiagnostics = BuildChecks::run(plan, checks);
    m_checksCostMs = double(clock.nsecsElapsed()) / 1e6;
    AnalysisResult next = m_result;
    ++next.generation;
    next.diagnostics = combined(next.dockerfile.diagnostics, next.plan.diagnostics, m_checkDiagnostics);
    if (next.dockerfile.instructions.isEmpty())
        next.diagnostics = m_result.diagnostics; // the hint, as the first phase gave it
    std::stable_sort(next.diagnostics.begin(), next.diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) { return a.range.start < b.range.start; });
    next.elapsedMicros += clock.nsecsElapsed() / 1000;
    m_result = std::move(next);
    Q_EMIT analyzed();
}

} // namespace stagecraft::ui
