// The local content-addressed image store: blobs under `blobs/sha256/<hex>` (written
// atomically, verified on write and read), `refs.json` mapping "name:tag" to a manifest
// descriptor, import/export of OCI layouts and docker-archives, garbage collection and
// verification. A process killed at any moment leaves a store `verify` accepts.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/directoryblobsource.h"
#include "core/oci/image.h"
#include "core/store/storelock.h"
#include "core/store/storereports.h"

#include <QMap>
#include <QString>

#include <functional>
#include <memory>

namespace stagecraft {

enum class ExportFormat { Oci, DockerArchive };

class ImageStore
{
public:
    // The store directory: `storeOption` (the `--store DIR` option) when given, else
    // $STAGECRAFT_STORE, else <AppLocalDataLocation>/store.
    static QString defaultRoot(const QString &storeOption = {});
    // Opens (creating when needed) the store at `root`.
    static Expected<ImageStore> open(const QString &root);

    QString root() const { return m_root; }
    std::shared_ptr<const DirectoryBlobSource> blobs() const { return m_blobs; }

    // Blobs
    bool hasBlob(const Digest &digest) const { return m_blobs->contains(digest); }
    QString blobPath(const Digest &digest) const { return m_blobs->blobPath(digest); }
    // Writes a blob atomically; with a valid `expected`, content with another digest (or
    // size, when `expectedSize` >= 0) is refused and nothing is stored. Returns the digest.
    Expected<Digest> putBlob(QIODevice *source, const Digest &expected = {}, qint64 expectedSize = -1);
    Expected<Descriptor> putBlob(const QByteArray &bytes, const QString &mediaType);
    Expected<std::unique_ptr<QIODevice>> openBlob(const Digest &digest, qint64 expectedSize = -1) const;
    Expected<QByteArray> readBlob(const Digest &digest) const;

    // References ("name:tag" → manifest descriptor)
    Expected<QMap<QString, Descriptor>> references() const;
    // A reference ("name[:tag]"), a manifest digest, or a unique prefix (≥ 4 hex digits)
    // of a manifest digest or image ID.
    Expected<Descriptor> resolve(const QString &reference) const;
    Expected<Image> image(const QString &reference, const Platform &platform = Platform::host()) const;
    Expected<void> tag(const QString &reference, const Descriptor &manifest);
    Expected<void> removeReference(const QString &reference);

    // Copies every blob of `image` into the store (verifying each, and each layer's
    // diff ID), then points `references` at its manifest. Returns the manifest descriptor.
    Expected<Descriptor> addImage(const Image &image, const QStringList &references,
                                  const CancellationToken &cancel = {});
    // Imports a docker-archive file or an OCI layout directory. With `reference`, the
    // source must hold one image and gets that name; otherwise images keep the names the
    // source gives them. Returns the names given.
    Expected<QStringList> import(const QString &path, const QString &reference = {},
                                 const CancellationToken &cancel = {});
    Expected<void> exportImage(const QString &reference, const QString &path, ExportFormat format) const;

    // Docker's size of an image: the bytes of the regular files of its layers (cached
    // per diff ID).
    Expected<qint64> contentSize(const Image &image) const;

    // Hold this (shared) lock while writing blobs that no reference names yet (a build's
    // layers before they are tagged or recorded as a root); garbage collection waits for it.
    Expected<StoreLock> writeLock() const;
    // Named sets of blobs garbage collection keeps although no reference names them (the
    // build cache's layers, ...). A manifest or index digest keeps what it refers to.
    Expected<void> setGcRoot(const QString &name, const QList<Digest> &digests);
    Expected<void> removeGcRoot(const QString &name);

    // Removes blobs no reference or gc root keeps, abandoned temporary files, and derived
    // cache entries whose image is gone: `analysis/sha256-<config hex>-…` files whose
    // config blob was removed, `layer-index/sha256-<diff ID hex>.idx` and
    // `layer-sizes/<diff ID hex>` files no stored image's config names.
    Expected<StoreGcReport> collectGarbage();
    Expected<StoreVerifyReport> verify() const;

    // A directory for derived data (analysis indexes, ...) that survives runs; created on
    // demand. Garbage collection removes from it what belongs to images no longer stored
    // (see collectGarbage()) and temporary files left there for more than ten minutes.
    QString cacheDir(const QString &name) const;

private:
    QString refsPath() const;
    QString tempDir() const;
    QString gcLockPath() const;
    Expected<QMap<QString, Descriptor>> readReferences() const;
    Expected<void> updateReferences(const std::function<Expected<void>(QMap<QString, Descriptor> &)> &change);
    int pruneCaches(const QSet<QString> &storedDiffIds);
    void markReachable(const Descriptor &descriptor, QSet<Digest> &reachable, QStringList *problems,
                       const QString &owner, QStringList *missing, int depth = 0) const;

    QString m_root;
    std::shared_ptr<DirectoryBlobSource> m_blobs;
};

} // namespace stagecraft
