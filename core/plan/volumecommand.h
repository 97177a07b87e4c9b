// VOLUME: mount points, expanded.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct VolumeCommand : CommandBase
{
    QStringList paths;
};

} // namespace stagecraft
