// Command-line handling shared by the commands on the store (`images`, `tag`, `rmi`,
// `ps`, `stop`, `rm` …): the `--store DIR` option, `--help`, option values, positional
// arguments, usage errors, and opening the store they name, so that each command states
// only its own syntax (CommandSyntax) and what it does.
#pragma once

#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QMap>
#include <QSet>
#include <QString>
#include <QStringList>

#include <functional>

namespace stagecraft::app {

// What a command accepts. An option is named with its aliases, "-a,--all"; the parsed
// arguments answer to any of them.
struct CommandSyntax
{
    QString name = {};           // "ps"
    const char *usage = nullptr; // printed for --help
    QStringList valueOptions = {};
    QStringList flags = {};
    qsizetype minPositional = 0;
    qsizetype maxPositional = -1; // -1: no limit
    QString positionalHint = {};  // the usage error when the count is wrong: "give one container"
};

class StoreArguments
{
public:
    // `valueOptions` take a value ("-t", "--format"); `flags` take none. `--store` is
    // always known. Returns an error message for unknown options or missing values.
    static Expected<StoreArguments> parse(const QStringList &args, const QStringList &valueOptions,
                                          const QStringList &flags);

    bool help() const { return m_help; }
    bool has(const QString &option) const
    {
        return m_flags.contains(canonical(option)) || m_values.contains(canonical(option));
    }
    QString value(const QString &option) const { return m_values.value(canonical(option)); }
    const QStringList &positional() const { return m_positional; }
    Expected<ImageStore> openStore() const;

private:
    QString canonical(const QString &option) const { return m_aliases.value(option, option); }

    bool m_help = false;
    QMap<QString, QString> m_aliases; // every alias of an option to its first name
    QSet<QString> m_flags;
    QMap<QString, QString> m_values;
    QStringList m_positional;
};

// Runs a command of `syntax` on `args`: prints its usage for --help, a usage error for
// options or positional arguments it does not accept, or the error when the store does
// not open; otherwise returns what `run` returns for the arguments and the open store.
int runStoreCommand(const CommandSyntax &syntax, const QStringList &args,
                    const std::function<int(const StoreArguments &, ImageStore &)> &run);
// The same for a command that does not open the store itself (only `--store`'s value).
int runCommandSyntax(const CommandSyntax &syntax, const QStringList &args,
                     const std::function<int(const StoreArguments &)> &run);

// Does `act` for each positional argument in turn (`stop`, `rm`), printing the argument
// when it succeeded and the error when not; returns 1 when any failed, as Docker does.
int forEachArgument(const CommandSyntax &syntax, const StoreArguments &parsed,
                    const std::function<Expected<void>(const QString &argument)> &act);

// Prints "stagecraft NAME: MESSAGE" and the help hint on stderr; returns 2.
int usageError(const QString &command, const QString &message);
// Prints "stagecraft NAME: MESSAGE" on stderr; returns 1.
int commandError(const QString &command, const QString &message);

} // namespace stagecraft::app
