// `stagecraft rm`: forgets ended containers started with `run -d`: their record, log and
// writable layer; -f stops running ones first.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/containerrecord.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("rm"),
    .usage = "Usage: stagecraft rm [--store DIR] [-f] CONTAINER...\n"
             "\n"
             "Removes containers started with `stagecraft run -d` that have ended (an id or its\n"
             "unique prefix): their record, log and writable layer.\n"
             "\n"
             "  -f, --force   stop running containers first\n",
    .flags = {QStringLiteral("-f,--force")},
    .minPositional = 1,
    .positionalHint = QStringLiteral("give the containers to remove")};

Expected<void> removeContainer(const ImageStore &store, const QString &wanted, bool force)
{
    Expected<ContainerRecord> record = ContainerRecord::find(store, wanted);
    if (!record)
        return std::unexpected(record.error());
    if (record->isRunning()) {
        if (!force)
            return fail(QStringLiteral("%1 is running: stop it first, or use rm -f").arg(wanted));
        if (auto stopped = record->stop(store); !stopped)
            return stopped;
        if (!ContainerRecord::find(store, record->id))
            return {}; // --rm removed it already
    }
    return record->remove();
}

int runRm(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        return forEachArgument(kSyntax, parsed, [&](const QString &wanted) {
            return removeContainer(store, wanted, parsed.has(QStringLiteral("-f")));
        });
    });
}

const CommandRegistration reg{
    {QStringLiteral("rm"), QStringLiteral("remove ended containers started with run -d"), runRm}};

} // namespace

} // namespace stagecraft::app
