// A command as its documentation sees it: the name, the one-line summary and its --help
// text read back (UsageText). The manual page and the shell completions take a list of these.
#pragma once

#include "app/usagetext.h"

#include <QList>
#include <QString>

namespace stagecraft::app {

struct CommandHelp
{
    QString name;
    QString summary;
    UsageText usage;

    // Every registered command that is not hidden, with the text its --help prints.
    static QList<CommandHelp> documented();
};

} // namespace stagecraft::app
