// `stagecraft import`: loads a `docker save` tarball or an OCI image layout directory
// into the local store, verifying every blob and layer diff ID.
#include "app/command.h"
#include "app/storearguments.h"

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft import [--store DIR] [-t NAME:TAG] FILE|DIR\n"
    "\n"
    "Imports a docker-archive (`docker save` output, optionally compressed) or an\n"
    "OCI image layout directory into the local store. Without -t the images keep\n"
    "the names the archive gives them (RepoTags, or the layout's ref names).\n"
    "\n"
    "  --store DIR          the store (default $STAGECRAFT_STORE, else the user's data dir)\n"
    "  -t, --tag NAME:TAG   name the image (the source must hold exactly one)\n"
    "\n"
    "Everything in the source is untrusted and bounded (docs/security.md): manifest.json\n"
    "and each config at most 16 MiB (64 MiB of configs), at most 100,000 archive members;\n"
    "a layer used by a build is refused past 64 GiB per file or in all, 4096 times its\n"
    "blob size beyond 256 MiB (sparse and decompression bombs), 1,000,000 entries, paths\n"
    "of 4095 bytes or 256 levels, or a name leading outside its root.\n";

int runImport(const QStringList &args)
{
    const QString name = QStringLiteral("import");
    auto parsed = StoreArguments::parse(args, {QStringLiteral("-t"), QStringLiteral("--tag")}, {});
    if (!parsed)
        return usageError(name, parsed.error().message);
    if (parsed->help()) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (parsed->positional().size() != 1)
        return usageError(name, QStringLiteral("give one FILE or DIR to import"));
    const QString tag = parsed->has(QStringLiteral("-t")) ? parsed->value(QStringLiteral("-t"))
                                                          : parsed->value(QStringLiteral("--tag"));
    auto store = parsed->openStore();
    if (!store)
        return commandError(name, store.error().message);
    auto names = store->import(parsed->positional().first(), tag);
    if (!names)
        return commandError(name, names.error().message);
    for (const QString &n : *names)
        printOut(QStringLiteral("Loaded image: %1\n").arg(n));
    return 0;
}

const CommandRegistration reg{{QStringLiteral("import"),
                               QStringLiteral("load a docker save tarball or OCI layout into the store"),
                               runImport}};

} // namespace

} // namespace stagecraft::app
