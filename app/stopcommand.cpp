// `stagecraft stop`: ends detached containers (SIGTERM to their supervisor, which kills
// the container's processes and records the exit).
#include "app/command.h"
#include "app/storearguments.h"
#include "core/build/containerrecord.h"

#include <QDeadlineTimer>
#include <QThread>

#include <csignal>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft stop [--store DIR] CONTAINER...\n"
                      "\n"
                      "Stops containers started with `stagecraft run -d` (an id or its unique prefix).\n";

int runStop(const QStringList &args)
{
    const QString name = QStringLiteral("stop");
    auto parsed = StoreArguments::parse(args, {}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().isEmpty())
        return usageError(name, QStringLiteral("give the containers to stop"));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    int status = 0;
    for (const QString &wanted : parsed->positional()) {
        Expected<ContainerRecord> record = ContainerRecord::find(*store, wanted);
        if (!record) {
            status = commandError(name, record.error().message);
            continue;
        }
        if (record->isRunning())
            ::kill(pid_t(record->pid), SIGTERM);
        // The supervisor records the exit once everything in the container is gone.
        QDeadlineTimer deadline(10000);
        while (record->isRunning() && !deadline.hasExpired()) {
            QThread::msleep(20);
            Expected<ContainerRecord> again = ContainerRecord::find(*store, record->id);
            if (!again)
                break; // --rm removed it
            record = std::move(again);
        }
        if (record && record->isRunning()) {
            ::kill(pid_t(record->pid), SIGKILL);
            status =
                commandError(name, QStringLiteral("%1 did not stop within 10 seconds; killed").arg(wanted));
            continue;
        }
        printOut(wanted + u'\n');
    }
    return status;
}

const CommandRegistration reg{
    {QStringLiteral("stop"), QStringLiteral("stop containers started with run -d"), runStop}};

} // namespace

} // namespace stagecraft::app
