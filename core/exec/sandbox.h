// Runs one RUN command with bubblewrap inside a user namespace: only the stage's root
// filesystem is visible, output streams to a log sink line by line, a non-zero exit
// is a typed error, and cancelling kills the whole process group.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/exec/rootfs.h"
#include "core/exec/usernetwork.h"
#include "core/fs/filedescriptor.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <expected>
#include <functional>
#include <memory>

namespace stagecraft {

// Private: an own network namespace with outbound access through slirp4netns
// (core/exec/usernetwork.h), the host's loopback out of reach; RUN's default.
enum class NetworkMode { Host, None, Private };

struct SandboxMount
{
    enum class Type {
        Bind,  // a host directory or file (another stage's root, the context), read-only by default
        Cache, // a persistent host directory (RUN --mount=type=cache), writable
        Tmpfs, // an empty tmpfs
    };
    Type type = Type::Bind;
    QString source;       // host path (Cache; Bind: what sourceFd was opened as); unused for Tmpfs
    QString target;       // absolute path inside the sandbox, resolved in its rootfs
    bool readOnly = true; // Bind only
    // Bind: the source, never as a path string that would be resolved again later:
    // either an open descriptor (O_PATH) of what was resolved inside its root (the
    // context), or a path inside another root filesystem (another stage's layers, or a
    // copy-on-write view of the context for `rw`) that the sandbox mounts itself.
    std::shared_ptr<FileDescriptor> sourceFd;
    std::shared_ptr<const Rootfs> sourceRoot;
    QString sourcePath; // canonical path inside sourceRoot, "" for its root
    // Cache: the owner (container ids) and mode the directory gets when this mount creates
    // it (BuildKit's uid, gid and mode, 0, 0 and 0755 by default); an existing one keeps its own.
    quint32 cacheUid = 0;
    quint32 cacheGid = 0;
    quint32 cacheMode = 0755;

    static SandboxMount cache(const QString &hostDirectory, const QString &target);
    static SandboxMount tmpfs(const QString &target);
    // A read-only bind of a trusted host path (the caller's own directory), opened now.
    static Expected<SandboxMount> bindHostPath(const QString &hostPath, const QString &target);
};

struct RunSpec
{
    QStringList args;                         // argv, e.g. {"/bin/sh", "-c", "make"}
    QStringList env;                          // "KEY=VALUE"; PATH and HOME get Docker's defaults when absent
    QString workingDir = QStringLiteral("/"); // created when missing, like Docker
    QString user; // "", "uid", "uid:gid", "name" or "name:group" (resolved in the rootfs)
    QString hostname = QStringLiteral("buildkitsandbox");
    NetworkMode network = NetworkMode::Private;
    QList<PortForward> ports; // published on the host; Private only
    int terminalFd = -1;      // [terminal] a pty slave: the command's stdio and controlling terminal
    int inputFd = -1;         // the command's stdin without a terminal (`run -i`); -1: /dev/null
    QList<SandboxMount> mounts;
};

struct SandboxCallbacks
{
    std::function<void(const QString &line)> log; // output, stdout and stderr merged
    std::function<void(qint64 processGroup)> started;
    // [network] Things the caller should pass on, e.g. that the private network is
    // unavailable here and the sandbox fell back to the host's network.
    std::function<void(const QString &text)> notice;
    // [network] The command is about to start: its network is up, ports are published.
    std::function<void()> ready;
};

struct ExecError
{
    enum class Kind {
        Setup,     // the sandbox could not be built (bwrap missing, bad user, mount failed)
        ExitCode,  // the command ran and exited non-zero
        Cancelled, // the token was cancelled; the process group was killed
    };
    Kind kind = Kind::Setup;
    int exitCode = -1;
    QString message;       // `process "/bin/sh -c false" did not complete successfully: exit code: 1`
    QStringList lastLines; // the end of the output, for the error view

    Error toError() const { return Error(message); }
};

// One thing RUN needs from the machine, checked: what `stagecraft doctor` prints.
struct SandboxCheck
{
    QString name; // "user namespaces", "subordinate ids", …
    bool ok = false;
    QString detail; // what was found
    QString fix;    // the command or setting that fixes it; empty when ok
};

class Sandbox
{
public:
    // Every check RUN depends on, in the order a person fixes them: user namespaces
    // allowed (kernel.unprivileged_userns_clone, kernel.apparmor_restrict_unprivileged_userns,
    // user.max_user_namespaces), subordinate ids for this user, newuidmap/newgidmap
    // installed and privileged, bwrap, overlayfs in a user namespace, seccomp.
    static QList<SandboxCheck> diagnose();

    // bubblewrap present and user namespaces allowed; otherwise `reason` says why.
    static bool isAvailable(QString *reason = nullptr);

    // Runs `spec` on `rootfs` (its upper dir or copy receives the changes). Mount points
    // the sandbox had to create (/proc, /dev, /etc/hosts, mount targets) are removed
    // again afterwards so they do not end up in the layer, as BuildKit does.
    static std::expected<void, ExecError> run(const Rootfs &rootfs, const RunSpec &spec,
                                              const CancellationToken &cancel,
                                              const SandboxCallbacks &callbacks = {});

    // The lines of output an ExecError keeps.
    static constexpr int keptLines = 10;
};

} // namespace stagecraft
