// STOPSIGNAL: the signal, expanded (a name such as SIGTERM or a number).
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct StopsignalCommand : CommandBase
{
    QString signal;
};

} // namespace stagecraft
