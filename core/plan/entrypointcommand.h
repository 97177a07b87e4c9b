// ENTRYPOINT: the image's entry point (it clears a CMD inherited from the base image).
#pragma once

#include "core/plan/commandbase.h"
#include "core/plan/processcommand.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct EntrypointCommand : ProcessCommand
{
};

} // namespace stagecraft
