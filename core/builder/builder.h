// Builds a Dockerfile into the local image store without a daemon: stages in
// parallel by plan level, RUN in the bubblewrap sandbox on overlay lowers cached per
// diff ID, COPY written straight into layers, a step cache keyed by each step's
// inputs, and image configs and histories as BuildKit writes them.
#pragma once

#include "core/builder/buildevent.h"
#include "core/builder/downloadcache.h"
#include "core/builder/failedstep.h"
#include "core/builder/stepcachesource.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/dockerfile/dockerfile.h"
#include "core/oci/descriptor.h"
#include "core/plan/runcommand.h"
#include "core/store/imagestore.h"

#include <QHash>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace stagecraft {

class ChangeSet;

struct BuildRequest
{
    QString contextDir;
    QString dockerfile; // path; empty: <contextDir>/Dockerfile
    // The Dockerfile as the caller already parsed it (the editor's text, unsaved changes
    // included): built instead of reading `dockerfile`, whose path then only names it in
    // messages and finds its .dockerignore.
    std::shared_ptr<const Dockerfile> parsed;
    QString target; // stage name or index; empty: the last stage
    QHash<QString, QString> buildArgs;
    QStringList tags; // "name:tag" (normalised here)
    bool noCache = false;
    // The network of RUN steps that do not choose one (`RUN --network=...` wins), as
    // `docker build --network`: Default is the sandbox's private user-mode network.
    RunNetwork network = RunNetwork::Default;
    QString platform = QStringLiteral("linux/amd64");
    // Called (from a worker thread) when FROM or COPY --from names an image the store
    // does not hold, with the normalised reference; it should put the image into the
    // store. Empty: such a build fails saying how to get the image.
    std::function<Expected<void>(const QString &reference, const CancellationToken &)> pullMissingImage;
    // Called (from the failing stage's worker thread) when a RUN command exits non-zero,
    // before the step's scratch directory is removed: e.g. to open a debug shell in it
    // (core/builder/debugshell.h). Only the build's first failure is handed over, the other
    // stages already stopping; the token is the caller's cancellation of the build. The
    // build then fails as it would have, and nothing the callback did is stored.
    std::function<void(const FailedStep &, const CancellationToken &)> onFailedStep;
    // Caches asked, in order, for a step the store's own cache lacks (`--cache-from`).
    StepCacheSources cacheFrom;
};

// A step that went through the step cache and where it stands in the Dockerfile: what a
// classroom kit's check names when the kit lacks the step's result.
struct BuildStepKey
{
    QString key;
    int stage = 0;
    int line = 0;        // 1-based
    QString instruction; // as written, on one line
};

struct BuildResult
{
    Descriptor manifest;
    Digest imageId; // config digest
    QStringList tags;
    int steps = 0;
    int cachedSteps = 0;
    qint64 durationMs = 0;
    // Every step cache key the build used or made (a --link step's layer key too), in the
    // order the steps ran: what `--cache-to` exports.
    QStringList cacheKeys;
    // The key each step's result was found or kept under, in the order the steps ended.
    QList<BuildStepKey> stepKeys;
};

struct BuildCachePruneReport
{
    int cacheEntriesRemoved = 0;     // step results whose layer blobs are gone
    int layerDirectoriesRemoved = 0; // extracted layers nothing uses any more
};

class Builder
{
public:
    explicit Builder(ImageStore store)
        : m_store(std::move(store))
        , m_downloads(m_store.root() + QStringLiteral("/cache/downloads"))
    {}

    // Builds and tags the target stage. `sink` may be empty; it is called from worker
    // threads, never concurrently. A cancelled build returns an error of kind
    // ErrorKind::Cancelled.
    Expected<BuildResult> build(const BuildRequest &request, const BuildEventSink &sink = {},
                                const CancellationToken &cancel = {});

    // The directory of an extracted layer (overlay format) for `diffId`, extracting the
    // blob `layer` into the store's layer cache on first use.
    Expected<QString> layerDirectory(const Descriptor &layer, const Digest &diffId,
                                     const CancellationToken &cancel = {}) const;

    // Drops the build cache's step results whose layer blobs garbage collection removed,
    // then the extracted layer directories that no image in the store and no remaining
    // step result uses. Meant to follow ImageStore::collectGarbage() while no build runs.
    Expected<BuildCachePruneReport> pruneCaches(const CancellationToken &cancel = {}) const;

    // Moves `upperDir`, the overlay upper of a RUN whose captured change `changes` is the
    // layer `diffId`, into the layer cache as that layer's directory, first made exactly
    // what extracting the layer's blob gives (what the layer does not hold removed, owners,
    // modes, times and overlay markers as extraction sets them). False when the cache
    // holds the layer already or the upper cannot be made so: the caller drops it, and
    // the layer is extracted on first use. STAGECRAFT_NO_SNAPSHOT_REUSE=1 turns it off.
    bool adoptLayerDirectory(const QString &upperDir, const ChangeSet &changes, const Digest &diffId) const;

    // The layers this builder (and its copies) extracted from their blobs, in order.
    QList<Digest> extractedLayers() const;

    const ImageStore &store() const { return m_store; }

    // How ADD fetches a URL: through the store's download cache (cache/downloads), so a
    // URL fetched before costs one conditional request, and none when `checksum` (ADD
    // --checksum) names the digest kept for it.
    DownloadOptions downloadOptions(const QString &checksum = {}) const
    {
        DownloadOptions options;
        options.cache = &m_downloads;
        options.checksum = checksum;
        return options;
    }
    const DownloadCache &downloads() const { return m_downloads; }

private:
    struct ExtractionRecord
    {
        mutable QMutex mutex;
        QList<Digest> diffIds;
    };

    QString layerCachePath(const Digest &diffId) const;

    ImageStore m_store;
    DownloadCache m_downloads;
    std::shared_ptr<ExtractionRecord> m_extracted = std::make_shared<ExtractionRecord>();
};

} // namespace stagecraft
