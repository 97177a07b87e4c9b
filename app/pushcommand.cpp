// `stagecraft push`: sends an image (or a multi-platform index) from the local store to
// a registry: the blobs it lacks, then the manifest under the tag.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/registry/registryclient.h"
#include "core/registry/registryprogressprinter.h"

#include <csignal>
#include <unistd.h>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft push [--mirror REGISTRY=URL]... [--insecure HOST[:PORT]]...\n"
    "                       [--store DIR] NAME[:TAG] [DEST[:TAG]]\n"
    "\n"
    "Pushes the image the store names NAME[:TAG] to its registry, or to DEST when given\n"
    "(e.g. `stagecraft push app:1 localhost:5000/team/app:1`). Blobs the registry holds\n"
    "already are not sent again. Ctrl-C cancels cleanly.\n"
    "\n"
    "  --mirror R=URL       send REGISTRY's images to URL instead\n"
    "  --insecure HOST      allow plain HTTP to HOST[:PORT] (loopback always may)\n"
    "  --store DIR          the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "\n"
    "Credentials come from Docker's config.json ($DOCKER_CONFIG, else ~/.docker).\n";

CancellationToken g_pushCancel;

void onPushInterrupt(int)
{
    g_pushCancel.cancel();
}

int runPush(const QStringList &args)
{
    const QString name = QStringLiteral("push");
    auto client = RegistryClient::createDefault();
    if (!client)
        return commandError(name, client.error().message);
    auto rest = (*client)->settings().takeCommandLineOptions(args);
    if (!rest)
        return usageError(name, rest.error().message);
    auto parsed = StoreArguments::parse(*rest, {}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().isEmpty() || parsed->positional().size() > 2)
        return usageError(name, QStringLiteral("give the image NAME[:TAG] to push, and optionally where to"));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);

    const QString source = parsed->positional().first();
    const QString destination = parsed->positional().value(1, source);
    RegistryProgressPrinter printer(::isatty(STDOUT_FILENO) == 1, printOutRaw);
    std::signal(SIGINT, onPushInterrupt);
    std::signal(SIGTERM, onPushInterrupt);
    auto pushed = (*client)->push(
        *store, source, destination, {}, [&](const RegistryProgress &p) { printer.report(p); }, g_pushCancel);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    printer.finish();
    if (!pushed)
        return commandError(name, pushed.error().message);
    const auto ref = RegistryReference::parse(destination);
    printOut(QStringLiteral("Pushed %1\nDigest: %2 (%3 bytes)\n")
                 .arg(ref->canonical(), pushed->digest.toString())
                 .arg(pushed->size));
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("push"), QStringLiteral("send an image from the store to a registry"), runPush}};

} // namespace

} // namespace stagecraft::app
