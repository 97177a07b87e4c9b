#include "app/checkimage.h"

#include "core/analysis/fileprovenance.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/plan/buildplan.h"

namespace stagecraft::app {

namespace {

bool isUnder(const QString &path, const QString &dir)
{
    return path == dir || (path.startsWith(dir) && path.at(dir.size()) == QLatin1Char('/'));
}

} // namespace

Expected<void> CheckImage::addTo(BuildCheckOptions &options, const QString &argument, const ImageStore *store,
                                 const BuildPlan &plan)
{
    Expected<OpenedImage> opened = ImageSource::analyse(argument, store);
    if (!opened)
        return fail(QStringLiteral("%1: %2").arg(argument, opened.error().message));
    addTo(options, opened->label.isEmpty() ? argument : opened->label, opened->analysis, plan);
    return {};
}

void CheckImage::addTo(BuildCheckOptions &options, const QString &label,
                       std::shared_ptr<const ImageAnalysis> analysis, const BuildPlan &plan)
{
    LastBuild last;
    last.image = label;
    for (const LayerReport &layer : analysis->layers())
        last.layerCreatedBy.append(layer.createdBy);
    const QList<InefficientFile> &files = analysis->inefficientFiles();
    for (qsizetype i = 0; i < files.size() && i < kMaxPaths; ++i) {
        const Expected<FileOrigin> origin = FileProvenance::inImage(*analysis, files.at(i).path);
        if (!origin)
            continue;
        const QList<PathVersion> &v = origin->versions;
        // Each version a later layer hid: its bytes stay in its layer.
        for (qsizetype k = 0; k + 1 < v.size(); ++k) {
            if (v.at(k).kind == PathChangeKind::Removed || v.at(k).type == EntryType::Directory ||
                v.at(k).size <= 0)
                continue;
            last.waste.append({origin->path, v.at(k).layer, v.at(k + 1).layer,
                               v.at(k + 1).kind == PathChangeKind::Removed, v.at(k).size});
        }
    }
    const QHash<int, int> layerOf = LastBuild::instructionLayers(plan, last.layerCreatedBy);
    options.lastBuild = std::move(last);
    options.lastBuildBytesUnder = [analysis, layerOf](int instruction,
                                                      const QString &path) -> std::optional<qint64> {
        const auto it = layerOf.constFind(instruction);
        if (it == layerOf.constEnd() || *it < 0 || *it >= analysis->layers().size())
            return std::nullopt;
        const LayerDiff &changes = analysis->layers().at(*it).changes;
        qint64 bytes = 0;
        for (const QList<FileChange> *list : {&changes.added, &changes.modified})
            for (const FileChange &c : *list)
                if (c.type != EntryType::Directory && isUnder(c.path, path))
                    bytes += c.size;
        return bytes;
    };
}

} // namespace stagecraft::app
