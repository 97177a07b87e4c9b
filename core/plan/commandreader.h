// Turns one instruction of a stage into its typed Command, expanding what BuildKit expands
// at that point with the stage's scope, and updates the scope (ARG, ENV, WORKDIR, SHELL)
// for the instructions after it. Problems become diagnostics at the flag or word.
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/command.h"
#include "core/plan/stagescope.h"

#include <QHash>

#include <optional>

namespace stagecraft {

class CommandReader
{
public:
    // `buildArgs` are the --build-arg values, `metaArgs` the values of the ARGs before the
    // first FROM (and the predefined platform ARGs) that a bare `ARG NAME` takes.
    CommandReader(const QHash<QString, QString> &buildArgs, const QHash<QString, QString> &metaArgs);

    // nullopt for FROM and unknown keywords, which are no step of a stage.
    std::optional<Command> read(const Instruction &instruction, int index, StageScope &scope) const;

private:
    ArgCommand readArg(const Instruction &ins, StageScope &scope) const;
    static EnvCommand readEnv(const Instruction &ins, StageScope &scope);
    static LabelCommand readLabel(const Instruction &ins, StageScope &scope);
    static WorkdirCommand readWorkdir(const Instruction &ins, StageScope &scope);
    static UserCommand readUser(const Instruction &ins, StageScope &scope);
    static ExposeCommand readExpose(const Instruction &ins, StageScope &scope);
    static VolumeCommand readVolume(const Instruction &ins, StageScope &scope);
    static ShellCommand readShell(const Instruction &ins, StageScope &scope);
    static OnbuildCommand readOnbuild(const Instruction &ins);
    template <typename T> static T readProcess(const Instruction &ins);

    const QHash<QString, QString> &m_buildArgs;
    const QHash<QString, QString> &m_metaArgs;
};

} // namespace stagecraft
