#include "core/builder/debugshell.h"

#include "core/fs/rootdirectory.h"

#include <QDir>
#include <QScopeGuard>
#include <QTemporaryDir>

#include <unistd.h>

namespace stagecraft {

namespace {

// Docker's PATH when the stage sets none.
const QLatin1String defaultPath("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

// Whether `path` names something in the step's filesystem as the failed command left
// it: what the command wrote or deleted (the overlay upper, looked at by the name as
// given and as the layers resolve it, never following a symlink there) over the
// stage's layers; a copy holds both already. A check for a clear message, not the
// authority: the sandbox is.
bool existsInStep(const Rootfs &rootfs, const QString &path)
{
    const QString canonical = rootfs.canonicalPath(path).mid(1);
    if (rootfs.mode() == RootfsMode::Overlay && !rootfs.upperDir().isEmpty()) {
        const Expected<RootDirectory> upper = RootDirectory::open(rootfs.upperDir());
        for (const QString &name : {QDir::cleanPath(QStringLiteral("/") + path).mid(1), canonical}) {
            if (!upper || name.isEmpty())
                break;
            const auto status = upper->status(name, Symlinks::Refuse);
            if (status && *status)
                return !Rootfs::isWhiteout(rootfs.upperDir() + u'/' + name);
        }
    }
    return !canonical.isEmpty() && rootfs.lookup(canonical).has_value();
}

// The shell's spec; the copy-on-write layers over cache mounts go below `scratch`.
Expected<RunSpec> shellSpec(const FailedStep &step, int terminalFd, const QString &scratch,
                            const CancellationToken &cancel)
{
    const QString program = DebugShell::shellProgram(step);
    if (program.isEmpty())
        return fail(QStringLiteral("the stage has no %1 to open a debug shell with (a FROM scratch or "
                                   "distroless stage?): add a shell to the stage, or debug with a RUN "
                                   "that prints what you need")
                        .arg(step.shell.isEmpty() ? QStringLiteral("/bin/sh") : step.shell.first()));
    if (terminalFd < 0)
        return fail(QStringLiteral("a debug shell needs a terminal (the slave side of a pseudo-terminal)"));
    RunSpec spec = step.spec;
    spec.args = QStringList{program};
    if (::isatty(terminalFd))
        spec.terminalFd = terminalFd;
    else
        spec.inputFd = terminalFd;
    for (qsizetype i = 0; i < spec.mounts.size(); ++i) {
        SandboxMount &mount = spec.mounts[i];
        if (mount.type != SandboxMount::Type::Cache)
            continue;
        const QString viewScratch = scratch + QStringLiteral("/cache-%1").arg(i);
        if (!QDir().mkpath(viewScratch))
            return fail(QStringLiteral("cannot create %1").arg(viewScratch));
        Expected<Rootfs> view = Rootfs::prepare({mount.source}, viewScratch, step.rootfs.mode(), cancel);
        if (!view)
            return std::unexpected(view.error());
        SandboxMount bind;
        bind.type = SandboxMount::Type::Bind;
        bind.target = mount.target;
        bind.readOnly = false;
        bind.sourceRoot = std::make_shared<const Rootfs>(std::move(*view));
        mount = bind;
    }
    return spec;
}

} // namespace

QString DebugShell::shellProgram(const FailedStep &step)
{
    const QString program = step.shell.isEmpty() ? QStringLiteral("/bin/sh") : step.shell.first();
    if (program.startsWith(u'/'))
        return existsInStep(step.rootfs, program) ? program : QString();
    if (program.isEmpty() || program.contains(u'/'))
        return {};
    QString path = defaultPath;
    for (const QString &e : step.spec.env)
        if (e.startsWith(QLatin1String("PATH=")))
            path = e.mid(5);
    for (const QString &dir : path.split(u':', Qt::SkipEmptyParts)) {
        const QString candidate = dir + u'/' + program;
        if (dir.startsWith(u'/') && existsInStep(step.rootfs, candidate))
            return candidate;
    }
    return {};
}

Expected<RunSpec> DebugShell::runSpec(const FailedStep &step, int terminalFd, const CancellationToken &cancel)
{
    QTemporaryDir scratch(step.rootfs.scratchDir() + QStringLiteral("/debug-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    scratch.setAutoRemove(false); // the spec's views live there; the step's scratch goes with it
    return shellSpec(step, terminalFd, scratch.path(), cancel);
}

Expected<int> DebugShell::run(const FailedStep &step, int terminalFd, const CancellationToken &cancel,
                              const SandboxCallbacks &callbacks)
{
    QTemporaryDir scratch(step.rootfs.scratchDir() + QStringLiteral("/debug-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    scratch.setAutoRemove(false);
    const auto removeScratch = qScopeGuard([&] { Rootfs::removeTree(scratch.path()); });
    Expected<RunSpec> spec = shellSpec(step, terminalFd, scratch.path(), cancel);
    if (!spec)
        return std::unexpected(spec.error());
    const std::expected<void, ExecError> ran = Sandbox::run(step.rootfs, *spec, cancel, callbacks);
    if (ran)
        return 0;
    switch (ran.error().kind) {
    case ExecError::Kind::ExitCode: return ran.error().exitCode;
    case ExecError::Kind::Cancelled: return 130;
    case ExecError::Kind::Setup: break;
    }
    return std::unexpected(ran.error().toError());
}

} // namespace stagecraft
