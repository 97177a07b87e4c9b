#include "core/exec/usernetwork.h"

#include "core/fs/filedescriptor.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace stagecraft {

namespace {

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

// Reads what is available on `fd` until EOF or the deadline.
QByteArray readUntilClosed(int fd, QDeadlineTimer deadline)
{
    QByteArray data;
    char buffer[4096];
    while (!deadline.hasExpired()) {
        pollfd p{fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, int(std::min<qint64>(deadline.remainingTime(), 200)));
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0)
            continue;
        const ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        data.append(buffer, n);
    }
    return data;
}

// One request on slirp4netns's API socket; it answers with {"return": …} or {"error": …}.
Expected<QJsonObject> apiCall(const QString &socketPath, const QJsonObject &request)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail(QStringLiteral("cannot create a socket: %1").arg(errnoText()));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const QByteArray path = QFile::encodeName(socketPath);
    if (size_t(path.size()) >= sizeof(address.sun_path)) {
        ::close(fd);
        return fail(QStringLiteral("the socket path %1 is too long").arg(socketPath));
    }
    std::memcpy(address.sun_path, path.constData(), size_t(path.size()));
    if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)) != 0) {
        const QString why = errnoText();
        ::close(fd);
        return fail(QStringLiteral("cannot reach slirp4netns at %1: %2").arg(socketPath, why));
    }
    // slirp4netns reads a request with a single read(): send it in one write.
    const QByteArray text = QJsonDocument(request).toJson(QJsonDocument::Compact);
    if (::write(fd, text.constData(), size_t(text.size())) != text.size()) {
        const QString why = errnoText();
        ::close(fd);
        return fail(QStringLiteral("cannot talk to slirp4netns: %1").arg(why));
    }
    ::shutdown(fd, SHUT_WR);
    const QByteArray answer = readUntilClosed(fd, QDeadlineTimer(5000));
    ::close(fd);
    const QJsonObject reply = QJsonDocument::fromJson(answer).object();
    if (reply.contains(QStringLiteral("error")))
        return fail(reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("desc")).toString());
    if (!reply.contains(QStringLiteral("return")))
        return fail(QStringLiteral("slirp4netns gave no answer (%1)").arg(QString::fromUtf8(answer)));
    return reply.value(QStringLiteral("return")).toObject();
}

} // namespace

Expected<PortForward> PortForward::parse(const QString &text)
{
    PortForward forward;
    QString spec = text;
    const qsizetype slash = spec.lastIndexOf(u'/');
    if (slash >= 0) {
        const QString proto = spec.mid(slash + 1);
        if (proto != u"tcp" && proto != u"udp")
            return fail(QStringLiteral("%1: the protocol must be tcp or udp").arg(text));
        forward.udp = proto == u"udp";
        spec.truncate(slash);
    }
    const qsizetype last = spec.lastIndexOf(u':');
    if (last < 0)
        return fail(QStringLiteral("%1: give HOST_PORT:CONTAINER_PORT").arg(text));
    QString hostPart = spec.left(last);
    const qsizetype hostColon = hostPart.lastIndexOf(u':');
    if (hostColon >= 0) {
        QString address = hostPart.left(hostColon);
        if (address.startsWith(u'[') && address.endsWith(u']'))
            address = address.mid(1, address.size() - 2);
        if (QHostAddress(address).isNull())
            return fail(QStringLiteral("%1: %2 is not an IP address").arg(text, address));
        forward.hostAddress = address;
        hostPart = hostPart.mid(hostColon + 1);
    }
    bool hostOk = false;
    bool containerOk = false;
    const uint host = hostPart.toUInt(&hostOk);
    const uint container = spec.mid(last + 1).toUInt(&containerOk);
    if (!hostOk || !containerOk || host == 0 || container == 0 || host > 65535 || container > 65535)
        return fail(QStringLiteral("%1: ports are numbers from 1 to 65535").arg(text));
    forward.hostPort = quint16(host);
    forward.containerPort = quint16(container);
    return forward;
}

QString PortForward::toString() const
{
    const QString address = hostAddress.contains(u':') ? u'[' + hostAddress + u']' : hostAddress;
    return QStringLiteral("%1:%2:%3%4")
        .arg(address)
        .arg(hostPort)
        .arg(containerPort)
        .arg(udp ? QStringLiteral("/udp") : QString());
}

UserNetwork::UserNetwork(UserNetwork &&other) noexcept
    : m_pid(std::exchange(other.m_pid, -1))
    , m_exitFd(std::exchange(other.m_exitFd, -1))
    , m_runDir(std::exchange(other.m_runDir, QString()))
{}

UserNetwork &UserNetwork::operator=(UserNetwork &&other) noexcept
{
    if (this != &other) {
        stop();
        m_pid = std::exchange(other.m_pid, -1);
        m_exitFd = std::exchange(other.m_exitFd, -1);
        m_runDir = std::exchange(other.m_runDir, QString());
    }
    return *this;
}

UserNetwork::~UserNetwork()
{
    stop();
}

QString UserNetwork::slirpPath()
{
    const QString configured = qEnvironmentVariable("STAGECRAFT_SLIRP4NETNS");
    if (!configured.isEmpty())
        return configured;
    return QStandardPaths::findExecutable(QStringLiteral("slirp4netns"));
}

bool UserNetwork::isAvailable(QString *reason)
{
    if (slirpPath().isEmpty()) {
        if (reason)
            *reason = QStringLiteral("slirp4netns is not installed (sudo apt-get install slirp4netns)");
        return false;
    }
    // slirp4netns opens the host's /dev/net/tun from inside the user namespace, with
    // the permissions of the user who runs it (the device is 0666 on a usual system).
    const int tun = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tun < 0) {
        if (reason)
            *reason = errno == ENOENT
                          ? QStringLiteral("/dev/net/tun is missing (sudo modprobe tun)")
                          : QStringLiteral("/dev/net/tun cannot be opened: %1 (sudo chmod 0666 /dev/net/tun)")
                                .arg(errnoText());
        return false;
    }
    ::close(tun);
    return true;
}

Expected<UserNetwork> UserNetwork::attach(pid_t pid, const QList<PortForward> &forwards)
{
    const QString slirp = slirpPath();
    if (slirp.isEmpty())
        return fail(QStringLiteral("the private network needs slirp4netns: install it (sudo apt-get "
                                   "install slirp4netns) or use --network=host"));
    UserNetwork network;
    // The API socket's path must fit in sockaddr_un: a short private directory in /tmp.
    QByteArray dirTemplate = QFile::encodeName(QDir::tempPath() + QStringLiteral("/stagecraft-net-XXXXXX"));
    if (!::mkdtemp(dirTemplate.data()))
        return fail(QStringLiteral("cannot create a directory for slirp4netns: %1").arg(errnoText()));
    network.m_runDir = QFile::decodeName(dirTemplate);
    const QString socketPath = network.m_runDir + QStringLiteral("/api.sock");

    // bwrap sets up the namespace's loopback itself; slirp4netns configuring tap0 at
    // the same moment makes that fail now and then ("loopback: Failed RTM_NEWADDR").
    // Once lo is up with 127.0.0.1, its local route shows in the namespace's fib_trie.
    for (QDeadlineTimer deadline(2000); !deadline.hasExpired(); ::usleep(2000)) {
        QFile trie(QStringLiteral("/proc/%1/net/fib_trie").arg(pid));
        if (!trie.open(QIODevice::ReadOnly) || trie.readAll().contains("127.0.0.1"))
            break;
    }

    // The user namespace that owns the network namespace: slirp4netns needs its
    // capabilities there. It is not always /proc/PID/ns/user: bwrap nests one more
    // user namespace to change uid after it made the network namespace.
    FileDescriptor netns(::open(QFile::encodeName(QStringLiteral("/proc/%1/ns/net").arg(pid)).constData(),
                                O_RDONLY | O_CLOEXEC));
    if (!netns.isValid())
        return fail(QStringLiteral("cannot open the sandbox's network namespace: %1").arg(errnoText()));
    const FileDescriptor owner(::ioctl(netns.get(), NS_GET_USERNS));
    if (!owner.isValid())
        return fail(
            QStringLiteral("cannot find the owner of the sandbox's network namespace: %1").arg(errnoText()));

    int ready[2];
    int exitPipe[2];
    int errors[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        return fail(QStringLiteral("cannot create a pipe: %1").arg(errnoText()));
    if (::pipe2(exitPipe, O_CLOEXEC) != 0) {
        ::close(ready[0]);
        ::close(ready[1]);
        return fail(QStringLiteral("cannot create a pipe: %1").arg(errnoText()));
    }
    if (::pipe2(errors, O_CLOEXEC) != 0) {
        for (int fd : {ready[0], ready[1], exitPipe[0], exitPipe[1]})
            ::close(fd);
        return fail(QStringLiteral("cannot create a pipe: %1").arg(errnoText()));
    }
    const QStringList args{slirp,
                           QStringLiteral("--configure"),
                           QStringLiteral("--mtu=65520"),
                           QStringLiteral("--disable-host-loopback"),
                           QStringLiteral("--ready-fd=%1").arg(ready[1]),
                           QStringLiteral("--exit-fd=%1").arg(exitPipe[0]),
                           QStringLiteral("--api-socket=%1").arg(socketPath),
                           QStringLiteral("--userns-path=/proc/self/fd/%1").arg(owner.get()),
                           QStringLiteral("--netns-type=path"),
                           QStringLiteral("/proc/self/fd/%1").arg(netns.get()),
                           QStringLiteral("tap0")};
    std::vector<QByteArray> storage;
    for (const QString &a : args)
        storage.push_back(QFile::encodeName(a));
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    const pid_t child = ::fork();
    if (child < 0) {
        for (int fd : {ready[0], ready[1], exitPipe[0], exitPipe[1], errors[0], errors[1]})
            ::close(fd);
        return fail(QStringLiteral("cannot start slirp4netns: %1").arg(errnoText()));
    }
    if (child == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devNull >= 0)
            ::dup2(devNull, 0);
        ::dup2(errors[1], 1);
        ::dup2(errors[1], 2);
        ::fcntl(ready[1], F_SETFD, 0);
        ::fcntl(exitPipe[0], F_SETFD, 0);
        ::fcntl(owner.get(), F_SETFD, 0);
        ::fcntl(netns.get(), F_SETFD, 0);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    network.m_pid = child;
    network.m_exitFd = exitPipe[1];
    ::close(ready[1]);
    ::close(exitPipe[0]);
    ::close(errors[1]);

    const QByteArray readyText = readUntilClosed(ready[0], QDeadlineTimer(10000));
    ::close(ready[0]);
    if (!readyText.startsWith('1')) {
        network.stop();
        const QByteArray output = readUntilClosed(errors[0], QDeadlineTimer(1000));
        ::close(errors[0]);
        return fail(QStringLiteral("slirp4netns could not configure the sandbox's network: %1")
                        .arg(QString::fromLocal8Bit(output.trimmed())));
    }
    ::close(errors[0]); // slirp4netns's later chatter goes nowhere
    for (const PortForward &forward : forwards) {
        const QJsonObject request{{QStringLiteral("execute"), QStringLiteral("add_hostfwd")},
                                  {QStringLiteral("arguments"),
                                   QJsonObject{{QStringLiteral("proto"),
                                                forward.udp ? QStringLiteral("udp") : QStringLiteral("tcp")},
                                               {QStringLiteral("host_addr"), forward.hostAddress},
                                               {QStringLiteral("host_port"), int(forward.hostPort)},
                                               {QStringLiteral("guest_addr"), QLatin1String(guestAddress)},
                                               {QStringLiteral("guest_port"), int(forward.containerPort)}}}};
        Expected<QJsonObject> added = apiCall(socketPath, request);
        if (!added)
            return fail(
                QStringLiteral("cannot publish port %1: %2").arg(forward.toString(), added.error().message));
    }
    return network;
}

void UserNetwork::stop()
{
    if (m_exitFd >= 0) {
        ::close(m_exitFd);
        m_exitFd = -1;
    }
    if (m_pid > 0) {
        QDeadlineTimer deadline(2000);
        int status = 0;
        pid_t reaped = 0;
        while ((reaped = ::waitpid(m_pid, &status, WNOHANG)) == 0 && !deadline.hasExpired())
            ::usleep(10000);
        if (reaped == 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, &status, 0);
        }
        m_pid = -1;
    }
    if (!m_runDir.isEmpty()) {
        QDir(m_runDir).removeRecursively();
        m_runDir.clear();
    }
}

QByteArray UserNetwork::resolvConf(const QByteArray &hostResolvConf)
{
    QByteArray kept;
    QByteArray nameservers;
    for (const QByteArray &raw : hostResolvConf.split('\n')) {
        const QByteArray line = raw.simplified();
        if (line.isEmpty() || line.startsWith('#') || line.startsWith(';'))
            continue;
        const QList<QByteArray> words = line.split(' ');
        if (words.first() == "nameserver") {
            if (words.size() < 2)
                continue;
            const QHostAddress address(QString::fromLatin1(words[1]));
            // IPv6 servers are unreachable: the network carries IPv4 only.
            if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback() &&
                address != QHostAddress::AnyIPv4)
                nameservers += "nameserver " + words[1] + '\n';
        } else if (words.first() == "search" || words.first() == "domain" || words.first() == "options") {
            kept += line + '\n';
        }
    }
    if (nameservers.isEmpty())
        nameservers = QByteArray("nameserver ") + dnsAddress + '\n';
    return nameservers + kept;
}

} // namespace stagecraft
