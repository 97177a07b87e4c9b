// `stagecraft stop`: ends detached containers (SIGTERM to their supervisor, which kills
// the container's processes and records the exit).
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/containerrecord.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("stop"),
    .usage = "Usage: stagecraft stop [--store DIR] CONTAINER...\n"
             "\n"
             "Stops containers started with `stagecraft run -d` (an id or its unique prefix).\n",
    .minPositional = 1,
    .positionalHint = QStringLiteral("give the containers to stop")};

int runStop(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        return forEachArgument(kSyntax, parsed, [&](const QString &wanted) -> Expected<void> {
            Expected<ContainerRecord> record = ContainerRecord::find(store, wanted);
            if (!record)
                return std::unexpected(record.error());
            return record->stop(store);
        });
    });
}

const CommandRegistration reg{
    {QStringLiteral("stop"), QStringLiteral("stop containers started with run -d"), runStop}};

} // namespace

} // namespace stagecraft::app
