// CMD: the image's default command.
#pragma once

#include "core/plan/commandbase.h"
#include "core/plan/processcommand.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct CmdCommand : ProcessCommand
{
};

} // namespace stagecraft
