// RUN, read once: exec or shell form, heredocs, and its flags as typed values (mounts,
// network, security) instead of flag text that every user of it parses again.
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/commandbase.h"
#include "core/plan/runmount.h"

#include <QList>
#include <QStringList>

#include <utility>

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
    // The ARGs in scope, in declaration order: set in the command's environment (unless an
    // ENV of the same name wins) and written in its history as BuildKit's `|N k=v` prefix.
    QList<std::pair<QString, QString>> buildArgs;
    // Each mount's absolute target (RunMount::resolvedTarget); empty where it is relative to a
    // WORKDIR the plan does not know (an external base image's).
    QStringList mountTargets;
    RunNetwork network = RunNetwork::Default;
    RunSecurity security = RunSecurity::Sandbox;
    QStringList devices;

    // Errors (a bad --mount, an unknown --network value) become diagnostics at the flag.
    static RunCommand read(const Instruction &instruction, int index, StageScope &scope);
    // The argv the sandbox runs, given the stage's SHELL. A heredoc that is the whole command
    // is the script (the shell expands it, not BuildKit); heredocs after a command line are
    // put back below it for the shell to read.
    QStringList argv(const QStringList &shell) const;
    // `RUN <<EOF` whose script starts with "#!": BuildKit writes it, unexpanded, to a 0755
    // file mounted read-only at shebangScriptPath() and runs that, so its interpreter runs it.
    bool isShebangScript() const
    {
        return !execForm && heredocIsScript && !heredocs.isEmpty() &&
               heredocs.first().body().startsWith(QLatin1String("#!"));
    }
    QString shebangScriptPath() const { return QStringLiteral("/dev/pipes/") + heredocs.value(0).name; }
};

} // namespace stagecraft
