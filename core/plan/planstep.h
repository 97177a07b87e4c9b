// One step of a stage in the build plan: the typed command, where it is in the file, and
// its plan-time cache inputs.
#pragma once

#include "core/plan/cacheinputs.h"
#include "core/plan/command.h"

namespace stagecraft {

struct PlanStep
{
    int number = 0;       // 1-based position after the stage's FROM; 0 for an ONBUILD trigger
    int instruction = -1; // index into Dockerfile::instructions (the ONBUILD line for a trigger)
    bool trigger = false; // an ONBUILD trigger of the base stage, run before the stage's own steps
    SourceRange range;
    Command command;
    CacheInputs inputs;
};

} // namespace stagecraft
