// A subcommand of the `stagecraft` executable (`graph`, `check`, `inspect`, …). Each
// command's .cpp registers itself with a static CommandRegistration, so adding one
// touches no shared table.
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

namespace stagecraft::app {

struct Command
{
    QString name;
    QString summary; // one line for `stagecraft --help`
    // Arguments after the command name; returns the exit status. `--help` alone must only
    // print the usage: the build runs it to make the manual page and completions.
    std::function<int(const QStringList &)> run;
    bool hidden = false; // debugging aids (`parse --dump`) stay out of --help
};

class CommandRegistration
{
public:
    explicit CommandRegistration(Command command);
};

const QList<Command> &registeredCommands();
const Command *findCommand(const QString &name);

// What `stagecraft --help` prints: the window's options and every command not hidden.
QString programUsage();
// What `stagecraft NAME --help` prints, got by running the command with --help while
// printOut's text is kept instead of written: the manual page and the shell completions
// are made from it, so they say exactly what --help says.
QString commandHelp(const Command &command);

// Standard streams for commands (UTF-8, flushed per call). Much of what commands print
// comes from images (history, tags, file names, errors naming entries), so control
// characters other than "\n" and "\t" are escaped on the way out, whatever the command.
void printOut(const QString &text);
void printErr(const QString &text);
// For the program's own terminal control only (progress lines that redraw themselves).
void printOutRaw(const QString &text);

} // namespace stagecraft::app
