// Test fixtures for the registry client: a real registry (Debian's docker-registry, on
// 127.0.0.1 on a free port, temporary storage, optionally htpasswd basic auth), and a
// small registry served by the test itself that demands bearer tokens, can send damaged
// blobs, and can die in the middle of a blob.
#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

namespace stagecraft::test {

inline const QString RegistryBinary = QStringLiteral("/usr/bin/docker-registry");

inline quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// Debian's docker-registry running for one test; stopped in the destructor.
class RegistryFixture
{
public:
    RegistryFixture() = default;
    RegistryFixture(const RegistryFixture &) = delete;
    RegistryFixture &operator=(const RegistryFixture &) = delete;
    ~RegistryFixture() { stop(); }

    static bool available() { return QFile::exists(RegistryBinary); }

    // With `user`, the registry demands basic auth (an htpasswd file made with `htpasswd -B`).
    bool start(const QString &user = {}, const QString &password = {})
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        for (int tries = 0; tries < 5; ++tries) {
            m_port = freePort();
            QByteArray config = "version: 0.1\n"
                                "log:\n  level: error\n  accesslog:\n    disabled: true\n"
                                "storage:\n  filesystem:\n    rootdirectory: " +
                                QFile::encodeName(m_dir.filePath(QStringLiteral("data"))) +
                                "\n  delete:\n    enabled: true\n"
                                "http:\n  addr: 127.0.0.1:" +
                                QByteArray::number(m_port) + "\n  secret: stagecraft-test\n";
            if (!user.isEmpty()) {
                QProcess htpasswd;
                htpasswd.start(QStringLiteral("htpasswd"), {QStringLiteral("-Bbn"), user, password});
                if (!htpasswd.waitForFinished(30000) || htpasswd.exitCode() != 0)
                    return fail(QStringLiteral("htpasswd failed (is apache2-utils installed?)"));
                const QString file = m_dir.filePath(QStringLiteral("htpasswd"));
                QFile out(file);
                if (!out.open(QIODevice::WriteOnly))
                    return fail(QStringLiteral("cannot write ") + file);
                out.write(htpasswd.readAllStandardOutput());
                out.close();
                config +=
                    "auth:\n  htpasswd:\n    realm: stagecraft-test\n    path: " + QFile::encodeName(file) +
                    "\n";
            }
            const QString configPath = m_dir.filePath(QStringLiteral("config.yml"));
            QFile c(configPath);
            if (!c.open(QIODevice::WriteOnly | QIODevice::Truncate))
                return fail(QStringLiteral("cannot write ") + configPath);
            c.write(config);
            c.close();
            m_process = std::make_unique<QProcess>();
            m_process->setProcessChannelMode(QProcess::MergedChannels);
            m_process->start(RegistryBinary, {QStringLiteral("serve"), configPath});
            if (!m_process->waitForStarted(10000))
                return fail(QStringLiteral("docker-registry did not start"));
            if (waitUntilServing())
                return true;
            stop();
        }
        return fail(QStringLiteral("docker-registry did not answer on /v2/"));
    }

    void stop()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(10000);
        }
        m_process.reset();
    }

    QString host() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString url() const { return QStringLiteral("http://") + host(); }
    QString error() const { return m_error; }

private:
    bool fail(const QString &message)
    {
        m_error = message;
        return false;
    }

    bool waitUntilServing()
    {
        const QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(200)) {
                socket.write("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                socket.waitForBytesWritten(1000);
                if (socket.waitForReadyRead(2000) && socket.readAll().startsWith("HTTP/1.1 "))
                    return true;
            }
            QTest::qWait(50);
        }
        if (m_process)
            m_error = QString::fromLocal8Bit(m_process->readAll());
        return false;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

// A registry served by the test on the test's own event loop (the client's local event
// loop runs it): fixed answers per path, bearer tokens from its own /token endpoint.
class FakeRegistry : public QObject
{
public:
    struct Route
    {
        Route(int s = 200, QByteArray type = "application/octet-stream", QByteArray b = {}, qint64 die = -1,
              QByteArray h = {})
            : status(s)
            , contentType(std::move(type))
            , body(std::move(b))
            , dieAfter(die)
            , headers(std::move(h))
        {}
        int status;
        QByteArray contentType;
        QByteArray body;
        qint64 dieAfter;    // send this many body bytes, then close the connection and stop listening
        QByteArray headers; // more header lines, each ending in \r\n ("Location: ...\r\n")
    };

    FakeRegistry()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QString host() const { return QStringLiteral("127.0.0.1:%1").arg(m_server.serverPort()); }
    void setRoute(const QByteArray &path, const Route &route) { m_routes.insert(path, route); }
    // Every /v2/ request then needs "Authorization: Bearer <token>", which GET /token
    // hands out (to anyone: the anonymous flow Docker Hub uses for public images).
    void requireBearer(const QByteArray &token) { m_token = token; }
    // The requests seen: "METHOD PATH?QUERY" and the Authorization header.
    QStringList requests() const { return m_requests; }

private:
    void serve(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        buffer.clear();
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        const QByteArray method = requestLine.value(0);
        const QByteArray target = requestLine.value(1);
        QByteArray authorization;
        for (const QByteArray &line : lines)
            if (line.toLower().startsWith("authorization:"))
                authorization = line.mid(14).trimmed();
        m_requests << QString::fromLatin1(method + ' ' + target + " auth=" + authorization);
        const QByteArray path = target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?'));

        if (path == "/token") {
            respond(socket, method, {200, "application/json", "{\"token\":\"" + m_token + "\"}", -1}, {});
            return;
        }
        if (!m_token.isEmpty() && authorization != "Bearer " + m_token) {
            const QByteArray scope =
                "repository:" +
                path.mid(4, path.indexOf("/manifests/") >= 0 ? path.indexOf("/manifests/") - 4
                                                             : path.indexOf("/blobs/") - 4) +
                ":pull";
            respond(socket, method,
                    {401, "application/json",
                     "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token needed\"}]}", -1},
                    "WWW-Authenticate: Bearer realm=\"http://" + host().toLatin1() +
                        "/token\",service=\"fake-registry\",scope=\"" + scope + "\"\r\n");
            return;
        }
        if (path == "/v2/") {
            respond(socket, method, {200, "application/json", "{}", -1}, {});
            return;
        }
        const auto it = m_routes.constFind(path);
        if (it == m_routes.cend()) {
            respond(socket, method,
                    {404, "application/json",
                     "{\"errors\":[{\"code\":\"NOT_FOUND\",\"message\":\"unknown\"}]}", -1},
                    {});
            return;
        }
        respond(socket, method, *it, it->headers);
    }

    void respond(QTcpSocket *socket, const QByteArray &method, const Route &route,
                 const QByteArray &extraHeaders)
    {
        QByteArray head = "HTTP/1.1 " + QByteArray::number(route.status) +
                          " X\r\nContent-Type: " + route.contentType +
                          "\r\nContent-Length: " + QByteArray::number(route.body.size()) +
                          "\r\nConnection: close\r\n" + extraHeaders + "\r\n";
        socket->write(head);
        if (method != "HEAD") {
            if (route.dieAfter >= 0) {
                socket->write(route.body.left(route.dieAfter));
                socket->flush();
                socket->waitForBytesWritten(1000);
                socket->abort();
                m_server.close();
                return;
            }
            socket->write(route.body);
        }
        socket->disconnectFromHost();
    }

    QTcpServer m_server;
    QMap<QByteArray, Route> m_routes;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QByteArray m_token;
    QStringList m_requests;
};

} // namespace stagecraft::test
