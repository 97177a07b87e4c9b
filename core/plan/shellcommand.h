// SHELL: the shell later shell-form RUN, CMD and ENTRYPOINT lines run with.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ShellCommand : CommandBase
{
    QStringList shell;
};

} // namespace stagecraft
