// A Docker engine of a test's own: dockerd with its data root, exec root, pidfile and unix
// socket in a directory the test gives, no iptables and no bridge (builds use
// --network=host), stopped and its mounts and files removed when the object goes. Used by
// tst_dockerengine and bench_build; needs root and Debian's docker.io.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <functional>

namespace stagecraft::test {

class PrivateDockerEngine
{
public:
    // Why no private engine can start here (no dockerd, not root); empty when one can.
    static QString unavailableReason();
    // The client that builds with BuildKit against a 20.10 engine: $STAGECRAFT_DOCKER,
    // else Debian's /usr/bin/docker (newer clients hand `docker build` to the buildx
    // plugin, which Debian 12 lacks), else `docker` on PATH.
    static QString defaultClient();

    // Starts dockerd and waits (up to 30 s) until `client` gets its version; `interrupted`
    // ends the wait early.
    PrivateDockerEngine(const QString &dockerd, const QString &client, const QString &dir,
                        const std::function<bool()> &interrupted = {});
    ~PrivateDockerEngine();
    PrivateDockerEngine(const PrivateDockerEngine &) = delete;
    PrivateDockerEngine &operator=(const PrivateDockerEngine &) = delete;

    bool isRunning() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }
    QString version() const { return m_version; }
    QString client() const { return m_client; }
    QString host() const { return QStringLiteral("unix://") + m_socket; }
    // The client's own settings directory, so the user's contexts and credentials stay out.
    QString configDir() const { return m_dir + QStringLiteral("/client"); }
    QString dataRoot() const { return m_dir + QStringLiteral("/data"); }

    QStringList hostArgs() const { return {QStringLiteral("-H"), host()}; }
    QProcessEnvironment environment() const;
    // Runs `client -H … args` to its end: its exit code (-1 when it did not finish), with
    // its stdout in `out` when given.
    int run(const QStringList &args, QByteArray *out = nullptr, int timeoutMs = 300000) const;

private:
    QString lastLog() const;

    QString m_client;
    QString m_dir;
    QString m_socket;
    QString m_error;
    QString m_version;
    QProcess m_daemon;
};

} // namespace stagecraft::test
