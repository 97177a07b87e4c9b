// A read-only view of a stage's filesystem through its layer directories (overlay
// format: whiteouts are 0/0 character devices or files marked `user.overlay.whiteout`,
// opaque directories carry `user.overlay.opaque=y` or `trusted.overlay.opaque=y`),
// without mounting anything. Names resolve as the container would see them: symlinks
// found in any layer are followed inside the stage, never on the host, and an entry is
// found only through real directories of its own layer.
#pragma once

#include "core/fs/rootdirectory.h"

#include <QHash>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace stagecraft {

class LayeredView
{
public:
    struct Entry
    {
        int layer = -1;          // index into the layer directories, lowest 0
        QString path;            // canonical path in the stage, "a/b" ("" for the root)
        QString hostPath;        // the entry in its layer directory (only real directories on the way)
        struct stat status = {}; // lstat of the entry
        bool isDirectory() const { return S_ISDIR(status.st_mode); }
        bool isSymlink() const { return S_ISLNK(status.st_mode); }
    };

    LayeredView() = default;
    // `layerDirs` lowest first; each is opened once, as a root.
    static Expected<LayeredView> open(const QStringList &layerDirs);

    const QStringList &layerDirs() const { return m_dirs; }

    // `name` as the stage sees it: symlinks in its parents (and the last component when
    // `followLast`) resolved inside the stage. Nothing when it does not exist.
    FsExpected<std::optional<Entry>> find(const QString &name, bool followLast = false) const;
    // `name` exactly as written: a symlink or non-directory on the way means "absent".
    std::optional<Entry> findExact(const QString &name) const;
    // The stage path `name` leads to, with every symlink resolved ("" is the root).
    FsExpected<QString> canonicalPath(const QString &name, bool followLast = true) const;
    // Names in the directory `name` (resolved, following a last symlink), merged over
    // the layers without whiteouts, sorted. Empty when it is not a directory.
    FsExpected<QStringList> list(const QString &name) const;
    // The target of the symlink at the canonical entry.
    FsExpected<QByteArray> readLink(const Entry &entry) const;
    // Opens a found entry for reading (O_NOFOLLOW: it is read as it is in its layer).
    FsExpected<FileDescriptor> openEntry(const Entry &entry, int flags) const;

    static bool isWhiteout(int directoryFd, const QByteArray &name, const struct stat &status);
    static bool isOpaqueDirectory(int directoryFd);

private:
    enum class State { Present, Missing, Hidden };
    struct LayerDirectory
    {
        State state = State::Missing;
        bool opaqueOnWay = false; // this layer's directory, or one above it, hides lower layers
        std::shared_ptr<FileDescriptor> fd;
    };
    using DirectoryStates = std::vector<LayerDirectory>; // per layer

    const DirectoryStates *directory(const QStringList &path) const;
    std::optional<Entry> lookup(const QStringList &directoryPath, const QString &name) const;
    FsExpected<QStringList> resolve(const QString &name, bool followLast, bool *exists) const;

    QStringList m_dirs;
    std::vector<std::shared_ptr<RootDirectory>> m_layers;
    mutable QHash<QString, DirectoryStates> m_directories; // bounded cache of opened directories
    mutable int m_cachedFds = 0;
};

} // namespace stagecraft
