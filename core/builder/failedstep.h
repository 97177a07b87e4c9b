// What the builder hands over when a RUN step fails, before it throws the step away:
// where the step is in the Dockerfile and everything needed to enter its filesystem
// again as the command saw it (the layers below, what the command had written so far,
// its environment, working directory, user, network and mounts). The debug shell
// (core/builder/debugshell.h) runs a shell from it; nothing here is ever stored.
#pragma once

#include "core/common/sourcerange.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"

#include <QString>
#include <QStringList>

namespace stagecraft {

struct FailedStep
{
    int stage = -1;      // stage index in the stage graph
    QString stageName;   // as build events name it ("build", "1")
    int step = 0;        // the step within the stage as BuildEvent counts it (0: the FROM)
    int stepCount = 0;   // steps of the stage, FROM included
    QString dockerfile;  // path of the Dockerfile
    QString instruction; // the instruction as written ("RUN make")
    SourceRange range;   // where it is in the Dockerfile
    int exitCode = -1;   // the command's
    QString message;     // the builder's error for the step

    // The failed RUN's root filesystem: the stage's layer directories as lowers and the
    // scratch directory holding what the command wrote before it failed (the overlay
    // upper, or the private copy). The builder removes the scratch directory once the
    // callback that received this returns, so it is only valid during that call.
    Rootfs rootfs;
    // The sandbox spec the command ran with: its argv, env (ENV and the ARGs in scope),
    // working directory, user, hostname, network mode and RUN --mount mounts (whose
    // scratch views live in the same scratch directory). terminalFd is unset.
    RunSpec spec;
    // The stage's SHELL (empty: Docker's default, /bin/sh -c).
    QStringList shell;
};

} // namespace stagecraft
