#include "core/builder/cacheindex.h"

#include "core/oci/imageconfig.h"
#include "core/oci/layerreader.h"
#include "core/oci/mediatype.h"
#include "core/oci/verifyingdevice.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace stagecraft {

namespace {

Expected<Descriptor> layerDescriptor(const QJsonValue &value)
{
    auto d = Descriptor::fromJson(value.toObject(), QStringLiteral("cache layer"));
    if (!d)
        return std::unexpected(d.error());
    if (!mediatype::isLayer(d->mediaType))
        return fail(QStringLiteral("cache layer %1 has media type \"%2\", not a layer's")
                        .arg(d->digest.toString(), d->mediaType.left(100)));
    if (d->size < 0 || d->size > CacheIndex::MaxBlobBytes)
        return fail(QStringLiteral("cache layer %1 has an impossible size %2")
                        .arg(d->digest.toString())
                        .arg(d->size));
    return d;
}

// The diff ID of the layer blob `device` (opened verifying `d`), read to its end: the
// verifying device reports a digest or size mismatch only once all of it was read.
Expected<Digest> diffIdOf(QIODevice *device, const Descriptor &d, const BlobSource &source,
                          const CancellationToken &cancel)
{
    auto contents = LayerReader::readAll(device, cancel);
    if (!contents)
        return fail(QStringLiteral("layer %1 in %2: %3")
                        .arg(d.digest.toString(), source.describe(), contents.error().message));
    char buffer[65536];
    while (!device->atEnd())
        if (device->read(buffer, sizeof buffer) < 0)
            return fail(QStringLiteral("layer %1 in %2: %3")
                            .arg(d.digest.toString(), source.describe(), device->errorString()));
    if (const auto *verifying = dynamic_cast<const VerifyingDevice *>(device);
        verifying && !verifying->verified())
        return fail(QStringLiteral("layer %1 in %2 does not match its digest")
                        .arg(d.digest.toString(), source.describe()));
    return contents->diffId;
}

} // namespace

Expected<QSet<Digest>> CacheIndex::verifyAll(const BlobSource &source, const CancellationToken &cancel) const
{
    QHash<Digest, Digest> diffIds;
    for (const Descriptor &d : blobs()) {
        auto blob = source.open(d.digest, d.size);
        if (!blob)
            return std::unexpected(blob.error());
        auto diffId = diffIdOf(blob->get(), d, source, cancel);
        if (!diffId)
            return std::unexpected(diffId.error());
        diffIds.insert(d.digest, *diffId);
    }
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        auto layers = layersOf(*it);
        if (!layers)
            return std::unexpected(layers.error());
        for (const auto &[d, diffId] : std::as_const(*layers))
            if (diffIds.value(d.digest) != diffId)
                return fail(QStringLiteral("entry %1 says layer %2 has diff ID %3, but it has %4")
                                .arg(it.key(), d.digest.toString(), diffId.toString(),
                                     diffIds.value(d.digest).toString()));
    }
    QSet<Digest> verified;
    for (auto it = diffIds.cbegin(); it != diffIds.cend(); ++it)
        verified.insert(it.key());
    return verified;
}

bool CacheIndex::isKey(const QString &key)
{
    static const QRegularExpression pattern(QStringLiteral("^(link-)?[0-9a-f]{64}$"));
    return pattern.match(key).hasMatch();
}

Expected<QList<std::pair<Descriptor, Digest>>> CacheIndex::layersOf(const QJsonObject &entry)
{
    QList<std::pair<Descriptor, Digest>> layers;
    if (entry.contains(QStringLiteral("layer"))) {
        auto d = layerDescriptor(entry.value(QStringLiteral("layer")));
        if (!d)
            return std::unexpected(d.error());
        auto diffId = Digest::parse(entry.value(QStringLiteral("diffId")).toString());
        if (!diffId)
            return std::unexpected(diffId.error());
        layers.append({*d, *diffId});
        return layers;
    }
    auto config = ImageConfig::parse(
        QJsonDocument(entry.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
    if (!config)
        return std::unexpected(config.error());
    const QJsonArray array = entry.value(QStringLiteral("layers")).toArray();
    if (array.size() != config->diffIds.size())
        return fail(QStringLiteral("a cache entry names %1 layers but its config %2 diff IDs")
                        .arg(array.size())
                        .arg(config->diffIds.size()));
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto d = layerDescriptor(array[i]);
        if (!d)
            return std::unexpected(d.error());
        layers.append({*d, config->diffIds[i]});
    }
    return layers;
}

Expected<CacheIndex> CacheIndex::collect(const ImageStore &store, const QStringList &keys)
{
    CacheIndex index;
    const QString dir = store.cacheDir(QStringLiteral("build"));
    for (const QString &key : keys) {
        if (!isKey(key) || index.entries.contains(key))
            continue;
        QFile f(dir + QLatin1Char('/') + key + QStringLiteral(".json"));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject entry = QJsonDocument::fromJson(f.read(MaxIndexBytes)).object();
        auto layers = layersOf(entry);
        if (!layers)
            return fail(QStringLiteral("the step cache entry %1 is damaged: %2")
                            .arg(f.fileName(), layers.error().message));
        for (const auto &[d, diffId] : std::as_const(*layers))
            if (!store.hasBlob(d.digest))
                return fail(QStringLiteral("the step cache entry %1 names layer %2, which the store lacks "
                                           "(build again without --no-cache)")
                                .arg(key, d.digest.toString()));
        index.entries.insert(key, entry);
    }
    return index;
}

Expected<CacheIndex> CacheIndex::parse(const QByteArray &bytes)
{
    if (bytes.size() > MaxIndexBytes)
        return fail(QStringLiteral("the cache index is larger than %1 MiB").arg(MaxIndexBytes >> 20));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("the cache index is not a JSON object: %1").arg(error.errorString()));
    const QJsonObject o = doc.object();
    if (o.value(QStringLiteral("mediaType")).toString() != MediaType)
        return fail(QStringLiteral("the cache index's media type is \"%1\", not %2")
                        .arg(o.value(QStringLiteral("mediaType")).toString().left(100), MediaType));
    const QJsonArray array = o.value(QStringLiteral("entries")).toArray();
    if (array.size() > MaxEntries)
        return fail(QStringLiteral("the cache index has more than %1 entries").arg(MaxEntries));
    CacheIndex index;
    for (const QJsonValue &v : array) {
        QJsonObject entry = v.toObject();
        const QString key = entry.take(QStringLiteral("key")).toString();
        if (!isKey(key))
            return fail(QStringLiteral("the cache index holds an invalid key \"%1\"").arg(key.left(100)));
        if (auto layers = layersOf(entry); !layers)
            return fail(QStringLiteral("cache entry %1: %2").arg(key, layers.error().message));
        // A link key names a layer alone, a step key a stage's state: never the other.
        if (key.startsWith(QStringLiteral("link-")) != entry.contains(QStringLiteral("layer")))
            return fail(QStringLiteral("cache entry %1 has the wrong form for its key").arg(key));
        index.entries.insert(key, entry);
    }
    return index;
}

QByteArray CacheIndex::toJson() const
{
    QJsonArray array;
    for (auto it = entries.cbegin(); it != entries.cend(); ++it) {
        QJsonObject entry = it.value();
        entry.insert(QStringLiteral("key"), it.key());
        array.append(entry);
    }
    QJsonObject o;
    o.insert(QStringLiteral("mediaType"), MediaType);
    o.insert(QStringLiteral("entries"), array);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QList<Descriptor> CacheIndex::blobs() const
{
    QList<Descriptor> all;
    QSet<Digest> seen;
    for (const QJsonObject &entry : entries) {
        auto layers = layersOf(entry);
        if (!layers)
            continue; // parse() and collect() let no such entry in
        for (const auto &[d, diffId] : std::as_const(*layers))
            if (!seen.contains(d.digest)) {
                seen.insert(d.digest);
                Descriptor plain;
                plain.mediaType = d.mediaType;
                plain.digest = d.digest;
                plain.size = d.size;
                all.append(plain);
            }
    }
    return all;
}

Expected<void> CacheIndex::importLayers(const QJsonObject &entry, const BlobSource &source, ImageStore &store,
                                        QSet<Digest> &verified, const CancellationToken &cancel)
{
    auto layers = layersOf(entry);
    if (!layers)
        return std::unexpected(layers.error());
    // Every layer is checked before any is stored: a damaged entry leaves nothing behind.
    QList<Descriptor> missing;
    for (const auto &[d, diffId] : std::as_const(*layers)) {
        const bool stored = store.hasBlob(d.digest);
        if (!stored)
            missing.append(d);
        if (verified.contains(d.digest))
            continue;
        // The layer directory is named by diff ID: a wrong claim would hand another
        // build's steps these files, so it is read through and checked here.
        auto blob = stored ? store.openBlob(d.digest, d.size) : source.open(d.digest, d.size);
        if (!blob)
            return std::unexpected(blob.error());
        auto actual = diffIdOf(blob->get(), d, source, cancel);
        if (!actual)
            return std::unexpected(actual.error());
        if (*actual != diffId)
            return fail(
                QStringLiteral("layer %1 in %2 has diff ID %3, but the cache says %4")
                    .arg(d.digest.toString(), source.describe(), actual->toString(), diffId.toString()));
        verified.insert(d.digest);
    }
    for (const Descriptor &d : std::as_const(missing)) {
        if (cancel.isCancelled())
            return failCancelled();
        auto blob = source.open(d.digest, d.size);
        if (!blob)
            return std::unexpected(blob.error());
        if (auto put = store.putBlob(blob->get(), d.digest, d.size); !put)
            return fail(QStringLiteral("layer %1 in %2: %3")
                            .arg(d.digest.toString(), source.describe(), put.error().message));
    }
    return {};
}

} // namespace stagecraft
