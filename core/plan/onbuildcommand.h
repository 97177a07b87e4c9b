// ONBUILD: a trigger stored in the image and run when another build uses it as a base;
// not expanded now (that build does).
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/commandbase.h"

#include <memory>

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct OnbuildCommand : CommandBase
{
    QString trigger;                            // the instruction text after ONBUILD
    std::shared_ptr<const Instruction> wrapped; // the trigger as parsed
};

} // namespace stagecraft
