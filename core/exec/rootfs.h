// A stage's root filesystem built from already-extracted layer directories: an
// overlayfs view (mounted inside the sandbox's user namespace; a RUN costs
// milliseconds) or, where that is unavailable, a private copy compared before and after.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/exec/rootfssnapshot.h"
#include "core/fs/layeredview.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace stagecraft {

enum class RootfsMode { Overlay, Copy };

class Rootfs
{
public:
    // `lowerDirs`: layer directories, lowest first (a directory named twice counts once,
    // where it is highest: overlayfs refuses the same lower twice), in overlay format (whiteouts are
    // 0/0 character devices or `user.overlay.whiteout` files, opaque directories carry
    // `user.overlay.opaque=y` or `trusted.overlay.opaque=y`); they are never modified.
    // `scratchDir`: an existing empty directory this rootfs may fill (upper, work, mount
    // point or the copy), on a filesystem that can hold an overlay upper (not tmpfs on
    // old kernels, not overlayfs). No mode: Rootfs::defaultMode().
    static Expected<Rootfs> prepare(const QStringList &lowerDirs, const QString &scratchDir,
                                    std::optional<RootfsMode> mode, const CancellationToken &cancel);

    // Overlay when the kernel allows overlayfs in a user namespace, else copy; the
    // environment variable STAGECRAFT_ROOTFS=copy|overlay overrides.
    static RootfsMode defaultMode();
    // Probed once per process by mounting a tiny overlay in a user namespace.
    static bool overlaySupported(QString *reason = nullptr);

    RootfsMode mode() const { return m_mode; }
    QStringList lowerDirs() const { return m_lowers; }
    QString scratchDir() const { return m_scratch; }
    // Overlay: the writable upper layer a RUN's changes land in. Copy: empty.
    QString upperDir() const { return m_upper; }
    QString workDir() const { return m_work; }
    // The directory the sandbox uses as "/": the overlay's mount point (mounted only
    // inside the sandbox) or the copied root.
    QString rootDir() const { return m_root; }
    // Copy mode: the state before the RUN.
    const RootfsSnapshot *snapshot() const { return m_snapshot.get(); }

    // Host path of what the stage sees at `relative` before the RUN (overlay: resolved
    // through the lowers, whiteouts and opaque directories; copy: in the copy), or
    // nothing when the path does not exist.
    // `relative` is taken as written: a symlink on the way means "absent".
    std::optional<QString> lookup(const QString &relative) const;
    // The contents of the file at `relative` as the stage sees it before the RUN, every
    // symlink resolved inside the stage (never on the host); nothing when absent.
    std::optional<QByteArray> readFile(const QString &relative, qint64 maxSize = 16 << 20) const;
    // `path` (absolute or relative to "/") with every symlink resolved inside the stage,
    // as a container runtime resolves mount targets: "/a/b".
    QString canonicalPath(const QString &path) const;

    // Deletes the scratch directory's contents (the upper too: move it out first to keep
    // it, e.g. as the next step's lower).
    void removeScratch() const;
    // The same for a scratch directory no Rootfs holds any more (a detached container's).
    static void removeScratch(const QString &scratchDir);

    // Copies, readable by this process, of files it may not read: what a RUN left owned by
    // one of an ordinary user's subordinate ids without read permission for others (a
    // 0640 file chowned to a container user). The namespace's root makes them in
    // `targetDir`, an existing directory of this user's; the map goes from each path to its
    // copy. Nothing to do (an empty map) as root or with a single-id map, where this
    // process can read everything RUN wrote.
    static Expected<QHash<QString, QString>> readableCopies(const QStringList &paths,
                                                            const QString &targetDir);

    static bool isWhiteout(const QString &path);
    static bool isOpaqueDirectory(const QString &path);
    // Deletes a tree even where directories lack write permission (overlay's work dir).
    static void removeTree(const QString &path);

private:
    Expected<void> copyLowers(const CancellationToken &cancel);

    RootfsMode m_mode = RootfsMode::Overlay;
    QStringList m_lowers;
    QString m_scratch;
    QString m_upper;
    QString m_work;
    QString m_root;
    std::shared_ptr<const RootfsSnapshot> m_snapshot;
    std::shared_ptr<LayeredView> m_view; // overlay mode: the lowers, for lookups
};

} // namespace stagecraft
