#include "core/builder/remotecache.h"

#include <QHash>

namespace stagecraft {

Expected<std::shared_ptr<RemoteCache>> RemoteCache::make(CacheIndex index, const QList<Descriptor> &listed,
                                                         BlobFetch fetchBlob, QString where,
                                                         QString description)
{
    QHash<Digest, qint64> sizes;
    for (const Descriptor &d : listed)
        sizes.insert(d.digest, d.size);
    for (const Descriptor &d : index.blobs()) {
        const auto it = sizes.constFind(d.digest);
        if (it == sizes.cend())
            return fail(QStringLiteral("the build cache %1 is refused: layer %2 is not in its manifest")
                            .arg(where, d.digest.toString()));
        if (*it != d.size)
            return fail(QStringLiteral("the build cache %1 is refused: layer %2 has %3 bytes in its manifest "
                                       "but %4 in its index")
                            .arg(where, d.digest.toString())
                            .arg(*it)
                            .arg(d.size));
    }
    return std::shared_ptr<RemoteCache>(
        new RemoteCache(std::move(index), std::move(fetchBlob), std::move(where), std::move(description)));
}

Expected<std::optional<QJsonObject>> RemoteCache::fetch(const QString &key, ImageStore &store,
                                                        const CancellationToken &cancel) const
{
    const auto it = m_index.entries.constFind(key);
    if (it == m_index.entries.cend())
        return std::optional<QJsonObject>();
    auto layers = CacheIndex::layersOf(*it);
    if (!layers)
        return fail(QStringLiteral("the build cache %1 is damaged: %2").arg(m_where, layers.error().message));
    QMutexLocker locker(&m_mutex);
    // Only what the store lacks comes over the network: the base image's layers and those
    // of earlier steps are there already.
    for (const auto &[d, diffId] : std::as_const(*layers)) {
        if (store.hasBlob(d.digest))
            continue;
        if (auto fetched = m_fetchBlob(store, d, cancel); !fetched)
            return fail(QStringLiteral("the build cache %1: %2").arg(m_where, fetched.error().message));
        ++m_fetched;
        m_fetchedBytes += d.size;
    }
    // Every layer is in the store now, by digest; the diff IDs the entry claims are read
    // through before the entry becomes the store's own.
    if (auto imported = CacheIndex::importLayers(*it, *store.blobs(), store, m_verified, cancel); !imported)
        return fail(
            QStringLiteral("the build cache %1 is damaged: %2").arg(m_where, imported.error().message));
    return std::optional<QJsonObject>(*it);
}

} // namespace stagecraft
