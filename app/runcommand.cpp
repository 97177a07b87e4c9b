// `stagecraft run`: runs an image from the store like `docker run --rm`, in the
// builder's sandbox on a throwaway writable layer.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/build/builder.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/store/imagereference.h"

#include <QTemporaryDir>

#include <csignal>
#include <cstdio>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft run [--store DIR] [-e K=V]... [--entrypoint E] REF [-- ARGS...]\n"
                      "\n"
                      "Runs the image's entrypoint and command (ARGS replace the command) with its\n"
                      "environment, working directory and user; changes are thrown away.\n";

CancellationToken g_runCancel;

void onRunInterrupt(int)
{
    g_runCancel.cancel();
}

int runRun(const QStringList &args)
{
    const QString name = QStringLiteral("run");
    QString storeOption;
    QString entrypoint;
    bool entrypointSet = false;
    QStringList env;
    QStringList positional;
    QStringList extra;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--")) {
            extra = args.mid(i + 1);
            break;
        }
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        if ((a == QLatin1String("--store") || a == QLatin1String("-e") || a == QLatin1String("--env") ||
             a == QLatin1String("--entrypoint")) &&
            i + 1 >= args.size())
            return usageError(name, QStringLiteral("%1 needs a value").arg(a));
        if (a == QLatin1String("--store"))
            storeOption = args[++i];
        else if (a == QLatin1String("-e") || a == QLatin1String("--env"))
            env.append(args[++i]);
        else if (a == QLatin1String("--entrypoint")) {
            entrypoint = args[++i];
            entrypointSet = true;
        } else if (a.startsWith(QLatin1Char('-')) && positional.isEmpty())
            return usageError(name, QStringLiteral("unknown option %1").arg(a));
        else if (positional.isEmpty())
            positional.append(a);
        else
            extra.append(a);
    }
    if (positional.size() != 1)
        return usageError(name, QStringLiteral("give the image to run"));
    auto store = ImageStore::open(ImageStore::defaultRoot(storeOption));
    if (!store)
        return commandError(name, store.error().message);
    auto image = store->image(positional.first());
    if (!image)
        return commandError(name, image.error().message);
    Builder builder(*store);
    QStringList lowers;
    for (const ImageLayer &layer : image->layers) {
        auto dir = builder.layerDirectory(layer.descriptor, layer.diffId);
        if (!dir)
            return commandError(name, dir.error().message);
        lowers.append(*dir);
    }
    if (lowers.isEmpty())
        return commandError(name, QStringLiteral("the image has no layers to run"));
    QTemporaryDir scratch(store->cacheDir(QStringLiteral("tmp")) + QStringLiteral("/container-XXXXXX"));
    if (!scratch.isValid())
        return commandError(name, QStringLiteral("cannot create a scratch directory"));
    auto rootfs = Rootfs::prepare(lowers, scratch.path(), std::nullopt, g_runCancel);
    if (!rootfs)
        return commandError(name, rootfs.error().message);
    const ContainerConfig &config = image->config.config;
    RunSpec spec;
    const QStringList entry =
        entrypointSet ? (entrypoint.isEmpty() ? QStringList() : QStringList{entrypoint}) : config.entrypoint;
    const QStringList cmd = !extra.isEmpty() ? extra : (entrypointSet ? QStringList() : config.cmd);
    spec.args = entry + cmd;
    if (spec.args.isEmpty())
        return commandError(name,
                            QStringLiteral("the image has no entrypoint or command; give one after --"));
    spec.env = config.env;
    for (const QString &e : env) {
        const QString key = e.section(QLatin1Char('='), 0, 0);
        spec.env.removeIf([&](const QString &old) { return old.section(QLatin1Char('='), 0, 0) == key; });
        spec.env.append(e);
    }
    spec.workingDir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    spec.user = config.user;
    spec.hostname = image->id().shortHex();
    std::signal(SIGINT, onRunInterrupt);
    std::signal(SIGTERM, onRunInterrupt);
    SandboxCallbacks callbacks;
    callbacks.log = [](const QString &line) { printOut(line + QLatin1Char('\n')); };
    auto ran = Sandbox::run(*rootfs, spec, g_runCancel, callbacks);
    rootfs->removeScratch();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!ran) {
        if (ran.error().kind == ExecError::Kind::ExitCode)
            return ran.error().exitCode;
        if (ran.error().kind == ExecError::Kind::Cancelled)
            return 130;
        return commandError(name, ran.error().message);
    }
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("run"), QStringLiteral("run an image from the store (like docker run --rm)"), runRun}};

} // namespace

} // namespace stagecraft::app
