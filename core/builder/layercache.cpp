#include "core/builder/buildrun.h"

#include "core/exec/changeset.h"
#include "core/exec/idmap.h"
#include "core/exec/rootfs.h"
#include "core/fs/rootdirectory.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>

#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

// The layer cache: each layer extracted once, in overlay format, into the store's "layers"
// cache directory, where RUN's overlays and COPY --from read it; and its pruning, with the
// step cache's entries whose blobs are gone.

namespace stagecraft {

namespace {

// Marks the whiteouts of a layer in overlay format inside its extracted directory. Every
// name is resolved inside that directory without following symlinks: a hostile layer
// holding `evil -> /host/dir` and `evil/.wh.important` is refused, never applied on the host.
Expected<void> markWhiteouts(const QString &blobPath, const QString &dir)
{
    QFile blob(blobPath);
    if (!blob.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(blobPath));
    auto root = RootDirectory::open(dir);
    if (!root)
        return std::unexpected(root.error());
    LayerReader reader(&blob);
    while (true) {
        auto entry = reader.next();
        if (!entry)
            return std::unexpected(entry.error());
        if (!*entry)
            return {};
        const LayerEntry &e = **entry;
        if (e.type == EntryType::Whiteout) {
            auto at = root->resolveParent(e.path, Symlinks::Refuse, false, true);
            if (!at || at->name == ".")
                return fail(
                    QStringLiteral("whiteout `%1`: %2")
                        .arg(e.path, at ? QStringLiteral("names the layer's root") : at.error().message));
            const int parent = at->directory.get();
            // The directory keeps the time its layer entry gave it: the next RUN's change
            // capture compares it, and a whiteout is no change of the layer's.
            struct stat before = {};
            if (::fstat(parent, &before) != 0)
                return fail(QStringLiteral("whiteout `%1`: cannot read its directory").arg(e.path));
            const auto restoreTimes = [&] {
                const struct timespec times[2] = {before.st_atim, before.st_mtim};
                ::utimensat(AT_FDCWD, QFile::encodeName(RootDirectory::procPath(parent)).constData(), times,
                            0);
            };
            if (!RootDirectory::removeAllAt(parent, at->name))
                return fail(QStringLiteral("cannot replace `%1` by its whiteout").arg(e.path));
            if (::mknodat(parent, at->name.constData(), S_IFCHR | 0600, makedev(0, 0)) != 0) {
                // Without CAP_MKNOD the xattr form overlay also knows.
                FileDescriptor marker(::openat(parent, at->name.constData(),
                                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!marker.isValid() || ::fsetxattr(marker.get(), "user.overlay.whiteout", "y", 1, 0) != 0)
                    return fail(QStringLiteral("cannot mark whiteout `%1`").arg(e.path));
            }
            restoreTimes();
        } else if (e.type == EntryType::OpaqueWhiteout) {
            auto opaque = root->openDirectory(e.path, Symlinks::Refuse, true);
            if (!opaque)
                return fail(QStringLiteral("opaque marker in `%1`: %2").arg(e.path, opaque.error().message));
            ::fsetxattr(opaque->get(), "user.overlay.opaque", "y", 1, 0);
            ::fsetxattr(opaque->get(), "trusted.overlay.opaque", "y", 1, 0);
        }
    }
}

// As root a layer directory is owned as the sandbox's namespace sees it: container id +
// the start of root's shifted range (an ordinary user cannot chown; the user is container
// root). The shift is part of the directory's name, so a changed range extracts again.
struct IdShift
{
    qint64 uid = 0;
    qint64 gid = 0;

    static IdShift current()
    {
        const Expected<IdMap> &idMap = IdMap::current();
        if (::geteuid() != 0 || !idMap)
            return {};
        return {idMap->hostUid(0), idMap->hostGid(0)};
    }
};

QString joined(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + u'/' + name;
}

// Removes from the directory `dirFd` (at `relative` in the layer) every name the layer
// does not hold: copy-ups the change capture found unchanged, whiteouts of names no lower
// layer had, the sandbox's mount points.
bool pruneUpper(int dirFd, const QString &relative, const QSet<QString> &held)
{
    QList<QByteArray> names;
    {
        const int listed = ::openat(dirFd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = listed < 0 ? nullptr : ::fdopendir(listed);
        if (!d) {
            if (listed >= 0)
                ::close(listed);
            return false;
        }
        while (const dirent *e = ::readdir(d))
            if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                names.append(QByteArray(e->d_name));
        ::closedir(d);
    }
    for (const QByteArray &name : std::as_const(names)) {
        const QString child = joined(relative, QFile::decodeName(name));
        if (!held.contains(child)) {
            if (!RootDirectory::removeAllAt(dirFd, name))
                return false;
            continue;
        }
        struct stat st = {};
        if (::fstatat(dirFd, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return false;
        if (!S_ISDIR(st.st_mode))
            continue;
        FileDescriptor sub(
            ::openat(dirFd, name.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!sub.isValid() || !pruneUpper(sub.get(), child, held))
            return false;
    }
    return true;
}

// Drops the extended attributes extraction would not set (a layer entry records none):
// overlay's own bookkeeping (origin, impure) and what the RUN set. False for overlay's
// redirects and metacopy, which point into the layers below and must not be shared.
bool clearAttributes(const QByteArray &procPath)
{
    const ssize_t size = ::listxattr(procPath.constData(), nullptr, 0);
    if (size <= 0)
        return size == 0 || errno == ENOTSUP;
    QByteArray list(size, '\0');
    const ssize_t got = ::listxattr(procPath.constData(), list.data(), list.size());
    if (got < 0)
        return false;
    for (const QByteArray &name : list.left(got).split('\0')) {
        if (name.isEmpty())
            continue;
        if (name.endsWith(".overlay.redirect") || name.endsWith(".overlay.metacopy"))
            return false;
        if ((name.startsWith("user.") || name.startsWith("trusted.") || name == "security.capability") &&
            ::removexattr(procPath.constData(), name.constData()) != 0)
            return false;
    }
    return true;
}

// Turns a RUN's overlay upper into what extracting the layer captured from it gives:
// only the layer's entries; their owners (shifted as root), modes and whole-second times
// as the layer records them; no attributes but the opaque markers, set as markWhiteouts
// sets them; whiteouts as the character devices both forms use. Every name is resolved
// inside the upper without following symlinks.
bool settleUpper(const QString &upperDir, const ChangeSet &changes, const IdShift &shift)
{
    QSet<QString> held;
    QSet<QString> opaque;
    QSet<QString> whiteouts;
    for (const ChangeEntry &c : changes.entries()) {
        const LayerEntry &e = c.entry;
        // Extraction makes no device nodes: such a layer is left to it.
        if (e.type == EntryType::CharDevice || e.type == EntryType::BlockDevice)
            return false;
        held.insert(e.path);
        if (e.type == EntryType::OpaqueWhiteout)
            opaque.insert(e.path);
        else if (e.type == EntryType::Whiteout)
            whiteouts.insert(e.path);
    }
    auto root = RootDirectory::open(upperDir);
    if (!root || !pruneUpper(root->fd(), QString(), held))
        return false;
    const bool isRoot = ::geteuid() == 0;
    const QList<ChangeEntry> &entries = changes.entries();
    // Children before their directories, so that no later change moves a directory's time.
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        const LayerEntry &e = it->entry;
        if (e.type == EntryType::OpaqueWhiteout)
            continue;
        auto at = root->resolveParent(e.path, Symlinks::Refuse);
        if (!at || at->name == ".")
            return false;
        const int parent = at->directory.get();
        const QByteArray &name = at->name;
        struct stat st = {};
        if (::fstatat(parent, name.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return false;
        if (e.type == EntryType::Whiteout) {
            // Owned and with the mode of the one markWhiteouts makes.
            if (!S_ISCHR(st.st_mode) || st.st_rdev != 0 ||
                ::fchownat(parent, name.constData(), ::geteuid(), ::getegid(), AT_SYMLINK_NOFOLLOW) != 0 ||
                ::fchmodat(parent, name.constData(), 0600, 0) != 0)
                return false;
            continue;
        }
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || whiteouts.contains(e.path))
            return false;
        FileDescriptor fd(::openat(parent, name.constData(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
        if (!fd.isValid())
            return false;
        const QByteArray proc = QFile::encodeName(RootDirectory::procPath(fd.get()));
        if (!clearAttributes(proc))
            return false;
        if (opaque.contains(e.path)) {
            if (!S_ISDIR(st.st_mode) || ::setxattr(proc.constData(), "user.overlay.opaque", "y", 1, 0) != 0)
                return false;
            ::setxattr(proc.constData(), "trusted.overlay.opaque", "y", 1, 0);
        }
        if (isRoot) {
            if (::fchownat(parent, name.constData(), uid_t(e.uid + shift.uid), gid_t(e.gid + shift.gid),
                           AT_SYMLINK_NOFOLLOW) != 0)
                return false;
        } else if (st.st_uid != ::geteuid() || st.st_gid != ::getegid()) {
            // Extraction leaves every file the user's; one owned by a subordinate id
            // cannot be given back from outside the namespace.
            return false;
        }
        if (!S_ISLNK(st.st_mode) && ::fchmodat(parent, name.constData(), mode_t(e.mode & 07777), 0) != 0)
            return false;
        struct timespec times[2];
        times[0].tv_sec = e.mtime;
        times[0].tv_nsec = 0;
        times[1] = times[0];
        if (::utimensat(parent, name.constData(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return false;
    }
    // The layer's root as extraction creates it.
    if (isRoot && ::fchown(root->fd(), 0, 0) != 0)
        return false;
    return ::fchmod(root->fd(), 0755) == 0;
}

} // namespace

QString Builder::layerCachePath(const Digest &diffId) const
{
    const IdShift shift = IdShift::current();
    return m_store.cacheDir(QStringLiteral("layers")) + QLatin1Char('/') + diffId.hex() +
           (shift.uid || shift.gid ? QStringLiteral("-%1-%2").arg(shift.uid).arg(shift.gid) : QString());
}

QList<Digest> Builder::extractedLayers() const
{
    QMutexLocker locker(&m_extracted->mutex);
    return m_extracted->diffIds;
}

bool Builder::adoptLayerDirectory(const QString &upperDir, const ChangeSet &changes,
                                  const Digest &diffId) const
{
    if (upperDir.isEmpty() || qEnvironmentVariable("STAGECRAFT_NO_SNAPSHOT_REUSE") == QLatin1String("1"))
        return false;
    ImageStore store = m_store;
    auto lease = store.lease(QStringLiteral("extract"));
    if (!lease || !store.keep(diffId))
        return false;
    const QString dir = layerCachePath(diffId);
    if (QFileInfo::exists(dir) || !settleUpper(upperDir, changes, IdShift::current()))
        return false;
    // Like a finished extraction, renamed into place complete (the store's scratch and
    // its layer cache are one filesystem); a concurrent one of the same layer wins.
    return ::rename(QFile::encodeName(upperDir).constData(), QFile::encodeName(dir).constData()) == 0;
}

Expected<QString> Builder::layerDirectory(const Descriptor &layer, const Digest &diffId,
                                          const CancellationToken &cancel) const
{
    const QString root = m_store.cacheDir(QStringLiteral("layers"));
    const IdShift shift = IdShift::current();
    const qint64 uidShift = shift.uid;
    const qint64 gidShift = shift.gid;
    const QString dir = layerCachePath(diffId);
    // Kept by the build's lease: a concurrent `store gc` leaves the directory alone. A
    // caller without one gets a lease for the extraction, so its temporary directory is
    // not taken for a dead process's leftover.
    ImageStore store = m_store;
    auto lease = store.lease(QStringLiteral("extract"));
    if (!lease)
        return std::unexpected(lease.error());
    if (auto kept = store.keep(diffId); !kept)
        return std::unexpected(kept.error());
    if (QFileInfo::exists(dir))
        return dir;
    QTemporaryDir temp(root + QStringLiteral("/.extract-XXXXXX"));
    if (!temp.isValid())
        return fail(QStringLiteral("cannot create a directory under %1").arg(root));
    temp.setAutoRemove(false);
    const QString target = temp.path() + QStringLiteral("/tree");
    if (auto kept = store.keep(layer.digest); !kept)
        return std::unexpected(kept.error());
    auto blob = store.openBlob(layer.digest, layer.size);
    if (!blob)
        return std::unexpected(blob.error());
    ExtractOptions options;
    options.applyWhiteouts = false;
    // The cache outlives every build, so it holds no device node (the sandbox gives RUN
    // its own /dev, and a block device of the host's disk must never be one RUN can open).
    // Setuid and setgid bits stay, as Docker keeps them for COPY --from and RUN: the
    // store's directories are 0700, so no other user can reach those programs.
    options.createDevices = false;
    options.uidShift = uidShift;
    options.gidShift = gidShift;
    auto report = LayerExtractor::extract(blob->get(), target, options, cancel);
    if (!report) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(report.error());
    }
    auto marked = markWhiteouts(m_store.blobPath(layer.digest), target);
    if (!marked) {
        Rootfs::removeTree(temp.path());
        return std::unexpected(marked.error());
    }
    // Renamed into place complete; a concurrent extraction of the same layer loses the race harmlessly.
    if (::rename(QFile::encodeName(target).constData(), QFile::encodeName(dir).constData()) != 0 &&
        !QFileInfo::exists(dir)) {
        Rootfs::removeTree(temp.path());
        return fail(QStringLiteral("cannot move the extracted layer into %1").arg(dir));
    }
    Rootfs::removeTree(temp.path());
    {
        QMutexLocker locker(&m_extracted->mutex);
        m_extracted->diffIds.append(diffId);
    }
    return dir;
}

Expected<BuildCachePruneReport> Builder::pruneCaches(const CancellationToken &cancel) const
{
    BuildCachePruneReport report;
    // Under the collection lock no lease is taken or extended meanwhile: what live leases
    // (running builds) keep is all they use until this returns.
    auto lock = m_store.collectionLock();
    if (!lock)
        return std::unexpected(lock.error());
    const LiveLeases leases = m_store.liveLeases();
    QSet<QString> used; // diff ID hex digits
    for (const Digest &kept : leases.kept)
        used.insert(kept.hex());
    auto references = m_store.references();
    if (!references)
        return std::unexpected(references.error());
    for (auto it = references->cbegin(); it != references->cend(); ++it) {
        auto image = m_store.image(it.key());
        if (!image)
            continue; // another platform only, or damaged: verify reports that
        for (const ImageLayer &layer : image->layers)
            used.insert(layer.diffId.hex());
    }
    const QString cacheRoot = m_store.cacheDir(QStringLiteral("build"));
    QDirIterator entries(cacheRoot, {QStringLiteral("*.json")}, QDir::Files);
    while (entries.hasNext()) {
        if (cancel.isCancelled())
            return failCancelled();
        const QString path = entries.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
        f.close();
        QList<Descriptor> layers;
        QStringList diffIds;
        if (o.contains(QStringLiteral("layer"))) { // a --link layer
            if (auto d = Descriptor::fromJson(o.value(QStringLiteral("layer")).toObject()))
                layers.append(*d);
            if (auto diffId = Digest::parse(o.value(QStringLiteral("diffId")).toString()))
                diffIds.append(diffId->hex());
        } else {
            for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray())
                if (auto d = Descriptor::fromJson(v.toObject()))
                    layers.append(*d);
            auto config = ImageConfig::parse(
                QJsonDocument(o.value(QStringLiteral("config")).toObject()).toJson(QJsonDocument::Compact));
            if (config)
                for (const Digest &d : config->diffIds)
                    diffIds.append(d.hex());
        }
        bool complete = !diffIds.isEmpty() || layers.isEmpty();
        for (const Descriptor &d : std::as_const(layers))
            complete = complete && m_store.hasBlob(d.digest);
        if (!complete) {
            if (QFile::remove(path))
                ++report.cacheEntriesRemoved;
            continue;
        }
        for (const QString &hex : std::as_const(diffIds))
            used.insert(hex);
    }
    const QString layerRoot = m_store.cacheDir(QStringLiteral("layers"));
    for (const QFileInfo &info :
         QDir(layerRoot).entryInfoList(QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot)) {
        if (cancel.isCancelled())
            return failCancelled();
        // An extraction in progress is a hidden directory; one no live lease can own was
        // left by a killed process.
        const bool leftover =
            info.fileName().startsWith(QLatin1Char('.')) && !leases.mayBeInUse(info.filePath());
        if (!leftover && (info.fileName().startsWith(QLatin1Char('.')) ||
                          used.contains(info.fileName().section(QLatin1Char('-'), 0, 0))))
            continue;
        RootDirectory::removeTree(info.filePath());
        if (!info.fileName().startsWith(QLatin1Char('.')))
            ++report.layerDirectoriesRemoved;
    }
    return report;
}

Expected<QStringList> BuildRun::lowerDirs(const StageState &state) const
{
    QStringList dirs;
    for (qsizetype i = 0; i < state.layers.size(); ++i) {
        auto dir = m_builder.layerDirectory(state.layers[i], state.config.diffIds.value(i), m_cancel);
        if (!dir)
            return std::unexpected(dir.error());
        dirs.append(*dir);
    }
    return dirs;
}

} // namespace stagecraft
