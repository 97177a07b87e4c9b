#include "core/builder/containerrun.h"

#include "core/builder/builder.h"
#include "core/exec/rootfs.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

namespace stagecraft {

Expected<VolumeMount> VolumeMount::parse(const QString &text)
{
    const QStringList parts = text.split(u':');
    if (parts.size() < 2 || parts.size() > 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return fail(QStringLiteral("%1: give HOST_PATH:CONTAINER_PATH[:ro]").arg(text));
    VolumeMount volume;
    if (parts.size() == 3) {
        if (parts[2] != u"ro" && parts[2] != u"rw")
            return fail(QStringLiteral("%1: the mode must be ro or rw").arg(text));
        volume.readOnly = parts[2] == u"ro";
    }
    if (!QDir::isAbsolutePath(parts[1]))
        return fail(QStringLiteral("%1: the container path must be absolute").arg(text));
    volume.hostPath = QFileInfo(parts[0]).absoluteFilePath();
    volume.containerPath = parts[1];
    return volume;
}

Expected<RunSpec> ContainerRun::runSpec(const ContainerOptions &options, const ContainerConfig &config,
                                        const QString &imageId)
{
    RunSpec spec;
    // As Docker: --entrypoint replaces ENTRYPOINT and drops the image's CMD with it.
    const QStringList entry =
        options.entrypoint
            ? (options.entrypoint->isEmpty() ? QStringList() : QStringList{*options.entrypoint})
            : config.entrypoint;
    const QStringList cmd =
        !options.command.isEmpty() ? options.command : (options.entrypoint ? QStringList() : config.cmd);
    spec.args = entry + cmd;
    if (spec.args.isEmpty())
        return fail(
            QStringLiteral("the image has no entrypoint or command to run; add CMD or ENTRYPOINT to its "
                           "last stage, or give a command"));
    spec.env = config.env;
    for (const QString &e : options.env) {
        const QString key = e.section(u'=', 0, 0);
        spec.env.removeIf([&](const QString &old) { return old.section(u'=', 0, 0) == key; });
        spec.env.append(e);
    }
    const QString workingDir = options.workingDir.isEmpty() ? config.workingDir : options.workingDir;
    spec.workingDir = workingDir.isEmpty() ? QStringLiteral("/") : workingDir;
    spec.user = options.user.value_or(config.user);
    spec.hostname = options.hostname.isEmpty() ? imageId : options.hostname;
    spec.network = options.network;
    spec.ports = options.ports;
    spec.terminalFd = options.terminalFd;
    spec.inputFd = options.inputFd;
    if (!spec.ports.isEmpty() && spec.network != NetworkMode::Private)
        return fail(QStringLiteral("published ports need the private network (drop --network)"));
    for (const VolumeMount &v : options.volumes) {
        if (v.readOnly) {
            Expected<SandboxMount> bind = SandboxMount::bindHostPath(v.hostPath, v.containerPath);
            if (!bind)
                return fail(bind.error().message);
            spec.mounts.append(*bind);
        } else {
            if (!QFileInfo(v.hostPath).isDir() && QFileInfo::exists(v.hostPath))
                return fail(QStringLiteral("%1: a writable volume must be a directory").arg(v.hostPath));
            spec.mounts.append(SandboxMount::cache(v.hostPath, v.containerPath));
        }
    }
    return spec;
}

Expected<ContainerExit> ContainerRun::run(const ImageStore &store, const ContainerOptions &options,
                                          const CancellationToken &cancel, const SandboxCallbacks &callbacks)
{
    Expected<Image> image = store.image(options.image);
    if (!image)
        return fail(image.error().message);
    Expected<RunSpec> spec = runSpec(options, image->config.config, image->id().shortHex());
    if (!spec)
        return fail(spec.error().message);
    const Builder builder(store);
    QStringList lowers;
    for (const ImageLayer &layer : image->layers) {
        Expected<QString> dir = builder.layerDirectory(layer.descriptor, layer.diffId, cancel);
        if (!dir)
            return fail(dir.error().message);
        lowers.append(*dir);
    }
    if (lowers.isEmpty())
        return fail(QStringLiteral("the image %1 has no layers to run").arg(options.image));
    std::optional<QTemporaryDir> temporary;
    QString scratch = options.scratchDir;
    if (scratch.isEmpty()) {
        temporary.emplace(store.cacheDir(QStringLiteral("tmp")) + QStringLiteral("/container-XXXXXX"));
        scratch = temporary->path();
    }
    if ((temporary && !temporary->isValid()) || !QDir().mkpath(scratch))
        return fail(QStringLiteral("cannot create the scratch directory %1").arg(scratch));
    Expected<Rootfs> rootfs = Rootfs::prepare(lowers, scratch, std::nullopt, cancel);
    if (!rootfs)
        return fail(rootfs.error().message);
    const std::expected<void, ExecError> ran = Sandbox::run(*rootfs, *spec, cancel, callbacks);
    rootfs->removeScratch();
    if (ran)
        return ContainerExit{0};
    switch (ran.error().kind) {
    case ExecError::Kind::ExitCode: return ContainerExit{ran.error().exitCode};
    case ExecError::Kind::Cancelled: return ContainerExit{130};
    case ExecError::Kind::Setup: break;
    }
    return fail(ran.error().message);
}

} // namespace stagecraft
