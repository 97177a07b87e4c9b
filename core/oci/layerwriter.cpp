#include "core/oci/layerwriter.h"

#include "core/common/sha256.h"
#include "core/oci/layerpath.h"
#include "core/oci/parallelgzip.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QHash>

#include <algorithm>
#include <memory>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace stagecraft {

namespace {

// Receives the uncompressed tar from libarchive, hashes it (diff ID), compresses it when
// asked and writes the result to the output device, hashing that too (digest). gzip goes
// through ParallelGzip (libdeflate, 1 MiB members on worker threads, header time 0, no
// name: deterministic); zstd through a second libarchive writer in raw format with its
// zstd filter, which is deterministic for a given level.
class TarSink
{
public:
    TarSink(QIODevice *out, const LayerWriteOptions &options)
        : m_out(out)
        , m_gzip(options.compression == Compression::Gzip)
        , m_zstd(options.compression == Compression::Zstd)
    {
        if (m_zstd)
            startZstd(options.zstdLevel);
        if (m_gzip) {
            m_gzipWriter = std::make_unique<ParallelGzip>(
                options.gzipLevel, [this](const char *data, qint64 length) { return emit(data, length); },
                options.threads);
        }
    }
    ~TarSink()
    {
        if (m_zstdEntry)
            archive_entry_free(m_zstdEntry);
        if (m_zstdWriter)
            archive_write_free(m_zstdWriter);
    }

    bool write(const char *data, qint64 length)
    {
        m_diffHash.addData(QByteArrayView(data, length));
        m_uncompressed += length;
        if (m_zstd)
            return zstdChunk(data, length);
        if (!m_gzip)
            return emit(data, length);
        return gzipped(m_gzipWriter->write(data, length));
    }

    bool finish()
    {
        if (m_zstd) {
            if (!m_zstdOk)
                return zstdChunk(nullptr, 0);
            if (archive_write_close(m_zstdWriter) != ARCHIVE_OK) {
                if (error.isEmpty())
                    error = QStringLiteral("zstd compression failed: %1")
                                .arg(QString::fromUtf8(archive_error_string(m_zstdWriter)));
                return false;
            }
            return error.isEmpty();
        }
        return !m_gzip || gzipped(m_gzipWriter->finish());
    }

    QString error;
    Sha256 m_diffHash;
    Sha256 m_blobHash;
    qint64 m_uncompressed = 0;
    qint64 m_written = 0;

private:
    bool emit(const char *data, qint64 length)
    {
        // An uncompressed blob is the tar itself: its digest is the diff ID, hashed once.
        if (m_gzip || m_zstd)
            m_blobHash.addData(QByteArrayView(data, length));
        m_written += length;
        if (m_out->write(data, length) != length) {
            error = QStringLiteral("cannot write the layer: %1").arg(m_out->errorString());
            return false;
        }
        return true;
    }

    bool gzipped(bool ok)
    {
        if (!ok && error.isEmpty())
            error = m_gzipWriter->error();
        return ok;
    }

    void startZstd(int level)
    {
        m_zstdWriter = archive_write_new();
        m_zstdEntry = archive_entry_new();
        const QByteArray levelOption = QByteArray::number(level);
        m_zstdOk = m_zstdWriter && m_zstdEntry && archive_write_add_filter_zstd(m_zstdWriter) == ARCHIVE_OK &&
                   archive_write_set_filter_option(m_zstdWriter, "zstd", "compression-level",
                                                   levelOption.constData()) == ARCHIVE_OK &&
                   archive_write_set_format_raw(m_zstdWriter) == ARCHIVE_OK &&
                   archive_write_set_bytes_per_block(m_zstdWriter, 0) == ARCHIVE_OK &&
                   archive_write_open(m_zstdWriter, this, nullptr, &TarSink::zstdOut, nullptr) == ARCHIVE_OK;
        if (m_zstdOk) {
            archive_entry_set_filetype(m_zstdEntry, AE_IFREG);
            archive_entry_set_pathname(m_zstdEntry, "layer.tar");
            m_zstdOk = archive_write_header(m_zstdWriter, m_zstdEntry) == ARCHIVE_OK;
        }
    }

    static la_ssize_t zstdOut(struct archive *, void *self, const void *buffer, size_t length)
    {
        auto *sink = static_cast<TarSink *>(self);
        return sink->emit(static_cast<const char *>(buffer), qint64(length)) ? la_ssize_t(length) : -1;
    }

    bool zstdChunk(const char *data, qint64 length)
    {
        if (!m_zstdOk) {
            error = QStringLiteral("cannot start zstd compression%1")
                        .arg(m_zstdWriter ? QStringLiteral(": ") +
                                                QString::fromUtf8(archive_error_string(m_zstdWriter))
                                          : QString());
            return false;
        }
        while (length > 0) {
            const la_ssize_t n = archive_write_data(m_zstdWriter, data, size_t(length));
            if (n <= 0) {
                if (error.isEmpty())
                    error = QStringLiteral("zstd compression failed: %1")
                                .arg(QString::fromUtf8(archive_error_string(m_zstdWriter)));
                return false;
            }
            data += n;
            length -= n;
        }
        return true;
    }

    QIODevice *m_out;
    bool m_gzip;
    bool m_zstd;
    std::unique_ptr<ParallelGzip> m_gzipWriter;
    struct archive *m_zstdWriter = nullptr;
    struct archive_entry *m_zstdEntry = nullptr;
    bool m_zstdOk = false;
};

la_ssize_t sinkWrite(struct archive *, void *sink, const void *buffer, size_t length)
{
    auto *s = static_cast<TarSink *>(sink);
    return s->write(static_cast<const char *>(buffer), qint64(length)) ? la_ssize_t(length) : -1;
}

QString tarName(const LayerEntry &e)
{
    const qsizetype slash = e.path.lastIndexOf(QLatin1Char('/'));
    const QString dir = slash < 0 ? QString() : e.path.left(slash + 1);
    switch (e.type) {
    case EntryType::Whiteout: return dir + WhiteoutPrefix + e.path.mid(slash + 1);
    case EntryType::OpaqueWhiteout:
        return (e.path.isEmpty() ? QString() : e.path + QLatin1Char('/')) + OpaqueWhiteoutName;
    case EntryType::Directory: return e.path + QLatin1Char('/');
    default: return e.path;
    }
}

// The order of a depth-first walk with each directory's names in byte order, as Go's
// filepath.Walk lists a tree for Docker and BuildKit: a directory's contents come right
// after it, before a sibling whose name merely extends it ("a", "a/f", "a-b", "a.d"), so
// '/' sorts below every other byte. A directory's opaque marker comes right after it;
// a whiteout sorts by the name it removes. Total and locale-free: the same tree always
// gives the same tar.
bool pathLess(const LayerSourceEntry &a, const LayerSourceEntry &b)
{
    const QByteArray pa = a.entry.path.toUtf8();
    const QByteArray pb = b.entry.path.toUtf8();
    const qsizetype n = std::min(pa.size(), pb.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (pa[i] == pb[i])
            continue;
        if (pa[i] == '/')
            return true;
        if (pb[i] == '/')
            return false;
        return quint8(pa[i]) < quint8(pb[i]);
    }
    if (pa.size() != pb.size())
        return pa.size() < pb.size();
    const bool aOpaque = a.entry.type == EntryType::OpaqueWhiteout;
    const bool bOpaque = b.entry.type == EntryType::OpaqueWhiteout;
    return !aOpaque && bOpaque;
}

} // namespace

Descriptor WrittenLayer::descriptor() const
{
    Descriptor d;
    d.mediaType = mediaType;
    d.digest = digest;
    d.size = size;
    return d;
}

Expected<WrittenLayer> LayerWriter::write(QList<LayerSourceEntry> entries, QIODevice *out,
                                          const LayerWriteOptions &options, const CancellationToken &cancel)
{
    for (LayerSourceEntry &s : entries) {
        auto path = normaliseLayerPath(s.entry.path);
        if (!path)
            return std::unexpected(path.error());
        if (path->isEmpty() && s.entry.type != EntryType::OpaqueWhiteout)
            return fail(QStringLiteral("a layer entry has an empty path"));
        s.entry.path = *path;
    }
    std::stable_sort(entries.begin(), entries.end(), pathLess);

    TarSink sink(out, options);
    struct archive *a = archive_write_new();
    auto cleanup = qScopeGuard([a] { archive_write_free(a); });
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_per_block(a, 10240);
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open(a, &sink, nullptr, &sinkWrite, nullptr) != ARCHIVE_OK)
        return fail(QString::fromUtf8(archive_error_string(a)));

    QByteArray buffer(1 << 16, Qt::Uninitialized);
    for (const LayerSourceEntry &s : std::as_const(entries)) {
        if (cancel.isCancelled())
            return failCancelled();
        const LayerEntry &e = s.entry;
        struct archive_entry *entry = archive_entry_new();
        auto freeEntry = qScopeGuard([entry] { archive_entry_free(entry); });
        archive_entry_set_pathname_utf8(entry, tarName(e).toUtf8().constData());
        archive_entry_set_uid(entry, options.uid.value_or(e.uid));
        archive_entry_set_gid(entry, options.gid.value_or(e.gid));
        archive_entry_set_mtime(entry, options.fixedMtime.value_or(e.mtime), 0);
        archive_entry_set_perm(entry, mode_t(e.mode & 07777));
        QFile source;
        qint64 size = 0;
        switch (e.type) {
        case EntryType::File:
            archive_entry_set_filetype(entry, AE_IFREG);
            if (!s.sourcePath.isEmpty()) {
                source.setFileName(s.sourcePath);
                if (!source.open(QIODevice::ReadOnly))
                    return fail(QStringLiteral("cannot read %1 for `%2`: %3")
                                    .arg(s.sourcePath, e.path, source.errorString()));
                size = source.size();
            } else {
                size = s.content.size();
            }
            archive_entry_set_size(entry, size);
            break;
        case EntryType::Directory: archive_entry_set_filetype(entry, AE_IFDIR); break;
        case EntryType::Symlink:
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink_utf8(entry, e.linkTarget.toUtf8().constData());
            break;
        case EntryType::Hardlink:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink_utf8(entry, e.linkTarget.toUtf8().constData());
            archive_entry_set_size(entry, 0);
            break;
        case EntryType::CharDevice:
        case EntryType::BlockDevice:
            archive_entry_set_filetype(entry, e.type == EntryType::CharDevice ? AE_IFCHR : AE_IFBLK);
            archive_entry_set_rdevmajor(entry, e.deviceMajor);
            archive_entry_set_rdevminor(entry, e.deviceMinor);
            break;
        case EntryType::Fifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
        case EntryType::Whiteout:
        case EntryType::OpaqueWhiteout:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_size(entry, 0);
            archive_entry_set_perm(entry, e.mode); // 0 unless the caller gives BuildKit's 0600/0755
            break;
        }
        if (archive_write_header(a, entry) < ARCHIVE_WARN)
            return fail(QStringLiteral("cannot write layer entry `%1`: %2")
                            .arg(e.path, sink.error.isEmpty() ? QString::fromUtf8(archive_error_string(a))
                                                              : sink.error));
        if (e.type != EntryType::File)
            continue;
        if (source.isOpen()) {
            qint64 copied = 0;
            for (;;) {
                const qint64 n = source.read(buffer.data(), std::min<qint64>(buffer.size(), size - copied));
                if (n < 0)
                    return fail(QStringLiteral("cannot read %1: %2").arg(s.sourcePath, source.errorString()));
                if (n == 0)
                    break;
                if (archive_write_data(a, buffer.constData(), size_t(n)) < 0)
                    return fail(sink.error.isEmpty() ? QString::fromUtf8(archive_error_string(a))
                                                     : sink.error);
                copied += n;
            }
            if (copied != size)
                return fail(
                    QStringLiteral("%1 changed size while being written into the layer").arg(s.sourcePath));
        } else if (size > 0 && archive_write_data(a, s.content.constData(), size_t(size)) < 0) {
            return fail(sink.error.isEmpty() ? QString::fromUtf8(archive_error_string(a)) : sink.error);
        }
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        return fail(sink.error.isEmpty() ? QString::fromUtf8(archive_error_string(a)) : sink.error);
    if (!sink.finish())
        return fail(sink.error);

    WrittenLayer result;
    result.diffId = Digest::fromRawSha256(sink.m_diffHash.result());
    result.digest = options.compression == Compression::None
                        ? result.diffId
                        : Digest::fromRawSha256(sink.m_blobHash.result());
    result.size = sink.m_written;
    result.uncompressedSize = sink.m_uncompressed;
    result.mediaType = ociLayerMediaType(options.compression);
    return result;
}

Expected<WrittenLayer> LayerWriter::writeDirectory(const QString &directory, QIODevice *out,
                                                   const LayerWriteOptions &options,
                                                   const CancellationToken &cancel)
{
    const QDir root(directory);
    if (!root.exists())
        return fail(QStringLiteral("%1 is not a directory").arg(directory));
    QList<LayerSourceEntry> entries;
    QDirIterator it(directory, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        if (cancel.isCancelled())
            return failCancelled();
        const QString path = it.next();
        struct stat st;
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            return fail(QStringLiteral("cannot read %1").arg(path));
        LayerSourceEntry s;
        s.entry.path = root.relativeFilePath(path);
        s.entry.mode = quint32(st.st_mode & 07777);
        s.entry.uid = st.st_uid;
        s.entry.gid = st.st_gid;
        s.entry.mtime = st.st_mtime;
        if (S_ISREG(st.st_mode)) {
            s.entry.type = EntryType::File;
            s.entry.size = st.st_size;
            s.sourcePath = path;
        } else if (S_ISDIR(st.st_mode)) {
            s.entry.type = EntryType::Directory;
        } else if (S_ISLNK(st.st_mode)) {
            s.entry.type = EntryType::Symlink;
            QByteArray target(4096, '\0');
            const ssize_t n =
                ::readlink(QFile::encodeName(path).constData(), target.data(), size_t(target.size()));
            if (n >= 0)
                s.entry.linkTarget = QFile::decodeName(target.left(n));
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            s.entry.type = S_ISCHR(st.st_mode) ? EntryType::CharDevice : EntryType::BlockDevice;
            s.entry.deviceMajor = major(st.st_rdev);
            s.entry.deviceMinor = minor(st.st_rdev);
        } else if (S_ISFIFO(st.st_mode)) {
            s.entry.type = EntryType::Fifo;
        } else {
            continue; // sockets have no tar form
        }
        entries << s;
    }
    // Hardlinks: the first path (in sorted order) of an inode carries the content.
    std::stable_sort(entries.begin(), entries.end(), pathLess);
    QHash<QPair<quint64, quint64>, QString> firstPathOfInode;
    for (LayerSourceEntry &s : entries) {
        if (s.entry.type != EntryType::File)
            continue;
        struct stat st;
        if (::lstat(QFile::encodeName(s.sourcePath).constData(), &st) != 0 || st.st_nlink < 2)
            continue;
        const QPair<quint64, quint64> key(st.st_dev, st.st_ino);
        const auto found = firstPathOfInode.constFind(key);
        if (found == firstPathOfInode.constEnd()) {
            firstPathOfInode.insert(key, s.entry.path);
            continue;
        }
        s.entry.type = EntryType::Hardlink;
        s.entry.linkTarget = *found;
        s.entry.size = 0;
        s.sourcePath.clear();
    }
    return write(entries, out, options, cancel);
}

} // namespace stagecraft
