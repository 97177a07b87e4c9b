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
#include "core/explain/buildprovenance.h"
#include "core/progress/buildrecord.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

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
        BuildProvenance build(*record, store ? &*store : nullptr);
        const ProvenanceTrace trace = build.trace(*image->analysis, *origin);
        chain = trace.chain();
        chainProblem = trace.problem();
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
