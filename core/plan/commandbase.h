// What every typed command carries: where it came from, so a diagnostic or a build event
// can point at the line, and the keyword as written.
#pragma once

#include "core/common/sourcerange.h"

#include <QString>

namespace stagecraft {

struct CommandBase
{
    int instruction = -1; // index into Dockerfile::instructions; -1 for an ONBUILD trigger of a base
    SourceRange range;    // the whole instruction
};

} // namespace stagecraft
