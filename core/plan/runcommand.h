// RUN, read once: exec or shell form, heredocs, and its flags as typed values (mounts,
// network, security) instead of flag text that every user of it parses again.
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/commandbase.h"
#include "core/plan/runmount.h"

#include <QList>
#include <QStringList>

namespace stagecraft {

class StageScope;

enum class RunNetwork { Default, None, Host };
enum class RunSecurity { Sandbox, Insecure };

struct RunCommand : CommandBase
{
    bool execForm = false;
    QStringList arguments;   // exec form: the argv; shell form: one element, the command line
    QList<Heredoc> heredocs; // as written; the shell (not BuildKit) expands RUN heredocs
    // `RUN <<EOF` alone: the first heredoc's body is the script rather than input to a command.
    bool heredocIsScript = false;
    QList<RunMount> mounts;
    // Each mount's absolute target (RunMount::resolvedTarget); empty where it is relative to a
    // WORKDIR the plan does not know (an external base image's).
    QStringList mountTargets;
    RunNetwork network = RunNetwork::Default;
    RunSecurity security = RunSecurity::Sandbox;
    QStringList devices;

    // Errors (a bad --mount, an unknown --network value) become diagnostics at the flag.
    static RunCommand read(const Instruction &instruction, int index, StageScope &scope);
    // The argv the sandbox runs, given the stage's SHELL.
    QStringList argv(const QStringList &shell) const;
};

} // namespace stagecraft
