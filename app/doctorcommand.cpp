// `stagecraft doctor`: whether this machine can build and run without privileges, and
// the exact fix for what cannot work yet. Exits 1 when something needed is missing.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/exec/hostcheck.h"

namespace stagecraft::app {

namespace {

const CommandSyntax kSyntax{
    .name = QStringLiteral("doctor"),
    .usage = "Usage: stagecraft doctor [--store DIR]\n"
             "\n"
             "Checks user namespaces, subordinate ids, newuidmap/newgidmap, bubblewrap, overlayfs,\n"
             "the private network (slirp4netns), the store's permissions and, when there is one,\n"
             "the Docker engine; prints the fix for each problem. Exits 1 when something needed\n"
             "is missing.\n",
    .maxPositional = 0,
    .positionalHint = QStringLiteral("doctor takes no arguments")};

int runDoctor(const QStringList &args)
{
    return runCommandSyntax(kSyntax, args, [](const StoreArguments &parsed) {
        int status = 0;
        for (const HostCheckResult &r :
             HostCheck::run(ImageStore::defaultRoot(parsed.value(QStringLiteral("--store"))))) {
            const QString mark = r.ok         ? QStringLiteral("ok  ")
                                 : r.required ? QStringLiteral("FAIL")
                                              : QStringLiteral("warn");
            printOut(QStringLiteral("%1  %2: %3\n").arg(mark, r.name, r.detail));
            if (!r.ok)
                printOut(QStringLiteral("      fix: %1\n").arg(r.fix));
            if (!r.ok && r.required)
                status = 1;
        }
        return status;
    });
}

const CommandRegistration reg{
    {QStringLiteral("doctor"), QStringLiteral("check what this machine needs to build and run"), runDoctor}};

} // namespace

} // namespace stagecraft::app
