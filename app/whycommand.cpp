// `stagecraft why IMAGE PATH`: where a file of an image came from. Every layer that wrote
// or removed the path with its history's created_by, the layer whose version the image
// keeps, and, given the build record of the build that made the image (`build --record`),
// the chain of COPY --from back through the stages to the step that wrote the bytes, with
// the Dockerfile's lines.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/analysis/bytesize.h"
#include "core/analysis/fileprovenance.h"
#include "core/analysis/imagesource.h"
#include "core/common/controlcharacters.h"
#include "core/oci/layerreader.h"
#include "core/plan/buildplan.h"
#include "core/progress/buildrecord.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <optional>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft why [--store DIR] [--record FILE] [--json] [--no-cache] IMAGE PATH\n"
    "\n"
    "Where PATH in IMAGE came from. IMAGE is a reference in the store, a `docker save`\n"
    "tarball or an OCI layout directory (optionally DIR:NAME). Prints the layer whose\n"
    "version of the path the image keeps (its size and the history's created_by) and\n"
    "every layer that wrote or removed the path before it.\n"
    "\n"
    "With the build record of the build that made the image (`stagecraft build --record\n"
    "FILE`), it also follows the path back through the stages: the step that wrote the\n"
    "layer and, for a COPY --from, the step of the source stage that wrote the file there,\n"
    "and so on, each with its Dockerfile line. The source stages' layers are read from the\n"
    "store; a link ends at a stage's base image when no step of the build wrote the file.\n"
    "\n"
    "  --store DIR     the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "  --record FILE   the build record of the build that made IMAGE\n"
    "  --json          one JSON object instead of text\n"
    "  --no-cache      neither read nor write the analysis caches\n"
    "\n"
    "JSON: {image, path, present, type, size, layer, createdBy, versions: [{layer, change,\n"
    "type, size, createdBy, layerDigest, removedBy?}], chain?: [{stage, step, line, endLine,\n"
    "instruction, path, layerDigest}], chainProblem?}. layer is null when the path is gone.\n"
    "\n"
    "Exit status: 0 ok, 1 the image, path or record cannot be read, 2 usage error.\n";

const QString kName = QStringLiteral("why");

QString changeName(PathChangeKind kind)
{
    switch (kind) {
    case PathChangeKind::Added: return QStringLiteral("added");
    case PathChangeKind::Modified: return QStringLiteral("modified");
    case PathChangeKind::Removed: return QStringLiteral("removed");
    }
    return {};
}

// The build a record describes, read to follow a path through its stages.
class RecordedBuild
{
public:
    RecordedBuild(const BuildRecord &record, const ImageStore *store)
        : m_store(store)
        , m_plan(BuildPlan::fromText(record.dockerfile, planOptions(record)))
    {
        if (!record.load(m_progress))
            m_problem = QStringLiteral("the record's progress cannot be read");
    }

    QString problem() const { return m_problem; }

    // The step whose layer is `digest`, or nullopt.
    std::optional<ProvenanceStep> stepWithLayer(const QString &digest) const
    {
        for (int s : m_progress.stageIndexes())
            for (const StepProgress &p : m_progress.stage(s)->steps)
                if (p.stage >= 0 && !digest.isEmpty() && p.layerDigest == digest)
                    return step(s, p.step);
        return std::nullopt;
    }

    std::optional<ProvenanceStep> writer(const QString &stage, const QString &path)
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

    bool exists(const QString &stage, const QString &path)
    {
        const Layers *layers = layersOf(stage);
        return layers && layers->tree.find(path) >= 0;
    }

private:
    struct Layers
    {
        FileTree tree;
        QList<std::optional<ProvenanceStep>> steps; // per layer: the step that made it
        QList<QString> digests;
    };

    static PlanOptions planOptions(const BuildRecord &record)
    {
        PlanOptions options;
        options.target = record.target;
        for (auto it = record.buildArgs.cbegin(); it != record.buildArgs.cend(); ++it)
            options.buildArgs.insert(it.key(), it.value());
        return options;
    }

    int stageIndex(const QString &name) const
    {
        const QList<PlanStage> &stages = m_plan.stages();
        for (const PlanStage &s : stages)
            if (s.displayName() == name || s.name == name.toLower())
                return s.index;
        bool ok = false;
        const int index = name.toInt(&ok);
        return ok && index >= 0 && index < stages.size() ? index : -1;
    }

    ProvenanceStep step(int stage, int number) const
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
    const Layers *layersOf(const QString &stageName)
    {
        if (const auto it = m_layers.constFind(stageName); it != m_layers.cend())
            return it->has_value() ? &**it : nullptr;
        m_layers.insert(stageName, std::nullopt); // a stage built on itself reads nothing
        Layers layers;
        if (!collect(stageName, layers, 0))
            return nullptr;
        for (int i = 0; i < layers.digests.size(); ++i) {
            auto index = readLayer(layers.digests[i]);
            if (!index)
                return nullptr;
            layers.tree.apply(*index, i);
        }
        m_layers.insert(stageName, std::move(layers));
        return &*m_layers[stageName];
    }

    bool collect(const QString &stageName, Layers &layers, int depth)
    {
        if (!m_store || depth > FileProvenance::kMaxChain)
            return false;
        const int index = stageIndex(stageName);
        if (index < 0) {
            // An image a COPY --from named: its layers, written by no step of this build.
            auto image = m_store->image(stageName);
            if (!image)
                return false;
            for (const ImageLayer &l : image->layers) {
                layers.digests.append(l.descriptor.digest.toString());
                layers.steps.append(std::nullopt);
            }
            return true;
        }
        const PlanStage &stage = m_plan.stages().at(index);
        if (stage.from.baseStage >= 0) {
            if (!collect(m_plan.stages().at(stage.from.baseStage).displayName(), layers, depth + 1))
                return false;
        } else if (!stage.isScratch()) {
            auto image = m_store->image(stage.from.base);
            if (!image)
                return false;
            for (const ImageLayer &l : image->layers) {
                layers.digests.append(l.descriptor.digest.toString());
                layers.steps.append(std::nullopt);
            }
        }
        if (const StageProgress *progress = m_progress.stage(index))
            for (const StepProgress &s : progress->steps)
                if (s.stage >= 0 && s.step > 0 && !s.layerDigest.isEmpty()) {
                    layers.digests.append(s.layerDigest);
                    layers.steps.append(step(index, s.step));
                }
        return true;
    }

    Expected<LayerIndex> readLayer(const QString &digest) const
    {
        auto parsed = Digest::parse(digest);
        if (!parsed)
            return std::unexpected(parsed.error());
        auto blob = m_store->openBlob(*parsed);
        if (!blob)
            return std::unexpected(blob.error());
        auto contents = LayerReader::readAll(blob->get());
        if (!contents)
            return std::unexpected(contents.error());
        return LayerIndex::fromEntries(contents->entries, contents->diffId.toString(), 0);
    }

    const ImageStore *m_store;
    BuildPlan m_plan;
    BuildProgress m_progress;
    QString m_problem;
    QHash<QString, std::optional<Layers>> m_layers;
};

QString linkText(const ProvenanceLink &link)
{
    const ProvenanceStep &s = link.step;
    if (s.instruction.isEmpty())
        return QStringLiteral("  stage %1: its base image holds %2\n").arg(s.stage, link.path);
    const QString lines = s.endLine > s.line ? QStringLiteral("lines %1-%2").arg(s.line).arg(s.endLine)
                                             : QStringLiteral("line %1").arg(s.line);
    return QStringLiteral("  %1  [%2 step %3] %4\n      writes %5\n")
        .arg(lines, s.stage)
        .arg(s.step)
        .arg(oneLineField(s.instruction, 100), link.path);
}

int runWhy(const QStringList &argv)
{
    auto args = StoreArguments::parse(argv, {QStringLiteral("--record")},
                                      {QStringLiteral("--json"), QStringLiteral("--no-cache")});
    if (!args)
        return usageError(kName, args.error().message);
    if (args->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (args->positional().size() != 2)
        return usageError(kName, QStringLiteral("give an image and a path in it"));
    const QString imageArgument = args->positional().at(0);
    auto store = args->openStore();
    auto image = ImageSource::analyse(imageArgument, store ? &*store : nullptr, {},
                                      !args->has(QStringLiteral("--no-cache")));
    if (!image)
        return commandError(kName, QStringLiteral("%1: %2").arg(imageArgument, image.error().message));
    auto origin = FileProvenance::inImage(*image->analysis, args->positional().at(1));
    if (!origin)
        return commandError(kName, origin.error().message);
    const QList<LayerReport> &layers = image->analysis->layers();
    const LayerReport *kept =
        origin->layer >= 0 && origin->layer < layers.size() ? &layers[origin->layer] : nullptr;

    QList<ProvenanceLink> chain;
    QString chainProblem;
    if (args->has(QStringLiteral("--record"))) {
        auto record = BuildRecord::read(args->value(QStringLiteral("--record")));
        if (!record)
            return commandError(kName, record.error().message);
        RecordedBuild build(*record, store ? &*store : nullptr);
        chainProblem = build.problem();
        const auto first = kept ? build.stepWithLayer(kept->digest) : std::nullopt;
        if (!kept)
            chainProblem = QStringLiteral("the image no longer holds the path");
        else if (!first && chainProblem.isEmpty())
            chainProblem = QStringLiteral("no step of the recorded build made layer %1: the record is of "
                                          "another build")
                               .arg(kept->index);
        if (first)
            chain = FileProvenance::chain(
                *first, origin->path,
                [&](const QString &stage, const QString &path) { return build.writer(stage, path); },
                [&](const QString &stage, const QString &path) { return build.exists(stage, path); });
    }

    if (args->has(QStringLiteral("--json"))) {
        QJsonArray versions;
        for (const PathVersion &v : origin->versions) {
            QJsonObject o{{QStringLiteral("layer"), v.layer},
                          {QStringLiteral("change"), changeName(v.kind)},
                          {QStringLiteral("type"), entryTypeName(v.type)},
                          {QStringLiteral("size"), v.size},
                          {QStringLiteral("createdBy"), v.createdBy},
                          {QStringLiteral("layerDigest"), v.layerDigest}};
            if (!v.removedBy.isEmpty())
                o.insert(QStringLiteral("removedBy"), v.removedBy);
            versions.append(o);
        }
        QJsonObject json{
            {QStringLiteral("image"), imageArgument},
            {QStringLiteral("path"), origin->path},
            {QStringLiteral("present"), origin->present},
            {QStringLiteral("type"), entryTypeName(origin->type)},
            {QStringLiteral("size"), origin->size},
            {QStringLiteral("layer"), kept ? QJsonValue(kept->index) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("createdBy"), kept ? kept->createdBy : QString()},
            {QStringLiteral("versions"), versions}};
        if (args->has(QStringLiteral("--record"))) {
            QJsonArray links;
            for (const ProvenanceLink &l : chain)
                links.append(QJsonObject{{QStringLiteral("stage"), l.step.stage},
                                         {QStringLiteral("step"), l.step.step},
                                         {QStringLiteral("line"), l.step.line},
                                         {QStringLiteral("endLine"), l.step.endLine},
                                         {QStringLiteral("instruction"), l.step.instruction},
                                         {QStringLiteral("path"), l.path},
                                         {QStringLiteral("layerDigest"), l.step.layerDigest}});
            json.insert(QStringLiteral("chain"), links);
            if (!chainProblem.isEmpty())
                json.insert(QStringLiteral("chainProblem"), chainProblem);
        }
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
        return 0;
    }

    QString out;
    if (kept) {
        out += QStringLiteral("%1: %2, %3, written by layer %4 (%5)\n")
                   .arg(escapeControlCharacters(origin->path), entryTypeName(origin->type),
                        formatByteSize(origin->size))
                   .arg(kept->index)
                   .arg(kept->digest.left(19));
        out += QStringLiteral("  created by: %1\n")
                   .arg(oneLineField(kept->createdBy.isEmpty() ? kept->comment : kept->createdBy, 200));
    } else {
        out += QStringLiteral("%1: not in the image (removed)\n").arg(escapeControlCharacters(origin->path));
    }
    out += QStringLiteral("\nLayers that changed it:\n");
    for (const PathVersion &v : origin->versions) {
        out += QStringLiteral("  layer %1  %2  %3  %4\n")
                   .arg(v.layer, 3)
                   .arg(changeName(v.kind), -8)
                   .arg(v.kind == PathChangeKind::Removed ? QStringLiteral("-") : formatByteSize(v.size), 9)
                   .arg(oneLineField(v.createdBy, 100));
        if (!v.removedBy.isEmpty())
            out += QStringLiteral("      (removed with %1)\n").arg(escapeControlCharacters(v.removedBy));
    }
    if (args->has(QStringLiteral("--record"))) {
        out += QStringLiteral("\nThrough the build (from the record):\n");
        for (const ProvenanceLink &l : chain)
            out += linkText(l);
        if (!chainProblem.isEmpty())
            out += QStringLiteral("  (%1)\n").arg(chainProblem);
    }
    printOut(out);
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("why"), QStringLiteral("where a file of an image came from: its layers and build steps"),
     runWhy}};

} // namespace

} // namespace stagecraft::app
