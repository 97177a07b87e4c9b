// A shell in a failed RUN step's filesystem, like `docker buildx debug`: the stage's
// layers with what the command wrote before it failed, its environment, working
// directory, user, mounts and the same sandbox (user namespace with subordinate ids,
// seccomp, private network). The one function behind `stagecraft build --debug-shell`
// and the window's "Open a shell here" on a failed step.
#pragma once

#include "core/builder/failedstep.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/exec/sandbox.h"

#include <QString>

namespace stagecraft {

class DebugShell
{
public:
    // The shell the step's stage offers: the program of its SHELL instruction, else
    // /bin/sh; "" when the stage has none (FROM scratch, a distroless base). The check
    // looks at the filesystem as the failed command left it.
    static QString shellProgram(const FailedStep &step);

    // The sandbox spec of the shell: the failed command's spec with the shell as its
    // argv, `terminalFd` as its terminal (see run()), and each RUN --mount=type=cache directory seen
    // through a throwaway copy-on-write layer (so the shell cannot change the cache the
    // next build uses). Its scratch lives in the step's scratch directory.
    static Expected<RunSpec> runSpec(const FailedStep &step, int terminalFd, const CancellationToken &cancel);

    // Runs the shell to its end on the step's filesystem and returns its exit status
    // (128 + signal when killed, 130 when `cancel` stopped it). `terminalFd` is the
    // slave side of a pseudo-terminal (core/exec/pseudoterminal.h) that the caller
    // relays to the person: a terminal on the CLI, a terminal panel in the window; it
    // becomes the shell's stdin, stdout, stderr and controlling terminal. A descriptor
    // that is no terminal (a pipe: scripts, tests) becomes only the shell's stdin, which
    // it reads commands from without prompts, its output then going to `callbacks.log`
    // line by line. `callbacks.notice` receives what the sandbox says besides (a network
    // fallback); `callbacks.started` the process group, e.g. to signal it.
    // Must be called while `step` is valid, i.e. inside BuildRequest::onFailedStep; what
    // the shell writes goes to the step's scratch, which the builder then removes.
    static Expected<int> run(const FailedStep &step, int terminalFd, const CancellationToken &cancel,
                             const SandboxCallbacks &callbacks = {});
};

} // namespace stagecraft
