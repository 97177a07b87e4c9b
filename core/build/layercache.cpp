#include "core/build/buildrun.h"

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
            if (!RootDirectory::removeAllAt(parent, at->name))
                return fail(QStringLiteral("cannot replace `%1` by its whiteout").arg(e.path));
            if (::mknodat(parent, at->name.constData(), S_IFCHR | 0600, makedev(0, 0)) != 0) {
                // Without CAP_MKNOD the xattr form overlay also knows.
                FileDescriptor marker(::openat(parent, at->name.constData(),
                                               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
                if (!marker.isValid() || ::fsetxattr(marker.get(), "user.overlay.whiteout", "y", 1, 0) != 0)
                    return fail(QStringLiteral("cannot mark whiteout `%1`").arg(e.path));
            }
        } else if (e.type == EntryType::OpaqueWhiteout) {
            auto opaque = root->openDirectory(e.path, Symlinks::Refuse, true);
            if (!opaque)
                return fail(QStringLiteral("opaque marker in `%1`: %2").arg(e.path, opaque.error().message));
            ::fsetxattr(opaque->get(), "user.overlay.opaque", "y", 1, 0);
            ::fsetxattr(opaque->get(), "trusted.overlay.opaque", "y", 1, 0);
        }
    }
}

} // namespace

Expected<QString> Builder::layerDirectory(const Descriptor &layer, const Digest &diffId,
                                          const CancellationToken &cancel) const
{
    const QString root = m_store.cacheDir(QStringLiteral("layers"));
    // As root the tree is owned as the sandbox's namespace sees it: container id + the
    // start of root's shifted range (an ordinary user cannot chown; the user is container
    // root). The shift is part of the name, so a changed range extracts again.
    const Expected<IdMap> &idMap = IdMap::current();
    const qint64 uidShift = ::geteuid() == 0 && idMap ? idMap->hostUid(0) : 0;
    const qint64 gidShift = ::geteuid() == 0 && idMap ? idMap->hostGid(0) : 0;
    const QString dir =
        root + QLatin1Char('/') + diffId.hex() +
        (uidShift || gidShift ? QStringLiteral("-%1-%2").arg(uidShift).arg(gidShift) : QString());
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
