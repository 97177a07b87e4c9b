#include "core/engine/dockerengine.h"

#include "core/engine/dockerclient.h"
#include "core/engine/ocitarball.h"
#include "core/engine/plainprogressparser.h"
#include "core/plan/buildplan.h"
#include "core/store/imagereference.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

namespace stagecraft {

namespace {

Expected<QString> readDockerfile(const EngineRequest &request, QString *path)
{
    *path = request.build.dockerfile.isEmpty() ? request.build.contextDir + QStringLiteral("/Dockerfile")
                                               : request.build.dockerfile;
    if (!request.dockerfileText.isEmpty())
        return request.dockerfileText;
    QFile f(*path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(*path, f.errorString()));
    if (f.size() > DockerEngine::kMaxDockerfileBytes)
        return fail(
            QStringLiteral("%1 is larger than %2 bytes").arg(*path).arg(DockerEngine::kMaxDockerfileBytes));
    return QString::fromUtf8(f.read(DockerEngine::kMaxDockerfileBytes));
}

QString networkName(RunNetwork network)
{
    switch (network) {
    case RunNetwork::Host: return QStringLiteral("host");
    case RunNetwork::None: return QStringLiteral("none");
    default: return {};
    }
}

} // namespace

EngineAvailability DockerEngine::availability(const DockerEngineOptions &options)
{
    auto client = DockerClient::find(options);
    if (!client) {
        EngineAvailability a;
        a.reason = client.error().message;
        return a;
    }
    return client->probe().availability;
}

Expected<BuildResult> DockerEngine::build(const EngineRequest &request, const BuildEventSink &sink,
                                          const CancellationToken &cancel)
{
    QElapsedTimer clock;
    clock.start();
    auto client = DockerClient::find(m_options);
    if (!client)
        return std::unexpected(client.error());
    const DockerProbe probe = client->probe();
    if (!probe.availability.usable)
        return fail(probe.availability.reason);

    QString dockerfilePath;
    auto text = readDockerfile(request, &dockerfilePath);
    if (!text)
        return std::unexpected(text.error());
    PlanOptions planOptions;
    planOptions.target = request.build.target;
    planOptions.buildArgs = request.build.buildArgs;
    planOptions.platform = request.build.platform;
    const BuildPlan plan = BuildPlan::fromText(*text, planOptions);

    QStringList tags;
    for (const QString &tag : request.build.tags) {
        auto normalised = ImageReference::normalise(tag);
        if (!normalised)
            return std::unexpected(normalised.error());
        tags << *normalised;
    }

    QTemporaryDir scratch(m_store.cacheDir(QStringLiteral("tmp")) + QStringLiteral("/docker-XXXXXX"));
    if (!scratch.isValid())
        return fail(QStringLiteral("cannot create a scratch directory: %1").arg(scratch.errorString()));
    const QString iidFile = scratch.filePath(QStringLiteral("iid"));

    QString ociTar;
    if (probe.buildx && !m_options.builder.isEmpty()) {
        const Expected<QString> driver = builderDriver(*client, m_options.builder);
        if (!driver)
            return std::unexpected(driver.error());
        if (driverKeepsResults(*driver))
            ociTar = scratch.filePath(QStringLiteral("result.oci.tar"));
    }

    QStringList args = client->globalArguments();
    if (probe.buildx) {
        args << QStringLiteral("buildx") << QStringLiteral("build");
        if (ociTar.isEmpty())
            args << QStringLiteral("--load");
        else
            args << QStringLiteral("--output") << QStringLiteral("type=oci,dest=") + ociTar;
        if (!m_options.builder.isEmpty())
            args << QStringLiteral("--builder") << m_options.builder;
    } else {
        args << QStringLiteral("build");
    }
    // The text goes in on stdin: the editor's unsaved buffer builds as shown.
    args << QStringLiteral("--progress=plain") << QStringLiteral("--file") << QStringLiteral("-")
         << QStringLiteral("--iidfile") << iidFile;
    for (const QString &tag : request.build.tags)
        args << QStringLiteral("--tag") << tag;
    if (!request.build.target.isEmpty())
        args << QStringLiteral("--target") << request.build.target;
    for (auto it = request.build.buildArgs.cbegin(); it != request.build.buildArgs.cend(); ++it)
        args << QStringLiteral("--build-arg") << it.key() + QLatin1Char('=') + it.value();
    if (request.build.noCache)
        args << QStringLiteral("--no-cache");
    if (const QString network = networkName(request.build.network); !network.isEmpty())
        args << QStringLiteral("--network") << network;
    if (!request.build.platform.isEmpty() && request.build.platform != PlanOptions().platform)
        args << QStringLiteral("--platform") << request.build.platform;
    args << request.build.contextDir;

    // Events get the build's clock, and a finished stage its duration, as the builder's do.
    QHash<int, qint64> stageStarts;
    const auto stamp = [&](const BuildEvent &event) {
        BuildEvent e = event;
        e.timeMs = clock.elapsed();
        if (e.kind == BuildEventKind::StageStarted)
            stageStarts.insert(e.stage, e.timeMs);
        else if (e.kind == BuildEventKind::StageDone && stageStarts.contains(e.stage))
            e.durationMs = e.timeMs - stageStarts.value(e.stage);
        if (sink)
            sink(e);
    };
    PlainProgressParser parser(plan.sharedDockerfile(), plan.graph(), stamp,
                               QFileInfo(dockerfilePath).fileName());
    parser.begin();

    QProcess process;
    process.setProcessEnvironment(client->environment());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(client->program(), args);
    if (!process.waitForStarted()) {
        parser.finish(PlainProgressParser::Outcome::Failed, process.errorString());
        return fail(QStringLiteral("cannot run %1: %2").arg(client->program(), process.errorString()));
    }
    process.write(text->toUtf8());
    process.closeWriteChannel();

    bool cancelled = false;
    QElapsedTimer stopping;
    while (!process.waitForFinished(50)) {
        parser.feed(process.readAll());
        if (process.state() == QProcess::NotRunning)
            break;
        if (cancel.isCancelled() && !cancelled) {
            // The client cancels the build on SIGINT as on Ctrl-C; if it lingers it is
            // killed, and the daemon ends a build whose client connection is gone.
            cancelled = true;
            stopping.start();
            ::kill(pid_t(process.processId()), SIGINT);
        }
        if (cancelled && stopping.elapsed() > kStopGraceMs) {
            process.kill();
            process.waitForFinished();
            break;
        }
    }
    parser.feed(process.readAll());
    if (cancelled || cancel.isCancelled()) {
        parser.finish(PlainProgressParser::Outcome::Cancelled);
        return failCancelled(QStringLiteral("build cancelled"));
    }
    const bool ok = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (!ok) {
        const QString status =
            process.exitStatus() == QProcess::NormalExit
                ? QStringLiteral("docker build exited with code %1").arg(process.exitCode())
                : QStringLiteral("docker build crashed");
        parser.finish(PlainProgressParser::Outcome::Failed, status);
        QString message = parser.errorMessage();
        if (parser.errorLine() > 0)
            message = QStringLiteral("%1:%2: %3")
                          .arg(QFileInfo(dockerfilePath).fileName())
                          .arg(parser.errorLine())
                          .arg(message);
        return fail(message.isEmpty() ? status : message);
    }
    parser.finish(PlainProgressParser::Outcome::Succeeded);

    QFile iid(iidFile);
    QString imageId;
    if (iid.open(QIODevice::ReadOnly))
        imageId = QString::fromUtf8(iid.read(200)).trimmed();
    auto result = imageId.startsWith(QLatin1String("sha256:"))
                      ? importResult(*client, imageId, tags, scratch.path(), cancel, ociTar)
                      : Expected<BuildResult>(fail(QStringLiteral("docker build wrote no image ID")));
    if (!result) {
        BuildEvent e;
        e.kind = BuildEventKind::BuildFailed;
        e.text = result.error().message;
        e.errorKind = result.error().kind;
        stamp(e);
        return result;
    }
    result->steps = parser.steps();
    result->cachedSteps = parser.cachedSteps();
    result->durationMs = clock.elapsed();
    BuildEvent done;
    done.kind = BuildEventKind::BuildDone;
    done.text = result->imageId.toString();
    done.durationMs = result->durationMs;
    stamp(done);
    return result;
}

Expected<QString> DockerEngine::builderDriver(const DockerClient &client, const QString &builder)
{
    auto inspected = client.run({QStringLiteral("buildx"), QStringLiteral("inspect"), builder}, 30000);
    if (!inspected)
        return std::unexpected(inspected.error());
    if (inspected->exitCode != 0)
        return fail(
            QStringLiteral("docker buildx inspect %1 failed: %2")
                .arg(builder, QString::fromUtf8(inspected->err + inspected->out).trimmed().left(1000)));
    for (const QByteArray &line : inspected->out.left(1024 * 1024).split('\n')) {
        const QByteArray t = line.trimmed();
        if (t.startsWith("Driver:"))
            return QString::fromUtf8(t.mid(7).trimmed()).left(200);
    }
    return fail(QStringLiteral("docker buildx inspect %1 names no driver").arg(builder));
}

bool DockerEngine::driverKeepsResults(const QString &driver)
{
    return driver == QLatin1String("docker-container") || driver == QLatin1String("kubernetes") ||
           driver == QLatin1String("remote");
}

// `docker save` of the built image into a file of the store's scratch space (or the OCI
// tarball the builder wrote, unpacked), imported under the build's tags (or by digest when
// there are none).
Expected<BuildResult> DockerEngine::importResult(const DockerClient &client, const QString &imageId,
                                                 const QStringList &tags, const QString &scratchDir,
                                                 const CancellationToken &cancel, const QString &ociTar)
{
    QString archive = scratchDir + QStringLiteral("/image.tar");
    if (!ociTar.isEmpty()) {
        archive = scratchDir + QStringLiteral("/result.oci");
        if (Expected<void> unpacked = OciTarball::extract(ociTar, archive); !unpacked)
            return std::unexpected(unpacked.error());
    } else {
        auto saved = client.run({QStringLiteral("save"), QStringLiteral("--output"), archive, imageId},
                                3600 * 1000, cancel);
        if (!saved)
            return std::unexpected(saved.error());
        if (saved->exitCode != 0)
            return fail(QStringLiteral("docker save %1 failed: %2")
                            .arg(imageId, QString::fromUtf8(saved->err).trimmed().left(1000)));
    }
    auto names = m_store.import(archive, tags.value(0), cancel);
    if (!names)
        return std::unexpected(names.error());
    const QString reference = names->value(0);
    auto manifest = m_store.resolve(reference);
    if (!manifest)
        return std::unexpected(manifest.error());
    for (const QString &tag : tags.mid(1))
        if (auto tagged = m_store.tag(tag, *manifest); !tagged)
            return std::unexpected(tagged.error());
    auto image = m_store.image(manifest->digest.toString());
    if (!image)
        return std::unexpected(image.error());
    BuildResult result;
    result.manifest = *manifest;
    result.imageId = image->manifest.config.digest;
    result.tags = tags;
    return result;
}

} // namespace stagecraft
