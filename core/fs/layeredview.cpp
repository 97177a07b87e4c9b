#include "core/fs/layeredview.h"

#include <QFile>
#include <QSet>

#include <cerrno>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>

namespace stagecraft {

namespace {

// Directory descriptors kept open between lookups; a COPY of a whole tree reuses them.
constexpr int kMaxCachedFds = 256;

bool xattrIs(const QByteArray &path, const char *name, const char *value)
{
    char buffer[8] = {};
    const ssize_t n = ::getxattr(path.constData(), name, buffer, sizeof(buffer) - 1);
    return n >= 0 && size_t(n) == std::strlen(value) && std::memcmp(buffer, value, size_t(n)) == 0;
}

QStringList split(const QString &path)
{
    QStringList out;
    for (const QString &c : path.split(QLatin1Char('/'), Qt::SkipEmptyParts))
        if (c != QLatin1String("."))
            out.append(c);
    return out;
}

} // namespace

bool LayeredView::isWhiteout(int directoryFd, const QByteArray &name, const struct stat &st)
{
    if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
        return true;
    if (!S_ISREG(st.st_mode) || st.st_size != 0)
        return false;
    FileDescriptor fd(::openat(directoryFd, name.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    return fd.isValid() && ::getxattr(QFile::encodeName(RootDirectory::procPath(fd.get())).constData(),
                                      "user.overlay.whiteout", nullptr, 0) >= 0;
}

bool LayeredView::isOpaqueDirectory(int directoryFd)
{
    const QByteArray p = QFile::encodeName(RootDirectory::procPath(directoryFd));
    return xattrIs(p, "user.overlay.opaque", "y") || xattrIs(p, "trusted.overlay.opaque", "y");
}

Expected<LayeredView> LayeredView::open(const QStringList &layerDirs)
{
    LayeredView view;
    view.m_dirs = layerDirs;
    for (const QString &dir : layerDirs) {
        auto root = RootDirectory::open(dir);
        if (!root)
            return std::unexpected(root.error());
        view.m_layers.push_back(std::make_shared<RootDirectory>(std::move(*root)));
    }
    return view;
}

const LayeredView::DirectoryStates *LayeredView::directory(const QStringList &path) const
{
    const QString key = path.join(QLatin1Char('/'));
    if (auto it = m_directories.constFind(key); it != m_directories.cend())
        return &it.value();
    DirectoryStates states(m_layers.size());
    if (path.isEmpty()) {
        for (size_t i = 0; i < m_layers.size(); ++i) {
            states[i].state = State::Present;
            states[i].fd = std::make_shared<FileDescriptor>(
                m_layers[i]->fd() < 0 ? -1 : ::fcntl(m_layers[i]->fd(), F_DUPFD_CLOEXEC, 0));
        }
    } else {
        const DirectoryStates *parent = directory(path.mid(0, path.size() - 1));
        if (!parent)
            return nullptr;
        const DirectoryStates parentStates = *parent; // the cache may be cleared below
        const QByteArray name = QFile::encodeName(path.last());
        for (size_t i = 0; i < m_layers.size(); ++i) {
            const LayerDirectory &p = parentStates[i];
            if (p.state != State::Present) {
                states[i].state = p.state;
                continue;
            }
            struct stat st;
            if (::fstatat(p.fd->get(), name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                states[i].state = State::Missing;
                states[i].opaqueOnWay = p.opaqueOnWay;
                continue;
            }
            if (!S_ISDIR(st.st_mode)) {
                // A whiteout, or a file or symlink a higher layer's directory replaced:
                // either way nothing below shows through here.
                states[i].state = State::Hidden;
                continue;
            }
            auto fd = std::make_shared<FileDescriptor>(
                ::openat(p.fd->get(), name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!fd->isValid()) {
                states[i].state = State::Hidden;
                continue;
            }
            states[i].state = State::Present;
            states[i].opaqueOnWay = p.opaqueOnWay || isOpaqueDirectory(fd->get());
            states[i].fd = std::move(fd);
        }
    }
    int fds = 0;
    for (const LayerDirectory &s : states)
        fds += s.fd ? 1 : 0;
    if (m_cachedFds + fds > kMaxCachedFds) {
        m_directories.clear();
        m_cachedFds = 0;
    }
    m_cachedFds += fds;
    return &m_directories.insert(key, std::move(states)).value();
}

std::optional<LayeredView::Entry> LayeredView::lookup(const QStringList &directoryPath,
                                                      const QString &name) const
{
    const DirectoryStates *states = directory(directoryPath);
    if (!states)
        return std::nullopt;
    const DirectoryStates dir = *states;
    const QByteArray native = QFile::encodeName(name);
    for (int i = int(m_layers.size()) - 1; i >= 0; --i) {
        const LayerDirectory &d = dir[size_t(i)];
        if (d.state == State::Hidden)
            return std::nullopt;
        if (d.state == State::Present) {
            struct stat st;
            if (::fstatat(d.fd->get(), native.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (isWhiteout(d.fd->get(), native, st))
                    return std::nullopt;
                Entry e;
                e.layer = i;
                e.path = (directoryPath + QStringList{name}).join(QLatin1Char('/'));
                e.hostPath = m_dirs[i] + QLatin1Char('/') + e.path;
                e.status = st;
                return e;
            }
        }
        if (d.opaqueOnWay)
            return std::nullopt;
    }
    return std::nullopt;
}

FsExpected<QStringList> LayeredView::resolve(const QString &name, bool followLast, bool *exists) const
{
    QStringList resolved;
    QStringList todo = split(name);
    int hops = 0;
    *exists = true;
    while (!todo.isEmpty()) {
        const QString c = todo.takeFirst();
        if (c == QLatin1String("..")) {
            if (!resolved.isEmpty())
                resolved.removeLast();
            continue;
        }
        const bool last = todo.isEmpty();
        const std::optional<Entry> e = lookup(resolved, c);
        if (e && e->isSymlink() && (!last || followLast)) {
            if (++hops > RootDirectory::maxSymlinkHops)
                return std::unexpected(FsError{FsErrorKind::Loop, ELOOP,
                                               QStringLiteral("`%1`: more than %2 symlinks")
                                                   .arg(e->path)
                                                   .arg(RootDirectory::maxSymlinkHops)});
            auto target = readLink(*e);
            if (!target)
                return std::unexpected(target.error());
            const QString t = QFile::decodeName(*target);
            if (t.startsWith(QLatin1Char('/')))
                resolved.clear();
            todo = split(t) + todo;
            continue;
        }
        resolved.append(c);
        if (!e || (!last && !e->isDirectory())) {
            // Nothing more to resolve: the rest is spelled out as written.
            *exists = false;
            for (const QString &rest : std::as_const(todo)) {
                if (rest == QLatin1String("..")) {
                    if (!resolved.isEmpty())
                        resolved.removeLast();
                } else {
                    resolved.append(rest);
                }
            }
            return resolved;
        }
    }
    return resolved;
}

FsExpected<std::optional<LayeredView::Entry>> LayeredView::find(const QString &name, bool followLast) const
{
    bool exists = false;
    auto path = resolve(name, followLast, &exists);
    if (!path)
        return std::unexpected(path.error());
    if (!exists)
        return std::optional<Entry>();
    if (path->isEmpty()) {
        if (m_layers.empty())
            return std::optional<Entry>();
        Entry root;
        root.layer = int(m_layers.size()) - 1;
        root.hostPath = m_dirs.last();
        ::fstat(m_layers.back()->fd(), &root.status);
        return std::optional<Entry>(root);
    }
    const QString leaf = path->takeLast();
    return lookup(*path, leaf);
}

std::optional<LayeredView::Entry> LayeredView::findExact(const QString &name) const
{
    QStringList parts = split(name);
    if (parts.contains(QStringLiteral("..")))
        return std::nullopt;
    if (parts.isEmpty()) {
        auto root = find(QString());
        return root ? *root : std::nullopt;
    }
    const QString leaf = parts.takeLast();
    return lookup(parts, leaf);
}

FsExpected<QString> LayeredView::canonicalPath(const QString &name, bool followLast) const
{
    bool exists = false;
    auto path = resolve(name, followLast, &exists);
    if (!path)
        return std::unexpected(path.error());
    return path->join(QLatin1Char('/'));
}

FsExpected<QStringList> LayeredView::list(const QString &name) const
{
    bool exists = false;
    auto path = resolve(name, true, &exists);
    if (!path)
        return std::unexpected(path.error());
    if (!exists)
        return QStringList();
    const DirectoryStates *states = directory(*path);
    if (!states)
        return QStringList();
    const DirectoryStates dir = *states;
    QSet<QString> seen;
    QStringList names;
    for (int i = int(m_layers.size()) - 1; i >= 0; --i) {
        const LayerDirectory &d = dir[size_t(i)];
        if (d.state == State::Hidden)
            break;
        if (d.state == State::Present) {
            FileDescriptor listing(::openat(d.fd->get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            DIR *handle = listing.isValid() ? ::fdopendir(listing.get()) : nullptr;
            if (handle) {
                listing.release();
                while (struct dirent *e = ::readdir(handle)) {
                    const QByteArray n(e->d_name);
                    if (n == "." || n == "..")
                        continue;
                    const QString entryName = QFile::decodeName(n);
                    if (seen.contains(entryName))
                        continue;
                    seen.insert(entryName);
                    struct stat st;
                    if (::fstatat(::dirfd(handle), n.constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                        !isWhiteout(::dirfd(handle), n, st))
                        names.append(entryName);
                }
                ::closedir(handle);
            }
        }
        if (d.opaqueOnWay)
            break;
    }
    names.sort();
    return names;
}

FsExpected<QByteArray> LayeredView::readLink(const Entry &entry) const
{
    if (entry.layer < 0 || size_t(entry.layer) >= m_layers.size())
        return std::unexpected(FsError{FsErrorKind::NotFound, ENOENT, entry.path});
    return m_layers[size_t(entry.layer)]->readLink(entry.path, Symlinks::Refuse);
}

FsExpected<FileDescriptor> LayeredView::openEntry(const Entry &entry, int flags) const
{
    if (entry.layer < 0 || size_t(entry.layer) >= m_layers.size())
        return std::unexpected(FsError{FsErrorKind::NotFound, ENOENT, entry.path});
    return m_layers[size_t(entry.layer)]->open(entry.path, flags, Symlinks::Refuse, false);
}

} // namespace stagecraft
