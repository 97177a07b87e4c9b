// `stagecraft logs`: the output of a detached container, so far.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/build/containerrecord.h"

#include <QFile>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft logs [--store DIR] CONTAINER\n"
                      "\n"
                      "Prints the output of a container started with `stagecraft run -d`.\n";

int runLogs(const QStringList &args)
{
    const QString name = QStringLiteral("logs");
    auto parsed = StoreArguments::parse(args, {}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().size() != 1)
        return usageError(name, QStringLiteral("give one container"));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    Expected<ContainerRecord> record = ContainerRecord::find(*store, parsed->positional().first());
    if (!record)
        return commandError(name, record.error().message);
    QFile log(record->logPath());
    if (!log.open(QIODevice::ReadOnly))
        return 0; // nothing written yet
    printOut(QString::fromUtf8(log.readAll()));
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("logs"), QStringLiteral("print the output of a container started with run -d"), runLogs}};

} // namespace

} // namespace stagecraft::app
