// A child process started in a fresh user + mount namespace, optionally with an
// overlayfs mounted there first, its output on one pipe and its own process group so
// that cancelling kills everything it started. Works as root and as an ordinary user.
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
        // Made inside the namespace (as its root) after the overlay mount, before the
        // program starts, parents first: mount points and the working directory a
        // program running as another user could not create itself.
        QStringList createDirs;
        QStringList createFiles;
        // Host paths made reachable at `exposeBase`/name on a private tmpfs (mode 0755)
        // after the overlay mount, for a program that runs as another user and could
        // not walk into private directories to reach them.
        QString exposeBase;
        QList<std::pair<QString, QString>> expose; // source, name
        static QString defaultExposeBase();
        // Run the program as this uid/gid of the namespace (needs a full id map, i.e. root).
        std::optional<std::pair<uint, uint>> runAs;
    };

    NamespaceChild() = default;
    NamespaceChild(const NamespaceChild &) = delete;
    NamespaceChild &operator=(const NamespaceChild &) = delete;
    NamespaceChild(NamespaceChild &&other) noexcept;
    NamespaceChild &operator=(NamespaceChild &&other) noexcept;
    ~NamespaceChild(); // kills and reaps a child still running

    static Expected<NamespaceChild> start(const Options &options);

    pid_t pid() const { return m_pid; }
    // The process group of the program (not of the reaper that waits for it).
    pid_t processGroup() const { return m_group; }
    int outputFd() const { return m_output; } // stdout and stderr of the child, merged
    void killGroup();                         // SIGKILL to the program's process group
    // Blocks until the program and everything it started are gone; returns the
    // program's exit status as a waitpid status (a signal shows as exit 128 + signal).
    int wait();
    bool isRunning() const { return m_pid > 0; }

    // The uid a file owned by `hostUid` has inside the namespace (root keeps ids; an
    // ordinary user is mapped to 0).
    static qint64 namespaceUid(qint64 hostUid);
    static qint64 namespaceGid(qint64 hostGid);

private:
    pid_t m_pid = -1;
    pid_t m_group = -1;
    int m_output = -1;
};

} // namespace stagecraft
