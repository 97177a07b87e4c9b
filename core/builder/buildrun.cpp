#include "core/builder/buildrun.h"

#include "core/dockerfile/dockerfileparser.h"
#include "core/oci/mediatype.h"
#include "core/plan/metaargs.h"
#include "core/store/imagereference.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <chrono>
#include <thread>
#include <vector>

namespace stagecraft {

namespace {

const QString kDefaultPath =
    QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
const QString kHistoryComment = QStringLiteral("buildkit.dockerfile.v0");

QString nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

} // namespace

Expected<BuildResult> BuildRun::run()
{
    QElapsedTimer timer;
    timer.start();
    m_clock.start();
    if (auto loaded = load(); !loaded)
        return std::unexpected(loaded.error());
    queueStages();
    if (auto built = buildLevels(); !built)
        return std::unexpected(built.error());
    return writeImage(timer);
}

// Plans the Dockerfile (the caller's parsed text, or the file read and parsed here) and
// opens the context.
Expected<void> BuildRun::load()
{
    m_dockerfilePath = m_request.dockerfile.isEmpty() ? m_request.contextDir + QStringLiteral("/Dockerfile")
                                                      : m_request.dockerfile;
    std::shared_ptr<const Dockerfile> parsed = m_request.parsed;
    if (!parsed) {
        QFile file(m_dockerfilePath);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read %1: %2").arg(m_dockerfilePath, file.errorString()));
        parsed =
            std::make_shared<const Dockerfile>(DockerfileParser::parse(QString::fromUtf8(file.readAll())));
    }
    PlanOptions options;
    options.target = m_request.target;
    options.buildArgs = m_request.buildArgs;
    options.platform = m_request.platform;
    m_plan = BuildPlan::fromDockerfile(std::move(parsed), options);
    // Errors in stages the target does not need are warnings in the plan: they do not stop it.
    for (const Diagnostic &d : m_plan->diagnostics())
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(d.range), d.message));
    if (m_plan->target() < 0)
        return fail(QStringLiteral("%1: the Dockerfile has no stage to build").arg(m_dockerfilePath));
    const QList<Stage> &stages = m_plan->graph().stages;
    for (int s = m_plan->target(); s >= 0 && s < stages.size() && !m_exportedStages.contains(s);
         s = stages[s].baseStage)
        m_exportedStages.insert(s);

    auto context = BuildContext::open(m_request.contextDir, m_dockerfilePath);
    if (!context)
        return std::unexpected(context.error());
    m_context = std::move(*context);
    return {};
}

QString BuildRun::locationOf(const SourceRange &range) const
{
    return QStringLiteral("%1:%2:%3")
        .arg(QFileInfo(m_dockerfilePath).fileName())
        .arg(range.start.line)
        .arg(range.start.column);
}

void BuildRun::queueStages()
{
    const StageGraph &graph = m_plan->graph();
    m_results.resize(graph.stages.size());
    m_scopes.resize(graph.stages.size());
    for (const QList<int> &level : graph.levels)
        for (int index : level) {
            BuildEvent e;
            e.kind = BuildEventKind::StageQueued;
            e.stage = index;
            e.stageName = graph.stages[index].displayName();
            e.stepCount = graph.stages[index].stepCount + 1;
            e.range = graph.stages[index].range;
            emitEvent(e);
        }
}

// The stages level by level, each of a level on a thread of its own.
Expected<void> BuildRun::buildLevels()
{
    // Relays the caller's cancellation to m_cancel, which a failing stage also trips.
    std::atomic_bool finished{false};
    std::thread watcher([this, &finished] {
        while (!finished) {
            if (m_userCancel.isCancelled()) {
                m_cancel.cancel();
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    const auto stopWatcher = qScopeGuard([&] {
        finished = true;
        watcher.join();
    });

    for (const QList<int> &level : m_plan->graph().levels) {
        QList<std::optional<Error>> errors(level.size());
        std::vector<std::thread> threads;
        for (qsizetype i = 0; i < level.size(); ++i) {
            threads.emplace_back([this, &level, &errors, i] {
                auto result = buildStage(level[i]);
                std::lock_guard lock(m_resultMutex);
                if (result) {
                    m_results[level[i]] = std::move(*result);
                } else {
                    errors[i] = result.error();
                    // One failed stage fails the build: stop the siblings still running.
                    m_cancel.cancel();
                }
            });
        }
        for (std::thread &t : threads)
            t.join();
        std::optional<Error> failure;
        for (const auto &error : errors) {
            if (error && (!failure || failure->isCancelled()))
                failure = error;
        }
        if (failure) {
            if (m_userCancel.isCancelled())
                failure = cancellation(QStringLiteral("build cancelled"));
            BuildEvent e;
            e.kind = BuildEventKind::BuildFailed;
            e.text = failure->message;
            e.errorKind = failure->kind;
            emitEvent(e);
            return std::unexpected(*failure);
        }
    }
    return {};
}

// The target stage's config and manifest into the store, then its tags.
Expected<BuildResult> BuildRun::writeImage(const QElapsedTimer &timer)
{
    StageState final = *m_results[m_plan->target()];
    ImageStore store = m_builder.store();
    auto configDescriptor = store.putBlob(final.config.toJson(), QString(mediatype::OciConfig));
    if (!configDescriptor)
        return std::unexpected(configDescriptor.error());
    ImageManifest manifest;
    manifest.mediaType = QString(mediatype::OciManifest);
    manifest.config = *configDescriptor;
    manifest.layers = final.layers;
    auto manifestDescriptor = store.putBlob(manifest.toJson(), QString(mediatype::OciManifest));
    if (!manifestDescriptor)
        return std::unexpected(manifestDescriptor.error());
    BuildResult result;
    // References are written last: the blobs they name are complete by now.
    for (const QString &tag : m_request.tags) {
        auto normalised = ImageReference::normalise(tag);
        if (!normalised)
            return std::unexpected(normalised.error());
        auto tagged = store.tag(*normalised, *manifestDescriptor);
        if (!tagged)
            return std::unexpected(tagged.error());
        result.tags.append(*normalised);
    }
    result.manifest = *manifestDescriptor;
    result.imageId = configDescriptor->digest;
    result.steps = m_steps;
    result.cachedSteps = m_cached;
    {
        std::lock_guard lock(m_resultMutex);
        result.cacheKeys = m_cacheKeys;
        result.stepKeys = m_stepKeys;
    }
    result.durationMs = timer.elapsed();
    BuildEvent done;
    done.kind = BuildEventKind::BuildDone;
    done.text = result.imageId.toString();
    done.durationMs = result.durationMs;
    emitEvent(done);
    return result;
}

Expected<StageState> BuildRun::buildStage(int index)
{
    const Stage &stage = m_plan->graph().stages[index];
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = index;
    base.stageName = stage.displayName();
    base.stepCount = stage.stepCount + 1;
    const auto failStage = [&](const Error &error) -> Expected<StageState> {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageFailed;
        e.text = error.message;
        e.errorKind = error.kind;
        emitEvent(e);
        return std::unexpected(error);
    };
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StageStarted;
        e.range = stage.range;
        emitEvent(e);
    }
    auto started = startStage(stage, base);
    if (!started)
        return failStage(started.error());
    StageState state = std::move(*started);

    Diagnostics diagnostics;
    ExpansionBudget budget;
    StageScope scope(m_plan->dockerfile().directives.escape, &budget, &diagnostics);
    QStringList triggerTexts;
    auto steps = readStage(index, state, scope, diagnostics, &triggerTexts);
    if (!steps)
        return failStage(steps.error());

    bool cmdSet = false;
    qsizetype trigger = 0;
    for (const PlanStep &step : std::as_const(*steps)) {
        if (m_cancel.isCancelled())
            return failStage(cancellation(QStringLiteral("build cancelled")));
        StepPlace place;
        place.stage = index;
        place.range = step.range;
        if (step.trigger && step.instruction < 0)
            place.text = triggerTexts.value(trigger++);
        else
            place.text = m_plan->dockerfile().instructions.value(step.instruction).original;
        place.base = base;
        place.base.step = step.number;
        place.base.instruction = step.trigger ? -1 : step.instruction;
        place.base.range = step.range;
        place.base.text = place.text;
        auto done = runStep(step, place, state, cmdSet);
        if (!done) {
            Error error = done.error();
            if (!error.isCancelled() && step.range.isValid())
                error.message = locationOf(step.range) +
                                QStringLiteral(": stage \"%1\": ").arg(stage.displayName()) + error.message;
            return failStage(error);
        }
    }
    {
        std::lock_guard lock(m_resultMutex);
        m_scopes[index] = scope;
    }
    BuildEvent e = base;
    e.kind = BuildEventKind::StageDone;
    e.durationMs = timer.elapsed();
    emitEvent(e);
    return state;
}

// The stage's steps read in the scope its base gives: an earlier stage's scope at its end,
// or an image's (or scratch's) ENV, WORKDIR and SHELL; the ONBUILD triggers the base
// stored run first.
Expected<QList<PlanStep>> BuildRun::readStage(int index, StageState &state, StageScope &scope,
                                              const Diagnostics &diagnostics, QStringList *triggerTexts)
{
    const Stage &stage = m_plan->graph().stages[index];
    if (stage.baseStage >= 0) {
        std::lock_guard lock(m_resultMutex);
        if (!m_scopes.value(stage.baseStage))
            return fail(QStringLiteral("stage %1 was not built").arg(stage.base));
        scope.inheritFrom(*m_scopes[stage.baseStage]);
    } else {
        const ContainerConfig &config = state.config.config;
        for (const QString &e : config.env)
            scope.setEnv(envName(e), e.section(QLatin1Char('='), 1));
        scope.setWorkingDir(config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir);
        if (!config.shell.isEmpty())
            scope.setShell(config.shell);
    }
    // The base's triggers run in this stage and are not passed on.
    QList<Instruction> triggers;
    for (const QString &text : std::as_const(state.config.config.onBuild)) {
        const Dockerfile parsed = DockerfileParser::parse(text);
        for (const Diagnostic &d : parsed.diagnostics)
            if (d.severity == Severity::Error)
                return fail(QStringLiteral("%1: stage \"%2\": ONBUILD %3: %4")
                                .arg(locationOf(stage.fromRange), stage.displayName(), text, d.message));
        for (const Instruction &ins : parsed.instructions) {
            triggers.append(ins);
            triggerTexts->append(ins.original);
        }
    }
    state.config.config.onBuild.clear();
    QList<PlanStep> steps = m_plan->readStage(index, scope, triggers);
    for (const Diagnostic &d : diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: stage \"%2\": %3")
                            .arg(locationOf(d.range.isValid() ? d.range : stage.fromRange),
                                 stage.displayName(), d.message));
    return steps;
}

// The FROM step: the state a stage starts from (an earlier stage, scratch or an image,
// pulled when missing).
Expected<StageState> BuildRun::startStage(const Stage &stage, const BuildEvent &base)
{
    StageState state;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        e.text = m_plan->dockerfile().instructions.value(stage.fromInstruction).original;
        emitEvent(e);
    }
    if (stage.baseStage >= 0) {
        auto built = stageResult(stage.baseStage);
        if (!built)
            return fail(QStringLiteral("stage %1 was not built").arg(stage.base));
        state = *built;
    } else if (stage.isScratch()) {
        QString os, arch, variant;
        MetaArgs::splitPlatform(stage.platform.isEmpty() ? m_request.platform : stage.platform, &os, &arch,
                                &variant);
        state.config.os = os;
        state.config.architecture = arch;
        state.config.variant = variant;
        state.config.config.workingDir = QStringLiteral("/"); // as BuildKit's empty image has it
        state.key = sha256Hex(QStringLiteral("scratch\n") + os + arch + variant);
    } else {
        auto ref = ImageReference::normalise(stage.base);
        if (!ref)
            return fail(QStringLiteral("%1: %2").arg(locationOf(stage.fromRange), ref.error().message));
        BuildEvent from = base;
        from.instruction = stage.fromInstruction;
        from.range = stage.fromRange;
        auto image = imageFor(*ref, QStringLiteral("base image"), from);
        if (!image) {
            if (image.error().isCancelled())
                return std::unexpected(image.error());
            return fail(QStringLiteral("%1: stage \"%2\": %3")
                            .arg(locationOf(stage.fromRange), stage.displayName(), image.error().message));
        }
        state.config = image->config;
        for (const ImageLayer &layer : image->layers)
            state.layers.append(layer.descriptor);
        state.key = sha256Hex(QStringLiteral("image\n") + image->manifestDescriptor.digest.toString());
    }
    bool hasPath = false;
    for (const QString &e : state.config.config.env)
        hasPath = hasPath || envName(e) == QLatin1String("PATH");
    if (!hasPath)
        state.config.config.env.prepend(kDefaultPath);
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepDone;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        emitEvent(e);
    }
    return state;
}

// A stage's result once its level is built; nothing while it is not (or failed).
std::optional<StageState> BuildRun::stageResult(int index)
{
    std::lock_guard lock(m_resultMutex);
    if (index < 0 || index >= m_results.size())
        return std::nullopt;
    return m_results[index];
}

void BuildRun::emitEvent(const BuildEvent &event)
{
    if (!m_sink)
        return;
    std::lock_guard lock(m_sinkMutex);
    if (event.kind == BuildEventKind::BuildWarning) {
        if (m_warnings.contains(event.text))
            return;
        m_warnings.insert(event.text);
    }
    BuildEvent stamped = event;
    stamped.timeMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    m_sink(stamped);
}

void BuildRun::addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const
{
    HistoryEntry h;
    h.created = nowRfc3339();
    h.createdBy = createdBy;
    h.comment = kHistoryComment;
    h.emptyLayer = emptyLayer;
    state.config.history.append(h);
    state.config.created = h.created;
}

} // namespace stagecraft
