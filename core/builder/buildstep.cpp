#include "core/builder/buildrun.h"

#include "core/exec/rootfs.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <cerrno>
#include <optional>

#include <unistd.h>

namespace stagecraft {

Expected<void> BuildRun::runStep(const PlanStep &step, const StepPlace &place, StageState &state,
                                 bool &cmdSet)
{
    QElapsedTimer timer;
    timer.start();
    const BuildEvent &base = place.base;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        emitEvent(e);
    }
    ++m_steps;
    if (std::holds_alternative<ArgCommand>(step.command)) {
        // Its values are in the scope the stage was read in: nothing changes the image.
        BuildEvent e = base;
        e.kind = BuildEventKind::StepDone;
        e.durationMs = timer.elapsed();
        emitEvent(e);
        return {};
    }
    StageState next = state;
    StepWork work;
    // First only what the key needs: a COPY or WORKDIR found in the cache never reads
    // (so never extracts) the layers of the stage it stands on.
    if (auto prepared = prepareStep(step, place, state, next, cmdSet, work, true); !prepared)
        return prepared;

    // Every step that changes the image goes through the cache: same parent state,
    // same expanded instruction, same inputs → same result.
    const auto keyOf = [&] {
        return sha256Hex(
            state.key + QLatin1Char('\n') + work.createdBy + QLatin1Char('\n') + work.keyExtra +
            QLatin1Char('\n') +
            QString::fromUtf8(QJsonDocument(next.config.config.toJson()).toJson(QJsonDocument::Compact)));
    };
    const auto noteKey = [&](const QString &key) {
        std::lock_guard lock(m_resultMutex);
        m_stepKeys.append({key, place.stage, place.range.start.line, place.text.simplified().left(1000)});
    };
    const auto takeCached = [&](const QString &key) -> Expected<bool> {
        auto imported = importCached(key);
        if (!imported)
            return std::unexpected(imported.error());
        StageState cached;
        if (!loadCache(key, cached))
            return false;
        keepStepRecord(step, place, state, work, key, next);
        noteKey(key);
        state = cached;
        ++m_cached;
        BuildEvent e = base;
        e.kind = BuildEventKind::StepCached;
        e.cacheSource = *imported;
        if (work.makesLayer && !state.layers.isEmpty()) {
            e.layerDigest = state.layers.last().digest.toString();
            e.layerSize = state.layers.last().size;
        }
        emitEvent(e);
        return true;
    };
    QString key = keyOf();
    auto hit = takeCached(key);
    if (!hit)
        return std::unexpected(hit.error());
    if (*hit)
        return {};
    if (work.deferred) {
        // The step runs: prepared again with the stage's files. The key comes out the same;
        // should it not, the full one decides, and is looked up too.
        next = state;
        work.createdBy.clear();
        work.keyExtra.clear();
        work.entries.clear();
        work.scratch.reset();
        work.deferred = false;
        if (auto prepared = prepareStep(step, place, state, next, cmdSet, work, false); !prepared)
            return prepared;
        if (const QString full = keyOf(); full != key) {
            key = full;
            hit = takeCached(key);
            if (!hit)
                return std::unexpected(hit.error());
            if (*hit)
                return {};
        }
    }

    // Why it missed, against what the step's last run left: worked out before the step
    // changes anything, kept once it succeeded.
    const StepCacheRecord record = stepRecord(step, place, state, work, key, next);
    const QString explainDir = m_builder.store().cacheDir(QStringLiteral("explain"));
    const QString identity = stepIdentity(step, place);
    const CacheMiss miss =
        CacheExplanation::explain(CacheExplanation::load(explainDir, identity), record, state.changedBy,
                                  stagesChangedBy(step, place.stage), m_request.noCache);
    // The steps after it name the first step of the chain that changed.
    if (state.changedBy.isEmpty() && miss.kind != CacheMissKind::Parent && miss.kind != CacheMissKind::Config)
        next.changedBy = QStringLiteral("[%1 %2/%3] %4")
                             .arg(base.stageName)
                             .arg(base.step + 1)
                             .arg(base.stepCount)
                             .arg(place.text.simplified().left(200));

    // A --link layer depends only on its own inputs, not on the layers below: when they
    // changed, the layer made last time is reused as it is.
    const QString linkKey =
        work.linked ? QStringLiteral("link-") + sha256Hex(QStringLiteral("link\n") + work.createdBy +
                                                          QLatin1Char('\n') + work.keyExtra)
                    : QString();
    if (work.linked) {
        if (auto linked = importCached(linkKey); !linked)
            return std::unexpected(linked.error());
    }
    if (work.linked && reuseLinkedLayer(linkKey, key, work, base, next)) {
        CacheExplanation::save(explainDir, identity, record);
        noteKey(key);
        state = next;
        return {};
    }

    Descriptor layer;
    if (work.makesLayer) {
        auto made = makeLayer(step, place, work, linkKey, next);
        if (!made)
            return std::unexpected(made.error());
        layer = *made;
    }
    addHistory(next, work.createdBy, !work.makesLayer);
    next.key = key;
    saveCache(key, next);
    CacheExplanation::save(explainDir, identity, record);
    noteKey(key);
    state = next;
    BuildEvent e = base;
    e.kind = BuildEventKind::StepDone;
    e.durationMs = timer.elapsed();
    e.cacheReason = miss.text;
    if (work.makesLayer) {
        e.layerDigest = layer.digest.toString();
        e.layerSize = layer.size;
    }
    emitEvent(e);
    return {};
}

// What the command makes of the step, by kind: `next` gets the changed config, `work`
// the history text, the cache inputs and the entries of a layer.
Expected<void> BuildRun::prepareStep(const PlanStep &step, const StepPlace &place, const StageState &state,
                                     StageState &next, bool &cmdSet, StepWork &work, bool keyOnly)
{
    // The plan's canonical text of the step (flags included) is part of every key.
    work.keyExtra = step.inputs.text + QLatin1Char('\n');
    if (const auto *workdir = std::get_if<WorkdirCommand>(&step.command))
        return workdirStep(*workdir, state, next, work, keyOnly);
    if (const auto *run = std::get_if<RunCommand>(&step.command)) {
        // A RUN's own --network is in the step's text, so in its key. The build's
        // `--network none` is not: it says what the build may reach, not what the step
        // is, as BuildKit leaves proxy variables out of its keys. A result made with the
        // network then serves a classroom's offline build, which is the point of a kit.
        // The host's network stays in: what a step sees there is the machine's own.
        if (run->network == RunNetwork::Default && m_request.network == RunNetwork::Host)
            work.keyExtra += QStringLiteral("network=host\n");
        describeRun(*run, state, work);
        // What a bind mount shows the command is an input too: the context's files by
        // content, another stage by its key. A student's edited go.mod must not get the
        // result an imported cache holds for the instructor's.
        for (const RunMount &mount : run->mounts) {
            if (mount.type != MountType::Bind)
                continue;
            if (mount.from.isEmpty()) {
                const QString source = mount.source.isEmpty() ? QStringLiteral(".") : mount.source;
                // A source the context lacks fails when the mount is made, with its message.
                if (auto digest = m_context->sourceDigest(source, m_cancel))
                    work.keyExtra +=
                        QStringLiteral("bind:") + source + QLatin1Char('=') + *digest + QLatin1Char('\n');
            } else if (const std::optional<StageState> from =
                           stageResult(m_plan->stageReference(mount.from, place.stage))) {
                work.keyExtra += QStringLiteral("bind-from:") + from->key + QLatin1Char('\n');
            }
        }
        return {};
    }
    const auto *add = std::get_if<AddCommand>(&step.command);
    const auto *copy = add ? add : std::get_if<CopyCommand>(&step.command);
    if (!copy)
        return configStep(step.command, next, cmdSet, work);
    work.makesLayer = true;
    work.linked = copy->link;
    if (keyOnly && copyKeyInputs(*copy, add, place, &work.createdBy, &work.keyExtra)) {
        work.deferred = true;
        return {};
    }
    work.scratch.emplace(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/copy-XXXXXX"));
    if (!work.scratch->isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(work.scratch->errorString()));
    auto entries =
        copyEntries(*copy, add, place, state, work.scratch->path(), &work.createdBy, &work.keyExtra);
    if (!entries)
        return std::unexpected(entries.error());
    work.entries = *entries;
    work.makesLayer = true;
    work.linked = copy->link;
    return {};
}

// A --link step's layer from an earlier build whose layers below differed: true when
// `next` took it.
bool BuildRun::reuseLinkedLayer(const QString &linkKey, const QString &key, const StepWork &work,
                                const BuildEvent &base, StageState &next)
{
    const auto linked = loadLinkedLayer(linkKey);
    if (!linked)
        return false;
    const auto &[d, diffId] = *linked;
    next.layers.append(d);
    next.config.diffIds.append(diffId);
    addHistory(next, work.createdBy, false);
    next.key = key;
    saveCache(key, next);
    ++m_cached;
    BuildEvent e = base;
    e.kind = BuildEventKind::StepCached;
    e.layerDigest = d.digest.toString();
    e.layerSize = d.size;
    emitEvent(e);
    return true;
}

// The step's layer, appended to `next`: what RUN changed, or the entries a COPY, ADD or
// WORKDIR writes.
Expected<Descriptor> BuildRun::makeLayer(const PlanStep &step, const StepPlace &place, StepWork &work,
                                         const QString &linkKey, StageState &next)
{
    if (const auto *run = std::get_if<RunCommand>(&step.command)) {
        auto ran = runCommand(*run, place, next);
        if (!ran)
            return std::unexpected(ran.error());
        return next.layers.last();
    }
    auto written = writeLayer(work.entries, place.base.stage);
    if (!written)
        return std::unexpected(written.error());
    const Descriptor layer = written->descriptor();
    next.layers.append(layer);
    next.config.diffIds.append(written->diffId);
    if (work.linked)
        saveLinkedLayer(linkKey, layer, written->diffId);
    return layer;
}

Expected<WrittenLayer> BuildRun::writeLayer(QList<LayerSourceEntry> entries, int stage)
{
    // As an ordinary user, files a RUN chowned to a container user without read permission
    // for others (0640 owned by a subordinate id) are read through copies its root makes.
    QStringList unreadable;
    for (const LayerSourceEntry &e : std::as_const(entries))
        if (e.entry.type == EntryType::File && !e.sourcePath.isEmpty() &&
            ::access(QFile::encodeName(e.sourcePath).constData(), R_OK) != 0 && errno == EACCES)
            unreadable.append(e.sourcePath);
    std::optional<QTemporaryDir> copies;
    if (!unreadable.isEmpty()) {
        copies.emplace(m_builder.store().cacheDir(QStringLiteral("tmp")) +
                       QStringLiteral("/readable-XXXXXX"));
        if (!copies->isValid())
            return fail(QStringLiteral("cannot create a scratch directory: %1").arg(copies->errorString()));
        auto copied = Rootfs::readableCopies(unreadable, copies->path());
        if (!copied)
            return std::unexpected(copied.error());
        for (LayerSourceEntry &e : entries)
            if (const auto it = copied->constFind(e.sourcePath); it != copied->cend())
                e.sourcePath = *it;
    }
    QTemporaryFile file(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/layer-XXXXXX"));
    if (!file.open())
        return fail(QStringLiteral("cannot create a temporary layer file: %1").arg(file.errorString()));
    LayerWriteOptions options;
    if (!m_exportedStages.contains(stage))
        options.compression = Compression::None;
    auto written = LayerWriter::write(std::move(entries), &file, options, m_cancel);
    if (!written)
        return std::unexpected(written.error());
    if (!file.flush())
        return fail(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
    // The writer hashed the blob as it wrote it: the file moves into the store as it is.
    ImageStore store = m_builder.store();
    auto put = store.putWrittenBlob(file.fileName(), written->digest, written->size);
    if (!put)
        return std::unexpected(put.error());
    file.setAutoRemove(false);
    return *written;
}

} // namespace stagecraft
