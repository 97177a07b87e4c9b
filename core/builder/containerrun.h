// Running an image as a container, like `docker run`: its layers under a throwaway
// writable layer, its entrypoint, command, environment, working directory and user
// (each overridable), the private network with published ports, host volumes. The one
// function behind `stagecraft run` and the window's Run button.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/exec/sandbox.h"
#include "core/store/imagestore.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

// `-v HOST:CONTAINER[:ro]`.
struct VolumeMount
{
    QString hostPath;
    QString containerPath;
    bool readOnly = false;

    static Expected<VolumeMount> parse(const QString &text);
};

struct ContainerOptions
{
    QString image;                     // a reference or id in the store
    QStringList command;               // replaces the image's CMD when not empty
    std::optional<QString> entrypoint; // replaces ENTRYPOINT ("" clears it, and CMD with it)
    QStringList env;                   // KEY=VALUE, over the image's
    QString workingDir;                // "" keeps the image's
    std::optional<QString> user;       // replaces USER
    QString hostname;                  // "" gives the image id's short form
    NetworkMode network = NetworkMode::Private;
    QList<PortForward> ports;
    QList<VolumeMount> volumes;
    int terminalFd = -1; // a pty slave (PseudoTerminal) for `-t`
    int inputFd = -1;    // the command's stdin for `-i` without `-t`; -1: none
    // Where the container's writable layer lives while it runs ("": a temporary directory
    // in the store's cache); a detached container keeps it in its record for `rm`.
    QString scratchDir;
};

struct ContainerExit
{
    int exitCode = 0; // the command's; 128 + signal when it was killed
};

class ContainerRun
{
public:
    // The sandbox's run spec for `options` on `config` (no mounts yet), or an error
    // when there is nothing to run.
    static Expected<RunSpec> runSpec(const ContainerOptions &options, const ContainerConfig &config,
                                     const QString &imageId);

    // Runs the container to its end. Output goes to `callbacks.log`; a non-zero exit
    // is a result, not an error; a cancelled run exits 130 like after Ctrl-C.
    static Expected<ContainerExit> run(const ImageStore &store, const ContainerOptions &options,
                                       const CancellationToken &cancel, const SandboxCallbacks &callbacks);
};

} // namespace stagecraft
