#include "core/store/imagestore.h"

#include "core/common/sha256.h"
#include "core/fs/rootdirectory.h"
#include "core/oci/blobfile.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/imageindex.h"
#include "core/oci/jsonfields.h"
#include "core/oci/layerreader.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"
#include "core/store/imagereference.h"
#include "core/store/storecollector.h"
#include "core/store/storelock.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

constexpr QLatin1String RefsFile{"refs.json"};

// A collection holds the collection lock while it marks and sweeps; writers without a
// lease hold it (shared) while they write one blob. A minute means something is stuck.
constexpr int kLockWaitMs = 60 * 1000;

// Creates `path` with mode 0700, or sets an existing directory to 0700: the store holds
// other people's images, credentials of registries in their layers, setuid programs.
bool makePrivateDirectory(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    if (::mkdir(native.constData(), 0700) == 0)
        return true;
    if (errno != EEXIST)
        return false;
    struct stat st = {};
    if (::stat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    // A store on read-only media, or another user's store opened by root to read it:
    // usable as it is, so a failed change is not an error.
    if ((st.st_mode & 07777) != 0700)
        (void)::chmod(native.constData(), 0700);
    return true;
}

bool isHexPrefix(const QString &s)
{
    if (s.size() < 4 || s.size() > 64)
        return false;
    for (QChar c : s)
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    return true;
}

} // namespace

QString ImageStore::defaultRoot(const QString &storeOption)
{
    if (!storeOption.isEmpty())
        return storeOption;
    const QString env = qEnvironmentVariable("STAGECRAFT_STORE");
    if (!env.isEmpty())
        return env;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + QStringLiteral("/store");
}

Expected<ImageStore> ImageStore::open(const QString &root)
{
    if (root.isEmpty())
        return fail(QStringLiteral("no store directory given"));
    const QString absolute = QDir(root).absolutePath();
    // The parents keep the modes they are given; the store itself is private.
    if (!QDir().mkpath(QFileInfo(absolute).absolutePath()))
        return fail(QStringLiteral("cannot create the image store at %1").arg(absolute));
    const QStringList directories{absolute,
                                  absolute + QStringLiteral("/blobs"),
                                  absolute + QStringLiteral("/blobs/sha256"),
                                  absolute + QStringLiteral("/tmp"),
                                  absolute + QStringLiteral("/leases"),
                                  absolute + QStringLiteral("/cache")};
    for (const QString &dir : directories)
        if (!makePrivateDirectory(dir))
            return fail(QStringLiteral("cannot create the image store at %1: %2 (%3)")
                            .arg(absolute, dir, QString::fromLocal8Bit(strerror(errno))));
    // Caches made by earlier versions were created with the umask's modes.
    const QString cache = absolute + QStringLiteral("/cache");
    for (const QFileInfo &entry : QDir(cache).entryInfoList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot))
        if (!entry.isSymLink())
            makePrivateDirectory(entry.filePath());
    ImageStore store;
    store.m_root = absolute;
    store.m_blobs =
        std::make_shared<DirectoryBlobSource>(absolute, QStringLiteral("the store %1").arg(absolute));
    return store;
}

QString ImageStore::refsPath() const
{
    return m_root + QLatin1Char('/') + RefsFile;
}

QString ImageStore::tempDir() const
{
    return m_root + QStringLiteral("/tmp");
}

Expected<std::optional<StoreLock>> ImageStore::holdOffCollection() const
{
    if (m_lease)
        return std::optional<StoreLock>();
    auto shared = StoreLock::acquireWithin(gcLockPath(), StoreLock::Mode::Shared, kLockWaitMs);
    if (!shared)
        return std::unexpected(shared.error());
    return std::optional<StoreLock>(std::move(*shared));
}

QString ImageStore::gcLockPath() const
{
    return m_root + QStringLiteral("/gc.lock");
}

QString ImageStore::cacheDir(const QString &name) const
{
    const QString dir = m_root + QStringLiteral("/cache/") + name;
    if (!QFileInfo(dir).isDir()) {
        QDir().mkpath(QFileInfo(dir).absolutePath());
        makePrivateDirectory(dir);
    }
    return dir;
}

bool ImageStore::hasBlob(const Digest &digest) const
{
    // Kept first, looked for second: a collection cannot remove it in between.
    if (m_lease && !m_lease->keep(digest))
        return false;
    return m_blobs->contains(digest);
}

bool ImageStore::blobIntact(const Digest &digest, qint64 expectedSize) const
{
    QFile f(blobPath(digest));
    if (!f.open(QIODevice::ReadOnly) || (expectedSize >= 0 && f.size() != expectedSize))
        return false;
    auto actual = Digest::ofDevice(&f);
    return actual && *actual == digest;
}

Expected<ImageStore::LeaseScope> ImageStore::lease(const QString &holder)
{
    if (m_lease)
        return LeaseScope(nullptr);
    auto taken = StoreLease::take(m_root, holder);
    if (!taken)
        return std::unexpected(taken.error());
    m_lease = std::move(*taken);
    return LeaseScope(this);
}

ImageStore::LeaseScope::LeaseScope(LeaseScope &&other) noexcept
    : m_store(std::exchange(other.m_store, nullptr))
{}

ImageStore::LeaseScope::~LeaseScope()
{
    if (m_store)
        m_store->m_lease.reset();
}

Expected<void> ImageStore::keep(const Digest &digest) const
{
    if (!m_lease)
        return {};
    return m_lease->keep(digest);
}

Expected<StoreLock> ImageStore::collectionLock() const
{
    return StoreLock::acquireWithin(gcLockPath(), StoreLock::Mode::Exclusive, kLockWaitMs);
}

LiveLeases ImageStore::liveLeases() const
{
    return LiveLeases::read(m_root);
}

Expected<Digest> ImageStore::putBlob(QIODevice *source, const Digest &expected, qint64 expectedSize)
{
    // Without a lease, the collection lock (shared) keeps a collection from removing the
    // blob, or the temporary file it is written through, before this returns.
    auto writing = holdOffCollection();
    if (!writing)
        return std::unexpected(writing.error());
    if (expected.isValid() && hasBlob(expected) &&
        (expectedSize < 0 || QFileInfo(blobPath(expected)).size() == expectedSize)) {
        // Already stored (and verified when it was written); the source is not needed. One
        // of another size is damaged and is replaced below.
        return expected;
    }
    if (expected.isValid())
        return writeBlobFile(blobPath(expected), tempDir(), source, expected, expectedSize);
    // Unknown digest: stage in a temporary file (hashing on the way), then move it to the
    // name its content gives it.
    QTemporaryFile staging(tempDir() + QLatin1Char('/') + TemporaryBlobPrefix + QStringLiteral("XXXXXX"));
    if (!staging.open())
        return fail(QStringLiteral("cannot create a temporary file in %1").arg(tempDir()));
    Sha256 hash;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const qint64 n = source->read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(source->errorString());
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        total += n;
        if (staging.write(buffer.constData(), n) != n)
            return fail(QStringLiteral("cannot write %1: %2").arg(staging.fileName(), staging.errorString()));
    }
    if (expectedSize >= 0 && total != expectedSize)
        return fail(QStringLiteral("the blob has %1 bytes, expected %2").arg(total).arg(expectedSize));
    const Digest digest = Digest::fromRawSha256(hash.result());
    if (hasBlob(digest) && QFileInfo(blobPath(digest)).size() == total)
        return digest;
    staging.seek(0);
    auto written = writeBlobFile(blobPath(digest), tempDir(), &staging, digest, total);
    if (!written)
        return std::unexpected(written.error());
    return digest;
}

Expected<Digest> ImageStore::putWrittenBlob(const QString &path, const Digest &digest, qint64 size)
{
    if (!digest.isValid())
        return fail(QStringLiteral("no digest for %1").arg(path));
    auto writing = holdOffCollection();
    if (!writing)
        return std::unexpected(writing.error());
    const QByteArray from = QFile::encodeName(path);
    struct stat st = {};
    if (::lstat(from.constData(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != size)
        return fail(QStringLiteral("%1 is not the %2-byte file written for blob %3")
                        .arg(path)
                        .arg(size)
                        .arg(digest.toString()));
    const QString target = blobPath(digest);
    if (hasBlob(digest) && QFileInfo(target).size() == size) {
        QFile::remove(path);
        return digest;
    }
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return fail(QStringLiteral("cannot create the directory for %1").arg(target));
    const int fd = ::open(from.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    const bool synced = fd >= 0 && ::fsync(fd) == 0 && ::fchmod(fd, 0644) == 0;
    if (fd >= 0)
        ::close(fd);
    if (!synced)
        return fail(
            QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    if (::rename(from.constData(), QFile::encodeName(target).constData()) == 0)
        return digest;
    if (errno != EXDEV)
        return fail(QStringLiteral("cannot move the blob into place at %1: %2")
                        .arg(target, QString::fromLocal8Bit(std::strerror(errno))));
    // Another file system: copied, and verified on the way like any blob.
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    auto put = putBlob(&file, digest, size);
    if (put)
        QFile::remove(path);
    return put;
}

Expected<Descriptor> ImageStore::putBlob(const QByteArray &bytes, const QString &mediaType)
{
    Descriptor d;
    d.mediaType = mediaType;
    d.digest = Digest::ofBytes(bytes);
    d.size = bytes.size();
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    auto written = putBlob(&buffer, d.digest, d.size);
    if (!written)
        return std::unexpected(written.error());
    return d;
}

Expected<std::unique_ptr<QIODevice>> ImageStore::openBlob(const Digest &digest, qint64 expectedSize) const
{
    return m_blobs->open(digest, expectedSize);
}

Expected<QByteArray> ImageStore::readBlob(const Digest &digest) const
{
    return m_blobs->readAll(digest);
}

Expected<QMap<QString, Descriptor>> ImageStore::readReferences() const
{
    QMap<QString, Descriptor> refs;
    QFile f(refsPath());
    if (!f.exists())
        return refs;
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(refsPath(), f.errorString()));
    auto object = json::parseObject(f.readAll(), refsPath());
    if (!object)
        return std::unexpected(object.error());
    const QJsonObject entries = object->value(QLatin1String("references")).toObject();
    for (auto it = entries.begin(); it != entries.end(); ++it) {
        auto d =
            Descriptor::fromJson(it.value().toObject(), QStringLiteral("%1: `%2`").arg(refsPath(), it.key()));
        if (!d)
            return std::unexpected(d.error());
        refs.insert(it.key(), *d);
    }
    return refs;
}

Expected<QMap<QString, Descriptor>> ImageStore::references() const
{
    return readReferences();
}

Expected<void>
ImageStore::updateReferences(const std::function<Expected<void>(QMap<QString, Descriptor> &)> &change)
{
    auto lock = StoreLock::acquire(m_root + QStringLiteral("/refs.lock"), StoreLock::Mode::Exclusive);
    if (!lock)
        return std::unexpected(lock.error());
    auto refs = readReferences();
    if (!refs)
        return std::unexpected(refs.error());
    if (auto c = change(*refs); !c)
        return c;
    QJsonObject entries;
    for (auto it = refs->begin(); it != refs->end(); ++it)
        entries.insert(it.key(), it.value().toJson());
    QJsonObject document;
    document.insert(QLatin1String("references"), entries);
    return writeFileAtomically(refsPath(), QJsonDocument(document).toJson(QJsonDocument::Indented));
}

Expected<void> ImageStore::tag(const QString &reference, const Descriptor &manifest)
{
    auto name = ImageReference::normalise(reference);
    if (!name)
        return std::unexpected(name.error());
    // Without a lease, a collection must not remove the manifest between the check and
    // the new reference.
    auto writing = holdOffCollection();
    if (!writing)
        return std::unexpected(writing.error());
    if (!hasBlob(manifest.digest))
        return fail(QStringLiteral("cannot tag %1: manifest %2 is not in the store")
                        .arg(*name, manifest.digest.toString()));
    Descriptor entry;
    entry.mediaType = manifest.mediaType;
    entry.digest = manifest.digest;
    entry.size = manifest.size;
    entry.platform = manifest.platform;
    return updateReferences([&](QMap<QString, Descriptor> &refs) -> Expected<void> {
        refs.insert(*name, entry);
        return {};
    });
}

Expected<void> ImageStore::removeReference(const QString &reference)
{
    auto name = ImageReference::normalise(reference);
    if (!name)
        return std::unexpected(name.error());
    return updateReferences([&](QMap<QString, Descriptor> &refs) -> Expected<void> {
        if (!refs.remove(*name))
            return fail(QStringLiteral("no image named %1 in the store").arg(*name));
        return {};
    });
}

Expected<Descriptor> ImageStore::resolve(const QString &reference) const
{
    auto refs = readReferences();
    if (!refs)
        return std::unexpected(refs.error());
    if (auto name = ImageReference::normalise(reference); name && refs->contains(*name))
        return refs->value(*name);
    QString hex = reference;
    if (hex.startsWith(QLatin1String("sha256:")))
        hex = hex.mid(7);
    if (isHexPrefix(hex)) {
        QList<Descriptor> matches;
        QSet<Digest> seen;
        for (const Descriptor &d : std::as_const(*refs)) {
            if (seen.contains(d.digest))
                continue;
            bool match = d.digest.hex().startsWith(hex);
            if (!match) {
                // The image ID (config digest), as `docker images` shows it.
                if (auto image = Image::load(m_blobs, d); image)
                    match = image->id().hex().startsWith(hex);
            }
            if (match) {
                matches << d;
                seen.insert(d.digest);
            }
        }
        if (matches.size() == 1)
            return matches.first();
        if (matches.size() > 1)
            return fail(QStringLiteral("`%1` matches several images; give more digits").arg(reference));
        if (hex.size() == 64) {
            if (auto digest = Digest::parse(QStringLiteral("sha256:") + hex); digest && hasBlob(*digest)) {
                Descriptor d;
                d.digest = *digest;
                d.size = QFileInfo(blobPath(*digest)).size();
                return d;
            }
        }
    }
    return fail(
        QStringLiteral("no image named `%1` in the store %2 (see `stagecraft images`; import one with "
                       "`stagecraft import FILE`)")
            .arg(reference, m_root));
}

Expected<Image> ImageStore::image(const QString &reference, const Platform &platform) const
{
    auto descriptor = resolve(reference);
    if (!descriptor)
        return std::unexpected(descriptor.error());
    if (auto kept = keep(descriptor->digest); !kept)
        return std::unexpected(kept.error());
    auto image = Image::load(m_blobs, *descriptor, platform);
    if (!image)
        return std::unexpected(image.error());
    if (m_lease) {
        // What a lease holder builds on stays until it is done, even if the name goes.
        QList<Digest> blobs{image->manifestDescriptor.digest, image->manifest.config.digest};
        for (const ImageLayer &layer : std::as_const(image->layers))
            blobs << layer.descriptor.digest;
        for (const Digest &d : std::as_const(blobs))
            if (auto kept = keep(d); !kept)
                return std::unexpected(kept.error());
    }
    if (auto name = ImageReference::normalise(reference); name)
        image->names = QStringList{*name};
    return image;
}

Expected<Descriptor> ImageStore::addImage(const Image &image, const QStringList &references,
                                          const CancellationToken &cancel)
{
    QStringList names;
    for (const QString &r : references) {
        auto name = ImageReference::normalise(r);
        if (!name)
            return std::unexpected(name.error());
        names << *name;
    }
    // Garbage collection must not remove these blobs before a reference holds them.
    std::optional<LeaseScope> leaseScope;
    if (!m_lease) {
        auto taken = lease(QStringLiteral("import"));
        if (!taken)
            return std::unexpected(taken.error());
        leaseScope.emplace(std::move(*taken));
    }
    const QString sizeCache = cacheDir(QStringLiteral("layer-sizes"));
    for (const ImageLayer &layer : image.layers) {
        if (cancel.isCancelled())
            return failCancelled();
        // The diff ID the config claims must be what the layer holds: check once, and keep
        // the layer's size for `images`. A layer not stored yet is checked while it is
        // copied in, so each layer is read once.
        const QString sizeFile = sizeCache + QLatin1Char('/') + layer.diffId.hex();
        const bool sized = QFileInfo::exists(sizeFile);
        const auto checkLayer = [&](QIODevice *blob) -> Expected<void> {
            auto contents = LayerReader::readAll(blob, cancel);
            if (!contents)
                return fail(QStringLiteral("layer %1: %2")
                                .arg(layer.descriptor.digest.toString(), contents.error().message));
            if (contents->diffId != layer.diffId)
                return fail(QStringLiteral("layer %1 has diff ID %2, but the image config says %3")
                                .arg(layer.descriptor.digest.toString(), contents->diffId.toString(),
                                     layer.diffId.toString()));
            (void)writeFileAtomically(sizeFile, QByteArray::number(contents->fileBytes()));
            return {};
        };
        // A stored copy is hashed again: one damaged on disk is replaced by this one.
        if (!hasBlob(layer.descriptor.digest) ||
            !blobIntact(layer.descriptor.digest, layer.descriptor.size)) {
            auto device = image.openBlob(layer.descriptor);
            if (!device)
                return std::unexpected(device.error());
            std::function<Expected<void>(QIODevice *)> consume;
            if (!sized)
                consume = checkLayer;
            auto written =
                writeBlobFileWhileReading(blobPath(layer.descriptor.digest), tempDir(), device->get(),
                                          layer.descriptor.digest, layer.descriptor.size, consume);
            if (!written)
                return std::unexpected(written.error());
            continue;
        }
        if (sized)
            continue;
        auto stored = openBlob(layer.descriptor.digest, layer.descriptor.size);
        if (!stored)
            return std::unexpected(stored.error());
        if (auto checked = checkLayer(stored->get()); !checked)
            return std::unexpected(checked.error());
    }
    // The same for the config and manifest: putBlob() trusts a stored blob of the right size.
    for (const QByteArray *document : {&image.configBytes, &image.manifestBytes}) {
        const Digest digest = Digest::ofBytes(*document);
        if (!hasBlob(digest) || blobIntact(digest, document->size()))
            continue;
        QBuffer buffer;
        buffer.setData(*document);
        buffer.open(QIODevice::ReadOnly);
        if (auto written = writeBlobFile(blobPath(digest), tempDir(), &buffer, digest, document->size());
            !written)
            return std::unexpected(written.error());
    }
    auto config = putBlob(image.configBytes, image.manifest.config.mediaType);
    if (!config)
        return std::unexpected(config.error());
    if (config->digest != image.manifest.config.digest)
        return fail(QStringLiteral("the image's config does not match the digest its manifest names (%1)")
                        .arg(image.manifest.config.digest.toString()));
    const QString manifestType = image.manifestDescriptor.mediaType.isEmpty()
                                     ? QString(mediatype::OciManifest)
                                     : image.manifestDescriptor.mediaType;
    auto manifest = putBlob(image.manifestBytes, manifestType);
    if (!manifest)
        return std::unexpected(manifest.error());
    for (const QString &name : names)
        if (auto t = tag(name, *manifest); !t)
            return std::unexpected(t.error());
    return *manifest;
}

Expected<QStringList> ImageStore::import(const QString &path, const QString &reference,
                                         const CancellationToken &cancel)
{
    QList<Image> images;
    const QFileInfo info(path);
    if (!info.exists())
        return fail(QStringLiteral("%1 does not exist").arg(path));
    if (info.isDir()) {
        auto layout = OciLayout::open(path);
        if (!layout)
            return std::unexpected(layout.error());
        auto all = layout->images();
        if (!all)
            return std::unexpected(all.error());
        images = *all;
    } else {
        auto archive = DockerArchive::open(path);
        if (!archive)
            return std::unexpected(archive.error());
        images = archive->images();
    }
    if (images.isEmpty())
        return fail(QStringLiteral("%1 holds no image").arg(path));
    if (!reference.isEmpty() && images.size() != 1)
        return fail(QStringLiteral("%1 holds %2 images; a single name (-t) cannot name them all")
                        .arg(path)
                        .arg(images.size()));
    QStringList given;
    for (const Image &image : std::as_const(images)) {
        QStringList names;
        if (!reference.isEmpty()) {
            names << reference;
        } else {
            for (const QString &n : image.names)
                if (ImageReference::normalise(n))
                    names << n;
        }
        auto added = addImage(image, names, cancel);
        if (!added)
            return std::unexpected(added.error());
        for (const QString &n : std::as_const(names))
            given << *ImageReference::normalise(n);
        if (names.isEmpty())
            given << added->digest.toString();
    }
    return given;
}

Expected<void> ImageStore::exportImage(const QString &reference, const QString &path,
                                       ExportFormat format) const
{
    auto img = image(reference);
    if (!img)
        return std::unexpected(img.error());
    const QString name = img->names.value(0);
    if (format == ExportFormat::Oci) {
        auto layout = OciLayout::create(path);
        if (!layout)
            return std::unexpected(layout.error());
        auto added = layout->addImage(*img, name);
        if (!added)
            return std::unexpected(added.error());
        return {};
    }
    return DockerArchive::write(path, QList<Image>{*img});
}

Expected<qint64> ImageStore::contentSize(const Image &image) const
{
    const QString sizeCache = cacheDir(QStringLiteral("layer-sizes"));
    qint64 total = 0;
    for (const ImageLayer &layer : image.layers) {
        QFile f(sizeCache + QLatin1Char('/') + layer.diffId.hex());
        if (f.open(QIODevice::ReadOnly)) {
            bool ok = false;
            const qint64 size = f.readAll().trimmed().toLongLong(&ok);
            if (ok) {
                total += size;
                continue;
            }
        }
        auto device = image.openBlob(layer.descriptor);
        if (!device)
            return std::unexpected(device.error());
        auto contents = LayerReader::readAll(device->get());
        if (!contents)
            return std::unexpected(contents.error());
        (void)writeFileAtomically(f.fileName(), QByteArray::number(contents->fileBytes()));
        total += contents->fileBytes();
    }
    return total;
}

Expected<void> ImageStore::setGcRoot(const QString &name, const QList<Digest> &digests)
{
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.startsWith(QLatin1Char('.')))
        return fail(QStringLiteral("`%1` is not a valid name for a set of kept blobs").arg(name));
    QByteArray text;
    for (const Digest &d : digests)
        text += d.toString().toLatin1() + '\n';
    return writeFileAtomically(cacheDir(QStringLiteral("gc-roots")) + QLatin1Char('/') + name, text);
}

Expected<void> ImageStore::removeGcRoot(const QString &name)
{
    const QString path = cacheDir(QStringLiteral("gc-roots")) + QLatin1Char('/') + name;
    if (QFileInfo::exists(path) && !QFile::remove(path))
        return fail(QStringLiteral("cannot remove %1").arg(path));
    return {};
}

Expected<StoreGcReport> ImageStore::collectGarbage()
{
    return StoreCollector(*this).collectGarbage();
}

Expected<StoreVerifyReport> ImageStore::verify() const
{
    return StoreCollector(*this).verify();
}

Expected<int> ImageStore::removeAbandoned(bool wait)
{
    auto lock = wait ? collectionLock() : StoreLock::acquire(gcLockPath(), StoreLock::Mode::Exclusive, false);
    if (!lock)
        return wait ? Expected<int>(std::unexpected(lock.error())) : Expected<int>(0);
    const LiveLeases leases = liveLeases();
    return leases.staleRemoved + StoreCollector(*this).removeAbandoned(leases);
}

} // namespace stagecraft
