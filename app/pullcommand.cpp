// `stagecraft pull`: fetches an image from a registry (or its mirror) into the local
// store under the name Docker shows for it, so `FROM name:tag` finds it.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/registry/registryclient.h"
#include "core/registry/registryprogressprinter.h"

#include <csignal>
#include <unistd.h>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft pull [--platform OS/ARCH[/VARIANT]] [--mirror REGISTRY=URL]...\n"
    "                       [--insecure HOST[:PORT]]... [--store DIR] NAME[:TAG|@DIGEST]\n"
    "\n"
    "Pulls an image from its registry into the store, named as Docker names it\n"
    "(`golang` is docker.io/library/golang:latest, stored as golang:latest). Every blob\n"
    "is verified against its digest. Ctrl-C cancels cleanly.\n"
    "\n"
    "  --platform P         the image to take from a multi-platform index (default linux/amd64)\n"
    "  --mirror R=URL       fetch REGISTRY's images from URL, e.g. docker.io=http://10.0.0.5:5000\n"
    "  --insecure HOST      allow plain HTTP to HOST[:PORT] (loopback always may)\n"
    "  --store DIR          the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "\n"
    "Mirrors and insecure hosts can also be set for good in the registries.conf file of\n"
    "the user's configuration directory, with lines like `docker.io = http://10.0.0.5:5000`\n"
    "and `insecure = 10.0.0.5:5000`. Credentials come from Docker's config.json\n"
    "($DOCKER_CONFIG, else ~/.docker), as `docker login` writes them.\n";

CancellationToken g_pullCancel;

void onPullInterrupt(int)
{
    g_pullCancel.cancel();
}

int runPull(const QStringList &args)
{
    const QString name = QStringLiteral("pull");
    auto client = RegistryClient::createDefault();
    if (!client)
        return commandError(name, client.error().message);
    auto rest = (*client)->settings().takeCommandLineOptions(args);
    if (!rest)
        return usageError(name, rest.error().message);
    auto parsed = StoreArguments::parse(*rest, {QStringLiteral("--platform")}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().size() != 1)
        return usageError(name, QStringLiteral("give one image NAME[:TAG] to pull"));
    PullOptions options;
    if (parsed->has(QStringLiteral("--platform"))) {
        auto platform = Platform::parse(parsed->value(QStringLiteral("--platform")));
        if (!platform)
            return usageError(name, platform.error().message);
        options.platform = *platform;
    }
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);

    const QString reference = parsed->positional().first();
    RegistryProgressPrinter printer(::isatty(STDOUT_FILENO) == 1, printOutRaw);
    std::signal(SIGINT, onPullInterrupt);
    std::signal(SIGTERM, onPullInterrupt);
    auto pulled = (*client)->pullInto(
        *store, reference, options, [&](const RegistryProgress &p) { printer.report(p); }, g_pullCancel);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    printer.finish();
    if (!pulled)
        return commandError(name, pulled.error().message);
    const auto ref = RegistryReference::parse(reference);
    printOut(QStringLiteral("Digest: %1\n").arg(pulled->digest.toString()));
    printOut(QStringLiteral("Pulled %1 as %2\n").arg(ref->canonical(), ref->familiar()));
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("pull"), QStringLiteral("fetch an image from a registry into the store"), runPull}};

} // namespace

} // namespace stagecraft::app
