#include "core/exec/namespacechild.h"

#include "core/exec/idmap.h"
#include "core/fs/filedescriptor.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace stagecraft {

namespace {

// Only async-signal-safe calls may run between fork and exec in a threaded program:
// these write a fixed message and a number without allocating.
void writeAll(int fd, const char *text)
{
    size_t len = strlen(text);
    while (len > 0) {
        const ssize_t n = ::write(fd, text, len);
        if (n <= 0)
            return;
        text += n;
        len -= size_t(n);
    }
}

[[noreturn]] void childFail(const char *what)
{
    const int err = errno;
    char digits[16];
    int i = sizeof(digits) - 1;
    digits[i] = '\0';
    int value = err;
    do {
        digits[--i] = char('0' + value % 10);
        value /= 10;
    } while (value > 0 && i > 0);
    writeAll(STDERR_FILENO, "stagecraft sandbox: ");
    writeAll(STDERR_FILENO, what);
    writeAll(STDERR_FILENO, " failed: errno ");
    writeAll(STDERR_FILENO, digits + i);
    writeAll(STDERR_FILENO, " (");
    writeAll(STDERR_FILENO, strerrordesc_np(err) ? strerrordesc_np(err) : "?");
    writeAll(STDERR_FILENO, ")\n");
    _exit(125);
}

bool writeProcFile(pid_t pid, const char *name, const QByteArray &content)
{
    const QString path = QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return false;
    return f.write(content) == content.size();
}

// Runs newuidmap or newgidmap (setuid root, Debian's uidmap package): only they may map
// an ordinary user's subordinate range.
Expected<void> runIdMapper(const QString &program, pid_t pid, const QStringList &ranges)
{
    const QString path = QStandardPaths::findExecutable(program);
    if (path.isEmpty())
        return fail(QStringLiteral("%1 is not installed; install the uidmap package (sudo apt-get install "
                                   "uidmap) to map subordinate ids")
                        .arg(program));
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(path, QStringList{QString::number(pid)} + ranges);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0)
        return fail(QStringLiteral("%1 %2 %3 failed: %4")
                        .arg(program, QString::number(pid), ranges.join(u' '),
                             QString::fromLocal8Bit(process.readAll()).trimmed()));
    return {};
}

Expected<void> writeIdMaps(pid_t pid, const IdMap &map)
{
    switch (map.kind()) {
    case IdMap::Kind::Shifted:
        if (!writeProcFile(pid, "uid_map", map.uidMapText()) ||
            !writeProcFile(pid, "gid_map", map.gidMapText()))
            return fail(QStringLiteral("cannot write the id maps (%1)").arg(map.describe()));
        return {};
    case IdMap::Kind::Subordinate:
        if (auto u = runIdMapper(QStringLiteral("newuidmap"), pid, map.uidMapArgs()); !u)
            return u;
        return runIdMapper(QStringLiteral("newgidmap"), pid, map.gidMapArgs());
    case IdMap::Kind::SingleId:
        if (!writeProcFile(pid, "uid_map", map.uidMapText()) || !writeProcFile(pid, "setgroups", "deny") ||
            !writeProcFile(pid, "gid_map", map.gidMapText()))
            return fail(QStringLiteral("cannot write the id maps (%1)").arg(map.describe()));
        return {};
    }
    return {};
}

} // namespace

NamespaceChild::NamespaceChild(NamespaceChild &&other) noexcept
    : m_pid(std::exchange(other.m_pid, -1))
    , m_group(std::exchange(other.m_group, -1))
    , m_output(std::exchange(other.m_output, -1))
{}

NamespaceChild &NamespaceChild::operator=(NamespaceChild &&other) noexcept
{
    if (this != &other) {
        this->~NamespaceChild();
        m_pid = std::exchange(other.m_pid, -1);
        m_group = std::exchange(other.m_group, -1);
        m_output = std::exchange(other.m_output, -1);
    }
    return *this;
}

NamespaceChild::~NamespaceChild()
{
    if (m_pid > 0) {
        killGroup();
        wait();
    }
    if (m_output >= 0)
        ::close(m_output);
}

void NamespaceChild::killGroup()
{
    if (m_pid > 0 && m_group > 0)
        ::kill(-m_group, SIGKILL);
}

int NamespaceChild::wait()
{
    if (m_pid <= 0)
        return 0;
    int status = 0;
    while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
    }
    m_pid = -1;
    return status;
}

QString NamespaceChild::Options::defaultExposeBase()
{
    // Any directory the program itself does not need from the host will do.
    for (const char *candidate : {"/mnt", "/media", "/srv", "/opt"})
        if (QFileInfo(QLatin1String(candidate)).isDir())
            return QLatin1String(candidate);
    return {};
}

Expected<void> NamespaceChild::runAsRoot(const QStringList &argv)
{
    Options options;
    options.argv = argv;
    options.runAs = std::make_pair(0U, 0U);
    Expected<NamespaceChild> child = start(options);
    if (!child)
        return std::unexpected(child.error());
    QByteArray output;
    char buffer[512];
    ssize_t n = 0;
    while ((n = ::read(child->outputFd(), buffer, sizeof(buffer))) > 0)
        if (output.size() < 4096)
            output.append(buffer, n);
    if (child->wait() != 0)
        return fail(QString::fromLocal8Bit(output).trimmed());
    return {};
}

Expected<NamespaceChild> NamespaceChild::start(const Options &options)
{
    const Expected<IdMap> &idMap = IdMap::current();
    if (!idMap)
        return std::unexpected(idMap.error());
    // Everything the child needs is built before fork: it must not allocate.
    std::vector<std::string> args;
    for (const QString &a : options.argv)
        args.push_back(QFile::encodeName(a).toStdString());
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    // The overlays' directories are opened here, with our host ids, and named to the
    // kernel as /proc/self/fd/N: the child mounts after it became the namespace's root
    // (container root's host id, which as root is unprivileged and cannot walk the
    // store's private directories), and the options stay short for many layers.
    // A descriptor opened before the child's unshare would belong to our mount namespace,
    // which the kernel refuses as a mount source, so the child opens them; their numbers are
    // reserved here (placeholders it replaces with dup3) to build the options in advance.
    std::vector<FileDescriptor> reserved;
    std::vector<std::string> heldPaths;
    const auto reserve = [&](const QString &path) -> Expected<int> {
        FileDescriptor fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        if (!fd.isValid())
            return fail(QStringLiteral("open /dev/null: %1").arg(QString::fromLocal8Bit(strerror(errno))));
        const int number = fd.get();
        reserved.push_back(std::move(fd));
        heldPaths.push_back(QFile::encodeName(path).toStdString());
        return number;
    };
    const auto held = [&](const QString &dir) -> Expected<QString> {
        auto number = reserve(dir);
        if (!number)
            return std::unexpected(number.error());
        return QStringLiteral("/proc/self/fd/%1").arg(*number);
    };
    // A mount point that exists now is held too; one that does not is made in the staging
    // tmpfs (see `expose`) by the child.
    const auto mountTarget = [&](const QString &dir) -> Expected<QString> {
        if (QFileInfo(dir).isDir())
            return held(dir);
        return dir;
    };
    struct OverlayMount
    {
        std::string target;
        std::string data;
        unsigned long flags = 0;
    };
    std::vector<OverlayMount> overlays;
    const auto addOverlay = [&](const Overlay &o, unsigned long flags) -> Expected<void> {
        QStringList lowers;
        for (const QString &dir : o.lowerDirs) {
            auto name = held(dir);
            if (!name)
                return std::unexpected(name.error());
            lowers.append(*name);
        }
        QString text = QStringLiteral("lowerdir=%1").arg(lowers.join(u':'));
        if (!o.upperDir.isEmpty()) {
            auto upper = held(o.upperDir);
            if (!upper)
                return std::unexpected(upper.error());
            auto work = held(o.workDir);
            if (!work)
                return std::unexpected(work.error());
            text += QStringLiteral(",upperdir=%1,workdir=%2,volatile").arg(*upper, *work);
        }
        text += QStringLiteral(",userxattr");
        if (text.size() >= 4000)
            return fail(QStringLiteral("too many layers for one overlay mount (%1 bytes of options)")
                            .arg(text.size()));
        auto target = mountTarget(o.mountPoint);
        if (!target)
            return std::unexpected(target.error());
        overlays.push_back({QFile::encodeName(*target).toStdString(), text.toStdString(), flags});
        return {};
    };
    if (options.overlay)
        if (auto added = addOverlay(*options.overlay, 0); !added)
            return std::unexpected(added.error());
    for (const Overlay &o : options.extraOverlays)
        if (auto added = addOverlay(o, MS_NOSUID | MS_NODEV); !added)
            return std::unexpected(added.error());

    int output[2];
    int toParent[2];
    int toChild[2];
    if (::pipe2(output, O_CLOEXEC) != 0)
        return fail(QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    if (::pipe2(toParent, O_CLOEXEC) != 0 || ::pipe2(toChild, O_CLOEXEC) != 0) {
        ::close(output[0]);
        ::close(output[1]);
        return fail(QStringLiteral("pipe: %1").arg(QString::fromLocal8Bit(strerror(errno))));
    }
    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::vector<int> keep(options.inheritFds.cbegin(), options.inheritFds.cend());
    const std::string createBase = QFile::encodeName(options.createBase).toStdString();
    const bool denyUserNamespaces = options.denyUserNamespaces;
    std::vector<std::string> createDirs;
    for (const QString &d : options.createDirs)
        createDirs.push_back(QFile::encodeName(d).toStdString());
    std::vector<std::string> createFiles;
    for (const QString &f : options.createFiles)
        createFiles.push_back(QFile::encodeName(f).toStdString());
    const std::string exposeBase = QFile::encodeName(options.exposeBase).toStdString();
    std::vector<std::string> exposeTargets;
    std::vector<std::string> exposeProcPaths;
    std::vector<bool> exposeIsDir;
    for (const auto &[source, name] : options.expose) {
        struct stat st = {};
        if (::stat(QFile::encodeName(source).constData(), &st) != 0)
            return fail(
                QStringLiteral("cannot open %1: %2").arg(source, QString::fromLocal8Bit(strerror(errno))));
        auto number = reserve(source);
        if (!number)
            return std::unexpected(number.error());
        exposeProcPaths.push_back("/proc/self/fd/" + std::to_string(*number));
        exposeIsDir.push_back(S_ISDIR(st.st_mode));
        exposeTargets.push_back(QFile::encodeName(options.exposeBase + u'/' + name).toStdString());
    }
    std::vector<int> reservedNumbers;
    for (const FileDescriptor &fd : reserved)
        reservedNumbers.push_back(fd.get());
    std::vector<std::string> stagedMountPoints;
    for (const OverlayMount &m : overlays)
        if (m.target.rfind("/proc/self/fd/", 0) != 0)
            stagedMountPoints.push_back(m.target);
    const bool switchUser = options.runAs.has_value();
    // Copies above stdio: the child points its own 0-2 elsewhere before the program's turn.
    const FileDescriptor terminalCopy(
        options.terminalFd >= 0 ? ::fcntl(options.terminalFd, F_DUPFD_CLOEXEC, 3) : -1);
    const FileDescriptor inputCopy(options.inputFd >= 0 ? ::fcntl(options.inputFd, F_DUPFD_CLOEXEC, 3) : -1);
    if ((options.terminalFd >= 0 && !terminalCopy.isValid()) ||
        (options.inputFd >= 0 && !inputCopy.isValid()))
        return fail(QStringLiteral("cannot duplicate the program's terminal or input"));
    const int terminalFd = terminalCopy.get();
    const int inputFd = inputCopy.get();
    const uid_t runUid = switchUser ? options.runAs->first : 0;
    const gid_t runGid = switchUser ? options.runAs->second : 0;

    const pid_t pid = ::fork();
    if (pid < 0) {
        const int err = errno;
        for (int fd : {output[0], output[1], toParent[0], toParent[1], toChild[0], toChild[1], devNull})
            ::close(fd);
        return fail(QStringLiteral("fork: %1").arg(QString::fromLocal8Bit(strerror(err))));
    }
    if (pid == 0) {
        // The first child enters the namespaces and stays as a reaper: the program runs
        // in a grandchild with its own process group, so killing that group leaves this
        // process to collect every orphan before it exits. Nothing is left behind, even
        // where the system's init does not reap.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::dup2(devNull, STDIN_FILENO); // the program's own input comes below, by descriptor
        ::dup2(output[1], STDOUT_FILENO);
        ::dup2(output[1], STDERR_FILENO);
        // Descriptors of the rest of the program must not leak into the sandbox.
        ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
        for (const int fd : keep) {
            const int flags = ::fcntl(fd, F_GETFD);
            ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
        }
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
            childFail("unshare(user, mount namespace)");
        // The parent writes our id maps (only it may map a full range as root).
        char token = 'u';
        if (::write(toParent[1], &token, 1) != 1)
            childFail("sync");
        if (::read(toChild[0], &token, 1) != 1 || token != 'g')
            _exit(125);
        // Opened with our host ids, in the new mount namespace.
        for (size_t i = 0; i < heldPaths.size(); ++i) {
            const int fd = ::open(heldPaths[i].c_str(), O_PATH | O_CLOEXEC);
            if (fd < 0)
                childFail("open of an overlay directory or a path to expose");
            if (::dup3(fd, reservedNumbers[i], O_CLOEXEC) < 0)
                childFail("dup3");
            ::close(fd);
        }
        // From here on we are the namespace's root: container root's host ids.
        if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0)
            childFail("becoming the namespace's root");
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // a change of credentials cleared it
        if (!exposeBase.empty() && (!exposeTargets.empty() || !stagedMountPoints.empty())) {
            if (::mount("tmpfs", exposeBase.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
                childFail("mount of the staging tmpfs");
            for (size_t i = 0; i < exposeTargets.size(); ++i) {
                if (exposeIsDir[i]) {
                    if (::mkdir(exposeTargets[i].c_str(), 0755) != 0)
                        childFail("mkdir in the staging tmpfs");
                } else {
                    const int fd = ::open(exposeTargets[i].c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                    if (fd < 0)
                        childFail("creating a file in the staging tmpfs");
                    ::close(fd);
                }
                if (::mount(exposeProcPaths[i].c_str(), exposeTargets[i].c_str(), nullptr, MS_BIND | MS_REC,
                            nullptr) != 0)
                    childFail("bind mount into the staging tmpfs");
            }
            for (const std::string &point : stagedMountPoints)
                if (::mkdir(point.c_str(), 0755) != 0)
                    childFail("mkdir of an overlay's mount point in the staging tmpfs");
        }
        for (const OverlayMount &m : overlays)
            if (::mount("overlay", m.target.c_str(), "overlay", m.flags, m.data.c_str()) != 0)
                childFail("mount -t overlay");
        if (!createDirs.empty() || !createFiles.empty()) {
            // Made as the namespace's root, as if the RUN had made them.
            const int base = ::open(createBase.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (base < 0)
                childFail("open of the root for mount points");
            for (const std::string &d : createDirs)
                if (::mkdirat(base, d.c_str(), 0755) != 0 && errno != EEXIST)
                    childFail("mkdir of a mount point");
            for (const std::string &f : createFiles) {
                const int fd = ::openat(base, f.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0 && errno != EISDIR)
                    childFail("creating a mount point");
                if (fd >= 0)
                    ::close(fd);
            }
            ::close(base);
        }
        if (denyUserNamespaces) {
            const int fd = ::open("/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, "0", 1) != 1)
                childFail("limiting user namespaces");
            ::close(fd);
        }
        if (argv.size() == 1)
            _exit(0);
        ::prctl(PR_SET_CHILD_SUBREAPER, 1);
        const pid_t program = ::fork();
        if (program < 0)
            childFail("fork");
        if (program == 0) {
            ::setpgid(0, 0);
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (switchUser && (::setgroups(0, nullptr) != 0 || ::setresgid(runGid, runGid, runGid) != 0 ||
                               ::setresuid(runUid, runUid, runUid) != 0))
                childFail("switching to the RUN user");
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (terminalFd >= 0 &&
                (::dup2(terminalFd, STDIN_FILENO) < 0 || ::dup2(terminalFd, STDOUT_FILENO) < 0 ||
                 ::dup2(terminalFd, STDERR_FILENO) < 0))
                childFail("dup2 of the terminal");
            if (inputFd >= 0 && ::dup2(inputFd, STDIN_FILENO) < 0)
                childFail("dup2 of the input");
            ::execv(argv[0], argv.data());
            childFail("exec");
        }
        ::setpgid(program, program);
        if (::write(toParent[1], &program, sizeof(program)) != sizeof(program))
            ::kill(program, SIGKILL);
        ::close(toParent[1]);
        // Only the program holds the output pipe now, so it closes when the program's
        // processes are gone.
        ::dup2(devNull, STDIN_FILENO);
        ::dup2(devNull, STDOUT_FILENO);
        ::dup2(devNull, STDERR_FILENO);
        ::close(output[1]);
        for (const int fd : keep)
            ::close(fd);
        // This process never execs, so descriptors it inherited marked close-on-exec stay
        // open here: among them the output pipes of sandboxes other threads started at the
        // same moment, whose readers would then wait for this sandbox to end. It needs none.
        ::syscall(SYS_close_range, 3U, ~0U, 0U);

        int programStatus = 0;
        for (;;) {
            int status = 0;
            const pid_t reaped = ::waitpid(-1, &status, 0);
            if (reaped < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            if (reaped == program)
                programStatus = status;
        }
        if (WIFEXITED(programStatus))
            _exit(WEXITSTATUS(programStatus));
        _exit(128 + WTERMSIG(programStatus));
    }

    // Also set here so that a kill of the group cannot race the child's own setpgid.
    ::setpgid(pid, pid);
    ::close(output[1]);
    ::close(toParent[1]);
    ::close(toChild[0]);
    if (devNull >= 0)
        ::close(devNull);
    NamespaceChild child;
    child.m_pid = pid;
    child.m_group = pid;
    child.m_output = output[0];

    char token = 0;
    ssize_t n;
    while ((n = ::read(toParent[0], &token, 1)) < 0 && errno == EINTR) {
    }
    Expected<void> mapped =
        fail(QStringLiteral("the sandbox's first process ended before its ids were mapped"));
    if (n == 1)
        mapped = writeIdMaps(pid, *idMap);
    const char go = mapped ? 'g' : 'x';
    // A child that ended without asking (unshare refused, as in a chroot) has closed its
    // end: writing there would raise SIGPIPE and end this process instead of the check.
    if (n == 1 && ::write(toChild[1], &go, 1) != 1 && mapped)
        mapped = fail(QStringLiteral("the sandbox's first process ended before its ids were mapped"));
    ::close(toChild[1]);
    if (!mapped && n == 1) {
        ::close(toParent[0]);
        child.killGroup();
        child.wait();
        return fail(QStringLiteral("cannot map user ids into the sandbox's user namespace: %1")
                        .arg(mapped.error().message));
    }
    pid_t program = 0;
    ssize_t got;
    while ((got = ::read(toParent[0], &program, sizeof(program))) < 0 && errno == EINTR) {
    }
    ::close(toParent[0]);
    if (got == sizeof(program) && program > 0)
        child.m_group = program;
    // When unshare failed the child reported why on its output and exited 125.
    return child;
}

} // namespace stagecraft
