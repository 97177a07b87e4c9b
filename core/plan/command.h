// A typed command: one alternative per Dockerfile instruction, made once from the syntax
// tree by CommandReader so that nothing downstream parses flags or arguments again.
#pragma once

#include "core/plan/addcommand.h"
#include "core/plan/argcommand.h"
#include "core/plan/cmdcommand.h"
#include "core/plan/copycommand.h"
#include "core/plan/entrypointcommand.h"
#include "core/plan/envcommand.h"
#include "core/plan/exposecommand.h"
#include "core/plan/fromcommand.h"
#include "core/plan/healthcheckcommand.h"
#include "core/plan/labelcommand.h"
#include "core/plan/maintainercommand.h"
#include "core/plan/onbuildcommand.h"
#include "core/plan/runcommand.h"
#include "core/plan/shellcommand.h"
#include "core/plan/stopsignalcommand.h"
#include "core/plan/usercommand.h"
#include "core/plan/volumecommand.h"
#include "core/plan/workdircommand.h"

#include <variant>

namespace stagecraft {

using Command =
    std::variant<FromCommand, RunCommand, CopyCommand, AddCommand, EnvCommand, ArgCommand, LabelCommand,
                 WorkdirCommand, UserCommand, ExposeCommand, VolumeCommand, EntrypointCommand, CmdCommand,
                 ShellCommand, HealthcheckCommand, StopsignalCommand, OnbuildCommand, MaintainerCommand>;

// The fields every alternative shares.
inline const CommandBase &commandBase(const Command &command)
{
    return std::visit([](const auto &c) -> const CommandBase & { return c; }, command);
}

} // namespace stagecraft
