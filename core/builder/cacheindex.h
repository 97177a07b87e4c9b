// The index of an exported build cache, a JSON document of its own media type
// (application/vnd.stagecraft.cache.v1+json, docs/cache-format.md): each step cache key
// with the entry the store's step cache keeps for it (the stage's config and layers after
// the step, or a --link step's layer and diff ID). It is the config blob of the cache's
// OCI manifest, whose layers are every blob the entries name. Read from elsewhere it is
// hostile: bounded, and every key, descriptor and config checked before use.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/blobsource.h"
#include "core/oci/descriptor.h"
#include "core/store/imagestore.h"

#include <QJsonObject>
#include <QLatin1String>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <utility>

namespace stagecraft {

struct CacheIndex
{
    static constexpr QLatin1String MediaType{"application/vnd.stagecraft.cache.v1+json"};
    // Bounds on what is read from an imported cache.
    static constexpr qint64 MaxIndexBytes = 64ll << 20;
    static constexpr qsizetype MaxEntries = 100000;
    static constexpr qint64 MaxBlobBytes = 64ll << 30;

    QMap<QString, QJsonObject> entries; // step cache key → its entry

    // The entries of the store's step cache for `keys` (missing ones skipped: a step whose
    // result was not kept, an ARG).
    static Expected<CacheIndex> collect(const ImageStore &store, const QStringList &keys);
    static Expected<CacheIndex> parse(const QByteArray &bytes);
    QByteArray toJson() const;

    // Every layer blob the entries name, each once.
    QList<Descriptor> blobs() const;
    // An entry's layers with their diff IDs, bottom first (one for a --link entry).
    static Expected<QList<std::pair<Descriptor, Digest>>> layersOf(const QJsonObject &entry);
    static bool isKey(const QString &key);

    // Reads every blob the entries name from `source` whole: its digest and size checked,
    // and the diff ID each entry claims for it. Returns the blobs so verified.
    Expected<QSet<Digest>> verifyAll(const BlobSource &source, const CancellationToken &cancel) const;

    // Puts entry `key`'s layers into `store` from `source`, each verified (digest, size and
    // the diff ID the entry claims, read through) before it is stored; `verified` lists
    // blob digests whose diff ID was checked already and gets the ones checked here.
    static Expected<void> importLayers(const QJsonObject &entry, const BlobSource &source, ImageStore &store,
                                       QSet<Digest> &verified, const CancellationToken &cancel);
};

} // namespace stagecraft
