#include "core/analysis/imagesource.h"

#include "core/analysis/analysiscache.h"
#include "core/analysis/layerindexcache.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/ocilayout.h"
#include "core/store/imagestore.h"

#include <QFile>
#include <QFileInfo>

namespace stagecraft {

Expected<Image> ImageSource::open(const QString &argument, const ImageStore *store, QString *source)
{
    QString ignored;
    QString &kind = source ? *source : ignored;
    QString path = argument;
    QString name;
    if (!QFileInfo::exists(path)) {
        const qsizetype colon = argument.lastIndexOf(u':');
        if (colon > 0 && QFileInfo::exists(argument.left(colon))) {
            path = argument.left(colon);
            name = argument.mid(colon + 1);
        }
    }
    const QFileInfo info(path);
    if (info.isDir()) {
        kind = QStringLiteral("OCI layout");
        auto layout = OciLayout::open(path);
        if (!layout)
            return std::unexpected(layout.error());
        return layout->image(name);
    }
    if (info.isFile()) {
        kind = QStringLiteral("docker-archive");
        if (!DockerArchive::isDockerArchive(path))
            return fail(
                QStringLiteral("%1 is neither a docker-archive (`docker save` output) nor an OCI layout "
                               "directory")
                    .arg(path));
        auto archive = DockerArchive::open(path);
        if (!archive)
            return std::unexpected(archive.error());
        return archive->image(name);
    }
    kind = QStringLiteral("store");
    if (!store)
        return fail(QStringLiteral("no file or directory is named %1, and there is no image store to look in")
                        .arg(argument));
    auto image = store->image(argument);
    if (!image)
        return fail(
            QStringLiteral("%1 (no file or directory of that name either)").arg(image.error().message));
    return image;
}

Expected<OpenedImage> ImageSource::analyse(const QString &argument, const ImageStore *store,
                                           const AnalysisOptions &options, bool useCache,
                                           const CancellationToken &cancel)
{
    OpenedImage opened;
    opened.argument = argument;
    auto image = open(argument, store, &opened.source);
    if (!image)
        return std::unexpected(image.error());
    opened.image = std::move(*image);
    opened.label = opened.source == QLatin1String("store") ? argument : QFileInfo(argument).fileName();
    if (opened.label.isEmpty())
        opened.label = argument;

    std::optional<LayerIndexCache> cache;
    std::optional<AnalysisCache> analysisCache;
    QStringList analysisCacheProblems;
    if (useCache && store) {
        // The whole result first: it spares loading every layer index and merging them.
        analysisCache.emplace(store->cacheDir(QStringLiteral("analysis")));
        auto cached = analysisCache->load(opened.image, options);
        if (cached) {
            opened.stats.analysisFromCache = true;
            opened.analysis = std::make_shared<const ImageAnalysis>(std::move(*cached));
            return opened;
        }
        if (QFile::exists(analysisCache->pathFor(opened.image, options)))
            analysisCacheProblems.append(cached.error().message);
        cache.emplace(store->cacheDir(QStringLiteral("layer-index")));
    }
    LayerIndexer indexer(cache);
    auto layers = indexer.index(opened.image, cancel);
    if (!layers)
        return std::unexpected(layers.error());
    opened.stats = indexer.stats();
    opened.stats.cacheProblems += analysisCacheProblems;
    opened.analysis = std::make_shared<const ImageAnalysis>(ImageAnalysis::analyze(*layers, options));
    if (analysisCache && !cancel.isCancelled()) {
        auto saved = analysisCache->save(opened.image, options, *opened.analysis);
        if (!saved)
            opened.stats.cacheProblems.append(saved.error().message);
    }
    return opened;
}

} // namespace stagecraft
