#include "core/exec/sandbox.h"

#include "core/exec/cachedirectory.h"
#include "core/exec/containeruser.h"
#include "core/exec/idmap.h"
#include "core/exec/namespacechild.h"
#include "core/exec/sandboxoutput.h"
#include "core/exec/seccompfilter.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace stagecraft {

namespace {

const QString defaultPath = QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

QString bwrapPath()
{
    const QString configured = qEnvironmentVariable("STAGECRAFT_BWRAP");
    if (!configured.isEmpty())
        return configured;
    return QStandardPaths::findExecutable(QStringLiteral("bwrap"));
}

QString relativeInside(const QString &absolute)
{
    return QDir::cleanPath(QStringLiteral("/") + absolute).mid(1);
}

// The mount points the sandbox creates when the image lacks them and removes again.
// /dev, /proc and /sys are not among them: BuildKit's first RUN leaves those
// directories in its layer, and so do we.
// Whether a bind mount's source is a directory (else its mount point is a file).
bool bindsDirectory(const SandboxMount &m)
{
    struct stat st = {};
    if (m.sourceFd && m.sourceFd->isValid())
        return ::fstat(m.sourceFd->get(), &st) == 0 && S_ISDIR(st.st_mode);
    if (m.sourceRoot) {
        if (m.sourcePath.isEmpty())
            return true;
        const std::optional<QString> entry = m.sourceRoot->lookup(m.sourcePath);
        return entry && ::lstat(QFile::encodeName(*entry).constData(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    return true;
}

QStringList mountStubs(const Rootfs &rootfs, const RunSpec &spec)
{
    QStringList candidates{QStringLiteral("etc"), QStringLiteral("etc/resolv.conf"),
                           QStringLiteral("etc/hosts")};
    for (const SandboxMount &m : spec.mounts) {
        const QStringList parts = relativeInside(m.target).split(u'/', Qt::SkipEmptyParts);
        for (qsizetype i = 1; i <= parts.size(); ++i)
            candidates.append(parts.mid(0, i).join(u'/'));
    }
    QStringList stubs;
    for (const QString &c : std::as_const(candidates))
        if (!stubs.contains(c) && !rootfs.lookup(c))
            stubs.append(c);
    // Deepest first, so that directories are empty when their turn comes.
    std::sort(stubs.begin(), stubs.end(), [](const QString &a, const QString &b) {
        return a.count(u'/') != b.count(u'/') ? a.count(u'/') > b.count(u'/') : a > b;
    });
    return stubs;
}

void removeStubs(const Rootfs &rootfs, const QStringList &stubs)
{
    const QString base = rootfs.mode() == RootfsMode::Overlay ? rootfs.upperDir() : rootfs.rootDir();
    for (const QString &stub : stubs) {
        const QByteArray path = QFile::encodeName(base + u'/' + stub);
        struct stat st = {};
        if (::lstat(path.constData(), &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            ::rmdir(path.constData()); // fails, as it should, when the RUN put files there
        else if (S_ISREG(st.st_mode) && st.st_size == 0)
            ::unlink(path.constData());
    }
}

ExecError setupError(const QString &message, const QStringList &lastLines = {})
{
    ExecError e;
    e.kind = ExecError::Kind::Setup;
    e.message = message;
    e.lastLines = lastLines;
    return e;
}

// Docker's default capability set (moby's oci/caps/defaults.go).
constexpr const char *defaultCapabilities[] = {
    "CAP_CHOWN",      "CAP_DAC_OVERRIDE", "CAP_FOWNER",      "CAP_FSETID",           "CAP_KILL",
    "CAP_SETGID",     "CAP_SETUID",       "CAP_SETPCAP",     "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
    "CAP_SYS_CHROOT", "CAP_MKNOD",        "CAP_AUDIT_WRITE", "CAP_SETFCAP"};

// Docker's read-only and masked /proc paths, those this kernel has: the sandbox's own
// /proc still shows the host's kernel settings and a few kernel internals.
QStringList procMasks()
{
    QStringList args;
    for (const char *path : {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"})
        if (QFileInfo::exists(QLatin1String(path)))
            args << QStringLiteral("--ro-bind") << QLatin1String(path) << QLatin1String(path);
    for (const char *path : {"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                             "/proc/timer_stats", "/proc/sched_debug"})
        if (QFileInfo(QLatin1String(path)).isFile())
            args << QStringLiteral("--ro-bind") << QStringLiteral("/dev/null") << QLatin1String(path);
    for (const char *path : {"/proc/acpi", "/proc/asound", "/proc/scsi"})
        if (QFileInfo(QLatin1String(path)).isDir())
            args << QStringLiteral("--tmpfs") << QLatin1String(path) << QStringLiteral("--remount-ro")
                 << QLatin1String(path);
    return args;
}

QString readProcValue(const char *path)
{
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(f.readAll()).trimmed();
}

// Whether this process may make a user namespace at all (a forked child tries).
bool canUnshareUser(QString *error)
{
    const pid_t pid = ::fork();
    if (pid < 0)
        return false;
    if (pid == 0)
        _exit(::unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (error && WIFEXITED(status))
        *error = QString::fromLocal8Bit(strerror(WEXITSTATUS(status)));
    return false;
}

SandboxCheck userNamespaceCheck()
{
    SandboxCheck c;
    c.name = QStringLiteral("user namespaces");
    QString error;
    c.ok = canUnshareUser(&error);
    if (c.ok) {
        c.detail = QStringLiteral("allowed");
        return c;
    }
    c.detail = QStringLiteral("forbidden (%1)").arg(error);
    if (readProcValue("/proc/sys/kernel/unprivileged_userns_clone") == u"0") {
        c.detail += QStringLiteral(": kernel.unprivileged_userns_clone=0");
        c.fix = QStringLiteral("sudo sysctl -w kernel.unprivileged_userns_clone=1 (and set it in "
                               "/etc/sysctl.d/ to keep it)");
    } else if (readProcValue("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == u"1") {
        c.detail += QStringLiteral(": AppArmor restricts unprivileged user namespaces "
                                   "(kernel.apparmor_restrict_unprivileged_userns=1)");
        c.fix = QStringLiteral("sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an "
                               "AppArmor profile for stagecraft with `userns,` (as Ubuntu ships for "
                               "podman and buildah)");
    } else if (readProcValue("/proc/sys/user/max_user_namespaces") == u"0") {
        c.detail += QStringLiteral(": user.max_user_namespaces=0");
        c.fix = QStringLiteral("sudo sysctl -w user.max_user_namespaces=15000");
    } else {
        c.fix = QStringLiteral("allow unprivileged user namespaces for this user (a container or "
                               "security policy forbids them)");
    }
    return c;
}

} // namespace

QList<SandboxCheck> Sandbox::diagnose()
{
    QList<SandboxCheck> checks;
    checks.append(userNamespaceCheck());

    SandboxCheck ids;
    ids.name = QStringLiteral("subordinate ids");
    const Expected<IdMap> &map = IdMap::current();
    ids.ok = map.has_value();
    if (map) {
        const QString kind = map->kind() == IdMap::Kind::Shifted ? QStringLiteral("root's shifted range")
                             : map->kind() == IdMap::Kind::Subordinate
                                 ? QStringLiteral("this user's subordinate range")
                                 : QStringLiteral("one id only (STAGECRAFT_SINGLE_ID=1): package "
                                                  "managers in RUN will fail");
        ids.detail = kind + QStringLiteral(": ") + map->describe();
    } else {
        ids.detail = map.error().message;
        ids.fix = QStringLiteral("sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %1")
                      .arg(qEnvironmentVariable("USER", QStringLiteral("$USER")));
    }
    checks.append(ids);

    for (const char *program : {"newuidmap", "newgidmap"}) {
        SandboxCheck c;
        c.name = QLatin1String(program);
        const QString path = QStandardPaths::findExecutable(QLatin1String(program));
        struct stat st = {};
        const bool found = !path.isEmpty() && ::stat(QFile::encodeName(path).constData(), &st) == 0;
        // Setuid root (Debian) or a file capability (Fedora's cap_setuid/cap_setgid).
        const bool privileged =
            found && (((st.st_mode & S_ISUID) && st.st_uid == 0) ||
                      ::getxattr(QFile::encodeName(path).constData(), "security.capability", nullptr, 0) > 0);
        if (::geteuid() == 0) {
            c.ok = true;
            c.detail = found ? path + QStringLiteral(" (root writes its maps itself)")
                             : QStringLiteral("not needed as root");
        } else {
            c.ok = found && privileged;
            c.detail = !found ? QStringLiteral("not installed")
                       : privileged
                           ? path
                           : path + QStringLiteral(" is neither setuid root nor has file capabilities");
            if (!c.ok)
                c.fix = QStringLiteral("sudo apt-get install --reinstall uidmap");
        }
        checks.append(c);
    }

    SandboxCheck bw;
    bw.name = QStringLiteral("bwrap");
    const QString bwrap = bwrapPath();
    bw.ok = !bwrap.isEmpty();
    bw.detail = bw.ok ? bwrap : QStringLiteral("not installed");
    if (!bw.ok)
        bw.fix = QStringLiteral("sudo apt-get install bubblewrap");
    checks.append(bw);

    SandboxCheck overlay;
    overlay.name = QStringLiteral("overlayfs in a user namespace");
    QString reason;
    overlay.ok = checks.first().ok && ids.ok && Rootfs::overlaySupported(&reason);
    overlay.detail = overlay.ok
                         ? QStringLiteral("works (a RUN costs milliseconds)")
                         : QStringLiteral("unavailable (%1): each RUN copies the stage instead")
                               .arg(reason.isEmpty() ? QStringLiteral("see the checks above") : reason);
    if (!overlay.ok)
        overlay.fix = QStringLiteral("a kernel of 5.11 or later with overlayfs; the scratch directory "
                                     "on ext4, xfs or btrfs");
    checks.append(overlay);

    SandboxCheck seccomp;
    seccomp.name = QStringLiteral("seccomp");
    const bool kernelHasSeccomp = !readProcValue("/proc/self/status").isEmpty() &&
                                  QFile::exists(QStringLiteral("/proc/sys/kernel/seccomp/actions_avail"));
    Expected<FileDescriptor> program = SeccompFilter::program();
    seccomp.ok = kernelHasSeccomp && program.has_value();
    seccomp.detail =
        seccomp.ok ? QStringLiteral("filter of %1 refused calls").arg(SeccompFilter::refusedCalls().size())
        : !program ? program.error().message
                   : QStringLiteral("the kernel has no seccomp filter support");
    if (!seccomp.ok)
        seccomp.fix = QStringLiteral("a kernel built with CONFIG_SECCOMP_FILTER");
    checks.append(seccomp);
    return checks;
}

bool Sandbox::isAvailable(QString *reason)
{
    if (bwrapPath().isEmpty()) {
        if (reason)
            *reason = QStringLiteral("bubblewrap (bwrap) is not installed");
        return false;
    }
    NamespaceChild::Options options; // empty argv: only enter the namespaces
    Expected<NamespaceChild> child = NamespaceChild::start(options);
    if (!child) {
        if (reason)
            *reason = child.error().message;
        return false;
    }
    QByteArray output;
    char buffer[512];
    ssize_t n;
    while ((n = ::read(child->outputFd(), buffer, sizeof(buffer))) > 0)
        output.append(buffer, n);
    const int status = child->wait();
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && reason)
        *reason =
            QStringLiteral("user namespaces are not available: ") + QString::fromLocal8Bit(output).trimmed();
    return ok;
}

SandboxMount SandboxMount::cache(const QString &hostDirectory, const QString &target)
{
    SandboxMount m;
    m.type = Type::Cache;
    m.source = hostDirectory;
    m.target = target;
    m.readOnly = false;
    return m;
}

SandboxMount SandboxMount::tmpfs(const QString &target)
{
    SandboxMount m;
    m.type = Type::Tmpfs;
    m.target = target;
    m.readOnly = false;
    return m;
}

Expected<SandboxMount> SandboxMount::bindHostPath(const QString &hostPath, const QString &target)
{
    FileDescriptor fd(::open(QFile::encodeName(hostPath).constData(), O_PATH | O_CLOEXEC));
    if (!fd.isValid())
        return fail(
            QStringLiteral("cannot open %1: %2").arg(hostPath, QString::fromLocal8Bit(strerror(errno))));
    SandboxMount m;
    m.type = Type::Bind;
    m.source = hostPath;
    m.target = target;
    m.sourceFd = std::make_shared<FileDescriptor>(std::move(fd));
    return m;
}

std::expected<void, ExecError> Sandbox::run(const Rootfs &rootfs, const RunSpec &requested,
                                            const CancellationToken &cancel,
                                            const SandboxCallbacks &callbacks)
{
    // Mount targets resolve inside the stage, as runc resolves them: a symlink at a
    // target leads to its place in the stage, never to a path on the host.
    RunSpec spec = requested;
    // [network] Without slirp4netns or /dev/net/tun the default falls back to the host's
    // network (as before there was a private one); `stagecraft doctor` tells the fix.
    if (QString why; spec.network == NetworkMode::Private && !UserNetwork::isAvailable(&why)) {
        if (!spec.ports.isEmpty())
            return std::unexpected(setupError(QStringLiteral("cannot publish ports: %1").arg(why)));
        spec.network = NetworkMode::Host;
        if (callbacks.notice)
            callbacks.notice(QStringLiteral("no private network (%1): using the host's network").arg(why));
    } // [/network]
    for (SandboxMount &m : spec.mounts)
        m.target = rootfs.canonicalPath(m.target);
    if (spec.args.isEmpty())
        return std::unexpected(setupError(QStringLiteral("nothing to run: the command is empty")));
    const QString bwrap = bwrapPath();
    if (bwrap.isEmpty())
        return std::unexpected(setupError(
            QStringLiteral("bubblewrap (bwrap) is not installed; install the bubblewrap package")));

    Expected<ContainerUser> identity = ContainerUser::resolve(rootfs, spec.user);
    if (!identity)
        return std::unexpected(setupError(identity.error().message));

    const QString hostname = spec.hostname.isEmpty() ? QStringLiteral("buildkitsandbox") : spec.hostname;
    QTemporaryDir runDir;
    if (!runDir.isValid())
        return std::unexpected(setupError(QStringLiteral("cannot create a temporary directory")));
    const QString hostsPath = runDir.filePath(QStringLiteral("hosts"));
    {
        QFile hosts(hostsPath);
        if (!hosts.open(QIODevice::WriteOnly))
            return std::unexpected(setupError(QStringLiteral("cannot write %1").arg(hostsPath)));
        hosts.write("127.0.0.1\tlocalhost " + hostname.toUtf8() +
                    "\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    }

    // Relative working directories are resolved by the builder; here they are from "/".
    const QString workingDir = QDir::cleanPath(QStringLiteral("/") + spec.workingDir);
    const QStringList stubs = mountStubs(rootfs, spec);

    // With a full id map (root's shifted range, or an ordinary user's subordinate ids)
    // the RUN user is a real setuid in our namespace before bwrap starts: files get that
    // user's ids and permissions work as in Docker. bwrap then runs without our host ids
    // and cannot walk the store's private directories, so it gets every host path staged
    // (NamespaceChild's expose) and finds its mount points made in advance. With one id
    // (STAGECRAFT_SINGLE_ID=1) bwrap's own nested --uid/--gid namespace stands in.
    const Expected<IdMap> &idMap = IdMap::current();
    if (!idMap)
        return std::unexpected(setupError(idMap.error().message));
    const bool switchUser = idMap->kind() != IdMap::Kind::SingleId;
    // bwrap makes a nested user namespace for a RUN user other than root (it always does
    // when it does not start as root); --disable-userns then forbids further ones. Where it
    // makes none, our namespace's own limit does.
    const bool nested = identity->uid != 0 || (!switchUser && identity->gid != 0);
    QStringList args{bwrap};
    NamespaceChild::Options options;
    options.denyUserNamespaces = !nested;
    if (switchUser) {
        options.exposeBase = NamespaceChild::Options::defaultExposeBase();
        if (options.exposeBase.isEmpty())
            return std::unexpected(
                setupError(QStringLiteral("no directory (/mnt, /media, /srv, /opt) to stage "
                                          "the sandbox's mounts for another user")));
    }
    // Where bwrap finds a host path: as is, or staged for a program running as another user.
    const auto reachable = [&](const QString &source) -> QString {
        if (!switchUser)
            return source;
        const QString name = QStringLiteral("m%1").arg(options.expose.size());
        options.expose.append({source, name});
        return options.exposeBase + u'/' + name;
    };
    // Where an overlay is mounted: its own mount point, or straight into the staging area.
    int overlayCount = 0;
    const auto overlayPoint = [&](const Rootfs &r) -> QString {
        if (!switchUser)
            return r.rootDir();
        return options.exposeBase + QStringLiteral("/o%1").arg(overlayCount++);
    };
    const QString rootPath =
        rootfs.mode() == RootfsMode::Overlay ? overlayPoint(rootfs) : reachable(rootfs.rootDir());
    if (rootfs.mode() == RootfsMode::Overlay) {
        QStringList lowers = rootfs.lowerDirs();
        std::reverse(lowers.begin(), lowers.end());
        options.overlay = NamespaceChild::Overlay{lowers, rootfs.upperDir(), rootfs.workDir(), rootPath};
    }
    args << QStringLiteral("--bind") << rootPath << QStringLiteral("/");
    if (switchUser) {
        // Mount points (parents first) and the working directory, made as root.
        options.createBase = rootPath;
        for (const char *dir : {"dev", "proc", "sys"})
            options.createDirs.append(QLatin1String(dir));
        QStringList fileStubs{QStringLiteral("etc/resolv.conf"), QStringLiteral("etc/hosts")};
        for (const SandboxMount &m : spec.mounts)
            if (m.type == SandboxMount::Type::Bind && !bindsDirectory(m))
                fileStubs.append(relativeInside(m.target));
        for (auto it = stubs.crbegin(); it != stubs.crend(); ++it)
            (fileStubs.contains(*it) ? options.createFiles : options.createDirs).append(*it);
        const QStringList parts = relativeInside(workingDir).split(u'/', Qt::SkipEmptyParts);
        for (qsizetype i = 1; i <= parts.size(); ++i)
            options.createDirs.append(parts.mid(0, i).join(u'/'));
    } else {
        args << QStringLiteral("--dir") << QStringLiteral("/sys");
        if (workingDir != u"/")
            args << QStringLiteral("--dir") << workingDir;
    }
    args << QStringLiteral("--proc") << QStringLiteral("/proc") << QStringLiteral("--dev")
         << QStringLiteral("/dev");
    args += procMasks();
    // Docker's resolv.conf and hosts are bind mounts, never part of the layer.
    if (spec.network == NetworkMode::Private) { // [network] its own: UserNetwork::resolvConf
        const QString resolvPath = runDir.filePath(QStringLiteral("resolv.conf"));
        QFile resolv(resolvPath);
        QFile host(QStringLiteral("/etc/resolv.conf"));
        const QByteArray text =
            UserNetwork::resolvConf(host.open(QIODevice::ReadOnly) ? host.readAll() : QByteArray());
        if (!resolv.open(QIODevice::WriteOnly) || resolv.write(text) != text.size() || !resolv.flush())
            return std::unexpected(setupError(QStringLiteral("cannot write %1").arg(resolvPath)));
        args << QStringLiteral("--ro-bind") << reachable(resolvPath) << QStringLiteral("/etc/resolv.conf");
    } else if (QFileInfo::exists(QStringLiteral("/etc/resolv.conf"))) {
        args << QStringLiteral("--ro-bind") << QStringLiteral("/etc/resolv.conf")
             << QStringLiteral("/etc/resolv.conf");
    }
    args << QStringLiteral("--ro-bind") << reachable(hostsPath) << QStringLiteral("/etc/hosts");
    for (const SandboxMount &m : spec.mounts) {
        const QString target = u'/' + relativeInside(m.target);
        switch (m.type) {
        case SandboxMount::Type::Bind:
            if (m.sourceFd && m.sourceFd->isValid()) {
                if (!m.readOnly)
                    return std::unexpected(setupError(
                        QStringLiteral("a writable bind of %1 needs a copy-on-write source").arg(target)));
                // bwrap running as another user may not open our /proc/self/fd, and a
                // descriptor from before the namespace cannot be bind-mounted there: the
                // namespace's root stages the path that was resolved (symlink-free).
                if (switchUser)
                    args << QStringLiteral("--ro-bind") << reachable(m.source) << target;
                else
                    args << QStringLiteral("--ro-bind-fd") << QString::number(m.sourceFd->get()) << target;
                options.inheritFds.append(m.sourceFd->get());
            } else if (m.sourceRoot) {
                const Rootfs &source = *m.sourceRoot;
                QString inside;
                if (source.mode() == RootfsMode::Overlay) {
                    QStringList lowers = source.lowerDirs();
                    std::reverse(lowers.begin(), lowers.end());
                    const QString point = overlayPoint(source);
                    options.extraOverlays.append(
                        NamespaceChild::Overlay{lowers, source.upperDir(), source.workDir(), point});
                    inside = m.sourcePath.isEmpty() ? point : point + u'/' + m.sourcePath;
                } else {
                    inside = reachable(m.sourcePath.isEmpty() ? source.rootDir()
                                                              : source.rootDir() + u'/' + m.sourcePath);
                }
                args << (m.readOnly ? QStringLiteral("--ro-bind") : QStringLiteral("--bind")) << inside
                     << target;
            } else {
                return std::unexpected(
                    setupError(QStringLiteral("the bind mount at %1 has no source").arg(target)));
            }
            break;
        case SandboxMount::Type::Cache: {
            const bool created = !QFileInfo(m.source).isDir();
            if (!QDir().mkpath(m.source))
                return std::unexpected(
                    setupError(QStringLiteral("cannot create cache directory %1").arg(m.source)));
            if (auto prepared = CacheDirectory::prepare(m, *idMap, created); !prepared)
                return std::unexpected(setupError(prepared.error().message));
            args << QStringLiteral("--bind") << reachable(m.source) << target;
            break;
        }
        case SandboxMount::Type::Tmpfs: args << QStringLiteral("--tmpfs") << target; break;
        }
    }
    args << QStringLiteral("--chdir") << workingDir;
    args << QStringLiteral("--unshare-ipc") << QStringLiteral("--unshare-pid")
         << QStringLiteral("--unshare-uts") << QStringLiteral("--unshare-cgroup-try");
    if (spec.network == NetworkMode::None || spec.network == NetworkMode::Private) // [network]
        args << QStringLiteral("--unshare-net");
    // [network] The command waits on --block-fd until slirp4netns has configured tap0 (a
    // socket, so that a sandbox already gone is EPIPE, not SIGPIPE).
    FileDescriptor networkBlockRead;
    FileDescriptor networkBlockWrite;
    if (spec.network == NetworkMode::Private) {
        int block[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, block) != 0)
            return std::unexpected(setupError(QStringLiteral("cannot create a pipe")));
        networkBlockRead.reset(block[0]);
        networkBlockWrite.reset(block[1]);
        args << QStringLiteral("--block-fd") << QString::number(block[0]);
        options.inheritFds.append(block[0]);
    } // [/network]
    args << QStringLiteral("--hostname") << hostname << QStringLiteral("--die-with-parent");

    int status[2];
    if (::pipe2(status, O_CLOEXEC) != 0)
        return std::unexpected(setupError(QStringLiteral("cannot create a pipe")));
    args << QStringLiteral("--json-status-fd") << QString::number(status[1]);

    args << QStringLiteral("--clearenv");
    bool hasPath = false;
    bool hasHome = false;
    for (const QString &entry : spec.env) {
        const qsizetype eq = entry.indexOf(u'=');
        if (eq <= 0)
            continue;
        const QString key = entry.left(eq);
        hasPath = hasPath || key == u"PATH";
        hasHome = hasHome || key == u"HOME";
        args << QStringLiteral("--setenv") << key << entry.mid(eq + 1);
    }
    if (!hasPath)
        args << QStringLiteral("--setenv") << QStringLiteral("PATH") << defaultPath;
    if (!hasHome)
        args << QStringLiteral("--setenv") << QStringLiteral("HOME") << identity->home;
    if (switchUser)
        options.runAs = std::make_pair(identity->uid, identity->gid);
    if (nested) {
        args << QStringLiteral("--unshare-user") << QStringLiteral("--disable-userns");
        if (!switchUser)
            args << QStringLiteral("--uid") << QString::number(identity->uid) << QStringLiteral("--gid")
                 << QString::number(identity->gid);
    } else {
        // Docker's default capabilities for root; another user has none (bwrap drops them).
        args << QStringLiteral("--cap-drop") << QStringLiteral("ALL");
        for (const char *cap : defaultCapabilities)
            args << QStringLiteral("--cap-add") << QLatin1String(cap);
    }
    Expected<FileDescriptor> seccomp = SeccompFilter::program();
    if (!seccomp) {
        ::close(status[0]);
        ::close(status[1]);
        return std::unexpected(setupError(seccomp.error().message));
    }
    args << QStringLiteral("--seccomp") << QString::number(seccomp->get());
    options.inheritFds.append(seccomp->get());
    args << QStringLiteral("--");
    args += spec.args;

    options.argv = args;
    if (spec.terminalFd >= 0) { // [terminal] setsid -c makes the pty (its stdin) the controlling terminal
        const QString setsid = QStandardPaths::findExecutable(QStringLiteral("setsid"));
        if (setsid.isEmpty())
            return std::unexpected(setupError(QStringLiteral("a terminal needs setsid (util-linux)")));
        options.argv = QStringList{setsid, QStringLiteral("-w"), QStringLiteral("-c")} + args;
        options.terminalFd = spec.terminalFd;
    } else {
        options.inputFd = spec.inputFd;
    } // [/terminal]
    options.inheritFds.append(status[1]);
    Expected<NamespaceChild> started = NamespaceChild::start(options);
    ::close(status[1]);
    networkBlockRead.reset(); // [network]
    if (!started) {
        ::close(status[0]);
        return std::unexpected(setupError(started.error().message));
    }
    NamespaceChild &child = *started;
    if (callbacks.started)
        callbacks.started(child.processGroup());
    if (callbacks.ready && spec.network != NetworkMode::Private) // [network]
        callbacks.ready();

    SandboxOutput lines(callbacks.log, Sandbox::keptLines);
    QByteArray statusText;
    std::optional<UserNetwork> network; // [network] lives as long as the sandbox
    std::optional<QString> networkError;
    bool outputOpen = true;
    bool statusOpen = true;
    bool killed = false;
    QElapsedTimer sinceKill;
    char buffer[1 << 14];
    while (outputOpen || statusOpen) {
        if (cancel.isCancelled() && !killed) {
            child.killGroup();
            killed = true;
            sinceKill.start();
        }
        // Everything in the sandbox dies with it; do not wait for a stray holder of
        // the pipe after a kill.
        if (killed && sinceKill.elapsed() > 500)
            break;
        pollfd fds[2];
        nfds_t count = 0;
        if (outputOpen)
            fds[count++] = {child.outputFd(), POLLIN, 0};
        if (statusOpen)
            fds[count++] = {status[0], POLLIN, 0};
        const int ready = ::poll(fds, count, 50);
        if (ready < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; i < count; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
            if (n <= 0) {
                if (n < 0 && errno == EINTR)
                    continue;
                (fds[i].fd == status[0] ? statusOpen : outputOpen) = false;
                continue;
            }
            if (fds[i].fd == status[0]) {
                statusText.append(buffer, n);
                // [network] bwrap names its child as soon as it exists; attach to its netns.
                if (networkBlockWrite.isValid() && statusText.contains('\n')) {
                    const QJsonObject info =
                        QJsonDocument::fromJson(statusText.left(statusText.indexOf('\n'))).object();
                    Expected<UserNetwork> attached = UserNetwork::attach(
                        pid_t(info.value(QStringLiteral("child-pid")).toInteger()), spec.ports);
                    if (attached) {
                        network.emplace(std::move(*attached));
                        const char go = '1';
                        // A sandbox already gone (EPIPE) reports its own error below.
                        if (::send(networkBlockWrite.get(), &go, 1, MSG_NOSIGNAL) == 1 && callbacks.ready)
                            callbacks.ready();
                    } else {
                        networkError = attached.error().message;
                    }
                    networkBlockWrite.reset();
                    if (networkError && !killed) {
                        child.killGroup();
                        killed = true;
                        sinceKill.start();
                    }
                } // [/network]
            } else
                lines.feed(buffer, n);
        }
    }
    ::close(status[0]);
    if (killed)
        child.killGroup();
    const int waitStatus = child.wait();
    network.reset(); // [network]
    lines.finish();
    removeStubs(rootfs, stubs);
    // overlayfs leaves an inaccessible (mode 000) "work" directory behind; clear it so
    // that the scratch directory can be deleted by ordinary means.
    if (rootfs.mode() == RootfsMode::Overlay)
        for (const QString &name :
             QDir(rootfs.workDir()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
            Rootfs::removeTree(rootfs.workDir() + u'/' + name);

    bool sawChild = false;
    std::optional<int> exitCode;
    for (const QByteArray &line : statusText.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.contains(QStringLiteral("child-pid")))
            sawChild = true;
        if (o.contains(QStringLiteral("exit-code")))
            exitCode = o.value(QStringLiteral("exit-code")).toInt();
    }

    const QString command = spec.args.join(u' ');
    // [network] Unless the sandbox failed by itself first (its "bwrap: " line says why).
    if (networkError &&
        (lines.lastLines().isEmpty() || !lines.lastLines().last().startsWith(QStringLiteral("bwrap: "))))
        return std::unexpected(setupError(
            QStringLiteral("the sandbox for \"%1\" has no network: %2").arg(command, *networkError)));
    if (killed && !networkError) {
        ExecError e;
        e.kind = ExecError::Kind::Cancelled;
        e.message = QStringLiteral("process \"%1\" was cancelled").arg(command);
        e.lastLines = lines.lastLines();
        return std::unexpected(e);
    }
    if (!sawChild) {
        QStringList last = lines.lastLines();
        // The kernel or a security policy forbids user namespaces: say which and the fix.
        if (!last.isEmpty() && last.last().contains(QStringLiteral("unshare(user"))) {
            const SandboxCheck check = userNamespaceCheck();
            if (!check.ok)
                last.append(QStringLiteral("user namespaces are %1; fix: %2").arg(check.detail, check.fix));
        }
        return std::unexpected(setupError(
            QStringLiteral("the sandbox for \"%1\" could not start: %2")
                .arg(command, last.isEmpty() ? QStringLiteral("bwrap exited with status %1").arg(waitStatus)
                                             : last.last()),
            last));
    }
    if (!exitCode && WIFEXITED(waitStatus))
        exitCode = WEXITSTATUS(waitStatus);
    // bwrap reports the child before it sets up mounts; a failure there is its own
    // exit 1 with a "bwrap: " message, not the command's.
    const QStringList last = lines.lastLines();
    if (exitCode == 1 && !last.isEmpty() && last.last().startsWith(QStringLiteral("bwrap: ")))
        return std::unexpected(setupError(
            QStringLiteral("the sandbox for \"%1\" could not start: %2").arg(command, last.last()), last));
    if (exitCode && *exitCode == 0)
        return {};
    ExecError e;
    e.kind = ExecError::Kind::ExitCode;
    e.exitCode = exitCode.value_or(-1);
    e.message = QStringLiteral("process \"%1\" did not complete successfully: exit code: %2")
                    .arg(command)
                    .arg(e.exitCode);
    e.lastLines = lines.lastLines();
    return std::unexpected(e);
}

} // namespace stagecraft
