#include "core/oci/layerreader.h"

#include "core/common/archivefilters.h"
#include "core/common/sha256.h"
#include "core/oci/layerpath.h"

#include <archive.h>
#include <archive_entry.h>

namespace stagecraft {

// Two libarchive readers in a chain: the outer one only decompresses (format "raw",
// every filter), the inner one parses tar from the outer's output. The bytes passing
// between them are the uncompressed stream, hashed on the way for the diff ID.
struct LayerReader::State
{
    QIODevice *blob = nullptr;
    struct archive *outer = nullptr;
    struct archive *inner = nullptr;
    QByteArray blobBuffer = QByteArray(1 << 16, Qt::Uninitialized);
    QByteArray tarBuffer = QByteArray(1 << 16, Qt::Uninitialized);
    Sha256 hash;
    qint64 uncompressed = 0;
    Compression compression = Compression::None;
    Digest diffId;
    QString error; // the first failure seen, more precise than what libarchive reports later
    bool started = false;
    bool done = false;
    bool outerEnd = false;
    qint64 blobBytes = 0;
    QString rawName;

    static la_ssize_t readBlob(struct archive *a, void *self, const void **buffer)
    {
        auto *s = static_cast<State *>(self);
        const qint64 n = s->blob->read(s->blobBuffer.data(), s->blobBuffer.size());
        if (n < 0) {
            if (s->error.isEmpty())
                s->error = s->blob->errorString();
            archive_set_error(a, EIO, "%s", s->error.toUtf8().constData());
            return -1;
        }
        s->blobBytes += n;
        *buffer = s->blobBuffer.constData();
        return la_ssize_t(n);
    }

    static la_ssize_t readTar(struct archive *, void *self, const void **buffer)
    {
        auto *s = static_cast<State *>(self);
        const la_ssize_t n = s->pullUncompressed();
        *buffer = s->tarBuffer.constData();
        return n;
    }

    la_ssize_t pullUncompressed()
    {
        if (outerEnd)
            return 0;
        const la_ssize_t n = archive_read_data(outer, tarBuffer.data(), size_t(tarBuffer.size()));
        if (n < 0) {
            if (error.isEmpty())
                error = QStringLiteral("the layer's compressed stream is damaged: %1")
                            .arg(QString::fromUtf8(archive_error_string(outer)));
            return -1;
        }
        if (n == 0)
            outerEnd = true;
        hash.addData(QByteArrayView(tarBuffer.constData(), n));
        uncompressed += n;
        return n;
    }
};

LayerReader::LayerReader(QIODevice *blob)
    : d(std::make_unique<State>())
{
    d->blob = blob;
}

LayerReader::~LayerReader()
{
    if (d->inner)
        archive_read_free(d->inner);
    if (d->outer)
        archive_read_free(d->outer);
}

std::unexpected<Error> LayerReader::failure(const QString &context)
{
    QString message = d->error;
    if (message.isEmpty() && d->inner && archive_error_string(d->inner))
        message = QString::fromUtf8(archive_error_string(d->inner));
    if (message.isEmpty())
        message = QStringLiteral("unknown error");
    d->error = context + QStringLiteral(": ") + message;
    d->done = true;
    return fail(d->error);
}

Expected<void> LayerReader::start()
{
    d->started = true;
    if (!d->blob || !d->blob->isReadable())
        return fail(d->error = QStringLiteral("the layer blob is not open for reading"));
    d->outer = archive_read_new();
    supportInProcessFilters(d->outer);
    archive_read_support_format_raw(d->outer);
    const int opened = archive_read_open(d->outer, d.get(), nullptr, &State::readBlob, nullptr);
    if (d->error.isEmpty() && d->blobBytes == 0 && d->blob->atEnd()) {
        d->done = true;
        return fail(d->error = QStringLiteral("the layer blob is empty (not a tar archive)"));
    }
    if (opened != ARCHIVE_OK)
        return failure(QStringLiteral("cannot read the layer"));
    struct archive_entry *rawEntry = nullptr;
    const int r = archive_read_next_header(d->outer, &rawEntry);
    if (r == ARCHIVE_EOF) {
        d->done = true;
        return fail(d->error = QStringLiteral("the layer blob is empty (not a tar archive)"));
    }
    if (r < ARCHIVE_WARN) {
        if (d->error.isEmpty())
            d->error = QString::fromUtf8(archive_error_string(d->outer));
        return failure(QStringLiteral("cannot read the layer"));
    }
    switch (archive_filter_code(d->outer, 0)) {
    case ARCHIVE_FILTER_GZIP: d->compression = Compression::Gzip; break;
    case ARCHIVE_FILTER_ZSTD: d->compression = Compression::Zstd; break;
    case ARCHIVE_FILTER_NONE: d->compression = Compression::None; break;
    default:
        return fail(d->error = QStringLiteral("the layer is compressed with %1, which layers may not use")
                                   .arg(QString::fromUtf8(archive_filter_name(d->outer, 0))));
    }
    d->inner = archive_read_new();
    archive_read_support_format_tar(d->inner);
    archive_read_support_format_gnutar(d->inner);
    if (archive_read_open(d->inner, d.get(), nullptr, &State::readTar, nullptr) != ARCHIVE_OK)
        return failure(QStringLiteral("the layer is not a tar archive"));
    return {};
}

Expected<void> LayerReader::finish()
{
    // The tar parser stops at the end-of-archive marker; the rest (record padding) is part
    // of the diff ID too.
    while (!d->outerEnd)
        if (d->pullUncompressed() < 0)
            return failure(QStringLiteral("the layer ends badly"));
    // The decompressor may stop at the end of the compressed stream before the blob's own
    // end; reading the blob to its end lets a verifying device check the digest.
    for (;;) {
        const qint64 n = d->blob->read(d->blobBuffer.data(), d->blobBuffer.size());
        if (n < 0) {
            d->error = d->blob->errorString();
            return failure(QStringLiteral("the layer blob is bad"));
        }
        if (n == 0)
            break;
    }
    d->diffId = Digest::fromRawSha256(d->hash.result());
    d->done = true;
    return {};
}

Expected<std::optional<LayerEntry>> LayerReader::next()
{
    if (!d->started) {
        if (auto s = start(); !s) {
            d->done = true;
            d->error = s.error().message;
            return std::unexpected(s.error());
        }
    }
    if (d->done) {
        if (!d->error.isEmpty())
            return fail(d->error);
        return std::optional<LayerEntry>();
    }
    for (;;) {
        struct archive_entry *entry = nullptr;
        const int r = archive_read_next_header(d->inner, &entry);
        if (r == ARCHIVE_EOF) {
            if (auto f = finish(); !f)
                return std::unexpected(f.error());
            return std::optional<LayerEntry>();
        }
        if (r < ARCHIVE_WARN)
            return failure(QStringLiteral("the layer is not a readable tar archive"));
        if (archive_entry_pathname(entry) &&
            QByteArrayView(archive_entry_pathname(entry)).startsWith(".wh..wh."))
            continue; // aufs bookkeeping at the root (hardlink directory, ...), not content

        const char *rawName = archive_entry_pathname_utf8(entry);
        if (!rawName)
            rawName = archive_entry_pathname(entry);
        const QString name = QString::fromUtf8(rawName ? rawName : "");
        d->rawName = name;
        auto path = normaliseLayerPath(name);
        if (!path)
            return fail(d->error = QStringLiteral("unsafe layer entry: %1").arg(path.error().message));

        LayerEntry e;
        e.path = *path;
        e.mode = quint32(archive_entry_perm(entry)) & 07777;
        e.uid = archive_entry_uid(entry);
        e.gid = archive_entry_gid(entry);
        e.mtime = archive_entry_mtime(entry);

        if (const char *hardlink = archive_entry_hardlink(entry)) {
            auto target = normaliseLayerPath(QString::fromUtf8(hardlink));
            if (!target)
                return fail(d->error =
                                QStringLiteral("unsafe hardlink `%1`: %2").arg(name, target.error().message));
            if (target->isEmpty())
                return fail(d->error = QStringLiteral("hardlink `%1` points at the layer root").arg(name));
            e.type = EntryType::Hardlink;
            e.linkTarget = *target;
        } else {
            switch (archive_entry_filetype(entry)) {
            case AE_IFREG:
                e.type = EntryType::File;
                e.size = archive_entry_size(entry);
                e.sparse = archive_entry_sparse_count(entry) > 0;
                break;
            case AE_IFDIR: e.type = EntryType::Directory; break;
            case AE_IFLNK:
                e.type = EntryType::Symlink;
                e.linkTarget =
                    QString::fromUtf8(archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "");
                break;
            case AE_IFCHR:
            case AE_IFBLK:
                e.type = archive_entry_filetype(entry) == AE_IFCHR ? EntryType::CharDevice
                                                                   : EntryType::BlockDevice;
                e.deviceMajor = quint32(archive_entry_rdevmajor(entry));
                e.deviceMinor = quint32(archive_entry_rdevminor(entry));
                break;
            case AE_IFIFO: e.type = EntryType::Fifo; break;
            default:
                return fail(d->error = QStringLiteral("layer entry `%1` has an unknown file type").arg(name));
            }
        }

        const qsizetype slash = e.path.lastIndexOf(QLatin1Char('/'));
        const QString dir = slash < 0 ? QString() : e.path.left(slash);
        const QString base = slash < 0 ? e.path : e.path.mid(slash + 1);
        if (base.startsWith(WhiteoutPrefix)) {
            if (base == OpaqueWhiteoutName) {
                e.type = EntryType::OpaqueWhiteout;
                e.path = dir;
            } else if (base.startsWith(QLatin1String(".wh..wh."))) {
                continue; // aufs bookkeeping (hardlink directory, ...), not content
            } else {
                const QString removed = base.mid(WhiteoutPrefix.size());
                if (removed.isEmpty() || removed == QLatin1String(".") || removed == QLatin1String(".."))
                    return fail(d->error =
                                    QStringLiteral("layer entry `%1` is a malformed whiteout").arg(name));
                e.type = EntryType::Whiteout;
                e.path = dir.isEmpty() ? removed : dir + QLatin1Char('/') + removed;
            }
            e.size = 0;
            e.sparse = false;
            e.linkTarget.clear();
            return std::optional<LayerEntry>(e);
        }
        if (e.path.isEmpty())
            continue;
        return std::optional<LayerEntry>(e);
    }
}

qint64 LayerReader::read(char *data, qint64 maxSize)
{
    if (!d->inner || d->done)
        return 0;
    const la_ssize_t n = archive_read_data(d->inner, data, size_t(maxSize));
    if (n < 0) {
        (void)failure(QStringLiteral("reading a layer entry failed"));
        return -1;
    }
    return n;
}

int LayerReader::readBlock(const char **data, qint64 *size, qint64 *offset)
{
    if (!d->inner || d->done)
        return 0;
    const void *block = nullptr;
    size_t length = 0;
    la_int64_t at = 0;
    const int r = archive_read_data_block(d->inner, &block, &length, &at);
    if (r == ARCHIVE_EOF)
        return 0;
    if (r < ARCHIVE_WARN) {
        (void)failure(QStringLiteral("reading a layer entry failed"));
        return -1;
    }
    *data = static_cast<const char *>(block);
    *size = qint64(length);
    *offset = at;
    return 1;
}

qint64 LayerReader::compressedBytesRead() const
{
    return d->blobBytes;
}

QString LayerReader::rawName() const
{
    return d->rawName;
}

Digest LayerReader::diffId() const
{
    return d->diffId;
}

qint64 LayerReader::uncompressedSize() const
{
    return d->uncompressed;
}

Compression LayerReader::compression() const
{
    return d->compression;
}

QString LayerReader::errorString() const
{
    return d->error;
}

Expected<Digest> LayerReader::decompress(QIODevice *blob, QIODevice *out)
{
    State s;
    s.blob = blob;
    s.outer = archive_read_new();
    auto cleanup = qScopeGuard([&s] { archive_read_free(s.outer); });
    supportInProcessFilters(s.outer);
    archive_read_support_format_raw(s.outer);
    struct archive_entry *rawEntry = nullptr;
    if (archive_read_open(s.outer, &s, nullptr, &State::readBlob, nullptr) != ARCHIVE_OK ||
        archive_read_next_header(s.outer, &rawEntry) != ARCHIVE_OK)
        return fail(QStringLiteral("cannot decompress the layer: %1")
                        .arg(s.error.isEmpty() ? QString::fromUtf8(archive_error_string(s.outer)) : s.error));
    for (;;) {
        const la_ssize_t n = s.pullUncompressed();
        if (n < 0)
            return fail(s.error);
        if (n == 0)
            break;
        if (out->write(s.tarBuffer.constData(), n) != n)
            return fail(QStringLiteral("cannot write the uncompressed layer: %1").arg(out->errorString()));
    }
    // Read the blob to its end so a verifying device checks its digest.
    for (;;) {
        const qint64 n = blob->read(s.blobBuffer.data(), s.blobBuffer.size());
        if (n < 0)
            return fail(blob->errorString());
        if (n == 0)
            break;
    }
    return Digest::fromRawSha256(s.hash.result());
}

Expected<LayerContents> LayerReader::readAll(QIODevice *blob, const CancellationToken &cancel)
{
    LayerReader reader(blob);
    LayerContents contents;
    for (;;) {
        if (cancel.isCancelled())
            return failCancelled();
        auto entry = reader.next();
        if (!entry)
            return std::unexpected(entry.error());
        if (!*entry)
            break;
        contents.entries << **entry;
    }
    contents.diffId = reader.diffId();
    contents.uncompressedSize = reader.uncompressedSize();
    contents.compression = reader.compression();
    return contents;
}

} // namespace stagecraft
