// What ENTRYPOINT and CMD share: a process in exec form, or a command line for the shell.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ProcessCommand : CommandBase
{
    bool execForm = false;
    QStringList arguments; // exec form: argv; shell form: one element, the command line

    // The argv the image config records, given the stage's SHELL.
    QStringList argv(const QStringList &shell) const { return execForm ? arguments : shell + arguments; }
};

} // namespace stagecraft
