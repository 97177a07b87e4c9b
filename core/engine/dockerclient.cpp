#include "core/engine/dockerclient.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

namespace stagecraft {

namespace {

int majorVersion(const QString &version)
{
    return version.section(QLatin1Char('.'), 0, 0).toInt();
}

QString firstLine(const QByteArray &text)
{
    const QString line = QString::fromUtf8(text).trimmed().section(QLatin1Char('\n'), 0, 0);
    return line.left(500);
}

} // namespace

Expected<DockerClient> DockerClient::find(const DockerEngineOptions &options)
{
    QString program = options.client;
    if (program.isEmpty())
        program = qEnvironmentVariable("STAGECRAFT_DOCKER");
    if (program.isEmpty()) {
        program = QStandardPaths::findExecutable(QStringLiteral("docker"));
        if (program.isEmpty())
            return fail(QStringLiteral("no docker client on PATH: install Docker's command line (Debian: "
                                       "apt-get install docker.io) or name one with STAGECRAFT_DOCKER"));
    } else if (!program.contains(QLatin1Char('/'))) {
        const QString found = QStandardPaths::findExecutable(program);
        if (found.isEmpty())
            return fail(QStringLiteral("no docker client \"%1\" on PATH").arg(program));
        program = found;
    } else if (!QFileInfo(program).isExecutable()) {
        return fail(QStringLiteral("the docker client %1 is not an executable file").arg(program));
    }
    return DockerClient(program, options);
}

QStringList DockerClient::globalArguments() const
{
    QStringList args;
    if (!m_options.host.isEmpty())
        args << QStringLiteral("--host") << m_options.host;
    else if (!m_options.context.isEmpty())
        args << QStringLiteral("--context") << m_options.context;
    return args;
}

QProcessEnvironment DockerClient::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_BUILDKIT"), QStringLiteral("1"));
    if (!m_options.config.isEmpty())
        env.insert(QStringLiteral("DOCKER_CONFIG"), m_options.config);
    return env;
}

QString DockerClient::daemonName() const
{
    if (!m_options.host.isEmpty())
        return m_options.host;
    if (!m_options.context.isEmpty())
        return QStringLiteral("the docker context \"%1\"").arg(m_options.context);
    const QString host = qEnvironmentVariable("DOCKER_HOST");
    if (!host.isEmpty())
        return host + QStringLiteral(" (DOCKER_HOST)");
    const QString context = qEnvironmentVariable("DOCKER_CONTEXT");
    if (!context.isEmpty())
        return QStringLiteral("the docker context \"%1\" (DOCKER_CONTEXT)").arg(context);
    return QStringLiteral("the current docker context (by default unix:///var/run/docker.sock)");
}

Expected<DockerClient::Output> DockerClient::run(const QStringList &args, int timeoutMs,
                                                 const CancellationToken &cancel) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(m_program, globalArguments() + args);
    if (!process.waitForStarted())
        return fail(QStringLiteral("cannot run %1: %2").arg(m_program, process.errorString()));
    Output output;
    QElapsedTimer timer;
    timer.start();
    const auto collect = [&] {
        output.out += process.readAllStandardOutput().left(kMaxOutputBytes - output.out.size());
        output.err += process.readAllStandardError().left(kMaxOutputBytes - output.err.size());
    };
    while (!process.waitForFinished(50)) {
        collect();
        if (cancel.isCancelled() || timer.elapsed() > timeoutMs) {
            process.kill();
            process.waitForFinished();
            if (cancel.isCancelled())
                return failCancelled();
            return fail(QStringLiteral("`docker %1` did not finish within %2 s")
                            .arg(args.value(0))
                            .arg(timeoutMs / 1000));
        }
    }
    collect();
    output.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return output;
}

DockerProbe DockerClient::probe() const
{
    DockerProbe probe;
    EngineAvailability &a = probe.availability;
    // The template prints the client's part even when the daemon does not answer.
    auto version = run({QStringLiteral("version"), QStringLiteral("--format"),
                        QStringLiteral("{{.Client.Version}}|{{.Server.Version}}")},
                       20000);
    if (!version) {
        a.reason = version.error().message;
        return probe;
    }
    const QString printed = QString::fromUtf8(version->out).trimmed();
    probe.clientVersion = printed.section(QLatin1Char('|'), 0, 0).left(100);
    probe.serverVersion = printed.section(QLatin1Char('|'), 1).left(100);
    auto buildx = run({QStringLiteral("buildx"), QStringLiteral("version")}, 20000);
    probe.buildx = buildx && buildx->exitCode == 0;

    if (probe.clientVersion.isEmpty()) {
        a.reason = QStringLiteral("%1 is no docker client it seems (`docker version` says: %2)")
                       .arg(m_program, firstLine(version->err + version->out));
        return probe;
    }
    if (!m_options.builder.isEmpty() && !probe.buildx) {
        a.reason =
            QStringLiteral("--builder needs the buildx plugin, which the docker client %1 (%2) does not "
                           "have: install it (Debian: apt-get install docker-buildx)")
                .arg(probe.clientVersion, m_program);
        return probe;
    }
    // Docker 23 and later hand `docker build` with BuildKit to buildx and refuse without it.
    if (!probe.buildx && majorVersion(probe.clientVersion) >= 23) {
        a.reason = QStringLiteral("the docker client %1 (%2) builds with BuildKit only through the buildx "
                                  "plugin, which is not installed: install it (Debian: apt-get install "
                                  "docker-buildx), or name a client that builds with BuildKit itself "
                                  "(Docker 20.10's, e.g. /usr/bin/docker) with STAGECRAFT_DOCKER")
                       .arg(probe.clientVersion, m_program);
        return probe;
    }
    if (version->exitCode != 0 || probe.serverVersion.isEmpty()) {
        const QString said = firstLine(version->err);
        QString remedy;
        if (said.contains(QLatin1String("permission denied"), Qt::CaseInsensitive))
            remedy = QStringLiteral("add your user to the docker group (sudo usermod -aG docker $USER, then "
                                    "log in again) or use rootless Docker");
        else
            remedy = QStringLiteral("start it (sudo systemctl start docker), or point --docker-host, "
                                    "DOCKER_HOST or `docker context use` at a running engine");
        // The client names the socket it tried ("Cannot connect to the Docker daemon at
        // unix:///var/run/docker.sock."), which beats guessing from the context.
        static const QRegularExpression tried(QStringLiteral("daemon at (\\S+?)\\.?(?:\\s|$)"));
        const QRegularExpressionMatch m = tried.match(said);
        a.reason = QStringLiteral("the Docker daemon at %1 does not answer (%2): %3")
                       .arg(m.hasMatch() ? m.captured(1) : daemonName(),
                            said.isEmpty() ? QStringLiteral("no reply") : said, remedy);
        return probe;
    }
    if (!m_options.builder.isEmpty()) {
        auto builder = run({QStringLiteral("buildx"), QStringLiteral("inspect"), m_options.builder}, 60000);
        if (!builder || builder->exitCode != 0) {
            a.reason =
                QStringLiteral("the buildx builder \"%1\" is not usable (%2): `docker buildx ls` lists "
                               "the builders, `docker buildx create` makes one")
                    .arg(m_options.builder, builder ? firstLine(builder->err) : builder.error().message);
            return probe;
        }
    }
    a.usable = true;
    a.summary = QStringLiteral("Docker %1 at %2 (client %3%4)")
                    .arg(probe.serverVersion, daemonName(), probe.clientVersion,
                         m_options.builder.isEmpty() ? QString()
                                                     : QStringLiteral(", builder %1").arg(m_options.builder));
    return probe;
}

} // namespace stagecraft
