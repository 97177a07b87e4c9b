#include "app/storearguments.h"

#include "app/command.h"

namespace stagecraft::app {

Expected<StoreArguments> StoreArguments::parse(const QStringList &args, const QStringList &valueOptions,
                                               const QStringList &flags)
{
    StoreArguments parsed;
    QStringList withValues = valueOptions;
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
            parsed.m_values.insert(name, value);
        } else if (flags.contains(name) && !inlineValue) {
            parsed.m_flags.insert(name);
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
