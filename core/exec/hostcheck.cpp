#include "core/exec/hostcheck.h"

#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/exec/usernetwork.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace stagecraft {

namespace {

constexpr qint64 subordinateCount = 65536;

QString userName()
{
    if (const passwd *pw = ::getpwuid(::getuid()))
        return QString::fromLocal8Bit(pw->pw_name);
    return QString::number(::getuid());
}

QByteArray readSmall(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.read(1 << 20) : QByteArray();
}

std::optional<int> sysctlValue(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool ok = false;
    const int value = f.readAll().trimmed().toInt(&ok);
    return ok ? std::optional<int>(value) : std::nullopt;
}

// A child process that only tries to create a user namespace.
bool canCreateUserNamespace()
{
    const pid_t child = ::fork();
    if (child < 0)
        return false;
    if (child == 0)
        ::_exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

HostCheckResult userNamespaces()
{
    HostCheckResult r{QStringLiteral("user namespaces"), false, true, {}, {}};
    r.ok = canCreateUserNamespace();
    if (r.ok) {
        r.detail = QStringLiteral("an ordinary process can create one");
        return r;
    }
    r.detail = QStringLiteral("unshare(CLONE_NEWUSER) is refused");
    if (sysctlValue(QStringLiteral("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")).value_or(0) ==
        1)
        r.fix =
            QStringLiteral("AppArmor restricts them (Ubuntu 23.10+): sudo sysctl "
                           "kernel.apparmor_restrict_unprivileged_userns=0, or give stagecraft an AppArmor "
                           "profile with the `userns,` rule");
    else if (sysctlValue(QStringLiteral("/proc/sys/kernel/unprivileged_userns_clone")).value_or(1) == 0)
        r.fix = QStringLiteral("sudo sysctl kernel.unprivileged_userns_clone=1");
    else if (sysctlValue(QStringLiteral("/proc/sys/user/max_user_namespaces")).value_or(1) == 0)
        r.fix = QStringLiteral("sudo sysctl user.max_user_namespaces=15000");
    else
        r.fix = QStringLiteral("allow unprivileged user namespaces (a container may need --security-opt "
                               "seccomp=unconfined or to be privileged)");
    return r;
}

HostCheckResult subordinateIds()
{
    HostCheckResult r{QStringLiteral("subordinate ids"), false, true, {}, {}};
    if (::geteuid() == 0) {
        r.ok = true;
        r.detail = QStringLiteral("running as root: every id is mapped");
        return r;
    }
    const QString user = userName();
    QStringList missing;
    QStringList found;
    for (const char *file : {"/etc/subuid", "/etc/subgid"}) {
        const auto range = HostCheck::subordinateRange(readSmall(QLatin1String(file)), user, ::getuid());
        if (!range || range->second < subordinateCount)
            missing.append(QLatin1String(file));
        else
            found.append(QStringLiteral("%1 %2-%3")
                             .arg(QLatin1String(file))
                             .arg(range->first)
                             .arg(range->first + range->second - 1));
    }
    r.ok = missing.isEmpty();
    if (r.ok) {
        r.detail = found.join(QStringLiteral(", "));
        return r;
    }
    r.detail = QStringLiteral("no range of %1 ids for %2 in %3; without it a RUN sees one user and "
                              "apt-get fails")
                   .arg(subordinateCount)
                   .arg(user, missing.join(QStringLiteral(" and ")));
    r.fix =
        QStringLiteral("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %1").arg(user);
    return r;
}

bool privilegedHelper(const QString &path)
{
    struct stat st = {};
    const QByteArray p = QFile::encodeName(path);
    if (::stat(p.constData(), &st) != 0)
        return false;
    if ((st.st_mode & S_ISUID) && st.st_uid == 0)
        return true;
    return ::getxattr(p.constData(), "security.capability", nullptr, 0) > 0;
}

HostCheckResult idMappers()
{
    HostCheckResult r{QStringLiteral("newuidmap/newgidmap"), false, true, {}, {}};
    QStringList problems;
    QStringList found;
    for (const char *name : {"newuidmap", "newgidmap"}) {
        const QString path = QStandardPaths::findExecutable(QLatin1String(name));
        if (path.isEmpty())
            problems.append(QStringLiteral("%1 is not installed").arg(QLatin1String(name)));
        else if (!privilegedHelper(path))
            problems.append(QStringLiteral("%1 is neither setuid root nor has file capabilities").arg(path));
        else
            found.append(path);
    }
    r.ok = problems.isEmpty();
    if (::geteuid() == 0 && !r.ok) {
        r.required = false; // root writes its own id maps
        r.detail = problems.join(QStringLiteral("; ")) + QStringLiteral(" (root does not need them)");
        r.fix = QStringLiteral("sudo apt-get install uidmap");
        return r;
    }
    r.detail = r.ok ? found.join(QStringLiteral(", ")) : problems.join(QStringLiteral("; "));
    if (!r.ok)
        r.fix = QStringLiteral("sudo apt-get install uidmap (or: sudo chmod u+s /usr/bin/newuidmap "
                               "/usr/bin/newgidmap)");
    return r;
}

HostCheckResult bubblewrap()
{
    HostCheckResult r{QStringLiteral("bubblewrap"), false, true, {}, {}};
    QString reason;
    r.ok = Sandbox::isAvailable(&reason);
    const QString path = QStandardPaths::findExecutable(QStringLiteral("bwrap"));
    r.detail = r.ok ? path : reason;
    if (!r.ok)
        r.fix = path.isEmpty() ? QStringLiteral("sudo apt-get install bubblewrap")
                               : QStringLiteral("see the user namespaces check");
    return r;
}

HostCheckResult overlay()
{
    HostCheckResult r{QStringLiteral("overlayfs in a user namespace"), false, false, {}, {}};
    QString reason;
    r.ok = Rootfs::overlaySupported(&reason);
    r.detail = r.ok ? QStringLiteral("RUN steps use overlay mounts")
                    : reason + QStringLiteral("; RUN steps copy the root filesystem instead (slower)");
    if (!r.ok)
        r.fix = QStringLiteral("a kernel 5.11 or newer allows overlayfs in user namespaces");
    return r;
}

HostCheckResult privateNetwork()
{
    HostCheckResult r{QStringLiteral("private network (slirp4netns)"), false, true, {}, {}};
    QString reason;
    r.ok = UserNetwork::isAvailable(&reason);
    const QString pasta = QStandardPaths::findExecutable(QStringLiteral("pasta"));
    if (r.ok) {
        r.detail = UserNetwork::slirpPath() + QStringLiteral(" and /dev/net/tun");
        return r;
    }
    r.detail =
        reason + QStringLiteral("; RUN falls back to the host's network and run -p cannot publish ports");
    if (!pasta.isEmpty())
        r.detail += QStringLiteral(" (pasta is installed, but stagecraft uses slirp4netns)");
    if (UserNetwork::slirpPath().isEmpty())
        r.fix = QStringLiteral("sudo apt-get install slirp4netns");
    else if (!QFileInfo::exists(QStringLiteral("/dev/net/tun")))
        r.fix = QStringLiteral("sudo modprobe tun");
    else
        r.fix = QStringLiteral("sudo chmod 0666 /dev/net/tun (its usual mode)");
    return r;
}

HostCheckResult storePermissions(const QString &storeRoot)
{
    HostCheckResult r{QStringLiteral("store permissions"), false, true, {}, {}};
    struct stat st = {};
    const QByteArray path = QFile::encodeName(storeRoot);
    if (::stat(path.constData(), &st) != 0) {
        r.ok = true;
        r.detail = QStringLiteral("%1 does not exist yet; it will be made with mode 0700").arg(storeRoot);
        return r;
    }
    const mode_t mode = st.st_mode & 07777;
    if (st.st_uid != ::geteuid()) {
        r.detail = QStringLiteral("%1 belongs to uid %2, not to you").arg(storeRoot).arg(st.st_uid);
        r.fix = QStringLiteral("sudo chown -R %1 %2").arg(userName(), storeRoot);
        return r;
    }
    r.ok = mode == 0700;
    r.detail =
        QStringLiteral("%1 has mode %2").arg(storeRoot, QString::number(mode, 8).rightJustified(4, u'0'));
    if (!r.ok)
        r.fix =
            QStringLiteral("chmod 0700 %1 (other users must not read or change the store)").arg(storeRoot);
    return r;
}

std::optional<HostCheckResult> dockerEngine()
{
    const QString docker = QStandardPaths::findExecutable(QStringLiteral("docker"));
    if (docker.isEmpty() && qEnvironmentVariableIsEmpty("DOCKER_HOST"))
        return std::nullopt;
    HostCheckResult r{QStringLiteral("Docker engine (optional)"), false, false, {}, {}};
    if (docker.isEmpty()) {
        r.detail = QStringLiteral("DOCKER_HOST is set but the docker client is not installed");
        r.fix = QStringLiteral("sudo apt-get install docker.io");
        return r;
    }
    QProcess p;
    p.start(docker,
            {QStringLiteral("version"), QStringLiteral("--format"), QStringLiteral("{{.Server.Version}}")});
    const bool finished = p.waitForFinished(10000);
    if (!finished)
        p.kill();
    p.waitForFinished(1000);
    r.ok = finished && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (r.ok) {
        r.detail = QStringLiteral("server %1").arg(QString::fromUtf8(p.readAllStandardOutput().trimmed()));
        return r;
    }
    const QString err = QString::fromUtf8(p.readAllStandardError().trimmed()).section(u'\n', 0, 0);
    r.detail = finished ? QStringLiteral("docker version failed: %1").arg(err)
                        : QStringLiteral("docker version did not answer within 10 seconds");
    r.fix = QStringLiteral("start the engine (sudo systemctl start docker) or set DOCKER_HOST; only "
                           "the Docker engine option needs it");
    return r;
}

} // namespace

std::optional<std::pair<qint64, qint64>> HostCheck::subordinateRange(const QByteArray &text,
                                                                     const QString &user, qint64 uid)
{
    std::optional<std::pair<qint64, qint64>> best;
    for (const QByteArray &line : text.split('\n')) {
        const QList<QByteArray> fields = line.trimmed().split(':');
        if (fields.size() != 3)
            continue;
        const QString owner = QString::fromUtf8(fields[0]);
        if (owner != user && owner != QString::number(uid))
            continue;
        bool startOk = false;
        bool countOk = false;
        const qint64 start = fields[1].toLongLong(&startOk);
        const qint64 count = fields[2].toLongLong(&countOk);
        if (!startOk || !countOk || start < 0 || count <= 0)
            continue;
        if (!best || count > best->second)
            best = std::make_pair(start, count);
    }
    return best;
}

QList<HostCheckResult> HostCheck::run(const QString &storeRoot)
{
    QList<HostCheckResult> results{
        userNamespaces(), subordinateIds(),           idMappers(), bubblewrap(), overlay(),
        privateNetwork(), storePermissions(storeRoot)};
    if (std::optional<HostCheckResult> docker = dockerEngine())
        results.append(*docker);
    return results;
}

} // namespace stagecraft
