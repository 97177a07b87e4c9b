// The seccomp filter every RUN runs under, modelled on Docker's default profile: the
// system calls Docker refuses to a container without extra capabilities (new
// namespaces, mounts, kernel keyrings, BPF, modules, the clock, reboot, swap…) fail
// with EPERM; everything else is allowed. bubblewrap loads it (--seccomp FD) just
// before it executes the command, after its own namespace and mount set-up.
#pragma once

#include "core/common/error.h"
#include "core/fs/filedescriptor.h"

#include <QStringList>

namespace stagecraft {

class SeccompFilter
{
public:
    // The compiled BPF program in a sealed memory file, read from its start: what
    // bubblewrap's --seccomp takes.
    static Expected<FileDescriptor> program();
    // The names of the refused system calls (those the running kernel's architecture
    // knows), for documentation and tests.
    static QStringList refusedCalls();
};

} // namespace stagecraft
