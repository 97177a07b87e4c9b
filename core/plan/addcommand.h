// ADD: COPY's sources and flags plus what only ADD has: URLs and git repositories as
// sources, --checksum, --keep-git-dir and --unpack.
#pragma once

#include "core/plan/copycommand.h"

#include <optional>

namespace stagecraft {

struct AddCommand : CopyCommand
{
    QString checksum; // "sha256:…", validated
    bool keepGitDir = false;
    std::optional<bool> unpack; // unset: archives from the context are unpacked, downloads are not

    static AddCommand read(const Instruction &instruction, int index, StageScope &scope);
    // A source fetched from the network rather than read from the context.
    static bool isRemote(const QString &source);
    static bool isGit(const QString &source);
};

} // namespace stagecraft
