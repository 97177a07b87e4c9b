#include "core/fs/rootdirectory.h"

#include <QFile>
#include <QList>
#include <QStringList>

#include <atomic>
#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stagecraft {

namespace {

std::atomic<int> g_openat2State{-1}; // -1 unknown, 0 unavailable, 1 available
std::atomic<bool> g_openat2Allowed{true};

long callOpenat2(int dirFd, const char *path, quint64 flags, quint64 resolve)
{
    struct open_how how = {};
    how.flags = flags;
    how.resolve = resolve;
    if (flags & O_CREAT)
        how.mode = 0600;
    return ::syscall(SYS_openat2, dirFd, path, &how, sizeof(how));
}

QList<QByteArray> components(const QByteArray &path)
{
    QList<QByteArray> out;
    for (const QByteArray &c : path.split('/'))
        if (!c.isEmpty() && c != ".")
            out.append(c);
    return out;
}

// The rest of a path is only "" and "." components.
bool onlyDots(const QList<QByteArray> &rest)
{
    for (const QByteArray &c : rest)
        if (c != "." && !c.isEmpty())
            return false;
    return true;
}

QString displayPath(const QByteArrayList &walked)
{
    return QFile::decodeName(walked.join('/'));
}

FsExpected<QByteArray> readLinkAt(int fd, const char *name, const QString &what)
{
    QByteArray target(256, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::readlinkat(fd, name, target.data(), size_t(target.size()));
        if (n < 0)
            return std::unexpected(fsError(errno, what));
        if (n < target.size()) {
            target.truncate(n);
            return target;
        }
        if (target.size() >= 65536)
            return std::unexpected(
                FsError{FsErrorKind::Other, ENAMETOOLONG,
                        QStringLiteral("symlink `%1` has a target longer than 64 KiB").arg(what)});
        target.resize(target.size() * 4);
    }
}

} // namespace

FileDescriptor FileDescriptor::duplicate() const
{
    return FileDescriptor(m_fd < 0 ? -1 : ::fcntl(m_fd, F_DUPFD_CLOEXEC, 0));
}

FsError fsError(int errorNumber, const QString &what)
{
    FsErrorKind kind = FsErrorKind::Other;
    switch (errorNumber) {
    case ENOENT: kind = FsErrorKind::NotFound; break;
    case ENOTDIR: kind = FsErrorKind::NotDirectory; break;
    case ELOOP: kind = FsErrorKind::Loop; break;
    default: break;
    }
    return FsError{kind, errorNumber,
                   QStringLiteral("%1: %2").arg(what, QString::fromLocal8Bit(::strerror(errorNumber)))};
}

RootDirectory::RootDirectory(FileDescriptor directory, QString path)
    : m_fd(std::move(directory))
    , m_path(std::move(path))
{}

Expected<RootDirectory> RootDirectory::open(const QString &path, bool create, mode_t mode)
{
    const QByteArray native = QFile::encodeName(path);
    if (create) {
        // Parents of a trusted host path; the last component with the requested mode.
        QByteArray prefix;
        for (const QByteArray &c : native.split('/')) {
            prefix += (prefix.isEmpty() && native.startsWith('/') ? "/" : prefix.isEmpty() ? "" : "/") + c;
            if (c.isEmpty())
                continue;
            if (::mkdir(prefix.constData(), prefix == native ? mode : 0755) != 0 && errno != EEXIST)
                return fail(QStringLiteral("cannot create %1: %2")
                                .arg(QFile::decodeName(prefix), QString::fromLocal8Bit(::strerror(errno))));
        }
    }
    FileDescriptor fd(::open(native.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.isValid())
        return fail(
            QStringLiteral("cannot open %1: %2").arg(path, QString::fromLocal8Bit(::strerror(errno))));
    return RootDirectory(std::move(fd), path);
}

void RootDirectory::setOpenat2Allowed(bool allowed)
{
    g_openat2Allowed = allowed;
}

bool RootDirectory::openat2Available()
{
    if (!g_openat2Allowed)
        return false;
    int state = g_openat2State;
    if (state < 0) {
        const long fd = callOpenat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, RESOLVE_IN_ROOT);
        state = fd >= 0 ? 1 : 0;
        if (fd >= 0)
            ::close(int(fd));
        g_openat2State = state;
    }
    return state == 1;
}

QString RootDirectory::procPath(int fd)
{
    return QStringLiteral("/proc/self/fd/%1").arg(fd);
}

FsExpected<ParentAndName> RootDirectory::walk(const QString &name, Symlinks symlinks, bool followLast,
                                              bool createParents, mode_t mode, QStringList *canonical,
                                              QStringList *created) const
{
    // `resolved` names directories below the root, each verified to be a real directory
    // when it was opened; `..` drops the last one and reopens the chain from the root,
    // so no descriptor of a directory above the root is ever held.
    QByteArrayList resolved;
    FileDescriptor current = m_fd.duplicate();
    const auto reopen = [&]() -> FsExpected<void> {
        current = m_fd.duplicate();
        for (const QByteArray &c : std::as_const(resolved)) {
            FileDescriptor next(
                ::openat(current.get(), c.constData(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!next.isValid())
                return std::unexpected(fsError(errno, displayPath(resolved)));
            current = std::move(next);
        }
        return {};
    };
    const auto finish = [&](QByteArray last) -> ParentAndName {
        if (canonical) {
            for (const QByteArray &c : std::as_const(resolved))
                canonical->append(QFile::decodeName(c));
            if (last != ".")
                canonical->append(QFile::decodeName(last));
        }
        return ParentAndName{std::move(current), std::move(last)};
    };

    QList<QByteArray> todo = components(QFile::encodeName(name));
    int hops = 0;
    while (!todo.isEmpty()) {
        const QByteArray c = todo.takeFirst();
        if (c == "..") {
            if (!resolved.isEmpty()) {
                resolved.removeLast();
                if (auto ok = reopen(); !ok)
                    return std::unexpected(ok.error());
            }
            continue;
        }
        const bool last = onlyDots(todo);
        if (last && !followLast)
            return finish(c);
        FileDescriptor entry(::openat(current.get(), c.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!entry.isValid() && errno == ENOENT) {
            if (last)
                return finish(c);
            if (!createParents) {
                if (canonical) {
                    // The rest does not exist: it can only be spelled out, not resolved.
                    resolved.append(c);
                    for (const QByteArray &rest : std::as_const(todo)) {
                        if (rest == "..") {
                            if (!resolved.isEmpty())
                                resolved.removeLast();
                        } else {
                            resolved.append(rest);
                        }
                    }
                    QByteArray leaf = resolved.isEmpty() ? QByteArray(".") : resolved.takeLast();
                    return finish(leaf);
                }
                return std::unexpected(fsError(ENOENT, displayPath(resolved + QByteArrayList{c})));
            }
            if (::mkdirat(current.get(), c.constData(), mode) == 0) {
                if (created)
                    created->append(displayPath(resolved + QByteArrayList{c}));
            } else if (errno != EEXIST) {
                return std::unexpected(fsError(errno, displayPath(resolved + QByteArrayList{c})));
            }
            entry.reset(::openat(current.get(), c.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        }
        if (!entry.isValid())
            return std::unexpected(fsError(errno, displayPath(resolved + QByteArrayList{c})));
        struct stat st;
        if (::fstat(entry.get(), &st) != 0)
            return std::unexpected(fsError(errno, displayPath(resolved + QByteArrayList{c})));
        if (S_ISLNK(st.st_mode)) {
            const QString where = displayPath(resolved + QByteArrayList{c});
            if (symlinks == Symlinks::Refuse)
                return std::unexpected(
                    FsError{FsErrorKind::Symlink, ELOOP,
                            QStringLiteral("`%1` is a symlink; refusing to go through it").arg(where)});
            if (++hops > maxSymlinkHops)
                return std::unexpected(
                    FsError{FsErrorKind::Loop, ELOOP,
                            QStringLiteral("`%1`: more than %2 symlinks").arg(where).arg(maxSymlinkHops)});
            auto target = readLinkAt(entry.get(), "", where);
            if (!target)
                return std::unexpected(target.error());
            if (target->startsWith('/')) {
                resolved.clear();
                current = m_fd.duplicate();
            }
            todo = components(*target) + todo;
            continue;
        }
        if (last)
            return finish(c);
        if (!S_ISDIR(st.st_mode))
            return std::unexpected(FsError{
                FsErrorKind::NotDirectory, ENOTDIR,
                QStringLiteral("`%1` is not a directory").arg(displayPath(resolved + QByteArrayList{c}))});
        resolved.append(c);
        current = std::move(entry);
    }
    return finish(QByteArray("."));
}

FsExpected<ParentAndName> RootDirectory::resolveParent(const QString &name, Symlinks symlinks,
                                                       bool followLast, bool createParents, mode_t mode) const
{
    return walk(name, symlinks, followLast, createParents, mode, nullptr);
}

FsExpected<FileDescriptor> RootDirectory::open(const QString &name, int flags, Symlinks symlinks,
                                               bool followLast) const
{
    const QByteArray native = QFile::encodeName(name);
    if (symlinks == Symlinks::FollowInRoot && !(flags & O_CREAT) && openat2Available()) {
        const quint64 f = quint64(flags | O_CLOEXEC | (followLast ? 0 : O_NOFOLLOW));
        const long fd = callOpenat2(m_fd.get(), native.isEmpty() ? "." : native.constData(), f,
                                    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
            return std::unexpected(fsError(int(errno), name));
        return FileDescriptor(int(fd));
    }
    auto parent = walk(name, symlinks, followLast, false, 0755, nullptr);
    if (!parent)
        return std::unexpected(parent.error());
    FileDescriptor fd(
        ::openat(parent->directory.get(), parent->name.constData(), flags | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.isValid())
        return std::unexpected(fsError(errno, name));
    return fd;
}

FsExpected<FileDescriptor> RootDirectory::openDirectory(const QString &name, Symlinks symlinks, bool create,
                                                        mode_t mode, QStringList *created) const
{
    auto parent = walk(name, symlinks, true, create, mode, nullptr, created);
    if (!parent)
        return std::unexpected(parent.error());
    if (parent->name == ".") {
        // An O_PATH descriptor of the root or a `..`-clamped name: reopen it readable.
        FileDescriptor fd(::openat(parent->directory.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd.isValid())
            return std::unexpected(fsError(errno, name));
        return fd;
    }
    if (create) {
        if (::mkdirat(parent->directory.get(), parent->name.constData(), mode) == 0) {
            if (created)
                created->append(
                    QString(name).split(QLatin1Char('/'), Qt::SkipEmptyParts).join(QLatin1Char('/')));
        } else if (errno != EEXIST) {
            return std::unexpected(fsError(errno, name));
        }
    }
    FileDescriptor fd(::openat(parent->directory.get(), parent->name.constData(),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.isValid())
        return std::unexpected(fsError(errno == ELOOP ? ENOTDIR : errno, name));
    return fd;
}

FsExpected<std::optional<struct stat>> RootDirectory::status(const QString &name, Symlinks symlinks,
                                                             bool followLast) const
{
    auto parent = walk(name, symlinks, followLast, false, 0755, nullptr);
    if (!parent) {
        if (parent.error().kind == FsErrorKind::NotFound || parent.error().kind == FsErrorKind::NotDirectory)
            return std::optional<struct stat>();
        return std::unexpected(parent.error());
    }
    struct stat st;
    const int rc = parent->name == "." ? ::fstat(parent->directory.get(), &st)
                                       : ::fstatat(parent->directory.get(), parent->name.constData(), &st,
                                                   AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return std::optional<struct stat>();
        return std::unexpected(fsError(errno, name));
    }
    return std::optional<struct stat>(st);
}

FsExpected<QString> RootDirectory::canonicalPath(const QString &name, bool followLast) const
{
    QStringList canonical;
    auto parent = walk(name, Symlinks::FollowInRoot, followLast, false, 0755, &canonical);
    if (!parent)
        return std::unexpected(parent.error());
    return canonical.join(QLatin1Char('/'));
}

FsExpected<QByteArray> RootDirectory::readLink(const QString &name, Symlinks symlinks) const
{
    auto parent = walk(name, symlinks, false, false, 0755, nullptr);
    if (!parent)
        return std::unexpected(parent.error());
    return readLinkAt(parent->directory.get(), parent->name.constData(), name);
}

FsExpected<void> RootDirectory::removeAll(const QString &name, Symlinks symlinks) const
{
    auto parent = walk(name, symlinks, false, false, 0755, nullptr);
    if (!parent) {
        if (parent.error().kind == FsErrorKind::NotFound)
            return {};
        return std::unexpected(parent.error());
    }
    if (parent->name == ".")
        return std::unexpected(FsError{FsErrorKind::Other, EINVAL,
                                       QStringLiteral("refusing to remove the root %1").arg(m_path)});
    if (!removeAllAt(parent->directory.get(), parent->name))
        return std::unexpected(fsError(errno, name));
    return {};
}

FsExpected<void> RootDirectory::makeDirectories(const QString &name, mode_t mode) const
{
    auto dir = openDirectory(name, Symlinks::FollowInRoot, true, mode);
    if (!dir)
        return std::unexpected(dir.error());
    return {};
}

bool RootDirectory::removeTree(const QString &hostPath)
{
    const QByteArray native = QFile::encodeName(hostPath);
    const qsizetype slash = native.lastIndexOf('/');
    const QByteArray parent = slash < 0 ? QByteArray(".") : slash == 0 ? QByteArray("/") : native.left(slash);
    FileDescriptor dir(::open(parent.constData(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    return dir.isValid() ? removeAllAt(dir.get(), native.mid(slash + 1)) : errno == ENOENT;
}

bool RootDirectory::removeAllAt(int directoryFd, const QByteArray &name)
{
    FileDescriptor entry(::openat(directoryFd, name.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!entry.isValid())
        return errno == ENOENT;
    struct stat st;
    if (::fstat(entry.get(), &st) != 0)
        return false;
    if (!S_ISDIR(st.st_mode))
        return ::unlinkat(directoryFd, name.constData(), 0) == 0 || errno == ENOENT;
    // A directory without write or search permission (an overlay work dir, a layer's
    // 0555 directory) must still be emptied: chmod the very inode just opened, through
    // its descriptor, so a symlink swapped in meanwhile is never followed.
    if ((st.st_mode & S_IRWXU) != S_IRWXU)
        (void)::chmod(QFile::encodeName(procPath(entry.get())).constData(), (st.st_mode & 07777) | S_IRWXU);
    const int child =
        ::openat(directoryFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (child < 0)
        return false;
    DIR *dir = ::fdopendir(child);
    if (!dir) {
        ::close(child);
        return false;
    }
    QByteArrayList names;
    while (struct dirent *e = ::readdir(dir)) {
        const QByteArray n(e->d_name);
        if (n != "." && n != "..")
            names << n;
    }
    bool ok = true;
    for (const QByteArray &n : std::as_const(names))
        ok = removeAllAt(::dirfd(dir), n) && ok;
    ::closedir(dir);
    return (::unlinkat(directoryFd, name.constData(), AT_REMOVEDIR) == 0 || errno == ENOENT) && ok;
}

} // namespace stagecraft
