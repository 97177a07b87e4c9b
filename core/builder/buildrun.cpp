#include "core/builder/buildrun.h"

#include "core/dockerfile/dockerfileparser.h"
#include "core/dockerfile/shelllex.h"
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

QString locationOf(const QString &file, const SourceRange &range)
{
    return QStringLiteral("%1:%2:%3")
        .arg(QFileInfo(file).fileName())
        .arg(range.start.line)
        .arg(range.start.column);
}

} // namespace

Expected<BuildResult> BuildRun::run()
{
    QElapsedTimer timer;
    timer.start();
    if (auto loaded = load(); !loaded)
        return std::unexpected(loaded.error());
    queueStages();
    if (auto built = buildLevels(); !built)
        return std::unexpected(built.error());
    return writeImage(timer);
}

// Reads, parses and plans the Dockerfile, opens the context and takes the meta ARGs.
Expected<void> BuildRun::load()
{
    m_dockerfilePath = m_request.dockerfile.isEmpty() ? m_request.contextDir + QStringLiteral("/Dockerfile")
                                                      : m_request.dockerfile;
    QFile file(m_dockerfilePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(m_dockerfilePath, file.errorString()));
    const QString text = QString::fromUtf8(file.readAll());
    m_dockerfile = DockerfileParser::parse(text);
    for (const Diagnostic &d : m_dockerfile.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    PlanOptions options;
    options.target = m_request.target;
    options.buildArgs = m_request.buildArgs;
    options.platform = m_request.platform;
    m_graph = StageGraph::fromDockerfile(m_dockerfile, options);
    for (const Diagnostic &d : m_graph.diagnostics)
        if (d.severity == Severity::Error)
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, d.range), d.message));
    if (m_graph.target < 0)
        return fail(QStringLiteral("%1: the Dockerfile has no stage to build").arg(m_dockerfilePath));

    auto context = BuildContext::open(m_request.contextDir, m_dockerfilePath);
    if (!context)
        return std::unexpected(context.error());
    m_context = std::move(*context);

    MetaArgs meta(options);
    for (const Instruction &ins : m_dockerfile.instructions) {
        if (ins.kind == InstructionKind::From)
            break;
        if (ins.kind == InstructionKind::Arg)
            meta.declare(ins, m_dockerfile.directives.escape);
    }
    m_metaEnv = meta.environment();
    return {};
}

void BuildRun::queueStages()
{
    m_results.resize(m_graph.stages.size());
    for (const QList<int> &level : m_graph.levels)
        for (int index : level) {
            BuildEvent e;
            e.kind = BuildEventKind::StageQueued;
            e.stage = index;
            e.stageName = m_graph.stages[index].displayName();
            e.stepCount = m_graph.stages[index].stepCount + 1;
            e.range = m_graph.stages[index].range;
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

    for (const QList<int> &level : m_graph.levels) {
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
    StageState final = *m_results[m_graph.target];
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
    const Stage &stage = m_graph.stages[index];
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
    QList<Instruction> triggers;
    auto started = startStage(stage, base, triggers);
    if (!started)
        return failStage(started.error());
    StageState state = std::move(*started);

    QHash<QString, QString> args;
    QStringList argOrder;
    bool cmdSet = false;
    int step = 0;
    for (const Instruction &ins : std::as_const(triggers)) {
        auto done = runStep(index, ins, 0, base.stepCount, state, args, argOrder, cmdSet);
        if (!done)
            return failStage(done.error());
    }
    for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction; ++i) {
        ++step;
        if (m_cancel.isCancelled())
            return failStage(cancellation(QStringLiteral("build cancelled")));
        auto done =
            runStep(index, m_dockerfile.instructions[i], step, base.stepCount, state, args, argOrder, cmdSet);
        if (!done) {
            Error error = done.error();
            if (!error.isCancelled())
                error.message = locationOf(m_dockerfilePath, m_dockerfile.instructions[i].range) +
                                QStringLiteral(": stage \"%1\": ").arg(stage.displayName()) + error.message;
            return failStage(error);
        }
    }
    BuildEvent e = base;
    e.kind = BuildEventKind::StageDone;
    e.durationMs = timer.elapsed();
    emitEvent(e);
    return state;
}

// The FROM step: the state a stage starts from (an earlier stage, scratch or an image,
// pulled when missing), and the image's ONBUILD triggers to run first.
Expected<StageState> BuildRun::startStage(const Stage &stage, const BuildEvent &base,
                                          QList<Instruction> &triggers)
{
    StageState state;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        e.instruction = stage.fromInstruction;
        e.range = stage.fromRange;
        e.text = m_dockerfile.instructions.value(stage.fromInstruction).original;
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
            return fail(QStringLiteral("%1: %2").arg(locationOf(m_dockerfilePath, stage.fromRange),
                                                     ref.error().message));
        BuildEvent from = base;
        from.instruction = stage.fromInstruction;
        from.range = stage.fromRange;
        auto image = imageFor(*ref, QStringLiteral("base image"), from);
        if (!image) {
            if (image.error().isCancelled())
                return std::unexpected(image.error());
            return fail(QStringLiteral("%1: stage \"%2\": %3")
                            .arg(locationOf(m_dockerfilePath, stage.fromRange), stage.displayName(),
                                 image.error().message));
        }
        state.config = image->config;
        for (const ImageLayer &layer : image->layers)
            state.layers.append(layer.descriptor);
        state.key = sha256Hex(QStringLiteral("image\n") + image->manifestDescriptor.digest.toString());
        for (const QString &trigger : state.config.config.onBuild) {
            const Dockerfile parsed = DockerfileParser::parse(trigger);
            for (const Instruction &ins : parsed.instructions)
                triggers.append(ins);
        }
        state.config.config.onBuild.clear();
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
    m_sink(event);
}

QHash<QString, QString> BuildRun::expansionEnv(const StageState &state,
                                               const QHash<QString, QString> &args) const
{
    QHash<QString, QString> env = args;
    for (const QString &e : state.config.config.env)
        env.insert(envName(e), e.section(QLatin1Char('='), 1));
    return env;
}

QString BuildRun::expand(const QString &word, const QHash<QString, QString> &env, QString *error) const
{
    ShellLex lex(m_dockerfile.directives.escape);
    const ShellResult r = lex.processWord(word, env);
    if (!r.ok()) {
        if (error)
            *error = r.error;
        return word;
    }
    return r.value;
}

QString BuildRun::expandHeredoc(const QString &body, const QHash<QString, QString> &env, QString *error) const
{
    ShellLex lex(m_dockerfile.directives.escape);
    lex.setRawQuotes(true);
    lex.setRawEscapes(true);
    const ShellResult r = lex.processWord(body, env);
    if (!r.ok()) {
        if (error)
            *error = r.error;
        return body;
    }
    return r.value;
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
