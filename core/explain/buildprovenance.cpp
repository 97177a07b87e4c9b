#include "core/explain/buildprovenance.h"

#include "core/oci/digest.h"
#include "core/oci/layerreader.h"
#include "core/store/imagestore.h"

namespace stagecraft {

namespace {

PlanOptions planOptions(const BuildRecord &record)
{
    PlanOptions options;
    options.target = record.target;
    for (auto it = record.buildArgs.cbegin(); it != record.buildArgs.cend(); ++it)
        options.buildArgs.insert(it.key(), it.value());
    return options;
}

Expected<LayerIndex> readLayer(const ImageStore &store, const QString &digest)
{
    auto parsed = Digest::parse(digest);
    if (!parsed)
        return std::unexpected(parsed.error());
    auto blob = store.openBlob(*parsed);
    if (!blob)
        return std::unexpected(blob.error());
    auto contents = LayerReader::readAll(blob->get());
    if (!contents)
        return std::unexpected(contents.error());
    return LayerIndex::fromEntries(contents->entries, contents->diffId.toString(), 0);
}

} // namespace

QString ProvenanceTrace::problem() const
{
    switch (gap) {
    case ProvenanceGap::None: return {};
    case ProvenanceGap::RecordUnreadable: return QStringLiteral("the record's progress cannot be read");
    case ProvenanceGap::Removed: return QStringLiteral("the image no longer holds the path");
    case ProvenanceGap::OtherBuild:
        return QStringLiteral("no step of the recorded build made layer %1: the record is of another build")
            .arg(layer);
    }
    return {};
}

QList<ProvenanceLink> ProvenanceTrace::chain() const
{
    QList<ProvenanceLink> chain;
    for (const TracedLink &l : links)
        chain.append(l.link);
    return chain;
}

BuildProvenance::BuildProvenance(const BuildRecord &record, const ImageStore *store)
    : m_store(store)
    , m_plan(BuildPlan::fromText(record.dockerfile, planOptions(record)))
{
    m_progressRead = bool(record.load(m_progress));
}

int BuildProvenance::stageIndex(const QString &name) const
{
    const QList<PlanStage> &stages = m_plan.stages();
    for (const PlanStage &s : stages)
        if (s.displayName() == name || s.name == name.toLower())
            return s.index;
    bool ok = false;
    const int index = name.toInt(&ok);
    return ok && index >= 0 && index < stages.size() ? index : -1;
}

std::optional<ProvenanceStep> BuildProvenance::stepWithLayer(const QString &digest) const
{
    for (int s : m_progress.stageIndexes())
        for (const StepProgress &p : m_progress.stage(s)->steps)
            if (p.stage >= 0 && !digest.isEmpty() && p.layerDigest == digest)
                return step(s, p.step);
    return std::nullopt;
}

std::optional<ProvenanceStep> BuildProvenance::writer(const QString &stage, const QString &path)
{
    const Layers *layers = layersOf(stage);
    if (!layers)
        return std::nullopt;
    const int id = layers->tree.find(path);
    if (id < 0)
        return std::nullopt;
    const int layer = layers->tree.node(id).layer;
    if (layer < 0 || layer >= layers->steps.size())
        return std::nullopt;
    return layers->steps[layer];
}

bool BuildProvenance::exists(const QString &stage, const QString &path)
{
    const Layers *layers = layersOf(stage);
    return layers && layers->tree.find(path) >= 0;
}

ProvenanceTrace BuildProvenance::trace(const ImageAnalysis &analysis, const FileOrigin &origin,
                                       const QString &stage)
{
    ProvenanceTrace result;
    if (!m_progressRead) {
        result.gap = ProvenanceGap::RecordUnreadable;
        return result;
    }
    const QList<LayerReport> &layers = analysis.layers();
    if (origin.layer < 0 || origin.layer >= layers.size()) {
        result.gap = ProvenanceGap::Removed;
        return result;
    }
    result.layer = origin.layer;
    const QString digest = layers.at(origin.layer).digest;
    if (const std::optional<ProvenanceStep> first = stepWithLayer(digest)) {
        const QList<ProvenanceLink> chain = FileProvenance::chain(
            *first, origin.path, [this](const QString &s, const QString &p) { return writer(s, p); },
            [this](const QString &s, const QString &p) { return exists(s, p); });
        for (const ProvenanceLink &link : chain)
            result.links.append(traced(link));
        return result;
    }
    // No step made the layer: the stage's base image did when the layer is one of its own
    // (digests only: no layer is read for this).
    const int index = stage.isEmpty() ? m_plan.target() : stageIndex(stage);
    Layers own;
    if (index >= 0 && collect(m_plan.stages().at(index).displayName(), own, 0)) {
        const qsizetype at = own.digests.indexOf(digest);
        if (at >= 0 && !own.steps.at(at)) {
            ProvenanceStep base;
            base.stage = m_plan.stages().at(index).displayName();
            result.links.append(traced({base, origin.path}));
            return result;
        }
    }
    result.gap = ProvenanceGap::OtherBuild;
    return result;
}

TracedLink BuildProvenance::traced(const ProvenanceLink &link) const
{
    TracedLink t{link, stageIndex(link.step.stage), link.step.line, link.step.endLine};
    const QList<Stage> &stages = m_plan.graph().stages;
    if (t.fromBaseImage() && t.stageIndex >= 0 && t.stageIndex < stages.size()) {
        t.line = stages.at(t.stageIndex).fromRange.start.line;
        t.endLine = stages.at(t.stageIndex).fromRange.end.line;
    }
    return t;
}

ProvenanceStep BuildProvenance::step(int stage, int number) const
{
    ProvenanceStep p;
    const StepProgress *progress = m_progress.step(stage, number);
    if (progress) {
        p.line = progress->range.start.line;
        p.endLine = progress->range.end.line;
        p.instruction = progress->text;
        p.layerDigest = progress->layerDigest;
    }
    p.step = number;
    if (stage < 0 || stage >= m_plan.stages().size())
        return p;
    const PlanStage &planned = m_plan.stages().at(stage);
    p.stage = planned.displayName();
    QString workdir;
    for (const PlanStep &s : planned.steps) {
        if (s.trigger)
            continue;
        if (s.number == number) {
            const auto *add = std::get_if<AddCommand>(&s.command);
            const CopyCommand *copy = add ? add : std::get_if<CopyCommand>(&s.command);
            if (copy && !copy->from.isEmpty()) {
                const int from = stageIndex(copy->from);
                p.copyFrom = from >= 0 ? m_plan.stages().at(from).displayName() : copy->from;
                p.copySources = copy->sources;
                p.copyDestination = copy->destination;
                p.workdir = workdir;
            }
            break;
        }
        if (const auto *w = std::get_if<WorkdirCommand>(&s.command))
            workdir = w->resolved.value_or(w->path);
    }
    return p;
}

// A stage's layers (its base's, then its steps'), merged, read from the store once.
const BuildProvenance::Layers *BuildProvenance::layersOf(const QString &stageName)
{
    if (const auto it = m_layers.constFind(stageName); it != m_layers.cend())
        return it->has_value() ? &**it : nullptr;
    m_layers.insert(stageName, std::nullopt); // a stage built on itself reads nothing
    Layers layers;
    if (!collect(stageName, layers, 0))
        return nullptr;
    for (int i = 0; i < layers.digests.size(); ++i) {
        auto index = readLayer(*m_store, layers.digests[i]);
        if (!index)
            return nullptr;
        layers.tree.apply(*index, i);
    }
    m_layers.insert(stageName, std::move(layers));
    return &*m_layers[stageName];
}

bool BuildProvenance::collect(const QString &stageName, Layers &layers, int depth)
{
    if (!m_store || depth > FileProvenance::kMaxChain)
        return false;
    const auto appendImage = [&](const QString &reference) {
        auto image = m_store->image(reference);
        if (!image)
            return false;
        for (const ImageLayer &l : image->layers) {
            layers.digests.append(l.descriptor.digest.toString());
            layers.steps.append(std::nullopt);
        }
        return true;
    };
    const int index = stageIndex(stageName);
    if (index < 0)
        return appendImage(stageName); // an image a COPY --from named: no step of this build wrote it
    const PlanStage &stage = m_plan.stages().at(index);
    if (stage.from.baseStage >= 0) {
        if (!collect(m_plan.stages().at(stage.from.baseStage).displayName(), layers, depth + 1))
            return false;
    } else if (!stage.isScratch() && !appendImage(stage.from.base)) {
        return false;
    }
    if (const StageProgress *progress = m_progress.stage(index))
        for (const StepProgress &s : progress->steps)
            if (s.stage >= 0 && s.step > 0 && !s.layerDigest.isEmpty()) {
                layers.digests.append(s.layerDigest);
                layers.steps.append(step(index, s.step));
            }
    return true;
}

} // namespace stagecraft
