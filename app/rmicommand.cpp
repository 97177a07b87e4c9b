// `stagecraft rmi`: removes image names from the local store and then the blobs no
// name needs any more.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/store/imagereference.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("rmi"),
    .usage = "Usage: stagecraft rmi [--store DIR] REF...\n"
             "\n"
             "Removes the names REF (NAME or NAME:TAG) from the store, then deletes the blobs\n"
             "that no remaining name uses (as `stagecraft store gc`).\n",
    .minPositional = 1,
    .positionalHint = QStringLiteral("give at least one image name")};

int runRmi(const QStringList &args)
{
    return runStoreCommand(kSyntax, args, [](const StoreArguments &parsed, ImageStore &store) {
        const QString &name = kSyntax.name;
        int status = 0;
        for (const QString &ref : parsed.positional()) {
            if (auto removed = store.removeReference(ref); !removed) {
                printErr(QStringLiteral("stagecraft rmi: %1\n").arg(removed.error().message));
                status = 1;
                continue;
            }
            printOut(QStringLiteral("Untagged: %1\n").arg(*ImageReference::normalise(ref)));
        }
        auto gc = store.collectGarbage();
        if (!gc)
            return commandError(name,
                                QStringLiteral("the names are removed, but their blobs stay for now: %1")
                                    .arg(gc.error().message));
        if (gc->blobsRemoved > 0)
            printOut(
                QStringLiteral("Deleted: %1 blobs, %2 bytes\n").arg(gc->blobsRemoved).arg(gc->bytesFreed));
        return status;
    });
}

const CommandRegistration reg{
    {QStringLiteral("rmi"), QStringLiteral("remove images from the store"), runRmi}};

} // namespace

} // namespace stagecraft::app
