#include "core/builder/buildrun.h"

#include "core/exec/changeset.h"
#include "core/exec/rootfs.h"
#include "core/fs/rootdirectory.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <memory>

#include <fcntl.h>
#include <sys/stat.h>

// RUN: its command line and history text, its mounts (cache, tmpfs, binds of the context
// or another stage), the sandbox run, and the change it made as the step's layer.

namespace stagecraft {

namespace {

QStringList stageShell(const ContainerConfig &config)
{
    return config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                  : config.shell;
}

} // namespace

// RUN's history text: BuildKit's, with the build args it saw.
void BuildRun::describeRun(const RunCommand &run, const StageState &state, StepWork &work) const
{
    QStringList used;
    for (const auto &[name, value] : run.buildArgs)
        used.append(name + QLatin1Char('=') + value);
    work.createdBy = QStringLiteral("RUN ");
    if (!used.isEmpty())
        work.createdBy += QLatin1Char('|') + QString::number(used.size()) + QLatin1Char(' ') +
                          used.join(QLatin1Char(' ')) + QLatin1Char(' ');
    work.createdBy +=
        run.argv(stageShell(state.config.config)).join(QLatin1Char(' ')) + QStringLiteral(" # buildkit");
    work.makesLayer = true;
}

Expected<void> BuildRun::runCommand(const RunCommand &run, const StepPlace &place, StageState &state)
{
    const BuildEvent &base = place.base;
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    if (lowers->isEmpty())
        return fail(
            QStringLiteral("RUN needs a root filesystem, but this stage has no layers (FROM scratch)"));
    QTemporaryDir scratch(m_builder.store().cacheDir(QStringLiteral("tmp")) + QStringLiteral("/run-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    auto rootfs = Rootfs::prepare(*lowers, scratch.path(), std::nullopt, m_cancel);
    if (!rootfs)
        return std::unexpected(rootfs.error());
    const ContainerConfig &config = state.config.config;
    RunSpec spec;
    spec.args = run.argv(stageShell(config));
    spec.env = config.env;
    for (const auto &[name, value] : run.buildArgs) {
        bool shadowed = false;
        for (const QString &e : config.env)
            shadowed = shadowed || envName(e) == name;
        if (!shadowed)
            spec.env.append(name + QLatin1Char('=') + value);
    }
    // BuildKit's predefined proxy ARGs reach every RUN from --build-arg without an ARG line,
    // and stay out of the history and the cache key (a proxy's credentials are no part of
    // what a step makes).
    for (const char *proxy : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
                              "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}) {
        const QString name = QString::fromLatin1(proxy);
        const auto given = m_request.buildArgs.constFind(name);
        if (given == m_request.buildArgs.cend())
            continue;
        bool present = false;
        for (const QString &e : std::as_const(spec.env))
            present = present || envName(e) == name;
        if (!present)
            spec.env.append(name + QLatin1Char('=') + *given);
    }
    spec.workingDir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    spec.user = config.user;
    const RunNetwork network = run.network == RunNetwork::Default ? m_request.network : run.network;
    if (network == RunNetwork::None)
        spec.network = NetworkMode::None;
    else if (network == RunNetwork::Host)
        spec.network = NetworkMode::Host;
    for (qsizetype i = 0; i < run.mounts.size(); ++i) {
        // The builder read the stage knowing its working directory, so every target is absolute.
        auto mount = runMount(run.mounts[i], run.mountTargets.value(i), place.stage, scratch.path(),
                              spec.mounts.size(), *rootfs);
        if (!mount)
            return std::unexpected(mount.error());
        spec.mounts.append(*mount);
    }
    if (run.isShebangScript()) {
        // The script as a read-only 0755 file of its own, outside the layer.
        auto script = shebangScriptMount(run, scratch.path());
        if (!script)
            return std::unexpected(script.error());
        spec.mounts.append(*script);
    }
    SandboxCallbacks callbacks;
    callbacks.log = [this, &base](const QString &line) {
        BuildEvent e = base;
        e.kind = BuildEventKind::StepLog;
        e.text = line;
        emitEvent(e);
    };
    callbacks.notice = [this, &base](const QString &text) {
        BuildEvent e = base;
        e.kind = BuildEventKind::BuildWarning;
        e.text = text;
        emitEvent(e);
    };
    auto ran = Sandbox::run(*rootfs, spec, m_cancel, callbacks);
    if (!ran) {
        QString message = ran.error().message;
        if (!ran.error().lastLines.isEmpty())
            message += QStringLiteral("\n") + ran.error().lastLines.join(QLatin1Char('\n'));
        // The build's first failed command is handed over before its scratch goes; the
        // other stages stop first, as they would once this one returns.
        if (ran.error().kind == ExecError::Kind::ExitCode && m_request.onFailedStep &&
            !m_failureHandedOver.exchange(true)) {
            m_cancel.cancel();
            const FailedStep failed{base.stage,       base.stageName, base.step,   base.stepCount,
                                    m_dockerfilePath, place.text,     place.range, ran.error().exitCode,
                                    message,          *rootfs,        spec,        config.shell};
            m_request.onFailedStep(failed, m_userCancel);
        }
        rootfs->removeScratch();
        if (ran.error().kind == ExecError::Kind::Cancelled)
            return failCancelled(QStringLiteral("build cancelled"));
        return fail(message);
    }
    auto changes = ChangeSet::capture(*rootfs, m_cancel);
    if (!changes) {
        rootfs->removeScratch();
        return std::unexpected(changes.error());
    }
    QList<LayerSourceEntry> entries;
    for (const ChangeEntry &c : changes->entries()) {
        LayerSourceEntry e;
        e.entry = c.entry;
        e.sourcePath = c.sourcePath;
        // BuildKit's whiteout markers are 0600 files, its opaque markers 0755.
        if (e.entry.type == EntryType::Whiteout && e.entry.mode == 0)
            e.entry.mode = 0600;
        if (e.entry.type == EntryType::OpaqueWhiteout && e.entry.mode == 0)
            e.entry.mode = 0755;
        entries.append(e);
    }
    auto written = writeLayer(entries, place.base.stage);
    // The upper becomes the layer's directory, so the next step need not extract the
    // blob just written; when it cannot, it goes with the scratch.
    if (written && rootfs->mode() == RootfsMode::Overlay)
        m_builder.adoptLayerDirectory(rootfs->upperDir(), *changes, written->diffId);
    rootfs->removeScratch();
    if (!written)
        return std::unexpected(written.error());
    state.layers.append(written->descriptor());
    state.config.diffIds.append(written->diffId);
    return {};
}

// `RUN <<EOF` starting with "#!": its body, written as it is (BuildKit expands nothing
// here), bound read-only at /dev/pipes/<name> for the command line to run.
Expected<SandboxMount> BuildRun::shebangScriptMount(const RunCommand &run, const QString &scratchDir) const
{
    const Heredoc &doc = run.heredocs.first();
    const QString dir = scratchDir + QStringLiteral("/heredoc");
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create %1").arg(dir));
    // The file has a fixed name in this RUN's own new scratch directory; the delimiter, a
    // word of the Dockerfile, only names the mount point.
    const QString name = QStringLiteral("script");
    QFile file(dir + u'/' + name);
    const QByteArray body = doc.body().toUtf8();
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly) || file.write(body) != body.size() ||
        !file.flush() ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                             QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                             QFileDevice::ExeOther))
        return fail(QStringLiteral("cannot write the heredoc %1: %2").arg(doc.name, file.errorString()));
    file.close();
    auto root = RootDirectory::open(dir);
    if (!root)
        return std::unexpected(root.error());
    auto fd = root->open(name, O_PATH, Symlinks::Refuse);
    if (!fd)
        return fail(QStringLiteral("cannot open the heredoc %1").arg(doc.name));
    SandboxMount mount;
    mount.type = SandboxMount::Type::Bind;
    mount.readOnly = true;
    mount.target = run.shebangScriptPath();
    mount.source = dir + u'/' + name;
    mount.sourceFd = std::make_shared<FileDescriptor>(std::move(*fd));
    return mount;
}

// One `--mount` of a RUN at its absolute `target`: a cache directory kept in the store, a
// tmpfs, or a bind of the context or of another stage. `index` numbers the mount's scratch
// space in `scratchDir`.
Expected<SandboxMount> BuildRun::runMount(const RunMount &runMount, const QString &target, int stage,
                                          const QString &scratchDir, qsizetype index, const Rootfs &rootfs)
{
    SandboxMount mount;
    mount.target = target;
    if (mount.target.isEmpty())
        return fail(QStringLiteral("--mount type=%1 needs a target").arg(RunMount::typeName(runMount.type)));
    switch (runMount.type) {
    case MountType::Cache: {
        mount.type = SandboxMount::Type::Cache;
        // A cache from another stage or image is seeded from it in BuildKit; here each id
        // starts empty and is kept in the store.
        mount.source = m_builder.store().cacheDir(QStringLiteral("run-cache")) + QLatin1Char('/') +
                       sha256Hex(runMount.effectiveId());
        // The sandbox creates it, with these, the first time.
        mount.cacheUid = runMount.uid.value_or(0);
        mount.cacheGid = runMount.gid.value_or(0);
        mount.cacheMode = runMount.mode.value_or(0755);
        break;
    }
    case MountType::Tmpfs: mount.type = SandboxMount::Type::Tmpfs; break;
    case MountType::Bind: {
        mount.type = SandboxMount::Type::Bind;
        mount.readOnly = runMount.readOnly;
        // Another root this RUN sees through the bind: its own scratch space, removed with the RUN's.
        const QString bindScratch = scratchDir + QStringLiteral("/bind-%1").arg(index);
        if (!QDir().mkpath(bindScratch))
            return fail(QStringLiteral("cannot create %1").arg(bindScratch));
        const QString &source = runMount.source;
        auto bound = runMount.from.isEmpty()
                         ? bindContextMount(mount, source, bindScratch, rootfs)
                         : bindStageMount(mount, m_plan->stageReference(runMount.from, stage), runMount.from,
                                          source, bindScratch, rootfs);
        if (!bound)
            return std::unexpected(bound.error());
        break;
    }
    case MountType::Secret:
    case MountType::Ssh:
        return fail(QStringLiteral("--mount type=%1 is not supported (bind, cache and tmpfs are)")
                        .arg(RunMount::typeName(runMount.type)));
    }
    return mount;
}

// A bind of `source` in the build context; a writable one binds a throwaway copy.
Expected<void> BuildRun::bindContextMount(SandboxMount &mount, const QString &source,
                                          const QString &bindScratch, const Rootfs &rootfs) const
{
    // The source resolves inside the context: a symlink there never leads out.
    auto context = RootDirectory::open(m_request.contextDir);
    if (!context)
        return std::unexpected(context.error());
    auto canonical = context->canonicalPath(source);
    auto fd = context->open(source, O_PATH, Symlinks::FollowInRoot);
    if (!canonical || !fd)
        return fail(QStringLiteral("--mount source=%1: not found in the build context").arg(source));
    struct stat st = {};
    ::fstat(fd->get(), &st);
    if (mount.readOnly) {
        mount.source = m_request.contextDir + QLatin1Char('/') + *canonical;
        mount.sourceFd = std::make_shared<FileDescriptor>(std::move(*fd));
    } else if (S_ISDIR(st.st_mode)) {
        // Writes land in a copy-on-write layer and are thrown away, as in BuildKit.
        auto view = Rootfs::prepare({m_request.contextDir + QLatin1Char('/') + *canonical}, bindScratch,
                                    rootfs.mode(), m_cancel);
        if (!view)
            return std::unexpected(view.error());
        mount.sourceRoot = std::make_shared<const Rootfs>(std::move(*view));
    } else {
        const QString copy = bindScratch + QStringLiteral("/file");
        if (!QFile::copy(RootDirectory::procPath(fd->get()), copy))
            return fail(QStringLiteral("--mount source=%1: cannot copy it for a writable bind").arg(source));
        auto copied = RootDirectory::open(bindScratch);
        auto copyFd = copied ? copied->open(QStringLiteral("file"), O_PATH, Symlinks::Refuse)
                             : FsExpected<FileDescriptor>(std::unexpected(FsError{}));
        if (!copyFd)
            return fail(QStringLiteral("--mount source=%1: cannot open its copy").arg(source));
        mount.source = copy;
        mount.sourceFd = std::make_shared<FileDescriptor>(std::move(*copyFd));
        mount.readOnly = true; // the copy is private; bwrap binds a descriptor read-only
    }
    return {};
}

// A bind of `source` in the stage `from`, built earlier in this build.
Expected<void> BuildRun::bindStageMount(SandboxMount &mount, int fromStage, const QString &from,
                                        const QString &source, const QString &bindScratch,
                                        const Rootfs &rootfs)
{
    const std::optional<StageState> fromState = stageResult(fromStage);
    if (!fromState)
        return fail(QStringLiteral("--mount from=%1: only stages can be mounted").arg(from));
    auto fromLowers = lowerDirs(*fromState);
    if (!fromLowers)
        return std::unexpected(fromLowers.error());
    // The source resolves inside that stage (symlinks as the stage sees them)
    // and is mounted from the stage's own layers, never from a host path.
    auto view = Rootfs::prepare(*fromLowers, bindScratch, rootfs.mode(), m_cancel);
    if (!view)
        return std::unexpected(view.error());
    const QString canonical = view->canonicalPath(source).mid(1);
    if (!canonical.isEmpty() && !view->lookup(canonical))
        return fail(QStringLiteral("--mount from=%1: %2 not found").arg(from, source));
    mount.sourceRoot = std::make_shared<const Rootfs>(std::move(*view));
    mount.sourcePath = canonical;
    return {};
}

} // namespace stagecraft
