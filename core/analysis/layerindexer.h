// Turns an Image's layers into what ImageAnalysis reads: each layer's index from the
// cache when it holds one, otherwise read from the layer blob (digest and diff ID
// verified) and then cached. Layers are read on several threads at once.
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/analysis/layerindexcache.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/image.h"

#include <QList>

#include <optional>

namespace stagecraft {

struct IndexingStats
{
    int layersRead = 0;      // decompressed and parsed
    int layersFromCache = 0; // loaded from the cache
    qint64 blobBytesRead = 0;
    bool analysisFromCache = false; // the whole result came from AnalysisCache: no index was loaded
    QStringList cacheProblems;      // cache files that were damaged or could not be written
};

class LayerIndexer
{
public:
    // Without a cache every layer is read from its blob.
    explicit LayerIndexer(std::optional<LayerIndexCache> cache = std::nullopt);

    // One AnalysisLayer per layer of `image`, bottom first. `maxThreads` <= 0 uses one
    // thread per core.
    Expected<QList<AnalysisLayer>> index(const Image &image, const CancellationToken &cancel = {},
                                         int maxThreads = 0);
    const IndexingStats &stats() const { return m_stats; }

    // Reads layer `layer` of `image` from its blob and checks its diff ID against the
    // image config's.
    static Expected<LayerIndex> readLayer(const Image &image, int layer,
                                          const CancellationToken &cancel = {});

private:
    std::optional<LayerIndexCache> m_cache;
    IndexingStats m_stats;
};

} // namespace stagecraft
