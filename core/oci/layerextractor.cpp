#include "core/oci/layerextractor.h"

#include "core/oci/layerreader.h"

#include <QFile>
#include <QList>
#include <QSet>

#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

namespace stagecraft {

namespace {

// A file descriptor closed when it goes out of scope.
class Fd
{
public:
    explicit Fd(int fd = -1)
        : m_fd(fd)
    {}
    Fd(Fd &&o) noexcept
        : m_fd(std::exchange(o.m_fd, -1))
    {}
    Fd &operator=(Fd &&o) noexcept
    {
        reset(std::exchange(o.m_fd, -1));
        return *this;
    }
    ~Fd() { reset(); }
    void reset(int fd = -1)
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd;
};

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

QByteArray encoded(const QString &name)
{
    return QFile::encodeName(name);
}

// Removes `name` in `dirFd` and, for a directory, everything below it, never following
// a symlink.
bool removeAt(int dirFd, const QByteArray &name)
{
    struct stat st;
    if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return ::unlinkat(dirFd, name.constData(), 0) == 0;
    const int child = ::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0)
        return false;
    ::fchmod(child, (st.st_mode & 07777) | S_IRWXU); // a read-only directory must still empty
    DIR *dir = ::fdopendir(child);
    if (!dir) {
        ::close(child);
        return false;
    }
    QList<QByteArray> names;
    while (struct dirent *e = ::readdir(dir)) {
        const QByteArray n(e->d_name);
        if (n != "." && n != "..")
            names << n;
    }
    bool ok = true;
    for (const QByteArray &n : names)
        ok = removeAt(::dirfd(dir), n) && ok;
    ::closedir(dir);
    return ::unlinkat(dirFd, name.constData(), AT_REMOVEDIR) == 0 && ok;
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
    Extraction(int root, const ExtractOptions &options)
        : m_root(root)
        , m_options(options)
        , m_isRoot(::geteuid() == 0)
    {}

    // Opens the directory `dirPath` (relative, normalised) below the root, creating
    // missing directories when `create`. Any component that is a symlink or not a
    // directory is refused: following it could lead out of the tree.
    Expected<Fd> openDirectory(const QString &dirPath, bool create)
    {
        Fd current(::dup(m_root));
        if (dirPath.isEmpty())
            return current;
        QString walked;
        for (const QString &component : dirPath.split(QLatin1Char('/'))) {
            walked += (walked.isEmpty() ? QString() : QStringLiteral("/")) + component;
            const QByteArray c = encoded(component);
            int fd = ::openat(current.get(), c.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT && create) {
                if (::mkdirat(current.get(), c.constData(), 0755) != 0 && errno != EEXIST)
                    return fail(QStringLiteral("cannot create directory `%1`: %2").arg(walked, errnoText()));
                m_created.insert(walked);
                fd = ::openat(current.get(), c.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            }
            if (fd < 0) {
                if (errno == ELOOP || errno == ENOTDIR)
                    return fail(
                        QStringLiteral("`%1` is a symlink or not a directory; refusing to write through it")
                            .arg(walked));
                return fail(QStringLiteral("cannot open directory `%1`: %2").arg(walked, errnoText()));
            }
            current = Fd(fd);
        }
        return current;
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
            ::fchownat(dirFd, name.constData(), uid_t(e.uid), gid_t(e.gid), AT_SYMLINK_NOFOLLOW);
        if (!isSymlink)
            ::fchmodat(dirFd, name.constData(), mode_t(e.mode & (m_options.stripSetid ? 01777 : 07777)), 0);
        struct timespec times[2];
        times[0].tv_sec = e.mtime;
        times[0].tv_nsec = 0;
        times[1] = times[0];
        ::utimensat(dirFd, name.constData(), times, AT_SYMLINK_NOFOLLOW);
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
            if (!dir)
                return {}; // nothing below to remove
            if (!removeAt(dir->get(), name))
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
            Fd listing(::dup(dir->get()));
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
                if (!removeAt(dir->get(), v))
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
                removeAt(dirFd, name);
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
        if (!removeAt(dirFd, name))
            return fail(QStringLiteral("cannot replace `%1`: %2").arg(e.path, errnoText()));
        m_created.insert(e.path);

        switch (e.type) {
        case EntryType::File: {
            if (e.size > m_options.maxFileSize)
                return fail(QStringLiteral("entry `%1` claims %2 bytes, more than the %3 allowed")
                                .arg(e.path)
                                .arg(e.size)
                                .arg(m_options.maxFileSize));
            if (m_options.maxTotalSize >= 0 && report.fileBytes + e.size > m_options.maxTotalSize)
                return fail(QStringLiteral("the layer's files exceed the %1 bytes allowed (at `%2`)")
                                .arg(m_options.maxTotalSize)
                                .arg(e.path));
            Fd file(::openat(dirFd, name.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                             0600));
            if (!file.valid())
                return fail(QStringLiteral("cannot create `%1`: %2").arg(e.path, errnoText()));
            QByteArray buffer(1 << 16, Qt::Uninitialized);
            qint64 written = 0;
            for (;;) {
                const qint64 n = reader.read(buffer.data(), buffer.size());
                if (n < 0)
                    return fail(QStringLiteral("entry `%1`: %2").arg(e.path, reader.errorString()));
                if (n == 0)
                    break;
                written += n;
                if (written > e.size)
                    return fail(
                        QStringLiteral("entry `%1` holds more data than its header says").arg(e.path));
                for (qint64 off = 0; off < n;) {
                    const ssize_t w = ::write(file.get(), buffer.constData() + off, size_t(n - off));
                    if (w < 0) {
                        if (errno == EINTR)
                            continue;
                        return fail(QStringLiteral("cannot write `%1`: %2").arg(e.path, errnoText()));
                    }
                    off += w;
                }
            }
            if (written != e.size)
                return fail(QStringLiteral("entry `%1` is truncated (%2 of %3 bytes)")
                                .arg(e.path)
                                .arg(written)
                                .arg(e.size));
            report.fileBytes += written;
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
            e.mode = d.mode;
            e.mtime = d.mtime;
            e.uid = d.uid;
            e.gid = d.gid;
            applyMetadata(dir->get(), encoded(baseOf(d.path)), e, false);
        }
    }

private:
    int m_root;
    ExtractOptions m_options;
    bool m_isRoot;
    QSet<QString> m_created; // paths this layer wrote: its own whiteouts must not remove them
    QList<DeferredDirectory> m_directories;
};

} // namespace

Expected<ExtractReport> LayerExtractor::extract(QIODevice *blob, const QString &destination,
                                                const ExtractOptions &options,
                                                const CancellationToken &cancel)
{
    if (::mkdir(encoded(destination).constData(), 0755) != 0 && errno != EEXIST)
        return fail(QStringLiteral("cannot create %1: %2").arg(destination, errnoText()));
    Fd root(::open(encoded(destination).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        return fail(QStringLiteral("cannot open %1: %2").arg(destination, errnoText()));
    Extraction extraction(root.get(), options);
    LayerReader reader(blob);
    ExtractReport report;
    for (;;) {
        if (cancel.isCancelled())
            return fail(QStringLiteral("cancelled"));
        auto entry = reader.next();
        if (!entry)
            return fail(
                QStringLiteral("extracting into %1 stopped: %2").arg(destination, entry.error().message));
        if (!*entry)
            break;
        if (options.refuseAbsolutePaths && reader.rawName().startsWith(QLatin1Char('/')))
            return fail(QStringLiteral("extracting into %1 stopped: entry `%2` has an absolute path")
                            .arg(destination, reader.rawName()));
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
