// The local content-addressed image store: blobs under `blobs/sha256/<hex>` (written
// atomically, verified on write and read), `refs.json` mapping "name:tag" to a manifest
// descriptor, import/export of OCI layouts and docker-archives, garbage collection and
// verification. A process killed at any moment leaves a store `verify` accepts. The store
// is private to its user (every directory of it 0700). Builds, pulls, imports and garbage
// collection may run at the same time in any number of processes: writers hold a lease
// (StoreLease) naming what they write or use, and collection keeps what live leases name.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/directoryblobsource.h"
#include "core/oci/image.h"
#include "core/store/liveleases.h"
#include "core/store/storelease.h"
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
    class LeaseScope;

    // The store directory: `storeOption` (the `--store DIR` option) when given, else
    // $STAGECRAFT_STORE, else <AppLocalDataLocation>/store.
    static QString defaultRoot(const QString &storeOption = {});
    // Opens (creating when needed) the store at `root`. The store's own directories are
    // made (or, in an existing store, set to) mode 0700.
    static Expected<ImageStore> open(const QString &root);

    QString root() const { return m_root; }
    std::shared_ptr<const DirectoryBlobSource> blobs() const { return m_blobs; }

    // Blobs. Under a lease, a blob found present stays present until the lease ends.
    bool hasBlob(const Digest &digest) const;
    QString blobPath(const Digest &digest) const { return m_blobs->blobPath(digest); }
    // Writes a blob atomically; with a valid `expected`, content with another digest (or
    // size, when `expectedSize` >= 0) is refused and nothing is stored. A stored blob of
    // that digest whose size differs from `expectedSize` is replaced. Returns the digest.
    Expected<Digest> putBlob(QIODevice *source, const Digest &expected = {}, qint64 expectedSize = -1);
    // Moves a file this process has just written, and hashed while writing it, into the
    // store as blob `digest` (synced first; renamed, not copied, when the file is on the
    // store's file system). For the builder's own layers: nothing is read twice. The
    // file is gone afterwards unless an error is returned.
    Expected<Digest> putWrittenBlob(const QString &path, const Digest &digest, qint64 size);
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
    // diff ID), then points `references` at its manifest. A blob already stored is hashed
    // again and, when damaged, replaced atomically by the image's copy. Returns the
    // manifest descriptor.
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

    // Leases. While the returned scope lives, this store object (and copies made of it
    // meanwhile, which keep the lease until they are gone) holds a lease for `holder`
    // ("build", "pull", "import"): every blob it writes or finds present (putBlob,
    // hasBlob, image(), keep()) survives garbage collection in any process until the
    // lease ends, and the scratch files made meanwhile are not removed as abandoned.
    // A store that holds a lease already keeps it (the scope does nothing).
    [[nodiscard]] Expected<LeaseScope> lease(const QString &holder);
    bool leased() const { return m_lease != nullptr; }
    // Under a lease, keeps `digest` (a blob, or the diff ID of an extracted layer) until
    // the lease ends; without one, does nothing.
    Expected<void> keep(const Digest &digest) const;

    // Held exclusively by garbage collection and cache pruning: no lease is taken or
    // extended and no lease-less blob write runs meanwhile. Waits a bounded time.
    Expected<StoreLock> collectionLock() const;
    // What live leases hold; dead holders' lease files are removed. Call while holding
    // collectionLock().
    LiveLeases liveLeases() const;
    // Removes what dead processes left: their lease files, temporary blob files, the
    // builder's scratch directories (cache/tmp/run-*, copy-*, layer-*) and interrupted
    // layer extractions (cache/layers/.extract-*), mode 000 directories included. Without
    // `wait`, does nothing (returns 0) when the collection lock is busy. Returns the number
    // of entries removed.
    Expected<int> removeAbandoned(bool wait = true);
    // Named sets of blobs garbage collection keeps although no reference names them (the
    // build cache's layers, ...). A manifest or index digest keeps what it refers to.
    Expected<void> setGcRoot(const QString &name, const QList<Digest> &digests);
    Expected<void> removeGcRoot(const QString &name);

    // Removes blobs no reference, gc root or live lease keeps, what removeAbandoned()
    // removes, and derived
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
    friend class LeaseScope;
    friend class StoreCollector;
    QString refsPath() const;
    QString tempDir() const;
    QString gcLockPath() const;
    // Without a lease, the collection lock held shared, so that a collection cannot remove
    // what is being written (or a temporary file) before the caller is done; nothing with one.
    Expected<std::optional<StoreLock>> holdOffCollection() const;
    Expected<QMap<QString, Descriptor>> readReferences() const;
    Expected<void> updateReferences(const std::function<Expected<void>(QMap<QString, Descriptor> &)> &change);
    bool blobIntact(const Digest &digest, qint64 expectedSize) const;

    QString m_root;
    std::shared_ptr<DirectoryBlobSource> m_blobs;
    std::shared_ptr<StoreLease> m_lease;
};

// Gives a store object a lease for its lifetime, and takes it back at the end.
class ImageStore::LeaseScope
{
public:
    LeaseScope(LeaseScope &&other) noexcept;
    LeaseScope &operator=(LeaseScope &&) = delete;
    LeaseScope(const LeaseScope &) = delete;
    LeaseScope &operator=(const LeaseScope &) = delete;
    ~LeaseScope();

private:
    friend class ImageStore;
    explicit LeaseScope(ImageStore *store)
        : m_store(store)
    {}
    ImageStore *m_store = nullptr; // null: nothing to give back
};

} // namespace stagecraft
