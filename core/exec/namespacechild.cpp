#include "core/exec/namespacechild.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <array>
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

// "/proc/self/fd/N" without allocating.
void formatProcFdPath(int fd, char *out)
{
    const char prefix[] = "/proc/self/fd/";
    memcpy(out, prefix, sizeof(prefix) - 1);
    char digits[12];
    int n = 0;
    do {
        digits[n++] = char('0' + fd % 10);
        fd /= 10;
    } while (fd > 0);
    char *p = out + sizeof(prefix) - 1;
    while (n > 0)
        *p++ = digits[--n];
    *p = '\0';
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

qint64 NamespaceChild::namespaceUid(qint64 hostUid)
{
    const uid_t me = ::geteuid();
    if (me == 0)
        return hostUid;
    return hostUid == qint64(me) ? 0 : hostUid;
}

qint64 NamespaceChild::namespaceGid(qint64 hostGid)
{
    if (::geteuid() == 0)
        return hostGid;
    return hostGid == qint64(::getegid()) ? 0 : hostGid;
}

Expected<NamespaceChild> NamespaceChild::start(const Options &options)
{
    // Everything the child needs is built before fork: it must not allocate.
    std::vector<std::string> args;
    for (const QString &a : options.argv)
        args.push_back(QFile::encodeName(a).toStdString());
    std::vector<char *> argv;
    for (std::string &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    std::string mountPoint;
    std::string mountData;
    std::string mountCwd;
    if (options.overlay) {
        const Overlay &o = *options.overlay;
        for (const QString &dir : o.lowerDirs + QStringList{o.upperDir, o.workDir})
            if (dir.contains(u',') || dir.contains(u':'))
                return fail(QStringLiteral("overlay directory %1 contains ',' or ':'").arg(dir));
        mountPoint = QFile::encodeName(o.mountPoint).toStdString();
        const auto optionText = [&](const QStringList &lowers, const QString &upper, const QString &work) {
            return QStringLiteral("lowerdir=%1,upperdir=%2,workdir=%3,userxattr,volatile")
                .arg(lowers.join(u':'), upper, work)
                .toStdString();
        };
        mountData = optionText(o.lowerDirs, o.upperDir, o.workDir);
        // The options must fit in one page. Many layers still fit when their paths are
        // given relative to their common parent, which the child makes its working
        // directory for the mount.
        if (mountData.size() >= 4000 && !o.lowerDirs.isEmpty()) {
            QString common = QFileInfo(o.lowerDirs.first()).path();
            for (const QString &dir : o.lowerDirs)
                while (common != u"/" && !dir.startsWith(common + u'/'))
                    common = QFileInfo(common).path();
            const QDir base(common);
            QStringList lowers;
            for (const QString &dir : o.lowerDirs)
                lowers.append(base.relativeFilePath(dir));
            mountData = optionText(lowers, o.upperDir, o.workDir);
            mountCwd = QFile::encodeName(common).toStdString();
        }
        if (mountData.size() >= 4000)
            return fail(QStringLiteral("too many layers for one overlay mount (%1 bytes of options)")
                            .arg(mountData.size()));
    }

    std::vector<std::string> extraPoints;
    std::vector<std::string> extraData;
    for (const Overlay &o : options.extraOverlays) {
        QStringList lowers = o.lowerDirs;
        for (const QString &dir : lowers + QStringList{o.upperDir, o.workDir})
            if (dir.contains(u',') || dir.contains(u':'))
                return fail(QStringLiteral("overlay directory %1 contains ',' or ':'").arg(dir));
        const QString text = o.upperDir.isEmpty()
                                 ? QStringLiteral("lowerdir=%1,userxattr").arg(lowers.join(u':'))
                                 : QStringLiteral("lowerdir=%1,upperdir=%2,workdir=%3,userxattr,volatile")
                                       .arg(lowers.join(u':'), o.upperDir, o.workDir);
        if (text.size() >= 4000)
            return fail(QStringLiteral("too many layers for one overlay mount (%1 bytes of options)")
                            .arg(text.size()));
        extraPoints.push_back(QFile::encodeName(o.mountPoint).toStdString());
        extraData.push_back(QFile::encodeName(text).toStdString());
    }

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
    std::vector<std::string> createDirs;
    for (const QString &d : options.createDirs)
        createDirs.push_back(QFile::encodeName(d).toStdString());
    std::vector<std::string> createFiles;
    for (const QString &f : options.createFiles)
        createFiles.push_back(QFile::encodeName(f).toStdString());
    const std::string exposeBase = QFile::encodeName(options.exposeBase).toStdString();
    std::vector<std::string> exposeSources;
    std::vector<std::string> exposeTargets;
    for (const auto &[source, name] : options.expose) {
        exposeSources.push_back(QFile::encodeName(source).toStdString());
        exposeTargets.push_back(QFile::encodeName(options.exposeBase + u'/' + name).toStdString());
    }
    std::vector<int> exposeFds(exposeSources.size(), -1);
    std::vector<std::array<char, 32>> exposeProcPaths(exposeSources.size());
    const bool switchUser = options.runAs.has_value();
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
        ::dup2(devNull, STDIN_FILENO);
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
        if (!mountCwd.empty() && ::chdir(mountCwd.c_str()) != 0)
            childFail("chdir to the layers' directory");
        if (!mountPoint.empty() &&
            ::mount("overlay", mountPoint.c_str(), "overlay", 0, mountData.c_str()) != 0)
            childFail("mount -t overlay");
        if (!mountCwd.empty() && ::chdir("/") != 0)
            childFail("chdir");
        for (size_t i = 0; i < extraPoints.size(); ++i)
            if (::mount("overlay", extraPoints[i].c_str(), "overlay", MS_NOSUID | MS_NODEV,
                        extraData[i].c_str()) != 0)
                childFail("mount -t overlay (a bind source)");
        for (const std::string &d : createDirs)
            if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
                childFail("mkdir of a mount point");
        for (const std::string &f : createFiles) {
            const int fd = ::open(f.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0 && errno != EISDIR)
                childFail("creating a mount point");
            if (fd >= 0)
                ::close(fd);
        }
        if (!exposeSources.empty()) {
            // Hold every source first: the tmpfs may cover the directory one lives in.
            for (size_t i = 0; i < exposeSources.size(); ++i) {
                exposeFds[i] = ::open(exposeSources[i].c_str(), O_PATH | O_CLOEXEC);
                if (exposeFds[i] < 0)
                    childFail("open of a path to expose");
                formatProcFdPath(exposeFds[i], exposeProcPaths[i].data());
            }
            if (::mount("tmpfs", exposeBase.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
                childFail("mount of the staging tmpfs");
            for (size_t i = 0; i < exposeSources.size(); ++i) {
                struct stat st = {};
                if (::fstat(exposeFds[i], &st) != 0)
                    childFail("fstat");
                if (S_ISDIR(st.st_mode)) {
                    if (::mkdir(exposeTargets[i].c_str(), 0755) != 0)
                        childFail("mkdir in the staging tmpfs");
                } else {
                    const int fd = ::open(exposeTargets[i].c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                    if (fd < 0)
                        childFail("creating a file in the staging tmpfs");
                    ::close(fd);
                }
                if (::mount(exposeProcPaths[i].data(), exposeTargets[i].c_str(), nullptr, MS_BIND | MS_REC,
                            nullptr) != 0)
                    childFail("bind mount into the staging tmpfs");
                ::close(exposeFds[i]);
            }
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
            ::execv(argv[0], argv.data());
            childFail("exec");
        }
        ::setpgid(program, program);
        if (::write(toParent[1], &program, sizeof(program)) != sizeof(program))
            ::kill(program, SIGKILL);
        ::close(toParent[1]);
        // Only the program holds the output pipe now, so it closes when the program's
        // processes are gone.
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
    bool mapped = false;
    if (n == 1) {
        if (::geteuid() == 0) {
            mapped = writeProcFile(pid, "uid_map", "0 0 4294967295\n") &&
                     writeProcFile(pid, "gid_map", "0 0 4294967295\n");
        } else {
            mapped = writeProcFile(pid, "uid_map", "0 " + QByteArray::number(::geteuid()) + " 1\n") &&
                     writeProcFile(pid, "setgroups", "deny") &&
                     writeProcFile(pid, "gid_map", "0 " + QByteArray::number(::getegid()) + " 1\n");
        }
    }
    const char go = mapped ? 'g' : 'x';
    if (::write(toChild[1], &go, 1) != 1)
        mapped = false;
    ::close(toChild[1]);
    if (!mapped && n == 1) {
        ::close(toParent[0]);
        child.killGroup();
        child.wait();
        return fail(QStringLiteral("cannot map user ids into the sandbox's user namespace"));
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
