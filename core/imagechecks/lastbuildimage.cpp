#include "core/imagechecks/lastbuildimage.h"

#include "core/analysis/fileprovenance.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/plan/buildplan.h"

namespace stagecraft {

namespace {

bool isUnder(const QString &path, const QString &dir)
{
    return path == dir || (path.startsWith(dir) && path.at(dir.size()) == QLatin1Char('/'));
}

} // namespace

Expected<LastBuildImage> LastBuildImage::open(const QString &argument, const ImageStore *store)
{
    Expected<OpenedImage> opened = ImageSource::analyse(argument, store);
    if (!opened)
        return fail(QStringLiteral("%1: %2").arg(argument, opened.error().message));
    return fromAnalysis(opened->label.isEmpty() ? argument : opened->label, opened->analysis);
}

LastBuildImage LastBuildImage::fromAnalysis(const QString &label,
                                            std::shared_ptr<const ImageAnalysis> analysis)
{
    LastBuildImage out;
    out.m_analysis = std::move(analysis);
    LastBuild &last = out.m_last;
    last.image = label;
    if (!out.m_analysis)
        return out;
    const ImageAnalysis &image = *out.m_analysis;
    for (const LayerReport &layer : image.layers())
        last.layerCreatedBy.append(layer.createdBy);
    const QList<InefficientFile> &files = image.inefficientFiles();
    for (qsizetype i = 0; i < files.size() && i < kMaxPaths; ++i) {
        const Expected<FileOrigin> origin = FileProvenance::inImage(image, files.at(i).path);
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
    return out;
}

void LastBuildImage::addTo(BuildCheckOptions &options, const BuildPlan &plan) const
{
    options.lastBuild = m_last;
    if (!m_analysis) {
        options.lastBuildBytesUnder = nullptr;
        return;
    }
    const QHash<int, int> layerOf = LastBuild::instructionLayers(plan, m_last.layerCreatedBy);
    options.lastBuildBytesUnder = [analysis = m_analysis,
                                   layerOf](int instruction, const QString &path) -> std::optional<qint64> {
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

} // namespace stagecraft
