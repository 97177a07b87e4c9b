#include "privatedockerengine.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <csignal>

#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace stagecraft::test {

namespace {

QString dockerdProgram()
{
    return QStandardPaths::findExecutable(
        QStringLiteral("dockerd"),
        {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin"), QStringLiteral("/usr/local/bin")});
}

qint64 readPid(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toLongLong() : 0;
}

} // namespace

QString PrivateDockerEngine::unavailableReason()
{
    if (dockerdProgram().isEmpty())
        return QStringLiteral("no dockerd (Debian: apt-get install docker.io)");
    if (::geteuid() != 0)
        return QStringLiteral("dockerd needs root");
    if (defaultClient().isEmpty())
        return QStringLiteral("no docker client");
    return {};
}

QString PrivateDockerEngine::defaultClient()
{
    const QString chosen = qEnvironmentVariable("STAGECRAFT_DOCKER");
    if (!chosen.isEmpty())
        return chosen;
    if (QFileInfo(QStringLiteral("/usr/bin/docker")).isExecutable())
        return QStringLiteral("/usr/bin/docker");
    return QStandardPaths::findExecutable(QStringLiteral("docker"));
}

PrivateDockerEngine::PrivateDockerEngine(const QString &dockerd, const QString &client, const QString &dir,
                                         const std::function<bool()> &interrupted)
    : m_client(client)
    , m_dir(dir)
{
    QDir().mkpath(dir);
    QDir().mkpath(configDir());
    m_socket = dir + QStringLiteral("/docker.sock");
    m_daemon.setStandardOutputFile(dir + QStringLiteral("/dockerd.log"));
    m_daemon.setStandardErrorFile(dir + QStringLiteral("/dockerd.log"), QIODevice::Append);
    // A test that dies takes its engine with it.
    m_daemon.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    m_daemon.start(dockerd.isEmpty() ? dockerdProgram() : dockerd,
                   {QStringLiteral("--data-root"), dataRoot(), QStringLiteral("--exec-root"),
                    dir + QStringLiteral("/exec"), QStringLiteral("--pidfile"),
                    dir + QStringLiteral("/docker.pid"), QStringLiteral("-H"), host(),
                    QStringLiteral("--iptables=false"), QStringLiteral("--bridge=none")});
    if (!m_daemon.waitForStarted()) {
        m_error = QStringLiteral("dockerd cannot start: ") + m_daemon.errorString();
        return;
    }
    for (int i = 0; i < 300 && !(interrupted && interrupted()); ++i) {
        if (m_daemon.state() == QProcess::NotRunning)
            break;
        QByteArray out;
        if (run({QStringLiteral("version"), QStringLiteral("--format"),
                 QStringLiteral("{{.Server.Version}}")},
                &out, 5000) == 0) {
            m_version = QString::fromUtf8(out.trimmed());
            return;
        }
        QThread::msleep(100);
    }
    m_error = QStringLiteral("dockerd did not answer on %1; its log:\n%2").arg(m_socket, lastLog());
}

PrivateDockerEngine::~PrivateDockerEngine()
{
    if (m_daemon.state() != QProcess::NotRunning) {
        // dockerd stops the containerd it started; its pid is kept to make sure.
        const qint64 containerd = readPid(m_dir + QStringLiteral("/exec/containerd/containerd.pid"));
        m_daemon.terminate();
        if (!m_daemon.waitForFinished(30000)) {
            m_daemon.kill();
            m_daemon.waitForFinished();
        }
        if (containerd > 0 && ::kill(pid_t(containerd), 0) == 0) {
            ::kill(pid_t(containerd), SIGTERM);
            QThread::msleep(2000);
        }
    }
    // Mounts dockerd left behind (overlay2 layers, the exec root's shm) go before their
    // directories; deepest first.
    QStringList mounts;
    QFile mountinfo(QStringLiteral("/proc/self/mountinfo"));
    if (mountinfo.open(QIODevice::ReadOnly))
        for (const QByteArray &line : mountinfo.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(' ');
            if (fields.size() > 4 && fields[4].startsWith(m_dir.toUtf8()))
                mounts.append(QString::fromUtf8(fields[4]));
        }
    std::sort(mounts.begin(), mounts.end(),
              [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &mount : mounts)
        ::umount2(mount.toUtf8().constData(), MNT_DETACH);
    QDir(m_dir).removeRecursively();
}

QProcessEnvironment PrivateDockerEngine::environment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_BUILDKIT"), QStringLiteral("1"));
    env.insert(QStringLiteral("DOCKER_CONFIG"), configDir());
    env.remove(QStringLiteral("DOCKER_HOST"));
    env.remove(QStringLiteral("DOCKER_CONTEXT"));
    return env;
}

int PrivateDockerEngine::run(const QStringList &args, QByteArray *out, int timeoutMs) const
{
    QProcess process;
    process.setProcessEnvironment(environment());
    process.setStandardInputFile(QProcess::nullDevice());
    process.start(m_client, hostArgs() + args);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return -1;
    }
    if (out)
        *out = process.readAllStandardOutput();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QString PrivateDockerEngine::lastLog() const
{
    QFile f(m_dir + QStringLiteral("/dockerd.log"));
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll().right(2000)) : QString();
}

} // namespace stagecraft::test
