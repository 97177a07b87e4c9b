// The sandbox's private network (slirp4netns): what the namespace can and cannot reach
// on the host, published ports, the resolv.conf it gets, and the parsing of `-p`.
// Servers are plain sockets on a thread of the test; nothing depends on the internet.
#include "busyboxrootfs.h"

#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/exec/usernetwork.h"

#include <QHostAddress>
#include <QNetworkInterface>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

// A TCP server on the host that greets every client and stops by itself.
class GreetingServer
{
public:
    explicit GreetingServer(const QHostAddress &address)
    {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(address.toIPv4Address());
        socklen_t length = sizeof(a);
        if (::bind(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0 || ::listen(m_fd, 8) != 0 ||
            ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &length) != 0)
            return;
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] {
            for (int waited = 0; waited < 30000 && !m_stop; waited += 100) {
                pollfd p{m_fd, POLLIN, 0};
                if (::poll(&p, 1, 100) <= 0)
                    continue;
                const int client = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                if (client < 0)
                    continue;
                ++m_accepted;
                (void)!::write(client, "greeting\n", 9);
                ::close(client);
            }
        });
    }
    ~GreetingServer()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
        ::close(m_fd);
    }
    quint16 port() const { return m_port; }
    int accepted() const { return m_accepted; }

private:
    int m_fd = -1;
    quint16 m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_accepted{0};
    std::thread m_thread;
};

QHostAddress nonLoopbackAddress()
{
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback())
            return a;
    return {};
}

} // namespace

// The test function itself must QSKIP (a skip in a helper would not end it).
#define PREPARE_OR_SKIP(needsPrivateNetwork)                                                                 \
    if (const QString skip = prepare(needsPrivateNetwork); !skip.isEmpty())                                  \
        QSKIP(qPrintable(skip));                                                                             \
    QVERIFY(m_rootfs)

class TestUserNetwork : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resolvConf_data();
    void resolvConf();
    void portForwardParse_data();
    void portForwardParse();
    void init();
    void hostLoopbackUnreachable_data();
    void hostLoopbackUnreachable();
    void hostNetworkReachesLoopback();
    void outboundToHostAddress();
    void privateInterfacesAndResolvConf();
    void publishedPort();

private:
    QString prepare(bool needsPrivateNetwork); // why to skip, or ""
    QStringList run(const QString &script, RunSpec spec, bool *ok);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<Rootfs> m_rootfs;
};

void TestUserNetwork::resolvConf_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("systemd-resolved stub")
        << QByteArray("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n")
        << QByteArray("nameserver 10.0.2.3\noptions edns0 trust-ad\nsearch lan\n");
    QTest::addRow("real servers kept")
        << QByteArray("# comment\nnameserver 192.168.1.1\nnameserver 127.0.0.1\n"
                      "nameserver 9.9.9.9\n")
        << QByteArray("nameserver 192.168.1.1\nnameserver 9.9.9.9\n");
    QTest::addRow("ipv6 only") << QByteArray("nameserver ::1\nnameserver fe80::1\n")
                               << QByteArray("nameserver 10.0.2.3\n");
    QTest::addRow("empty") << QByteArray() << QByteArray("nameserver 10.0.2.3\n");
    QTest::addRow("garbage ignored")
        << QByteArray("nameserver\nnameserver not-an-ip\nsortlist x\n  nameserver   8.8.8.8  \n")
        << QByteArray("nameserver 8.8.8.8\n");
}

void TestUserNetwork::resolvConf()
{
    QFETCH(QByteArray, host);
    QFETCH(QByteArray, expected);
    QCOMPARE(UserNetwork::resolvConf(host), expected);
}

void TestUserNetwork::portForwardParse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("parsed"); // toString(), "" for an error
    QTest::addRow("host:container") << QStringLiteral("8080:80") << QStringLiteral("127.0.0.1:8080:80");
    QTest::addRow("address") << QStringLiteral("0.0.0.0:8080:80") << QStringLiteral("0.0.0.0:8080:80");
    QTest::addRow("udp") << QStringLiteral("5353:53/udp") << QStringLiteral("127.0.0.1:5353:53/udp");
    QTest::addRow("tcp explicit") << QStringLiteral("1:2/tcp") << QStringLiteral("127.0.0.1:1:2");
    QTest::addRow("ipv6") << QStringLiteral("[::1]:8080:80") << QStringLiteral("[::1]:8080:80");
    QTest::addRow("container only") << QStringLiteral("80") << QString();
    QTest::addRow("zero") << QStringLiteral("0:80") << QString();
    QTest::addRow("too big") << QStringLiteral("70000:80") << QString();
    QTest::addRow("bad proto") << QStringLiteral("80:80/sctp") << QString();
    QTest::addRow("bad address") << QStringLiteral("host:80:80") << QString();
}

void TestUserNetwork::portForwardParse()
{
    QFETCH(QString, text);
    QFETCH(QString, parsed);
    const Expected<PortForward> forward = PortForward::parse(text);
    if (parsed.isEmpty()) {
        QVERIFY(!forward);
        QVERIFY(forward.error().message.contains(text));
    } else {
        QVERIFY2(forward, qPrintable(forward.error().message));
        QCOMPARE(forward->toString(), parsed);
    }
}

void TestUserNetwork::init()
{
    m_rootfs.reset();
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

QString TestUserNetwork::prepare(bool needsPrivateNetwork)
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        return QStringLiteral("sandbox unavailable: ") + reason;
    if (needsPrivateNetwork && !UserNetwork::isAvailable(&reason))
        return QStringLiteral("private network unavailable: ") + reason;
    if (test::busyboxBinary().isEmpty())
        return QStringLiteral("busybox is not installed (Debian package busybox-static)");
    const QString lower = m_dir->filePath(QStringLiteral("layer0"));
    const QString scratch = m_dir->filePath(QStringLiteral("scratch"));
    if (!test::makeBusyboxRootfs(lower) || !QDir().mkpath(scratch))
        return {};
    test::ownForSandbox(lower); // as root, owned by the shifted container root, as extraction does
    Expected<Rootfs> rootfs = Rootfs::prepare({lower}, scratch, RootfsMode::Copy, {});
    if (!rootfs) {
        qWarning("%s", qPrintable(rootfs.error().message));
        return {};
    }
    m_rootfs.emplace(std::move(*rootfs));
    return {};
}

QStringList TestUserNetwork::run(const QString &script, RunSpec spec, bool *ok)
{
    QStringList lines;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    SandboxCallbacks callbacks;
    callbacks.log = [&lines](const QString &line) { lines.append(line); };
    callbacks.notice = [&lines](const QString &line) { lines.append(QStringLiteral("notice: ") + line); };
    const auto result = Sandbox::run(*m_rootfs, spec, {}, callbacks);
    *ok = bool(result);
    if (!result)
        lines.append(QStringLiteral("error: ") + result.error().message);
    return lines;
}

void TestUserNetwork::hostLoopbackUnreachable_data()
{
    QTest::addColumn<QString>("target");
    QTest::addRow("127.0.0.1 is the namespace's own") << QStringLiteral("127.0.0.1");
    QTest::addRow("slirp's host gateway is disabled") << QStringLiteral("10.0.2.2");
}

void TestUserNetwork::hostLoopbackUnreachable()
{
    QFETCH(QString, target);
    PREPARE_OR_SKIP(true);
    GreetingServer server(QHostAddress::LocalHost);
    QVERIFY(server.port() != 0);
    bool ok = false;
    const QStringList lines = run(
        QStringLiteral("busybox nc -w 3 %1 %2 </dev/null || echo unreachable").arg(target).arg(server.port()),
        {}, &ok);
    QVERIFY2(ok, qPrintable(lines.join(u'\n')));
    QVERIFY2(!lines.contains(QStringLiteral("greeting")), qPrintable(lines.join(u'\n')));
    QVERIFY2(lines.contains(QStringLiteral("unreachable")), qPrintable(lines.join(u'\n')));
    QCOMPARE(server.accepted(), 0);
}

void TestUserNetwork::hostNetworkReachesLoopback()
{
    PREPARE_OR_SKIP(false);
    GreetingServer server(QHostAddress::LocalHost);
    QVERIFY(server.port() != 0);
    RunSpec spec;
    spec.network = NetworkMode::Host;
    bool ok = false;
    const QStringList lines =
        run(QStringLiteral("busybox nc -w 3 127.0.0.1 %1 </dev/null").arg(server.port()), spec, &ok);
    QVERIFY2(ok, qPrintable(lines.join(u'\n')));
    QCOMPARE(lines, QStringList{QStringLiteral("greeting")});
    QCOMPARE(server.accepted(), 1);
}

void TestUserNetwork::outboundToHostAddress()
{
    PREPARE_OR_SKIP(true);
    const QHostAddress address = nonLoopbackAddress();
    if (address.isNull())
        QSKIP("the host has no non-loopback IPv4 address");
    GreetingServer server(address);
    QVERIFY(server.port() != 0);
    bool ok = false;
    const QStringList lines =
        run(QStringLiteral("busybox nc -w 3 %1 %2 </dev/null").arg(address.toString()).arg(server.port()), {},
            &ok);
    QVERIFY2(ok, qPrintable(lines.join(u'\n')));
    QCOMPARE(lines, QStringList{QStringLiteral("greeting")});
    QCOMPARE(server.accepted(), 1);
}

void TestUserNetwork::privateInterfacesAndResolvConf()
{
    PREPARE_OR_SKIP(true);
    bool ok = false;
    const QStringList lines =
        run(QStringLiteral("cat /proc/net/dev | busybox tail -n +3 | busybox cut -d: -f1 | busybox sort; "
                           "echo ---; cat /etc/resolv.conf"),
            {}, &ok);
    QVERIFY2(ok, qPrintable(lines.join(u'\n')));
    const qsizetype separator = lines.indexOf(QStringLiteral("---"));
    QVERIFY(separator > 0);
    QStringList interfaces;
    for (const QString &l : lines.mid(0, separator))
        interfaces.append(l.trimmed());
    QCOMPARE(interfaces, (QStringList{QStringLiteral("lo"), QStringLiteral("tap0")}));
    QFile host(QStringLiteral("/etc/resolv.conf"));
    const QByteArray expected =
        UserNetwork::resolvConf(host.open(QIODevice::ReadOnly) ? host.readAll() : QByteArray());
    QCOMPARE(lines.mid(separator + 1).join(u'\n') + u'\n', QString::fromUtf8(expected));
}

void TestUserNetwork::publishedPort()
{
    PREPARE_OR_SKIP(true);
    // A free port on the host's loopback: bind, note, release.
    quint16 hostPort = 0;
    {
        GreetingServer probe(QHostAddress::LocalHost);
        hostPort = probe.port();
    }
    QVERIFY(hostPort != 0);
    RunSpec spec;
    spec.ports = {PortForward::parse(QStringLiteral("127.0.0.1:%1:80").arg(hostPort)).value()};
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("echo published | busybox timeout 20 busybox nc -l -p 80")};
    std::optional<std::expected<void, ExecError>> result;
    std::thread sandbox([&] { result = Sandbox::run(*m_rootfs, spec, {}, {}); });
    QByteArray received;
    for (int attempt = 0; attempt < 100 && !received.contains('\n'); ++attempt) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, hostPort);
        if (socket.waitForConnected(1000)) {
            while (socket.waitForReadyRead(1000))
                received += socket.readAll();
        }
        if (!received.contains('\n'))
            QThread::msleep(100);
    }
    sandbox.join();
    QVERIFY(result.has_value());
    QVERIFY2(*result, qPrintable((*result) ? QString() : result->error().message));
    QCOMPARE(received, QByteArray("published\n"));
}

QTEST_GUILESS_MAIN(TestUserNetwork)
#include "tst_usernetwork.moc"
