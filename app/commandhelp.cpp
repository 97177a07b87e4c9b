#include "app/commandhelp.h"

#include "app/command.h"

namespace stagecraft::app {

QList<CommandHelp> CommandHelp::documented()
{
    QList<CommandHelp> commands;
    for (const Command &c : registeredCommands())
        if (!c.hidden)
            commands.append({c.name, c.summary, UsageText::parse(commandHelp(c))});
    return commands;
}

} // namespace stagecraft::app
