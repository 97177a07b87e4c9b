#include "core/builder/buildrun.h"

#include <QJsonDocument>

// The builder's side of the cache explanations (core/builder/cacheexplanation.h): the
// record of a step's key inputs, made only when a step runs or its record is stale, so a
// cached build pays for one small read per step.

namespace stagecraft {

namespace {

QString explainDir(const ImageStore &store)
{
    return store.cacheDir(QStringLiteral("explain"));
}

QString fingerprint(const ContextFile &file, ContentHashCache &hashes, const CancellationToken &cancel)
{
    const QString mode = QString::number(file.mode, 8);
    switch (file.type) {
    case ContextFileType::File: {
        auto digest = hashes.fileDigest(file.absolutePath, cancel);
        return QStringLiteral("file %1 %2")
            .arg(mode, digest ? QString::fromLatin1(digest->toHex().left(32)) : QStringLiteral("unreadable"));
    }
    case ContextFileType::Directory: return QStringLiteral("dir ") + mode;
    case ContextFileType::Symlink: return QStringLiteral("link ") + file.linkTarget;
    case ContextFileType::Other: break;
    }
    return QStringLiteral("other ") + mode;
}

} // namespace

// The stages a step reads: the plan found them when it read the whole file (a step read
// again at build time in its stage's scope does not repeat the lookup).
QList<int> BuildRun::stagesRead(const PlanStep &step, int stage) const
{
    if (step.trigger || stage < 0 || stage >= m_plan->stages().size())
        return step.inputs.stages;
    for (const PlanStep &planned : m_plan->stages().at(stage).steps)
        if (planned.number == step.number && !planned.trigger)
            return planned.inputs.stages;
    return step.inputs.stages;
}

QString BuildRun::stepIdentity(const PlanStep &step, const StepPlace &place) const
{
    // A trigger has no place of its own in the Dockerfile: its text identifies it.
    const QString where =
        step.trigger ? QStringLiteral("onbuild:") + sha256Hex(place.text) : QString::number(step.number);
    return CacheExplanation::identity(m_request.contextDir, m_dockerfilePath, place.base.stageName, where);
}

QMap<QString, QString> BuildRun::stagesChangedBy(const PlanStep &step, int stage)
{
    QMap<QString, QString> changed;
    const auto &graph = m_plan->graph();
    for (const int index : stagesRead(step, stage)) {
        if (index < 0 || index >= graph.stages.size())
            continue;
        if (const std::optional<StageState> result = stageResult(index);
            result && !result->changedBy.isEmpty())
            changed.insert(graph.stages[index].displayName(), result->changedBy);
    }
    return changed;
}

StepCacheRecord BuildRun::stepRecord(const PlanStep &step, const StepPlace &place, const StageState &state,
                                     const StepWork &work, const QString &key, const StageState &next)
{
    StepCacheRecord r;
    r.key = key;
    r.parentKey = state.key;
    r.instruction = place.text.simplified().left(StepCacheRecord::kMaxText);
    r.expanded = step.inputs.text.left(StepCacheRecord::kMaxText);
    if (const auto *run = std::get_if<RunCommand>(&step.command))
        for (const auto &[name, value] : run->buildArgs)
            if (r.args.size() < StepCacheRecord::kMaxEntries)
                r.args.insert(name.left(StepCacheRecord::kMaxText), value.left(StepCacheRecord::kMaxText));
    const auto &graph = m_plan->graph();
    for (const int index : stagesRead(step, place.stage)) {
        if (index < 0 || index >= graph.stages.size() || r.stages.size() >= StepCacheRecord::kMaxEntries)
            continue;
        const std::optional<StageState> result = stageResult(index);
        r.stages.insert(graph.stages[index].displayName(), result ? result->key : QString());
    }
    // Only COPY and ADD put the context's content into their key; a RUN's bind mount of
    // the context does not, so its files would explain nothing.
    const bool readsContext =
        std::holds_alternative<CopyCommand>(step.command) || std::holds_alternative<AddCommand>(step.command);
    if (m_context && readsContext) {
        ContentHashCache &hashes = *m_context->hashCache();
        for (const QString &path : step.inputs.contextPaths) {
            auto matches = m_context->select(path, m_cancel);
            if (!matches)
                continue;
            for (const ContextMatch &m : std::as_const(*matches))
                for (const ContextFile &f : m.files) {
                    const QString name = f.path.isEmpty() ? QStringLiteral(".") : f.path;
                    if (r.files.contains(name))
                        continue;
                    r.files.insert(name, fingerprint(f, hashes, m_cancel));
                }
        }
        QCryptographicHash h(QCryptographicHash::Sha256);
        for (auto it = r.files.cbegin(); it != r.files.cend(); ++it) {
            h.addData(it.key().toUtf8());
            h.addData(QByteArrayView("\0", 1));
            h.addData(it.value().toUtf8());
            h.addData(QByteArrayView("\n", 1));
        }
        r.fileCount = r.files.size();
        r.filesDigest = QString::fromLatin1(h.result().toHex());
        if (r.files.size() > StepCacheRecord::kMaxFiles)
            r.files.clear();
    }
    r.otherInputs = sha256Hex(work.createdBy + QLatin1Char('\n') + work.keyExtra);
    r.config = sha256Hex(
        QString::fromUtf8(QJsonDocument(next.config.config.toJson()).toJson(QJsonDocument::Compact)));
    return r;
}

void BuildRun::keepStepRecord(const PlanStep &step, const StepPlace &place, const StageState &state,
                              const StepWork &work, const QString &key, const StageState &next)
{
    const QString dir = explainDir(m_builder.store());
    const QString identity = stepIdentity(step, place);
    const auto kept = CacheExplanation::load(dir, identity);
    if (kept && kept->key == key)
        return;
    CacheExplanation::save(dir, identity, stepRecord(step, place, state, work, key, next));
}

} // namespace stagecraft
