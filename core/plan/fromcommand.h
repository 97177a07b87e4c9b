// FROM: the stage's base (an image, `scratch` or an earlier stage), its platform and name,
// after meta ARG expansion, as the stage graph resolved them.
#pragma once

#include "core/plan/commandbase.h"

#include <QString>

namespace stagecraft {

struct FromCommand : CommandBase
{
    QString base;       // expanded reference; a stage's name when it builds on one
    QString platform;   // --platform, expanded; empty when not given
    QString name;       // `AS name`, lower-cased; empty for an unnamed stage
    int baseStage = -1; // the stage it builds on, or -1
};

} // namespace stagecraft
