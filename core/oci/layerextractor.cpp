#include "core/oci/layerextractor.h"

#include "core/fs/rootdirectory.h"
#include "core/oci/layerreader.h"

#include <QFile>
#include <QList>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

namespace stagecraft {

namespace {

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

QByteArray encoded(const QString &name)
{
    return QFile::encodeName(name);
}

struct DeferredDirectory
{
    QString path;
    quint32 mode;
    qint64 mtime;
    qint64 uid;
    qint64 gid;
};

class Extraction
{
public:
    Extraction(const RootDirectory &root, const ExtractOptions &options)
        : m_root(root)
        , m_options(options)
        , m_isRoot(::geteuid() == 0)
    {}

    // Opens the directory `dirPath` (relative, normalised) below the root, creating
    // missing directories when `create`. Any component that is a symlink or not a
    // directory is refused: following it could lead out of the tree. On failure
    // m_missing says whether a component simply did not exist.
    Expected<FileDescriptor> openDirectory(const QString &dirPath, bool create)
    {
        QStringList created;
        auto dir = m_root.openDirectory(dirPath, Symlinks::Refuse, create, 0755, &created);
        for (const QString &c : std::as_const(created))
            m_created.insert(c);
        m_missing = !dir && dir.error().kind == FsErrorKind::NotFound;
        if (dir)
            return std::move(*dir);
        if (dir.error().kind == FsErrorKind::Symlink || dir.error().kind == FsErrorKind::NotDirectory)
            return fail(QStringLiteral("`%1` is a symlink or not a directory; refusing to write through it")
                            .arg(dirPath));
        return fail(QStringLiteral("cannot open directory `%1`: %2").arg(dirPath, dir.error().message));
    }

    static QString parentOf(const QString &path)
    {
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        return slash < 0 ? QString() : path.left(slash);
    }

    static QString baseOf(const QString &path)
    {
        const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
        return slash < 0 ? path : path.mid(slash + 1);
    }

    void applyMetadata(int dirFd, const QByteArray &name, const LayerEntry &e, bool isSymlink)
    {
        if (m_isRoot && m_options.preserveOwnership)
            ::fchownat(dirFd, name.constData(), uid_t(e.uid + m_options.uidShift),
                       gid_t(e.gid + m_options.gidShift), AT_SYMLINK_NOFOLLOW);
        mode_t mode = mode_t(e.mode & 07777);
        if (m_options.stripSetid && e.type != EntryType::Directory)
            mode &= ~mode_t(S_ISUID | S_ISGID);
        if (!isSymlink)
            ::fchmodat(dirFd, name.constData(), mode, 0);
        struct timespec times[2];
        times[0].tv_sec = e.mtime;
        times[0].tv_nsec = 0;
        times[1] = times[0];
        ::utimensat(dirFd, name.constData(), times, AT_SYMLINK_NOFOLLOW);
    }

    // The bounds on what the entry's header claims, checked before it is applied.
    // `compressedBytes` is the blob's size, or what has been read of it when unknown.
    Expected<void> admit(const LayerEntry &e, qint64 entryNumber, qint64 compressedBytes)
    {
        if (entryNumber > m_options.maxEntries)
            return fail(QStringLiteral("entry `%1` is number %2, more than the %3 entries a layer may have")
                            .arg(e.path)
                            .arg(entryNumber)
                            .arg(m_options.maxEntries));
        for (const QString *path : {&e.path, &e.linkTarget}) {
            const qsizetype length = encoded(*path).size();
            if (length > m_options.maxPathLength)
                return fail(QStringLiteral("entry `%1…`: its %2 has %3 bytes, more than the %4 allowed")
                                .arg(e.path.left(80),
                                     path == &e.path ? QStringLiteral("path") : QStringLiteral("link target"))
                                .arg(length)
                                .arg(m_options.maxPathLength));
        }
        const qsizetype depth = e.path.count(QLatin1Char('/')) + 1;
        if (depth > m_options.maxDepth)
            return fail(QStringLiteral("entry `%1…` is %2 directories deep, more than the %3 allowed")
                            .arg(e.path.left(80))
                            .arg(depth)
                            .arg(m_options.maxDepth));
        if (e.type != EntryType::File)
            return {};
        if (e.size < 0 || e.size > m_options.maxFileSize)
            return fail(QStringLiteral("entry `%1` claims %2 bytes, more than the %3 allowed")
                            .arg(e.path)
                            .arg(e.size)
                            .arg(m_options.maxFileSize));
        m_declared += e.size;
        if (m_options.maxTotalSize >= 0 && m_declared > m_options.maxTotalSize)
            return fail(
                QStringLiteral("entry `%1` brings the layer's files to %2 bytes, more than the %3 allowed")
                    .arg(e.path)
                    .arg(m_declared)
                    .arg(m_options.maxTotalSize));
        const qint64 ratio = m_options.maxExpansionRatio;
        const qint64 byRatio = ratio <= 0 || compressedBytes > std::numeric_limits<qint64>::max() / ratio
                                   ? std::numeric_limits<qint64>::max()
                                   : compressedBytes * ratio;
        if (m_declared > std::max(m_options.expansionAllowance, byRatio))
            return fail(
                QStringLiteral("entry `%1` brings the layer's files to %2 bytes from a %3-byte blob: "
                               "more than %4 times its size (and more than %5 bytes), a decompression "
                               "or sparse-file bomb")
                    .arg(e.path)
                    .arg(m_declared)
                    .arg(compressedBytes)
                    .arg(m_options.maxExpansionRatio)
                    .arg(m_options.expansionAllowance));
        return {};
    }

    // Writes the entry's data at the offsets the tar gives, leaving holes for the gaps of a
    // sparse entry and for whole pages of zeros, and sets the apparent size at the end.
    Expected<void> writeContent(int fd, const LayerEntry &e, LayerReader &reader)
    {
        constexpr qint64 Page = 4096;
        static const char zeros[Page] = {};
        qint64 stored = 0;
        for (;;) {
            const char *data = nullptr;
            qint64 size = 0;
            qint64 offset = 0;
            const int r = reader.readBlock(&data, &size, &offset);
            if (r < 0)
                return fail(QStringLiteral("entry `%1`: %2").arg(e.path, reader.errorString()));
            if (r == 0)
                break;
            if (offset < 0 || size > e.size || offset > e.size - size)
                return fail(QStringLiteral("entry `%1` holds more data than its header says").arg(e.path));
            stored += size;
            // Runs of non-zero pages go out in one write; an aligned page of zeros is skipped.
            qint64 runStart = 0;
            qint64 pos = 0;
            while (pos < size) {
                const qint64 pageEnd = std::min(size, (offset + pos) / Page * Page + Page - offset);
                const bool hole = pageEnd - pos == Page && std::memcmp(data + pos, zeros, Page) == 0;
                if (hole) {
                    if (auto w = writeAt(fd, e, data + runStart, pos - runStart, offset + runStart); !w)
                        return w;
                    runStart = pageEnd;
                }
                pos = pageEnd;
            }
            if (auto w = writeAt(fd, e, data + runStart, size - runStart, offset + runStart); !w)
                return w;
        }
        if (!e.sparse && stored != e.size)
            return fail(QStringLiteral("entry `%1` is truncated (%2 of %3 bytes)")
                            .arg(e.path)
                            .arg(stored)
                            .arg(e.size));
        if (::ftruncate(fd, e.size) != 0)
            return fail(QStringLiteral("cannot write `%1`: %2").arg(e.path, errnoText()));
        return {};
    }

    static Expected<void> writeAt(int fd, const LayerEntry &e, const char *data, qint64 size, qint64 offset)
    {
        while (size > 0) {
            const ssize_t w = ::pwrite(fd, data, size_t(size), off_t(offset));
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                return fail(QStringLiteral("cannot write `%1`: %2").arg(e.path, errnoText()));
            }
            data += w;
            size -= w;
            offset += w;
        }
        return {};
    }

    Expected<void> apply(const LayerEntry &e, LayerReader &reader, ExtractReport &report)
    {
        const QString parent = parentOf(e.path);
        const QByteArray name = encoded(baseOf(e.path));
        switch (e.type) {
        case EntryType::Whiteout: {
            if (!m_options.applyWhiteouts || m_created.contains(e.path))
                return {};
            auto dir = openDirectory(parent, false);
            if (!dir && m_missing)
                return {}; // nothing below to remove
            if (!dir)
                return fail(QStringLiteral("whiteout `%1`: %2").arg(e.path, dir.error().message));
            if (!RootDirectory::removeAllAt(dir->get(), name))
                return fail(
                    QStringLiteral("cannot remove `%1` for its whiteout: %2").arg(e.path, errnoText()));
            return {};
        }
        case EntryType::OpaqueWhiteout: {
            if (!m_options.applyWhiteouts)
                return {};
            auto dir = openDirectory(e.path, true);
            if (!dir)
                return std::unexpected(dir.error());
            FileDescriptor listing(::dup(dir->get()));
            DIR *d = ::fdopendir(listing.get());
            if (!d)
                return fail(QStringLiteral("cannot list `%1`: %2").arg(e.path, errnoText()));
            listing.release(); // owned by the DIR now
            QList<QByteArray> victims;
            while (struct dirent *entry = ::readdir(d)) {
                const QByteArray n(entry->d_name);
                if (n == "." || n == "..")
                    continue;
                const QString child =
                    (e.path.isEmpty() ? QString() : e.path + QLatin1Char('/')) + QFile::decodeName(n);
                if (!m_created.contains(child))
                    victims << n;
            }
            ::closedir(d);
            for (const QByteArray &v : victims)
                if (!RootDirectory::removeAllAt(dir->get(), v))
                    return fail(QStringLiteral("cannot clear `%1` for its opaque marker: %2")
                                    .arg(e.path, errnoText()));
            return {};
        }
        default: break;
        }

        auto dir = openDirectory(parent, true);
        if (!dir)
            return fail(QStringLiteral("entry `%1`: %2").arg(e.path, dir.error().message));
        const int dirFd = dir->get();

        if (e.type == EntryType::Directory) {
            struct stat st;
            if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
                RootDirectory::removeAllAt(dirFd, name);
            if (::mkdirat(dirFd, name.constData(), 0755) != 0 && errno != EEXIST)
                return fail(QStringLiteral("cannot create directory `%1`: %2").arg(e.path, errnoText()));
            m_created.insert(e.path);
            // Modes and times last: a read-only directory must still receive its files,
            // and writing into a directory changes its mtime.
            m_directories << DeferredDirectory{e.path, e.mode, e.mtime, e.uid, e.gid};
            return {};
        }

        if ((e.type == EntryType::CharDevice || e.type == EntryType::BlockDevice) &&
            (!m_isRoot || !m_options.createDevices)) {
            report.skipped << QStringLiteral("%1: device node (%2)")
                                  .arg(e.path, m_isRoot ? QStringLiteral("devices disabled")
                                                        : QStringLiteral("not running as root"));
            return {};
        }

        // Whatever is in the way goes (a file replaces a file, a symlink a directory).
        if (!RootDirectory::removeAllAt(dirFd, name))
            return fail(QStringLiteral("cannot replace `%1`: %2").arg(e.path, errnoText()));
        m_created.insert(e.path);

        switch (e.type) {
        case EntryType::File: {
            FileDescriptor file(::openat(dirFd, name.constData(),
                                         O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!file.isValid())
                return fail(QStringLiteral("cannot create `%1`: %2").arg(e.path, errnoText()));
            if (auto written = writeContent(file.get(), e, reader); !written)
                return std::unexpected(written.error());
            report.fileBytes += e.size;
            break;
        }
        case EntryType::Symlink:
            if (::symlinkat(encoded(e.linkTarget).constData(), dirFd, name.constData()) != 0)
                return fail(QStringLiteral("cannot create symlink `%1`: %2").arg(e.path, errnoText()));
            break;
        case EntryType::Hardlink: {
            // The target is a normalised path inside the tree, opened without following
            // symlinks on the way; linkat() does not follow a symlink target either.
            auto targetDir = openDirectory(parentOf(e.linkTarget), false);
            if (!targetDir)
                return fail(QStringLiteral("hardlink `%1` → `%2`: %3")
                                .arg(e.path, e.linkTarget, targetDir.error().message));
            const QByteArray targetName = encoded(baseOf(e.linkTarget));
            struct stat st;
            if (::fstatat(targetDir->get(), targetName.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
                S_ISDIR(st.st_mode))
                return fail(
                    QStringLiteral("hardlink `%1` points at `%2`, which is not a file in the layer tree")
                        .arg(e.path, e.linkTarget));
            if (::linkat(targetDir->get(), targetName.constData(), dirFd, name.constData(), 0) != 0)
                return fail(QStringLiteral("cannot create hardlink `%1`: %2").arg(e.path, errnoText()));
            return {}; // shares the target's metadata
        }
        case EntryType::CharDevice:
        case EntryType::BlockDevice: {
            const mode_t type = e.type == EntryType::CharDevice ? S_IFCHR : S_IFBLK;
            if (::mknodat(dirFd, name.constData(), type | 0600, makedev(e.deviceMajor, e.deviceMinor)) != 0)
                return fail(QStringLiteral("cannot create device `%1`: %2").arg(e.path, errnoText()));
            break;
        }
        case EntryType::Fifo:
            if (::mkfifoat(dirFd, name.constData(), 0600) != 0)
                return fail(QStringLiteral("cannot create fifo `%1`: %2").arg(e.path, errnoText()));
            break;
        default: break;
        }
        applyMetadata(dirFd, name, e, e.type == EntryType::Symlink);
        return {};
    }

    void finishDirectories()
    {
        // Deepest first, so setting a parent's time is not undone by its children.
        for (qsizetype i = m_directories.size() - 1; i >= 0; --i) {
            const DeferredDirectory &d = m_directories[i];
            auto dir = openDirectory(parentOf(d.path), false);
            if (!dir)
                continue;
            LayerEntry e;
            e.type = EntryType::Directory;
            e.mode = d.mode;
            e.mtime = d.mtime;
            e.uid = d.uid;
            e.gid = d.gid;
            applyMetadata(dir->get(), encoded(baseOf(d.path)), e, false);
        }
    }

private:
    const RootDirectory &m_root;
    ExtractOptions m_options;
    bool m_isRoot;
    QSet<QString> m_created; // paths this layer wrote: its own whiteouts must not remove them
    QList<DeferredDirectory> m_directories;
    qint64 m_declared = 0; // apparent bytes of the files so far
    bool m_missing = false;
};

} // namespace

Expected<ExtractReport> LayerExtractor::extract(QIODevice *blob, const QString &destination,
                                                const ExtractOptions &options,
                                                const CancellationToken &cancel)
{
    auto root = RootDirectory::open(destination, true);
    if (!root)
        return std::unexpected(root.error());
    Extraction extraction(*root, options);
    LayerReader reader(blob);
    ExtractReport report;
    // A file's size bounds the expansion from the start; a stream is judged on what it
    // has delivered so far (read ahead of the entry).
    const qint64 blobSize = blob && !blob->isSequential() ? blob->size() : 0;
    for (;;) {
        if (cancel.isCancelled())
            return failCancelled();
        auto entry = reader.next();
        if (!entry)
            return fail(
                QStringLiteral("extracting into %1 stopped: %2").arg(destination, entry.error().message));
        if (!*entry)
            break;
        if (options.refuseAbsolutePaths && reader.rawName().startsWith(QLatin1Char('/')))
            return fail(QStringLiteral("extracting into %1 stopped: entry `%2` has an absolute path")
                            .arg(destination, reader.rawName()));
        const qint64 compressed = std::max(blobSize, reader.compressedBytesRead());
        if (auto admitted = extraction.admit(**entry, report.entries + 1, compressed); !admitted)
            return fail(
                QStringLiteral("extracting into %1 stopped: %2").arg(destination, admitted.error().message));
        if (auto applied = extraction.apply(**entry, reader, report); !applied)
            return fail(
                QStringLiteral("extracting into %1 stopped: %2").arg(destination, applied.error().message));
        ++report.entries;
    }
    extraction.finishDirectories();
    report.diffId = reader.diffId();
    return report;
}

} // namespace stagecraft
