#include "core/builder/cachelayout.h"

#include "core/oci/imagemanifest.h"
#include "core/oci/mediatype.h"

#include <QDir>
#include <QFileInfo>

namespace stagecraft {

namespace {

// A blob of the cache as a plain file: a symlink in an untrusted directory could lead to
// any file of the user's.
Expected<void> plainBlob(const DirectoryBlobSource &blobs, const Digest &digest)
{
    const QFileInfo info(blobs.blobPath(digest));
    if (info.isSymLink() || (info.exists() && !info.isFile()))
        return fail(QStringLiteral("blob %1 is not a plain file").arg(digest.toString()));
    return {};
}

Expected<QByteArray> readBounded(const DirectoryBlobSource &blobs, const Descriptor &d, qint64 limit,
                                 const QString &what)
{
    if (auto plain = plainBlob(blobs, d.digest); !plain)
        return std::unexpected(plain.error());
    if (d.size < 0 || d.size > limit)
        return fail(
            QStringLiteral("its %1 claims %2 bytes (at most %3 allowed)").arg(what).arg(d.size).arg(limit));
    auto device = blobs.open(d.digest, d.size);
    if (!device)
        return std::unexpected(device.error());
    QByteArray bytes = (*device)->read(d.size + 1);
    if (bytes.size() != d.size || Digest::ofBytes(bytes) != d.digest)
        return fail(QStringLiteral("its %1 %2 is damaged or truncated").arg(what, d.digest.toString()));
    return bytes;
}

} // namespace

QByteArray CacheLayout::manifestFor(const Descriptor &indexBlob, const CacheIndex &index)
{
    ImageManifest manifest;
    manifest.mediaType = QString(mediatype::OciManifest);
    manifest.artifactType = CacheIndex::MediaType;
    manifest.config = indexBlob;
    manifest.layers = index.blobs();
    return manifest.toJson();
}

Expected<Descriptor> CacheLayout::write(const ImageStore &store, const CacheIndex &index, const QString &dir,
                                        const QString &refName)
{
    auto layout = OciLayout::create(dir);
    if (!layout)
        return std::unexpected(layout.error());
    for (const Descriptor &d : index.blobs()) {
        if (layout->blobs()->contains(d.digest) &&
            QFileInfo(layout->blobs()->blobPath(d.digest)).size() == d.size)
            continue;
        auto blob = store.openBlob(d.digest, d.size);
        if (!blob)
            return std::unexpected(blob.error());
        if (auto written = layout->writeBlob(d.digest, d.size, blob->get()); !written)
            return std::unexpected(written.error());
    }
    auto indexBlob = layout->writeBlob(index.toJson(), CacheIndex::MediaType);
    if (!indexBlob)
        return std::unexpected(indexBlob.error());
    auto manifest = layout->writeBlob(manifestFor(*indexBlob, index), QString(mediatype::OciManifest));
    if (!manifest)
        return std::unexpected(manifest.error());
    Descriptor entry = *manifest;
    entry.annotations.insert(QStringLiteral("org.opencontainers.artifact.type"), CacheIndex::MediaType);
    return layout->addManifest(entry, refName);
}

Expected<std::shared_ptr<CacheLayout>> CacheLayout::open(const QString &dir, const QString &description,
                                                         const QString &refName,
                                                         const CancellationToken &cancel)
{
    const auto refused = [&](const QString &why) {
        return fail(QStringLiteral("the build cache in %1 is refused: %2").arg(dir, why));
    };
    if (!QFileInfo(dir).isDir())
        return refused(QStringLiteral("no such directory"));
    auto layout = OciLayout::open(dir);
    if (!layout)
        return refused(layout.error().message);
    std::optional<Descriptor> entry;
    for (const Descriptor &d : layout->index().manifests)
        if (d.refName() == refName)
            entry = d;
    if (!entry)
        return refused(QStringLiteral("its index.json names no \"%1\" manifest").arg(refName));
    return openManifest(layout->blobs(), *entry, QStringLiteral("in ") + dir,
                        description.isEmpty() ? QStringLiteral("from %1").arg(QDir::toNativeSeparators(dir))
                                              : description,
                        cancel);
}

Expected<std::shared_ptr<CacheLayout>>
CacheLayout::openManifest(std::shared_ptr<const DirectoryBlobSource> blobs, const Descriptor &entry,
                          const QString &where, const QString &description, const CancellationToken &cancel)
{
    const auto refused = [&](const QString &why) {
        return fail(QStringLiteral("the build cache %1 is refused: %2").arg(where, why));
    };
    auto manifestBytes = readBounded(*blobs, entry, MaxManifestBytes, QStringLiteral("manifest"));
    if (!manifestBytes)
        return refused(manifestBytes.error().message);
    auto manifest = ImageManifest::parse(*manifestBytes);
    if (!manifest)
        return refused(manifest.error().message);
    if (manifest->config.mediaType != CacheIndex::MediaType)
        return refused(QStringLiteral("its manifest's config is \"%1\", not a build cache index")
                           .arg(manifest->config.mediaType.left(100)));
    auto indexBytes =
        readBounded(*blobs, manifest->config, CacheIndex::MaxIndexBytes, QStringLiteral("index"));
    if (!indexBytes)
        return refused(indexBytes.error().message);
    auto index = CacheIndex::parse(*indexBytes);
    if (!index)
        return refused(index.error().message);
    // Every blob an entry names must be one the manifest lists and present whole; then
    // each is read and verified.
    QSet<Digest> listed;
    for (const Descriptor &d : std::as_const(manifest->layers))
        listed.insert(d.digest);
    for (const Descriptor &d : index->blobs()) {
        if (!listed.contains(d.digest))
            return refused(QStringLiteral("layer %1 is not in its manifest").arg(d.digest.toString()));
        if (auto plain = plainBlob(*blobs, d.digest); !plain)
            return refused(plain.error().message);
        const QFileInfo blob(blobs->blobPath(d.digest));
        if (!blob.isFile())
            return refused(QStringLiteral("layer %1 is missing").arg(d.digest.toString()));
        if (blob.size() != d.size)
            return refused(QStringLiteral("layer %1 has %2 bytes, not %3 (truncated?)")
                               .arg(d.digest.toString())
                               .arg(blob.size())
                               .arg(d.size));
    }
    auto verified = index->verifyAll(*blobs, cancel);
    if (!verified)
        return refused(verified.error().message);
    std::shared_ptr<CacheLayout> cache(
        new CacheLayout(std::move(blobs), where, std::move(*index), description));
    cache->m_verified = *verified;
    return cache;
}

Expected<std::optional<QJsonObject>> CacheLayout::fetch(const QString &key, ImageStore &store,
                                                        const CancellationToken &cancel) const
{
    const auto it = m_index.entries.constFind(key);
    if (it == m_index.entries.cend())
        return std::optional<QJsonObject>();
    QMutexLocker locker(&m_mutex);
    if (auto imported = CacheIndex::importLayers(*it, *m_blobs, store, m_verified, cancel); !imported)
        return fail(
            QStringLiteral("the build cache %1 is damaged: %2").arg(m_where, imported.error().message));
    return std::optional<QJsonObject>(*it);
}

} // namespace stagecraft
