#include "core/exec/rootfs.h"

#include "core/exec/idmap.h"
#include "core/exec/namespacechild.h"
#include "core/fs/rootdirectory.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace stagecraft {

namespace {

QByteArray native(const QString &path)
{
    return QFile::encodeName(path);
}

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

QStringList entryNames(const QString &dir)
{
    QStringList names = QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Unsorted);
    std::sort(names.begin(), names.end());
    return names;
}

// Copies file data between two descriptors; a copy-on-write clone where the filesystem
// offers one. Hardlinks would be cheaper but a RUN writing into a file in place would
// then change the shared lower layer.
bool copyFileData(int in, int out)
{
    if (::ioctl(out, FICLONE, in) == 0)
        return true;
    for (;;) {
        const ssize_t n = ::copy_file_range(in, nullptr, out, nullptr, 1 << 30, 0);
        if (n == 0)
            return true;
        if (n > 0)
            continue;
        // Different filesystems on old kernels: plain reads and writes.
        if (errno != EXDEV && errno != ENOSYS && errno != EINVAL)
            return false;
        char buffer[1 << 16];
        ssize_t r;
        while ((r = ::read(in, buffer, sizeof(buffer))) > 0)
            if (::write(out, buffer, size_t(r)) != r)
                return false;
        return r == 0;
    }
}

// Owner, mode and times of `name` in `dirFd` (just created there, never a symlink
// followed: the mode is left alone on a symlink).
void applyMetadataAt(int dirFd, const char *name, const struct stat &st)
{
    if (::geteuid() == 0)
        (void)::fchownat(dirFd, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
    if (!S_ISLNK(st.st_mode))
        (void)::fchmodat(dirFd, name, st.st_mode & 07777, 0);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    (void)::utimensat(dirFd, name, times, AT_SYMLINK_NOFOLLOW);
}

QByteArrayList namesIn(int dirFd)
{
    QByteArrayList names;
    const int listing = ::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir = listing >= 0 ? ::fdopendir(listing) : nullptr;
    if (!dir) {
        if (listing >= 0)
            ::close(listing);
        return names;
    }
    while (struct dirent *e = ::readdir(dir)) {
        const QByteArray n(e->d_name);
        if (n != "." && n != "..")
            names << n;
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

// The first copy of a layer file with more than one name, for its other names to link to.
struct CopiedFile
{
    QString path; // in the root
    dev_t device = 0;
    ino_t inode = 0;
};
using CopiedFiles = QHash<QPair<quint64, quint64>, CopiedFile>;

// Links `name` in `toDir` to the first copy, if that is still the file the copy made
// (a later layer may have replaced it); its parents are opened without following symlinks.
bool linkToCopy(const RootDirectory &root, const CopiedFile &first, int toDir, const char *name)
{
    const qsizetype slash = first.path.lastIndexOf(u'/');
    auto dir = root.openDirectory(slash < 0 ? QString() : first.path.left(slash), Symlinks::Refuse);
    if (!dir)
        return false;
    const QByteArray base = QFile::encodeName(first.path.mid(slash + 1));
    struct stat st = {};
    if (::fstatat(dir->get(), base.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
        st.st_dev != first.device || st.st_ino != first.inode)
        return false;
    return ::linkat(dir->get(), base.constData(), toDir, name, 0) == 0;
}

// Applies one overlay-format layer directory onto the copied root, both held as
// descriptors: every name is one component in a directory already open, so nothing a
// layer holds (a symlink where a directory was) can lead the copy out of the root. Names
// of one file stay one file, as in the overlay (a RUN sees `ls -l`'s link count).
Expected<void> applyLayer(int fromDir, int toDir, const QString &relative, const RootDirectory &root,
                          CopiedFiles &copied, const CancellationToken &cancel)
{
    if (cancel.isCancelled())
        return failCancelled();
    for (const QByteArray &name : namesIn(fromDir)) {
        const char *n = name.constData();
        const QString where =
            relative.isEmpty() ? QFile::decodeName(name) : relative + u'/' + QFile::decodeName(name);
        struct stat st = {};
        if (::fstatat(fromDir, n, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        struct stat existing = {};
        const bool exists = ::fstatat(toDir, n, &existing, AT_SYMLINK_NOFOLLOW) == 0;
        if (LayeredView::isWhiteout(fromDir, name, st)) {
            if (exists)
                RootDirectory::removeAllAt(toDir, name);
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            FileDescriptor from(::openat(fromDir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!from.isValid())
                return fail(QStringLiteral("cannot open %1 in a layer: %2").arg(where, errnoText()));
            if (exists && (!S_ISDIR(existing.st_mode) || LayeredView::isOpaqueDirectory(from.get())))
                RootDirectory::removeAllAt(toDir, name);
            if (::mkdirat(toDir, n, 0700) != 0 && errno != EEXIST)
                return fail(QStringLiteral("cannot create %1: %2").arg(where, errnoText()));
            // A directory we may not write yet (a 0555 one copied from a lower layer).
            (void)::fchmodat(toDir, n, 0700, 0);
            FileDescriptor to(::openat(toDir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!to.isValid())
                return fail(QStringLiteral("cannot open %1 in the root: %2").arg(where, errnoText()));
            Expected<void> sub = applyLayer(from.get(), to.get(), where, root, copied, cancel);
            if (!sub)
                return sub;
            applyMetadataAt(toDir, n, st);
            continue;
        }
        if (exists)
            RootDirectory::removeAllAt(toDir, name);
        const QPair<quint64, quint64> key(st.st_dev, st.st_ino);
        if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
            const auto first = copied.constFind(key);
            if (first != copied.cend() && linkToCopy(root, *first, toDir, n))
                continue; // shares the first copy's metadata
        }
        if (S_ISREG(st.st_mode)) {
            FileDescriptor in(::openat(fromDir, n, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
            FileDescriptor out(
                ::openat(toDir, n, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
            if (!in.isValid() || !out.isValid() || !copyFileData(in.get(), out.get()))
                return fail(QStringLiteral("cannot copy %1: %2").arg(where, errnoText()));
        } else if (S_ISLNK(st.st_mode)) {
            QByteArray target(4096, Qt::Uninitialized);
            const ssize_t len = ::readlinkat(fromDir, n, target.data(), size_t(target.size()));
            if (len < 0 || ::symlinkat(target.left(len).constData(), toDir, n) != 0)
                return fail(QStringLiteral("cannot copy symlink %1: %2").arg(where, errnoText()));
        } else if (::mknodat(toDir, n, st.st_mode, st.st_rdev) != 0) {
            continue; // device nodes need privileges an ordinary user lacks; /dev is mounted anyway
        }
        applyMetadataAt(toDir, n, st);
        struct stat made = {};
        if (S_ISREG(st.st_mode) && st.st_nlink > 1 && ::fstatat(toDir, n, &made, AT_SYMLINK_NOFOLLOW) == 0)
            copied.insert(key, CopiedFile{where, made.st_dev, made.st_ino});
    }
    return {};
}

} // namespace

bool Rootfs::isWhiteout(const QString &path)
{
    struct stat st = {};
    const QByteArray p = native(path);
    if (::lstat(p.constData(), &st) != 0)
        return false;
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
        return true;
    return S_ISREG(st.st_mode) && st.st_size == 0 &&
           ::lgetxattr(p.constData(), "user.overlay.whiteout", nullptr, 0) >= 0;
}

bool Rootfs::isOpaqueDirectory(const QString &path)
{
    FileDescriptor fd(::open(native(path).constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    return fd.isValid() && LayeredView::isOpaqueDirectory(fd.get());
}

void Rootfs::removeTree(const QString &path)
{
    RootDirectory::removeTree(path);
}

namespace {

// As root the sandbox's root is an unprivileged host id (IdMap::Kind::Shifted): a
// directory the stage sees as "/" must belong to it, or container root could not write
// there.
void ownByContainerRoot(const QString &path)
{
    const Expected<IdMap> &map = IdMap::current();
    if (::geteuid() != 0 || !map)
        return;
    (void)::lchown(native(path).constData(), uid_t(map->hostUid(0)), gid_t(map->hostGid(0)));
}

// What RUN left owned by an ordinary user's subordinate ids (apt's 0700 directories
// owned by _apt) cannot be removed by the user outside the namespace; its root there can.
void removeAsNamespaceRoot(const QStringList &paths)
{
    const QString rm = QStandardPaths::findExecutable(QStringLiteral("rm"));
    if (rm.isEmpty() || paths.isEmpty())
        return;
    // Best effort: what stays is removed by the next collection.
    (void)NamespaceChild::runAsRoot(QStringList{rm, QStringLiteral("-rf"), QStringLiteral("--")} + paths);
}

} // namespace

Expected<QHash<QString, QString>> Rootfs::readableCopies(const QStringList &paths, const QString &targetDir)
{
    QHash<QString, QString> copies;
    if (paths.isEmpty())
        return copies;
    const Expected<IdMap> &map = IdMap::current();
    if (!map || map->kind() != IdMap::Kind::Subordinate)
        return fail(QStringLiteral("cannot read %1: permission denied").arg(paths.first()));
    const QString sh = QStandardPaths::findExecutable(QStringLiteral("sh"));
    const QString cp = QStandardPaths::findExecutable(QStringLiteral("cp"));
    if (sh.isEmpty() || cp.isEmpty())
        return fail(QStringLiteral("cannot read %1: permission denied (and no sh or cp to read it as the "
                                   "namespace's root)")
                        .arg(paths.first()));
    // The copies are numbered; each batch stays well below the kernel's argument limit.
    // cp -P never follows a symlink a path might have become; --no-preserve=all makes
    // the copy the namespace root's, which is this user on the host.
    const char *script = "cp=$1; d=$2; i=$3; shift 3; for f in \"$@\"; do "
                         "\"$cp\" -P --no-preserve=all -- \"$f\" \"$d/$i\" || exit 1; i=$((i+1)); done";
    constexpr qsizetype kBatch = 512;
    for (qsizetype start = 0; start < paths.size(); start += kBatch) {
        const QStringList batch = paths.mid(start, kBatch);
        auto copied = NamespaceChild::runAsRoot(QStringList{sh, QStringLiteral("-c"),
                                                            QString::fromLatin1(script), QStringLiteral("sh"),
                                                            cp, targetDir, QString::number(start)} +
                                                batch);
        if (!copied)
            return fail(QStringLiteral("cannot read %1 as the namespace's root: %2")
                            .arg(batch.first(), copied.error().message));
        for (qsizetype i = 0; i < batch.size(); ++i) {
            const QString copy = targetDir + u'/' + QString::number(start + i);
            // A 0000 file is copied as 0000: the copy is ours, so we may open it for reading.
            if (::chmod(QFile::encodeName(copy).constData(), 0600) != 0)
                return fail(QStringLiteral("cannot read %1: its copy is missing").arg(batch[i]));
            copies.insert(batch[i], copy);
        }
    }
    return copies;
}

RootfsMode Rootfs::defaultMode()
{
    const QByteArray forced = qgetenv("STAGECRAFT_ROOTFS");
    if (forced == "copy")
        return RootfsMode::Copy;
    if (forced == "overlay")
        return RootfsMode::Overlay;
    return overlaySupported() ? RootfsMode::Overlay : RootfsMode::Copy;
}

bool Rootfs::overlaySupported(QString *reason)
{
    static std::once_flag once;
    static bool supported = false;
    static QString why;
    std::call_once(once, [] {
        QTemporaryDir dir;
        if (!dir.isValid()) {
            why = QStringLiteral("cannot create a temporary directory");
            return;
        }
        for (const char *sub : {"lower", "upper", "work", "merged"})
            QDir(dir.path()).mkdir(QLatin1String(sub));
        NamespaceChild::Options options;
        options.overlay = NamespaceChild::Overlay{{dir.filePath(QStringLiteral("lower"))},
                                                  dir.filePath(QStringLiteral("upper")),
                                                  dir.filePath(QStringLiteral("work")),
                                                  dir.filePath(QStringLiteral("merged"))};
        Expected<NamespaceChild> child = NamespaceChild::start(options);
        if (!child) {
            why = child.error().message;
            return;
        }
        QByteArray output;
        char buffer[1024];
        ssize_t n;
        while ((n = ::read(child->outputFd(), buffer, sizeof(buffer))) > 0)
            output.append(buffer, n);
        const int status = child->wait();
        supported = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!supported)
            why = QString::fromLocal8Bit(output).trimmed();
        Rootfs::removeTree(dir.filePath(QStringLiteral("work")));
    });
    if (reason)
        *reason = why;
    return supported;
}

Expected<Rootfs> Rootfs::prepare(const QStringList &lowerDirs, const QString &scratchDir,
                                 std::optional<RootfsMode> mode, const CancellationToken &cancel)
{
    Rootfs rootfs;
    // The same layer twice (three identical `RUN true` layers): only its highest place
    // matters, since everything it holds is above the lower copies anyway.
    for (qsizetype i = lowerDirs.size() - 1; i >= 0; --i) {
        const QFileInfo info(lowerDirs[i]);
        if (!info.isDir())
            return fail(QStringLiteral("layer directory %1 does not exist").arg(lowerDirs[i]));
        const QString canonical = info.canonicalFilePath();
        if (!rootfs.m_lowers.contains(canonical))
            rootfs.m_lowers.prepend(canonical);
    }
    auto view = LayeredView::open(rootfs.m_lowers);
    if (!view)
        return std::unexpected(view.error());
    rootfs.m_view = std::make_shared<LayeredView>(std::move(*view));
    const QFileInfo scratch(scratchDir);
    if (!scratch.isDir())
        return fail(QStringLiteral("scratch directory %1 does not exist").arg(scratchDir));
    rootfs.m_scratch = scratch.canonicalFilePath();
    rootfs.m_mode = mode.value_or(defaultMode());
    QDir dir(rootfs.m_scratch);

    if (rootfs.m_mode == RootfsMode::Overlay) {
        QString reason;
        if (!overlaySupported(&reason))
            return fail(
                QStringLiteral("overlayfs in a user namespace is not available here (%1)").arg(reason));
        rootfs.m_upper = dir.filePath(QStringLiteral("upper"));
        rootfs.m_work = dir.filePath(QStringLiteral("work"));
        rootfs.m_root = dir.filePath(QStringLiteral("merged"));
        for (const QString &d : {rootfs.m_upper, rootfs.m_work, rootfs.m_root})
            if (!QDir().mkpath(d))
                return fail(QStringLiteral("cannot create %1").arg(d));
        if (rootfs.m_lowers.isEmpty()) {
            // overlayfs needs a lower layer; FROM scratch gets an empty one.
            const QString empty = dir.filePath(QStringLiteral("empty"));
            if (!QDir().mkpath(empty))
                return fail(QStringLiteral("cannot create %1").arg(empty));
            rootfs.m_lowers.append(empty);
        }
        ownByContainerRoot(rootfs.m_upper);
        ownByContainerRoot(rootfs.m_work);
        return rootfs;
    }

    rootfs.m_root = dir.filePath(QStringLiteral("root"));
    if (!QDir().mkpath(rootfs.m_root))
        return fail(QStringLiteral("cannot create %1").arg(rootfs.m_root));
    ownByContainerRoot(rootfs.m_root);
    Expected<void> copied = rootfs.copyLowers(cancel);
    if (!copied)
        return std::unexpected(copied.error());
    Expected<RootfsSnapshot> snapshot = RootfsSnapshot::capture(rootfs.m_root, cancel);
    if (!snapshot)
        return std::unexpected(snapshot.error());
    rootfs.m_snapshot = std::make_shared<const RootfsSnapshot>(std::move(*snapshot));
    return rootfs;
}

Expected<void> Rootfs::copyLowers(const CancellationToken &cancel)
{
    for (const QString &lower : std::as_const(m_lowers)) {
        CopiedFiles copied; // names of one inode within this layer
        auto from = RootDirectory::open(lower);
        auto to = RootDirectory::open(m_root);
        if (!from || !to)
            return std::unexpected(from ? to.error() : from.error());
        Expected<void> applied = applyLayer(from->fd(), to->fd(), QString(), *to, copied, cancel);
        if (!applied)
            return applied;
        struct stat st = {};
        if (::fstat(from->fd(), &st) == 0) {
            if (::geteuid() == 0)
                (void)::fchown(to->fd(), st.st_uid, st.st_gid);
            (void)::fchmod(to->fd(), st.st_mode & 07777);
            const struct timespec times[2] = {st.st_atim, st.st_mtim};
            (void)::futimens(to->fd(), times);
        }
    }
    return {};
}

std::optional<QString> Rootfs::lookup(const QString &relative) const
{
    if (m_mode == RootfsMode::Copy) {
        auto root = RootDirectory::open(m_root);
        if (!root)
            return std::nullopt;
        auto st = root->status(relative, Symlinks::Refuse);
        if (!st || !*st)
            return std::nullopt;
        const QString cleaned = relative.split(u'/', Qt::SkipEmptyParts).join(u'/');
        return cleaned.isEmpty() ? m_root : m_root + u'/' + cleaned;
    }
    if (!m_view)
        return std::nullopt;
    const auto entry = m_view->findExact(relative);
    if (!entry)
        return std::nullopt;
    return entry->hostPath;
}

std::optional<QByteArray> Rootfs::readFile(const QString &relative, qint64 maxSize) const
{
    FileDescriptor fd;
    if (m_mode == RootfsMode::Copy) {
        auto root = RootDirectory::open(m_root);
        if (!root)
            return std::nullopt;
        auto opened = root->open(relative, O_RDONLY | O_NONBLOCK, Symlinks::FollowInRoot);
        if (!opened)
            return std::nullopt;
        fd = std::move(*opened);
    } else {
        if (!m_view)
            return std::nullopt;
        auto entry = m_view->find(relative, true);
        if (!entry || !*entry || !S_ISREG((*entry)->status.st_mode))
            return std::nullopt;
        auto opened = m_view->openEntry(**entry, O_RDONLY | O_NONBLOCK);
        if (!opened)
            return std::nullopt;
        fd = std::move(*opened);
    }
    struct stat st = {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > maxSize)
        return std::nullopt;
    QByteArray data;
    char buffer[1 << 14];
    ssize_t n;
    while ((n = ::read(fd.get(), buffer, sizeof buffer)) > 0 && data.size() <= maxSize)
        data.append(buffer, n);
    return data;
}

QString Rootfs::canonicalPath(const QString &path) const
{
    QString canonical;
    if (m_mode == RootfsMode::Copy) {
        auto root = RootDirectory::open(m_root);
        if (root)
            canonical = root->canonicalPath(path).value_or(QString());
    } else if (m_view) {
        canonical = m_view->canonicalPath(path).value_or(QString());
    }
    return u'/' + canonical;
}

void Rootfs::removeScratch() const
{
    removeScratch(m_scratch);
}

void Rootfs::removeScratch(const QString &scratchDir)
{
    if (scratchDir.isEmpty())
        return;
    for (const QString &name : entryNames(scratchDir))
        removeTree(scratchDir + u'/' + name);
    const Expected<IdMap> &map = IdMap::current();
    if (!map || map->kind() != IdMap::Kind::Subordinate)
        return;
    QStringList left;
    for (const QString &name : entryNames(scratchDir))
        left.append(scratchDir + u'/' + name);
    removeAsNamespaceRoot(left);
}

} // namespace stagecraft
