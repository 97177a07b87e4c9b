// The private network of a sandbox: slirp4netns attached to the sandbox's network
// namespace gives it outbound TCP/UDP and a DNS forwarder without privileges, keeps the
// host's loopback services out of reach, and publishes container ports on the host.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <sys/types.h>

namespace stagecraft {

// `-p [HOST_IP:]HOST_PORT:CONTAINER_PORT[/tcp|/udp]` of `docker run`.
struct PortForward
{
    QString hostAddress = QStringLiteral("127.0.0.1");
    quint16 hostPort = 0;
    quint16 containerPort = 0;
    bool udp = false;

    static Expected<PortForward> parse(const QString &text);
    QString toString() const; // the form parse() reads
};

class UserNetwork
{
public:
    // slirp4netns's fixed addresses inside the namespace (its default 10.0.2.0/24).
    static constexpr const char *dnsAddress = "10.0.2.3";
    static constexpr const char *guestAddress = "10.0.2.100";

    UserNetwork() = default;
    UserNetwork(const UserNetwork &) = delete;
    UserNetwork &operator=(const UserNetwork &) = delete;
    UserNetwork(UserNetwork &&other) noexcept;
    UserNetwork &operator=(UserNetwork &&other) noexcept;
    ~UserNetwork(); // stops slirp4netns

    // slirp4netns installed? Otherwise `reason` says what to install.
    static bool isAvailable(QString *reason = nullptr);
    static QString slirpPath();

    // Attaches to the network namespace of `pid` (entering its user namespace, which
    // an ordinary user needs to configure the interface) and returns once tap0 is up
    // and every forward is published. The namespace must not have an interface but lo.
    static Expected<UserNetwork> attach(pid_t pid, const QList<PortForward> &forwards = {});

    void stop();
    bool isRunning() const { return m_pid > 0; }

    // The resolv.conf for a sandbox on this network, from the host's: non-loopback
    // nameservers are kept (as Docker does); when only loopback ones remain (a local
    // resolver such as systemd-resolved's 127.0.0.53, unreachable from the namespace)
    // the network's DNS forwarder takes their place. search and options lines stay.
    static QByteArray resolvConf(const QByteArray &hostResolvConf);

private:
    pid_t m_pid = -1;
    int m_exitFd = -1; // slirp4netns exits when this (write end of its --exit-fd) closes
    QString m_runDir;  // holds the API socket
};

} // namespace stagecraft
