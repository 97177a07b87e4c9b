// A build cache whose index is here and whose layers stay where they are until a step
// needs them: `--cache-from type=registry` reads the cache artifact's manifest and index,
// and only when a step's key is in the index fetches that entry's layers the store lacks
// (through a fetch function the caller gives, so the builder needs no registry client).
// A room that changed the third step of a lesson downloads the first two steps' layers,
// not every layer the instructor pushed. Each layer is verified by digest when fetched
// and by the diff ID its entry claims before the entry lands in the store.
#pragma once

#include "core/builder/cacheindex.h"
#include "core/builder/stepcachesource.h"

#include <QMutex>
#include <QSet>

#include <atomic>
#include <functional>
#include <memory>

namespace stagecraft {

class RemoteCache : public StepCacheSource
{
public:
    // Puts one blob into the store, verified by digest and size, or says why it cannot.
    using BlobFetch = std::function<Expected<void>(ImageStore &store, const Descriptor &blob,
                                                   const CancellationToken &cancel)>;

    // `index` as read from the cache's config blob, `listed` the layers its manifest
    // lists: every blob an entry names must be one of them (the same rule as a local
    // cache), else the cache is refused. `where` names the cache in messages.
    static Expected<std::shared_ptr<RemoteCache>> make(CacheIndex index, const QList<Descriptor> &listed,
                                                       BlobFetch fetchBlob, QString where,
                                                       QString description);

    const CacheIndex &index() const { return m_index; }
    QString description() const override { return m_description; }
    Expected<std::optional<QJsonObject>> fetch(const QString &key, ImageStore &store,
                                               const CancellationToken &cancel) const override;

    // Layers fetched so far, and what they weighed: what a build reports, and tests check.
    int fetchedLayers() const { return m_fetched; }
    qint64 fetchedBytes() const { return m_fetchedBytes; }

private:
    RemoteCache(CacheIndex index, BlobFetch fetchBlob, QString where, QString description)
        : m_index(std::move(index))
        , m_fetchBlob(std::move(fetchBlob))
        , m_where(std::move(where))
        , m_description(std::move(description))
    {}

    CacheIndex m_index;
    BlobFetch m_fetchBlob;
    QString m_where;
    QString m_description;
    mutable QMutex m_mutex; // one fetch at a time: two steps never download the same layer
    mutable QSet<Digest> m_verified;
    mutable std::atomic_int m_fetched{0};
    mutable std::atomic<qint64> m_fetchedBytes{0};
};

} // namespace stagecraft
