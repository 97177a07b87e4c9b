// MAINTAINER (deprecated): the image author.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct MaintainerCommand : CommandBase
{
    QString author;
};

} // namespace stagecraft
