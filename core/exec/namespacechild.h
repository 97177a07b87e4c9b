// A child process started in a fresh user + mount namespace whose ids are mapped by
// IdMap (written by us as root, by newuidmap/newgidmap as an ordinary user), optionally
// with an overlayfs mounted there first, its output on one pipe and its own process
// group so that cancelling kills everything it started. Works as root and as an
// ordinary user.
#pragma once

#include "core/common/error.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>

#include <sys/types.h>

namespace stagecraft {

class NamespaceChild
{
public:
    struct Overlay
    {
        QStringList lowerDirs; // highest first, as overlayfs wants them
        QString upperDir;
        QString workDir;
        QString mountPoint;
    };
    struct Options
    {
        QStringList argv;               // program and arguments; empty: exit 0 after setup
        std::optional<Overlay> overlay; // mounted (with userxattr) before exec
        // More overlays mounted after it (bind sources of other stages); an empty
        // upper dir mounts read-only.
        QList<Overlay> extraOverlays;
        QList<int> inheritFds; // descriptors the program keeps open
        // A terminal (pty slave) the program gets as stdin, stdout and stderr instead of
        // /dev/null and the output pipe; -1: none. Set here rather than by a shell
        // redirection, which takes single-digit descriptors only.
        int terminalFd = -1;
        int inputFd = -1; // without a terminal: the program's stdin instead of /dev/null
        // Made inside the namespace as its root (container root's host ids) after the
        // overlay mounts and the staging below, before the program starts, parents first,
        // relative to `createBase`: mount points and the working directory a program
        // running as another user could not create itself.
        QString createBase;
        QStringList createDirs;
        QStringList createFiles;
        // Host paths made reachable at `exposeBase`/name on a private tmpfs (mode 0755)
        // after the overlay mount, for a program that runs as another user and could
        // not walk into private directories to reach them.
        QString exposeBase;
        QList<std::pair<QString, QString>> expose; // source, name
        static QString defaultExposeBase();
        // Run the program as this uid/gid of the namespace, with no supplementary groups
        // (needs a full id map: not IdMap::Kind::SingleId).
        std::optional<std::pair<uint, uint>> runAs;
        // No process in the namespace may create another user namespace (its
        // user.max_user_namespaces is set to 0): for a program that makes none itself.
        bool denyUserNamespaces = false;
    };

    NamespaceChild() = default;
    NamespaceChild(const NamespaceChild &) = delete;
    NamespaceChild &operator=(const NamespaceChild &) = delete;
    NamespaceChild(NamespaceChild &&other) noexcept;
    NamespaceChild &operator=(NamespaceChild &&other) noexcept;
    ~NamespaceChild(); // kills and reaps a child still running

    static Expected<NamespaceChild> start(const Options &options);
    // Runs `argv` to its end as the namespace's root (what an ordinary user cannot do to
    // files of its subordinate ids: read, chown, remove them). An error carries the
    // program's first 4 KiB of output when it exits non-zero.
    static Expected<void> runAsRoot(const QStringList &argv);

    pid_t pid() const { return m_pid; }
    // The process group of the program (not of the reaper that waits for it).
    pid_t processGroup() const { return m_group; }
    int outputFd() const { return m_output; } // stdout and stderr of the child, merged
    void killGroup();                         // SIGKILL to the program's process group
    // Blocks until the program and everything it started are gone; returns the
    // program's exit status as a waitpid status (a signal shows as exit 128 + signal).
    int wait();
    bool isRunning() const { return m_pid > 0; }

private:
    pid_t m_pid = -1;
    pid_t m_group = -1;
    int m_output = -1;
};

} // namespace stagecraft
