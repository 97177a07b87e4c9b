// A build cache exported as an OCI image layout (`--cache-to type=local,dest=DIR`): an
// OCI manifest whose config is the CacheIndex and whose layers are every blob its entries
// name, under the ref name "stagecraft-build-cache" in index.json. Read back
// (`--cache-from type=local,src=DIR`, a classroom kit) it is a StepCacheSource: the index
// is checked whole when opened, and each layer verified as it is copied into the store.
#pragma once

#include "core/builder/cacheindex.h"
#include "core/builder/stepcachesource.h"
#include "core/oci/ocilayout.h"

#include <QLatin1String>
#include <QMutex>
#include <QSet>

#include <memory>

namespace stagecraft {

class CacheLayout : public StepCacheSource
{
public:
    static constexpr QLatin1String RefName{"stagecraft-build-cache"};
    static constexpr qint64 MaxManifestBytes = 16ll << 20;

    // Writes `index` and its blobs (from `store`) into the layout at `dir` (created when
    // absent; other images there stay), under `refName`. Returns the cache's manifest.
    static Expected<Descriptor> write(const ImageStore &store, const CacheIndex &index, const QString &dir,
                                      const QString &refName = RefName);
    // The OCI manifest that carries `index` (config: the index blob `indexBlob`).
    static QByteArray manifestFor(const Descriptor &indexBlob, const CacheIndex &index);

    // Opens the cache in the layout at `dir`: its manifest and index read (bounded,
    // verified), every blob they name read whole and verified (digest, size, the diff IDs
    // the entries claim), so a damaged cache is refused before a build touches the store.
    // `description` is what cached steps say ("from the kit"); empty: "from DIR".
    static Expected<std::shared_ptr<CacheLayout>> open(const QString &dir, const QString &description = {},
                                                       const QString &refName = RefName,
                                                       const CancellationToken &cancel = {});
    // The same for the cache manifest `manifest` among `blobs` (a store's, after a pull
    // from a registry); `where` names the cache in messages.
    static Expected<std::shared_ptr<CacheLayout>>
    openManifest(std::shared_ptr<const DirectoryBlobSource> blobs, const Descriptor &manifest,
                 const QString &where, const QString &description, const CancellationToken &cancel = {});

    const CacheIndex &index() const { return m_index; }
    const DirectoryBlobSource &blobs() const { return *m_blobs; }
    QString description() const override { return m_description; }
    Expected<std::optional<QJsonObject>> fetch(const QString &key, ImageStore &store,
                                               const CancellationToken &cancel) const override;

private:
    CacheLayout(std::shared_ptr<const DirectoryBlobSource> blobs, QString where, CacheIndex index,
                QString description)
        : m_blobs(std::move(blobs))
        , m_where(std::move(where))
        , m_index(std::move(index))
        , m_description(std::move(description))
    {}

    std::shared_ptr<const DirectoryBlobSource> m_blobs;
    QString m_where;
    CacheIndex m_index;
    QString m_description;
    mutable QMutex m_mutex; // serialises fetches: two steps never copy the same blob at once
    mutable QSet<Digest> m_verified;
};

} // namespace stagecraft
