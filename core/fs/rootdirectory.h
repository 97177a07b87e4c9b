// Rooted file operations: a root is an open directory descriptor, and every name from
// an image, a Dockerfile or a build context is resolved *inside* it. `..` stops at the
// root, an absolute symlink starts again at the root, and every change is an *at()
// call on the descriptor of the resolved parent, so nothing a hostile name or a
// symlink says can reach the host's files. Resolution uses openat2(RESOLVE_IN_ROOT)
// where the kernel has it (5.6+), else a component-by-component walk with O_NOFOLLOW.
#pragma once

#include "core/common/error.h"
#include "core/fs/filedescriptor.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <optional>

#include <sys/stat.h>
#include <sys/types.h>

namespace stagecraft {

// What a symlink met on the way to a name does.
enum class Symlinks {
    Refuse,       // an error: layer extraction writes only through real directories
    FollowInRoot, // resolved inside the root, as the container would see it
};

enum class FsErrorKind {
    NotFound, // a component does not exist
    NotDirectory,
    Symlink, // Symlinks::Refuse met one
    Loop,    // more than `maxSymlinkHops` symlinks
    Other,   // an errno the caller does not branch on
};

// An Error with the kind callers branch on and the errno behind it.
struct FsError
{
    FsErrorKind kind = FsErrorKind::Other;
    int errorNumber = 0;
    QString message;
    Error toError() const { return Error(message); }
};

template <typename T> using FsExpected = std::expected<T, FsError>;

// The directory a name lives in, as a descriptor, and the name's last component.
struct ParentAndName
{
    FileDescriptor directory;
    QByteArray name; // one component, never "", "." or ".."; "." for the root itself
};

class RootDirectory
{
public:
    static constexpr int maxSymlinkHops = 40; // Linux's own limit

    RootDirectory() = default;
    // Takes ownership of a directory descriptor; `path` is for messages only.
    RootDirectory(FileDescriptor directory, QString path);

    // Opens `path` (a trusted host path: the store, a temporary directory, the context
    // the user named) as a root; `create` makes it (and missing parents) with `mode`.
    static Expected<RootDirectory> open(const QString &path, bool create = false, mode_t mode = 0755);

    int fd() const { return m_fd.get(); }
    const QString &path() const { return m_path; }
    bool isValid() const { return m_fd.isValid(); }

    // `name` resolved inside the root: the parent's descriptor and the last component.
    // `followLast`: a symlink as the last component is resolved too. `createParents`
    // makes missing directories (mode `mode`) on the way; with Symlinks::Refuse a
    // symlink or non-directory on the way is an error.
    FsExpected<ParentAndName> resolveParent(const QString &name, Symlinks symlinks, bool followLast = false,
                                            bool createParents = false, mode_t mode = 0755) const;

    // Opens `name` inside the root with `flags` (O_NOFOLLOW is added for the last
    // component when !followLast; O_PATH gives a descriptor that only names it).
    FsExpected<FileDescriptor> open(const QString &name, int flags, Symlinks symlinks,
                                    bool followLast = true) const;
    // The directory `name`, created with its parents when `create`; `created` receives
    // the paths (inside the root) of the directories this call made.
    FsExpected<FileDescriptor> openDirectory(const QString &name, Symlinks symlinks, bool create = false,
                                             mode_t mode = 0755, QStringList *created = nullptr) const;

    // lstat of `name` after resolving its parents; nothing when it does not exist.
    FsExpected<std::optional<struct stat>> status(const QString &name, Symlinks symlinks,
                                                  bool followLast = false) const;
    // The path of `name` inside the root with every symlink resolved ("a/b", "" for the
    // root); the last components may not exist yet.
    FsExpected<QString> canonicalPath(const QString &name, bool followLast = true) const;

    FsExpected<QByteArray> readLink(const QString &name, Symlinks symlinks) const;
    // Removes `name` and, for a directory, everything below it (also directories
    // without write or search permission), never following a symlink. Absent is fine.
    FsExpected<void> removeAll(const QString &name, Symlinks symlinks) const;
    FsExpected<void> makeDirectories(const QString &name, mode_t mode = 0755) const;

    // The same on an already resolved directory descriptor.
    static bool removeAllAt(int directoryFd, const QByteArray &name);
    // The same for a trusted host path (a scratch or cache directory of ours): its parent
    // is opened as given, nothing below it is followed. False when something stayed.
    static bool removeTree(const QString &hostPath);
    // A path that names an open descriptor for programs that take paths (bwrap's
    // --bind-fd takes the number; mount(2) and others take /proc/self/fd/N).
    static QString procPath(int fd);

    // Tests force the walk to cover the code path kernels without openat2 take.
    static void setOpenat2Allowed(bool allowed);
    static bool openat2Available();

private:
    FsExpected<ParentAndName> walk(const QString &name, Symlinks symlinks, bool followLast,
                                   bool createParents, mode_t mode, QStringList *canonical,
                                   QStringList *created = nullptr) const;

    FileDescriptor m_fd;
    QString m_path;
};

// Turns an errno into an FsError naming `what` (a path inside a root).
FsError fsError(int errorNumber, const QString &what);

} // namespace stagecraft
