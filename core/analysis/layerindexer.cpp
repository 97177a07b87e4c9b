#include "core/analysis/layerindexer.h"

#include "core/oci/layerreader.h"

#include <QFile>
#include <QThread>

#include <algorithm>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace stagecraft {

LayerIndexer::LayerIndexer(std::optional<LayerIndexCache> cache)
    : m_cache(std::move(cache))
{}

Expected<LayerIndex> LayerIndexer::readLayer(const Image &image, int layer, const CancellationToken &cancel)
{
    if (layer < 0 || layer >= image.layers.size())
        return fail(QStringLiteral("the image has no layer %1").arg(layer));
    const ImageLayer &l = image.layers[layer];
    auto blob = image.openLayer(layer);
    if (!blob)
        return fail(QStringLiteral("layer %1 (%2): %3")
                        .arg(layer)
                        .arg(l.descriptor.digest.toString(), blob.error().message));
    auto contents = LayerReader::readAll(blob->get(), cancel);
    if (!contents)
        return fail(QStringLiteral("layer %1 (%2): %3")
                        .arg(layer)
                        .arg(l.descriptor.digest.toString(), contents.error().message));
    if (l.diffId.isValid() && contents->diffId != l.diffId)
        return fail(
            QStringLiteral("layer %1 (%2): its content has diff ID %3 but the image config says %4")
                .arg(layer)
                .arg(l.descriptor.digest.toString(), contents->diffId.toString(), l.diffId.toString()));
    return LayerIndex::fromEntries(contents->entries, contents->diffId.toString(), l.descriptor.size);
}

Expected<QList<AnalysisLayer>> LayerIndexer::index(const Image &image, const CancellationToken &cancel,
                                                   int maxThreads)
{
    m_stats = {};
    const int count = int(image.layers.size());
    QList<AnalysisLayer> layers(count);
    QList<int> toRead;
    for (int i = 0; i < count; ++i) {
        const ImageLayer &l = image.layers[i];
        layers[i].digest = l.descriptor.digest.toString();
        layers[i].createdBy = l.history.createdBy;
        layers[i].comment = l.history.comment;
        if (m_cache && l.diffId.isValid()) {
            auto cached = m_cache->load(l.diffId.toString());
            // Keyed by the config's diff ID: the index was written only after the layer's
            // content was seen to have that diff ID.
            if (cached) {
                // The same content may be stored compressed in one image and not in another.
                layers[i].index = cached->withCompressedSize(l.descriptor.size);
                ++m_stats.layersFromCache;
                continue;
            }
            if (!cached && QFile::exists(m_cache->pathFor(l.diffId.toString())))
                m_stats.cacheProblems.append(cached.error().message);
        }
        toRead.append(i);
    }

    std::vector<std::optional<Error>> errors(count);
    std::atomic_int next{0};
    auto work = [&] {
        for (int n = next++; n < toRead.size(); n = next++) {
            const int i = toRead[n];
            if (cancel.isCancelled()) {
                errors[i] = cancellation();
                continue;
            }
            auto index = readLayer(image, i, cancel);
            if (index)
                layers[i].index = std::move(*index);
            else
                errors[i] = index.error();
        }
    };
    // At least one thread (it finds nothing to do when every layer came from the cache),
    // at most one per layer to read.
    const int threads =
        std::max(1, std::min(maxThreads > 0 ? maxThreads : QThread::idealThreadCount(), int(toRead.size())));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
        t.join();

    for (int i : std::as_const(toRead)) {
        if (errors[i])
            return std::unexpected(*errors[i]);
        ++m_stats.layersRead;
        m_stats.blobBytesRead += image.layers[i].descriptor.size;
        if (m_cache) {
            auto saved = m_cache->save(layers[i].index);
            if (!saved)
                m_stats.cacheProblems.append(saved.error().message);
        }
    }
    return layers;
}

} // namespace stagecraft
