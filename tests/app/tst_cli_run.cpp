// `stagecraft run` as `docker run`: seed 002's flow (a web server started with -d -p,
// fetched from the host's 127.0.0.1, then stopped) and the options that shape the
// command: -e, -w, -u, --entrypoint, -v, the exit status. The image is Docker's busybox
// base with a page and `busybox httpd` as its CMD, built once by `stagecraft build`.
#include "core/exec/sandbox.h"
#include "core/exec/usernetwork.h"

#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

namespace {

struct Result
{
    int status = -1;
    QByteArray out;
    QByteArray err;
};

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

// One HTTP/1.0 GET on 127.0.0.1; the whole answer, or "" when nothing answered.
QByteArray fetch(const QHostAddress &address, quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(address, port);
    if (!socket.waitForConnected(3000))
        return {};
    socket.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(3000))
        answer += socket.readAll();
    return answer;
}

} // namespace

class TestCliRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void options_data();
    void options();
    void volumes();
    void terminal();
    void detachedWebServer();

private:
    Result stagecraft(const QStringList &args);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

Result TestCliRun::stagecraft(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN),
            QStringList{args.first(), QStringLiteral("--store"), m_store} + args.mid(1));
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

void TestCliRun::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = m_dir->filePath(QStringLiteral("store"));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(QDir().mkpath(context));
    QFile f(context + QStringLiteral("/Dockerfile"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("FROM busybox:fixture\n"
            "RUN mkdir -p /www && echo '<p>hello from stagecraft</p>' > /www/index.html\n"
            "RUN echo 'web:x:1001:1002:web:/home/web:/bin/sh' >> /etc/passwd\n"
            "ENV GREETING=image\n"
            "WORKDIR /www\n"
            "EXPOSE 80\n"
            "CMD [\"busybox\", \"httpd\", \"-f\", \"-p\", \"80\", \"-h\", \"/www\"]\n");
    f.close();
    const QString base = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                         QStringLiteral("/tests/data/images/base.docker.tar");
    Result r =
        stagecraft({QStringLiteral("import"), QStringLiteral("-t"), QStringLiteral("busybox:fixture"), base});
    QVERIFY2(r.status == 0, r.err.constData());
    r = stagecraft({QStringLiteral("build"), QStringLiteral("-t"), QStringLiteral("web:1"), context});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
}

void TestCliRun::options_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("out");
    const auto sh = [](const char *script) {
        return QStringList{QStringLiteral("web:1"), QStringLiteral("--"), QStringLiteral("sh"),
                           QStringLiteral("-c"), QLatin1String(script)};
    };
    QTest::addRow("exit status kept") << sh("exit 3") << 3 << QByteArray();
    QTest::addRow("image env and workdir") << sh("echo $GREETING; pwd") << 0 << QByteArray("image\n/www\n");
    QTest::addRow("-e overrides") << QStringList{QStringLiteral("-e"), QStringLiteral("GREETING=hi"),
                                                 QStringLiteral("--env=OTHER=2")} +
                                         sh("echo $GREETING $OTHER")
                                  << 0 << QByteArray("hi 2\n");
    QTest::addRow("-w made when missing")
        << QStringList{QStringLiteral("-w"), QStringLiteral("/srv/app")} + sh("pwd") << 0
        << QByteArray("/srv/app\n");
    QTest::addRow("-u name") << QStringList{QStringLiteral("-u"), QStringLiteral("web")} + sh("id -u; id -g")
                             << 0 << QByteArray("1001\n1002\n");
    QTest::addRow("-u uid:gid") << QStringList{QStringLiteral("--user"), QStringLiteral("1234:5678")} +
                                       sh("id -u; id -g")
                                << 0 << QByteArray("1234\n5678\n");
    QTest::addRow("--entrypoint with args")
        << QStringList{QStringLiteral("--entrypoint"), QStringLiteral("echo"), QStringLiteral("web:1"),
                       QStringLiteral("a"), QStringLiteral("b")}
        << 0 << QByteArray("a b\n");
    QTest::addRow("--entrypoint drops CMD")
        << QStringList{QStringLiteral("--entrypoint"), QStringLiteral("echo"), QStringLiteral("web:1")} << 0
        << QByteArray("\n");
    QTest::addRow("--network none") << QStringList{QStringLiteral("--network"), QStringLiteral("none")} +
                                           sh("cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' '")
                                    << 0 << QByteArray("lo\n");
    QTest::addRow("unknown image") << QStringList{QStringLiteral("nothere:1")} << 125 << QByteArray();
    QTest::addRow("bad port") << QStringList{QStringLiteral("-p"), QStringLiteral("80"),
                                             QStringLiteral("web:1")}
                              << 125 << QByteArray();
    QTest::addRow("unknown option") << QStringList{QStringLiteral("--bogus"), QStringLiteral("web:1")} << 125
                                    << QByteArray();
}

void TestCliRun::options()
{
    QFETCH(QStringList, args);
    QFETCH(int, status);
    QFETCH(QByteArray, out);
    const Result r = stagecraft(QStringList{QStringLiteral("run")} + args);
    QVERIFY2(r.status == status, QByteArray(QByteArray::number(r.status) + ": " + r.out + r.err).constData());
    QCOMPARE(r.out, out);
    if (status == 125)
        QVERIFY(r.err.startsWith("stagecraft run: "));
}

void TestCliRun::volumes()
{
    const QString ro = m_dir->filePath(QStringLiteral("ro"));
    const QString rw = m_dir->filePath(QStringLiteral("rw"));
    QVERIFY(QDir().mkpath(ro));
    QVERIFY(QDir().mkpath(rw));
    QFile in(ro + QStringLiteral("/in.txt"));
    QVERIFY(in.open(QIODevice::WriteOnly));
    in.write("from the host\n");
    in.close();
    const Result r = stagecraft({QStringLiteral("run"), QStringLiteral("-v"), ro + QStringLiteral(":/in:ro"),
                                 QStringLiteral("-v"), rw + QStringLiteral(":/out"), QStringLiteral("web:1"),
                                 QStringLiteral("sh"), QStringLiteral("-c"),
                                 QStringLiteral("cat /in/in.txt; cp /in/in.txt /out/copy.txt; "
                                                "touch /in/x 2>/dev/null && echo wrote || echo read-only")});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    QCOMPARE(r.out, QByteArray("from the host\nread-only\n"));
    QFile copy(rw + QStringLiteral("/copy.txt"));
    QVERIFY(copy.open(QIODevice::ReadOnly));
    QCOMPARE(copy.readAll(), QByteArray("from the host\n"));
}

// -t and -it, through util-linux's `script`, which gives `stagecraft` a terminal.
void TestCliRun::terminal()
{
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script (util-linux) is not installed");
    const QString run = QStringLiteral("'%1' run --store '%2' ").arg(QStringLiteral(STAGECRAFT_BIN), m_store);
    const auto underTerminal = [&](const QString &command, const QByteArray &input) {
        QProcess p;
        p.start(script, {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
        p.write(input);
        p.closeWriteChannel();
        if (!p.waitForFinished(60000))
            p.kill();
        p.waitForFinished();
        return Result{p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                      p.readAllStandardError()};
    };
    Result r = underTerminal(
        run + QStringLiteral("-it web:1 sh -c 'test -t 0 && test -t 1 && echo both-tty; exit 4'"), {});
    QVERIFY2(r.status == 4, QByteArray(r.out + r.err).constData());
    QVERIFY2(r.out.contains("both-tty\r\n"), r.out.constData());
    // The keys reach the shell; the exit status is the shell's.
    r = underTerminal(run + QStringLiteral("-it web:1 sh"), "echo typed-$((6*7))\nexit 5\n");
    QVERIFY2(r.status == 5, QByteArray(r.out + r.err).constData());
    QVERIFY2(r.out.contains("typed-42\r\n"), r.out.constData());
    // Without a terminal, -t alone still gives the command one; -it refuses.
    r = stagecraft({QStringLiteral("run"), QStringLiteral("-t"), QStringLiteral("web:1"),
                    QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test -t 1 && echo out-tty")});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray("out-tty\r\n"));
    r = stagecraft(
        {QStringLiteral("run"), QStringLiteral("-it"), QStringLiteral("web:1"), QStringLiteral("true")});
    QCOMPARE(r.status, 125);
    QVERIFY2(r.err.contains("not a terminal"), r.err.constData());
}

void TestCliRun::detachedWebServer()
{
    QString reason;
    if (!UserNetwork::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("private network unavailable: ") + reason));
    const quint16 port = freeLoopbackPort();
    QVERIFY(port != 0);
    Result r = stagecraft({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("-p"),
                           QStringLiteral("%1:80").arg(port), QStringLiteral("web:1")});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    const QString id = QString::fromLatin1(r.out.trimmed());
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(id).hasMatch(), r.out.constData());
    const QString shortId = id.left(12);
    // Stopped at the end whatever happens in between, so no server outlives the test.
    auto stopper = qScopeGuard([&] { stagecraft({QStringLiteral("stop"), shortId}); });

    r = stagecraft({QStringLiteral("ps")});
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains(shortId.toLatin1()), r.out.constData());
    QVERIFY2(r.out.contains(QStringLiteral("127.0.0.1:%1->80/tcp").arg(port).toLatin1()), r.out.constData());

    const QByteArray page = fetch(QHostAddress::LocalHost, port);
    QVERIFY2(page.startsWith("HTTP/1.") && page.contains("<p>hello from stagecraft</p>"), page.constData());
    // Published on the host's loopback only, as asked.
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback()) {
            QVERIFY2(fetch(a, port).isEmpty(), qPrintable(a.toString()));
            break;
        }

    r = stagecraft({QStringLiteral("stop"), shortId});
    QVERIFY2(r.status == 0, r.err.constData());
    QCOMPARE(r.out, shortId.toLatin1() + '\n');
    stopper.dismiss();
    QVERIFY(fetch(QHostAddress::LocalHost, port).isEmpty());
    r = stagecraft({QStringLiteral("ps"), QStringLiteral("-q")});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, QByteArray());
    r = stagecraft({QStringLiteral("ps"), QStringLiteral("-a")});
    QVERIFY2(r.out.contains(shortId.toLatin1()) && r.out.contains("Exited (143)"), r.out.constData());
    r = stagecraft({QStringLiteral("logs"), shortId});
    QCOMPARE(r.status, 0);
    r = stagecraft({QStringLiteral("logs"), QStringLiteral("ffffffffffff")});
    QCOMPARE(r.status, 1);
}

QTEST_GUILESS_MAIN(TestCliRun)
#include "tst_cli_run.moc"
