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

    // Overlay: the upper directory as it is, as Docker's overlay2 differ tars it: every
    // entry, copy-ups whose content did not change included (a chmod to the same mode, the
    // file `ln` had to copy up), whiteout devices as `.wh.` entries, and an opaque marker
    // after every directory overlayfs marked opaque, also one that replaced a file or a
    // symlink (mkdir over a whiteout is opaque).
    QList<ChangeEntry> walkUpper(const QString &relative, bool lowerHidden)
    {
        QList<ChangeEntry> out;
        if (checkCancel())
            return out;
        const QString dir = relative.isEmpty() ? m_rootfs.upperDir() : join(m_rootfs.upperDir(), relative);
        for (const QString &name : entryNames(dir)) {
            const QString child = join(relative, name);
            const QString path = m_rootfs.upperDir() + u'/' + child;
            const std::optional<FileState> now = FileState::read(path);
            if (!now)
                continue;
            if (Rootfs::isWhiteout(path)) {
                // overlayfs writes one only over a name a lower layer has.
                if (!lowerHidden && m_rootfs.lookup(child))
                    out.append(whiteout(child, *now));
                continue;
            }
            out.append(entryFor(child, path, *now));
            if (!now->isDir())
                continue;
            const bool opaque = Rootfs::isOpaqueDirectory(path);
            if (opaque)
                out.append(opaqueMarker(child, *now));
            bool hidden = lowerHidden || opaque;
            if (!hidden) {
                const std::optional<QString> lowerPath = m_rootfs.lookup(child);
                const std::optional<FileState> lower = lowerPath ? FileState::read(*lowerPath) : std::nullopt;
                hidden = !lower || !lower->isDir();
            }
            out.append(walkUpper(child, hidden));
        }
        return out;
    }

    // Copy mode has no upper: it lists what overlayfs would have put there. Anything whose
    // inode changed (content, mode, owner, a new link: its ctime moved) is what overlayfs
    // copies up, and a directory that replaced whatever the lower had at its name is opaque.
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
                if (was) {
                    // The device overlayfs would make belongs to container root and dates
                    // from the removal, which is when the directory last changed.
                    const std::optional<FileState> parent = FileState::read(dir);
                    out.append(whiteout(child, parent ? parent->mtimeNs : 0, 0, 0));
                }
                continue;
            }
            const bool replaced =
                was && (was->replacedBy(*now) || typeOf(was->st_mode) != typeOf(now->st_mode));
            if (now->isDir()) {
                if (!was || replaced) {
                    out.append(entryFor(child, path, *now));
                    if (was)
                        out.append(opaqueMarker(child, *now));
                    out.append(walkCopy(child, true));
                } else {
                    QList<ChangeEntry> below = walkCopy(child, false);
                    if (touched(*was, *now) || !below.isEmpty()) {
                        out.append(entryFor(child, path, *now));
                        out.append(below);
                    }
                }
                continue;
            }
            if (was && !replaced && !touched(*was, *now))
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

    // Whatever overlayfs copies up changes the inode's ctime too; reading does not.
    static bool touched(const FileState &before, const FileState &after)
    {
        return !before.sameMetadata(after) || before.ctimeNs != after.ctimeNs;
    }

    static qint64 containerUid(qint64 hostUid)
    {
        const Expected<IdMap> &map = IdMap::current();
        return map ? map->containerUid(hostUid) : hostUid;
    }

    static qint64 containerGid(qint64 hostGid)
    {
        const Expected<IdMap> &map = IdMap::current();
        return map ? map->containerGid(hostGid) : hostGid;
    }

    // Docker's overlay differ writes a whiteout as an empty 0600 file with the device's
    // owner and time.
    static ChangeEntry whiteout(const QString &relative, qint64 mtimeNs, qint64 uid, qint64 gid)
    {
        ChangeEntry c = marker(relative, EntryType::Whiteout);
        c.entry.mode = 0600;
        c.entry.uid = uid;
        c.entry.gid = gid;
        c.entry.mtime = mtimeNs / 1000000000;
        return c;
    }

    static ChangeEntry whiteout(const QString &relative, const FileState &device)
    {
        return whiteout(relative, device.mtimeNs, containerUid(device.uid), containerGid(device.gid));
    }

    // ... and an opaque marker with the directory's permission bits (no setgid or sticky
    // bit) and owner, and no time at all.
    static ChangeEntry opaqueMarker(const QString &relative, const FileState &directory)
    {
        ChangeEntry c = marker(relative, EntryType::OpaqueWhiteout);
        c.entry.mode = directory.st_mode & 0777;
        c.entry.uid = containerUid(directory.uid);
        c.entry.gid = containerGid(directory.gid);
        return c;
    }

    ChangeEntry entryFor(const QString &relative, const QString &path, const FileState &state)
    {
        ChangeEntry c;
        LayerEntry &e = c.entry;
        e.path = relative;
        e.type = typeOf(state.st_mode);
        e.mode = state.st_mode & 07777;
        // Host ids back to the container's: the layer records what `ls -n` showed in RUN.
        e.uid = containerUid(state.uid);
        e.gid = containerGid(state.gid);
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
