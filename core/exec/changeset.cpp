#include "core/exec/changeset.h"

#include "core/exec/idmap.h"
#include "core/exec/rootfssnapshot.h"

#include <QDir>
#include <QFile>
#include <QHash>

#include <algorithm>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

QString join(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + u'/' + name;
}

QStringList entryNames(const QString &dir)
{
    QStringList names = QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Unsorted);
    std::sort(names.begin(), names.end());
    return names;
}

EntryType typeOf(quint32 mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR: return EntryType::Directory;
    case S_IFLNK: return EntryType::Symlink;
    case S_IFCHR: return EntryType::CharDevice;
    case S_IFBLK: return EntryType::BlockDevice;
    case S_IFIFO: return EntryType::Fifo;
    default: return EntryType::File;
    }
}

bool sameContent(const QString &a, const QString &b)
{
    QFile fa(a);
    QFile fb(b);
    if (!fa.open(QIODevice::ReadOnly) || !fb.open(QIODevice::ReadOnly))
        return false;
    for (;;) {
        const QByteArray ca = fa.read(1 << 16);
        const QByteArray cb = fb.read(1 << 16);
        if (ca != cb)
            return false;
        if (ca.isEmpty())
            return true;
    }
}

ChangeEntry marker(const QString &path, EntryType type)
{
    ChangeEntry c;
    c.entry.path = path;
    c.entry.type = type;
    return c;
}

class Walker
{
public:
    Walker(const Rootfs &rootfs, const CancellationToken &cancel)
        : m_rootfs(rootfs)
        , m_cancel(cancel)
    {}

    bool cancelled() const { return m_cancelled; }

    QList<ChangeEntry> walkUpper(const QString &relative, bool lowerHidden)
    {
        QList<ChangeEntry> out;
        if (checkCancel())
            return out;
        const QString dir = join(m_rootfs.upperDir(), relative);
        for (const QString &name : entryNames(relative.isEmpty() ? m_rootfs.upperDir() : dir)) {
            const QString child = join(relative, name);
            const QString path = m_rootfs.upperDir() + u'/' + child;
            const std::optional<FileState> now = FileState::read(path);
            if (!now)
                continue;
            const std::optional<QString> lowerPath = lowerHidden ? std::nullopt : m_rootfs.lookup(child);
            const std::optional<FileState> lower = lowerPath ? FileState::read(*lowerPath) : std::nullopt;
            if (Rootfs::isWhiteout(path)) {
                if (lower)
                    out.append(marker(child, EntryType::Whiteout));
                continue;
            }
            if (now->isDir()) {
                const bool opaque = Rootfs::isOpaqueDirectory(path);
                const bool fresh = !lower || !lower->isDir();
                QList<ChangeEntry> below = walkUpper(child, lowerHidden || opaque || fresh);
                const bool changed = fresh || opaque || !sameDirMetadata(*now, *lower) || !below.isEmpty();
                if (!changed)
                    continue;
                out.append(entryFor(child, path, *now));
                if (opaque && lower && lower->isDir())
                    out.append(marker(child, EntryType::OpaqueWhiteout));
                out.append(below);
                continue;
            }
            // A copy-up without a change of content or metadata is no change.
            if (lower && now->sameMetadata(*lower) &&
                (!S_ISREG(now->st_mode) || sameContent(path, *lowerPath)))
                continue;
            out.append(entryFor(child, path, *now));
        }
        return out;
    }

    QList<ChangeEntry> walkCopy(const QString &relative, bool allNew)
    {
        QList<ChangeEntry> out;
        if (checkCancel())
            return out;
        const RootfsSnapshot &before = *m_rootfs.snapshot();
        const QString dir = relative.isEmpty() ? m_rootfs.rootDir() : m_rootfs.rootDir() + u'/' + relative;
        const QStringList current = entryNames(dir);
        QStringList names = current;
        if (!allNew)
            names += before.children(relative);
        std::sort(names.begin(), names.end());
        names.erase(std::unique(names.begin(), names.end()), names.end());
        for (const QString &name : std::as_const(names)) {
            const QString child = join(relative, name);
            const QString path = dir + u'/' + name;
            const FileState *was = allNew ? nullptr : before.find(child);
            const std::optional<FileState> now = FileState::read(path);
            if (!now) {
                if (was)
                    out.append(marker(child, EntryType::Whiteout));
                continue;
            }
            if (now->isDir()) {
                if (!was || !was->isDir()) {
                    out.append(entryFor(child, path, *now));
                    out.append(walkCopy(child, true));
                } else if (was->replacedBy(*now)) {
                    // Removed and made again: lower contents are gone.
                    out.append(entryFor(child, path, *now));
                    out.append(marker(child, EntryType::OpaqueWhiteout));
                    out.append(walkCopy(child, true));
                } else {
                    QList<ChangeEntry> below = walkCopy(child, false);
                    if (!sameDirMetadata(*now, *was) || !below.isEmpty()) {
                        out.append(entryFor(child, path, *now));
                        out.append(below);
                    }
                }
                continue;
            }
            // ctime alone (chmod to the same mode, touch -c of nothing) is no change.
            if (was && !was->replacedBy(*now) && was->sameMetadata(*now))
                continue;
            out.append(entryFor(child, path, *now));
        }
        return out;
    }

private:
    bool checkCancel()
    {
        m_cancelled = m_cancelled || m_cancel.isCancelled();
        return m_cancelled;
    }

    static bool sameDirMetadata(const FileState &a, const FileState &b)
    {
        return a.st_mode == b.st_mode && a.uid == b.uid && a.gid == b.gid && a.mtimeNs == b.mtimeNs;
    }

    ChangeEntry entryFor(const QString &relative, const QString &path, const FileState &state)
    {
        ChangeEntry c;
        LayerEntry &e = c.entry;
        e.path = relative;
        e.type = typeOf(state.st_mode);
        e.mode = state.st_mode & 07777;
        // Host ids back to the container's: the layer records what `ls -n` showed in RUN.
        const Expected<IdMap> &map = IdMap::current();
        e.uid = map ? map->containerUid(state.uid) : state.uid;
        e.gid = map ? map->containerGid(state.gid) : state.gid;
        e.mtime = state.mtimeNs / 1000000000;
        if (e.type == EntryType::Symlink)
            e.linkTarget = state.linkTarget;
        if (e.type == EntryType::File) {
            struct stat st = {};
            if (::lstat(QFile::encodeName(path).constData(), &st) == 0 && st.st_nlink > 1) {
                const auto key = qMakePair(quint64(st.st_dev), quint64(st.st_ino));
                const auto it = m_links.constFind(key);
                if (it != m_links.cend()) {
                    e.type = EntryType::Hardlink;
                    e.linkTarget = *it;
                    return c;
                }
                m_links.insert(key, relative);
            }
            e.size = state.size;
            c.sourcePath = path;
        }
        return c;
    }

    const Rootfs &m_rootfs;
    const CancellationToken &m_cancel;
    QHash<QPair<quint64, quint64>, QString> m_links;
    bool m_cancelled = false;
};

} // namespace

Expected<ChangeSet> ChangeSet::capture(const Rootfs &rootfs, const CancellationToken &cancel)
{
    Walker walker(rootfs, cancel);
    ChangeSet set;
    if (rootfs.mode() == RootfsMode::Overlay) {
        set.m_entries = walker.walkUpper(QString(), false);
    } else {
        if (!rootfs.snapshot())
            return fail(QStringLiteral("the copied root filesystem has no snapshot to compare with"));
        set.m_entries = walker.walkCopy(QString(), false);
    }
    if (walker.cancelled())
        return failCancelled();
    return set;
}

LayerEntries ChangeSet::layerEntries() const
{
    LayerEntries out;
    out.reserve(m_entries.size());
    for (const ChangeEntry &c : m_entries)
        out.append(c.entry);
    return out;
}

qint64 ChangeSet::byteCount() const
{
    qint64 total = 0;
    for (const ChangeEntry &c : m_entries)
        if (c.entry.type == EntryType::File)
            total += c.entry.size;
    return total;
}

const ChangeEntry *ChangeSet::find(const QString &path, EntryType type) const
{
    for (const ChangeEntry &c : m_entries)
        if (c.entry.path == path && c.entry.type == type)
            return &c;
    return nullptr;
}

} // namespace stagecraft
