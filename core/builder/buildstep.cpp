#include "core/builder/buildrun.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTemporaryFile>

namespace stagecraft {

Expected<void> BuildRun::runStep(int stageIndex, const Instruction &ins, int step, int stepCount,
                                 StageState &state, QHash<QString, QString> &args, QStringList &argOrder,
                                 bool &cmdSet)
{
    QElapsedTimer timer;
    timer.start();
    BuildEvent base;
    base.stage = stageIndex;
    base.stageName = m_graph.stages[stageIndex].displayName();
    base.step = step;
    base.stepCount = stepCount;
    base.instruction = int(&ins - m_dockerfile.instructions.constData());
    if (base.instruction < 0 || base.instruction >= m_dockerfile.instructions.size())
        base.instruction = -1;
    base.range = ins.range;
    base.text = ins.original;
    {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepStarted;
        emitEvent(e);
    }
    ++m_steps;
    const QHash<QString, QString> env = expansionEnv(state, args);
    if (ins.kind == InstructionKind::Arg) {
        auto declared = declareArgs(ins, env, args, argOrder);
        if (!declared)
            return declared;
        BuildEvent e = base;
        e.kind = BuildEventKind::StepDone;
        e.durationMs = timer.elapsed();
        emitEvent(e);
        return {};
    }
    StageState next = state;
    StepWork work;
    if (auto prepared = prepareStep(ins, state, env, args, argOrder, base, next, cmdSet, work); !prepared)
        return prepared;

    // Every step that changes the image goes through the cache: same parent state,
    // same expanded instruction, same inputs → same result.
    const QString key = sha256Hex(
        state.key + QLatin1Char('\n') + work.createdBy + QLatin1Char('\n') + work.keyExtra +
        QLatin1Char('\n') +
        QString::fromUtf8(QJsonDocument(next.config.config.toJson()).toJson(QJsonDocument::Compact)));
    StageState cached;
    if (loadCache(key, cached)) {
        state = cached;
        ++m_cached;
        BuildEvent e = base;
        e.kind = BuildEventKind::StepCached;
        if (work.makesLayer && !state.layers.isEmpty()) {
            e.layerDigest = state.layers.last().digest.toString();
            e.layerSize = state.layers.last().size;
        }
        emitEvent(e);
        return {};
    }

    // A --link layer depends only on its own inputs, not on the layers below: when they
    // changed, the layer made last time is reused as it is.
    const QString linkKey =
        work.linked ? QStringLiteral("link-") + sha256Hex(QStringLiteral("link\n") + work.createdBy +
                                                          QLatin1Char('\n') + work.keyExtra)
                    : QString();
    if (work.linked && reuseLinkedLayer(linkKey, key, work, base, next)) {
        state = next;
        return {};
    }

    Descriptor layer;
    if (work.makesLayer) {
        auto made = makeLayer(ins, args, argOrder, base, work, linkKey, next);
        if (!made)
            return std::unexpected(made.error());
        layer = *made;
    }
    addHistory(next, work.createdBy, !work.makesLayer);
    next.key = key;
    saveCache(key, next);
    state = next;
    BuildEvent e = base;
    e.kind = BuildEventKind::StepDone;
    e.durationMs = timer.elapsed();
    if (work.makesLayer) {
        e.layerDigest = layer.digest.toString();
        e.layerSize = layer.size;
    }
    emitEvent(e);
    return {};
}

// What the instruction makes of the step, by kind: `next` gets the changed config, `work`
// the history text, the cache inputs and the entries of a layer.
Expected<void> BuildRun::prepareStep(const Instruction &ins, const StageState &state,
                                     const QHash<QString, QString> &env, const QHash<QString, QString> &args,
                                     const QStringList &argOrder, const BuildEvent &base, StageState &next,
                                     bool &cmdSet, StepWork &work)
{
    QString error;
    switch (ins.kind) {
    case InstructionKind::Env:
    case InstructionKind::Label:
    case InstructionKind::Maintainer:
    case InstructionKind::Expose:
    case InstructionKind::Volume:
    case InstructionKind::User:
    case InstructionKind::Stopsignal:
    case InstructionKind::Shell:
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint:
    case InstructionKind::Healthcheck:
    case InstructionKind::Onbuild: return configStep(ins, env, next, cmdSet, work);
    case InstructionKind::Workdir: {
        auto done = workdirStep(ins, env, state, next, work, &error);
        if (!done)
            return done;
        break;
    }
    case InstructionKind::Copy:
    case InstructionKind::Add: {
        work.scratch.emplace(m_builder.store().cacheDir(QStringLiteral("tmp")) +
                             QStringLiteral("/copy-XXXXXX"));
        if (!work.scratch->isValid())
            return fail(
                QStringLiteral("cannot create a scratch directory: %1").arg(work.scratch->errorString()));
        auto entries =
            copyEntries(ins, state, env, work.scratch->path(), base, &work.createdBy, &work.keyExtra);
        if (!entries)
            return std::unexpected(entries.error());
        work.entries = *entries;
        work.makesLayer = true;
        for (const Flag &f : ins.flags)
            work.linked = work.linked || (f.name == QLatin1String("link") &&
                                          (f.value.isEmpty() || f.value == QLatin1String("true")));
        break;
    }
    case InstructionKind::Run: describeRun(ins, state, env, args, argOrder, work, &error); break;
    case InstructionKind::Arg:
    case InstructionKind::From:
    case InstructionKind::Unknown: return fail(QStringLiteral("unexpected instruction %1").arg(ins.keyword));
    }
    if (!error.isEmpty())
        return fail(error);
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
Expected<Descriptor> BuildRun::makeLayer(const Instruction &ins, const QHash<QString, QString> &args,
                                         const QStringList &argOrder, const BuildEvent &base, StepWork &work,
                                         const QString &linkKey, StageState &next)
{
    if (ins.kind == InstructionKind::Run) {
        auto ran = runCommand(ins, next, args, argOrder, base, &work.createdBy);
        if (!ran)
            return std::unexpected(ran.error());
        return next.layers.last();
    }
    auto written = writeLayer(work.entries);
    if (!written)
        return std::unexpected(written.error());
    const Descriptor layer = written->descriptor();
    next.layers.append(layer);
    next.config.diffIds.append(written->diffId);
    if (work.linked)
        saveLinkedLayer(linkKey, layer, written->diffId);
    return layer;
}

Expected<WrittenLayer> BuildRun::writeLayer(QList<LayerSourceEntry> entries)
{
    QTemporaryFile file(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/layer-XXXXXX"));
    if (!file.open())
        return fail(QStringLiteral("cannot create a temporary layer file: %1").arg(file.errorString()));
    LayerWriteOptions options;
    auto written = LayerWriter::write(std::move(entries), &file, options, m_cancel);
    if (!written)
        return std::unexpected(written.error());
    file.flush();
    file.seek(0);
    ImageStore store = m_builder.store();
    auto put = store.putBlob(&file, written->digest, written->size);
    if (!put)
        return std::unexpected(put.error());
    return *written;
}

} // namespace stagecraft
