// `stagecraft logs`: the output of a detached container, so far.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/containerrecord.h"

#include <QFile>

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{.name = QStringLiteral("logs"),
                            .usage = "Usage: stagecraft logs [--store DIR] CONTAINER\n"
                                     "\n"
                                     "Prints the output of a container started with `stagecraft run -d`.\n",
                            .minPositional = 1,
                            .maxPositional = 1,
                            .positionalHint = QStringLiteral("give one container")};

int runLogs(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        Expected<ContainerRecord> record = ContainerRecord::find(store, parsed.positional().first());
        if (!record)
            return commandError(kSyntax.name, record.error().message);
        QFile log(record->logPath());
        if (log.open(QIODevice::ReadOnly)) // else nothing written yet
            printOut(QString::fromUtf8(log.readAll()));
        return 0;
    });
}

const CommandRegistration reg{
    {QStringLiteral("logs"), QStringLiteral("print the output of a container started with run -d"), runLogs}};

} // namespace

} // namespace stagecraft::app
