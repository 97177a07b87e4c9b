#include "app/storearguments.h"

#include "app/command.h"

namespace stagecraft::app {

Expected<StoreArguments> StoreArguments::parse(const QStringList &args, const QStringList &valueOptions,
                                               const QStringList &flags)
{
    StoreArguments parsed;
    // "-a,--all": each alias stands for the first.
    const auto names = [&parsed](const QStringList &specs) {
        QStringList all;
        for (const QString &spec : specs) {
            const QStringList aliases = spec.split(u',');
            for (const QString &alias : aliases)
                parsed.m_aliases.insert(alias, aliases.first());
            all += aliases;
        }
        return all;
    };
    QStringList withValues = names(valueOptions);
    const QStringList flagNames = names(flags);
    withValues << QStringLiteral("--store");
    bool onlyPositional = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (onlyPositional || !arg.startsWith(QLatin1Char('-')) || arg == QLatin1String("-")) {
            parsed.m_positional << arg;
            continue;
        }
        if (arg == QLatin1String("--")) {
            onlyPositional = true;
            continue;
        }
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            parsed.m_help = true;
            continue;
        }
        QString name = arg;
        QString value;
        bool inlineValue = false;
        if (const qsizetype eq = arg.indexOf(QLatin1Char('='));
            arg.startsWith(QLatin1String("--")) && eq > 0) {
            name = arg.left(eq);
            value = arg.mid(eq + 1);
            inlineValue = true;
        }
        if (withValues.contains(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size())
                    return fail(QStringLiteral("%1 needs a value").arg(name));
                value = args.at(++i);
            }
            parsed.m_values.insert(parsed.canonical(name), value);
        } else if (flagNames.contains(name) && !inlineValue) {
            parsed.m_flags.insert(parsed.canonical(name));
        } else {
            return fail(QStringLiteral("unknown option %1").arg(arg));
        }
    }
    return parsed;
}

Expected<ImageStore> StoreArguments::openStore() const
{
    return ImageStore::open(ImageStore::defaultRoot(value(QStringLiteral("--store"))));
}

int runCommandSyntax(const CommandSyntax &syntax, const QStringList &args,
                     const std::function<int(const StoreArguments &)> &run)
{
    auto parsed = StoreArguments::parse(args, syntax.valueOptions, syntax.flags);
    if (!parsed)
        return usageError(syntax.name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(syntax.usage));
        return 0;
    }
    const qsizetype count = parsed->positional().size();
    if (count < syntax.minPositional || (syntax.maxPositional >= 0 && count > syntax.maxPositional))
        return usageError(syntax.name, syntax.positionalHint);
    return run(*parsed);
}

int runStoreCommand(const CommandSyntax &syntax, const QStringList &args,
                    const std::function<int(const StoreArguments &, ImageStore &)> &run)
{
    return runCommandSyntax(syntax, args, [&](const StoreArguments &parsed) {
        auto store = parsed.openStore();
        if (!store)
            return commandError(syntax.name, store.error().message);
        return run(parsed, *store);
    });
}

int forEachArgument(const CommandSyntax &syntax, const StoreArguments &parsed,
                    const std::function<Expected<void>(const QString &argument)> &act)
{
    int status = 0;
    for (const QString &argument : parsed.positional()) {
        if (Expected<void> done = act(argument); !done)
            status = commandError(syntax.name, done.error().message);
        else
            printOut(argument + u'\n');
    }
    return status;
}

int usageError(const QString &command, const QString &message)
{
    printErr(QStringLiteral("stagecraft %1: %2\nRun `stagecraft %1 --help` for the options.\n")
                 .arg(command, message));
    return 2;
}

int commandError(const QString &command, const QString &message)
{
    printErr(QStringLiteral("stagecraft %1: %2\n").arg(command, message));
    return 1;
}

} // namespace stagecraft::app
