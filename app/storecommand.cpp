// `stagecraft store verify|gc`: checks every blob of the local store against its digest
// and every name's blobs for presence, or deletes blobs no name uses.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/builder.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("store"),
    .usage = "Usage: stagecraft store [--store DIR] verify|gc\n"
             "\n"
             "  verify   re-hash every blob and check that every image's blobs are present;\n"
             "           exit status 1 when a blob is corrupt or missing\n"
             "  gc       delete the blobs no image name, build cache entry or running build,\n"
             "           pull or import uses, and what killed processes left behind;\n"
             "           safe while other stagecraft processes use the store\n",
    .minPositional = 1,
    .maxPositional = 1,
    .positionalHint = QStringLiteral("give `verify` or `gc`")};

int runStore(const QStringList &args)
{
    const QString &name = kSyntax.name;
    return runStoreCommand(kSyntax, args, [&](const StoreArguments &parsed, ImageStore &store) {
        const QString action = parsed.positional().first();
        if (action != QLatin1String("verify") && action != QLatin1String("gc"))
            return usageError(name, QStringLiteral("unknown action `%1` (verify or gc)").arg(action));
        if (action == QLatin1String("gc")) {
            auto report = store.collectGarbage();
            if (!report)
                return commandError(name, report.error().message);
            printOut(
                QStringLiteral("%1: kept %2 blobs, deleted %3 blobs (%4 bytes), removed %5 temporary files "
                               "and %6 cache files\n")
                    .arg(store.root())
                    .arg(report->blobsKept)
                    .arg(report->blobsRemoved)
                    .arg(report->bytesFreed)
                    .arg(report->temporaryFilesRemoved)
                    .arg(report->cacheFilesRemoved));
            // The build cache's step results and extracted layers go with the blobs they need.
            auto pruned = Builder(store).pruneCaches();
            if (!pruned)
                return commandError(name, pruned.error().message);
            printOut(QStringLiteral("%1: removed %2 build cache entries and %3 extracted layers\n")
                         .arg(store.root())
                         .arg(pruned->cacheEntriesRemoved)
                         .arg(pruned->layerDirectoriesRemoved));
            return 0;
        }
        auto report = store.verify();
        if (!report)
            return commandError(name, report.error().message);
        QString out;
        for (const QString &c : report->corrupt)
            out += QStringLiteral("corrupt blob: %1\n").arg(c);
        for (const QString &m : report->missing)
            out += QStringLiteral("missing blob: %1\n").arg(m);
        for (const QString &p : report->problems)
            out += QStringLiteral("problem: %1\n").arg(p);
        printErr(out);
        printOut(QStringLiteral("%1: checked %2 blobs: %3\n")
                     .arg(store.root())
                     .arg(report->blobsChecked)
                     .arg(report->ok() ? QStringLiteral("ok")
                                       : QStringLiteral("%1 corrupt, %2 missing, %3 other problems")
                                             .arg(report->corrupt.size())
                                             .arg(report->missing.size())
                                             .arg(report->problems.size())));
        return report->ok() ? 0 : 1;
    });
}

const CommandRegistration reg{
    {QStringLiteral("store"), QStringLiteral("verify the local store or collect garbage"), runStore}};

} // namespace

} // namespace stagecraft::app
