// `stagecraft run` as `docker run`: seed 002's flow (a web server started with -d -p,
// fetched from the host's 127.0.0.1, then stopped) and the options that shape the
// command: -e, -w, -u, --entrypoint, -v, -i, -t (also detached, and the window size of
// the caller's terminal), the exit status; `ps -a` and `rm` of ended containers. The
// image is Docker's busybox base with a page and `busybox httpd` as its CMD, built once
// by `stagecraft build`.
#include "core/exec/sandbox.h"
#include "core/exec/usernetwork.h"

#include "clirun.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

using Result = test::CliResult;

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
    void input_data();
    void input();
    void windowSize();
    void detachedTerminal_data();
    void detachedTerminal();
    void removeContainers();
    void removeWhenDone();
    void removeAfterSupervisorKilled();
    void detachedWebServer();

private:
    Result stagecraft(const QStringList &args, const QByteArray &input = {});
    // `ps -a`'s line of the container once it has ended ("" after 30 seconds).
    QByteArray waitForExit(const QString &shortId);
    QStringList scratchLeft() const; // writable layers of foreground runs still in the store
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

Result TestCliRun::stagecraft(const QStringList &args, const QByteArray &input)
{
    return test::runStagecraft(m_store, args, input);
}

QByteArray TestCliRun::waitForExit(const QString &shortId)
{
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        const Result r = stagecraft({QStringLiteral("ps"), QStringLiteral("-a")});
        for (const QByteArray &line : r.out.split('\n'))
            if (line.startsWith(shortId.toLatin1()) && line.contains("Exited ("))
                return line;
        QThread::msleep(100);
    }
    return {};
}

QStringList TestCliRun::scratchLeft() const
{
    return QDir(m_store + QStringLiteral("/cache/tmp"))
        .entryList({QStringLiteral("container-*")}, QDir::AllEntries | QDir::Hidden);
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

// -i passes stdin on without a terminal; without -i the command reads nothing.
void TestCliRun::input_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("out");
    QTest::addRow("-i cat") << QStringList{QStringLiteral("-i"), QStringLiteral("web:1"),
                                           QStringLiteral("cat")}
                            << QByteArray("hello\n");
    QTest::addRow("--interactive, stdin not a terminal")
        << QStringList{QStringLiteral("--interactive"), QStringLiteral("web:1"), QStringLiteral("sh"),
                       QStringLiteral("-c"), QStringLiteral("test -t 0 || read line && echo got-$line")}
        << QByteArray("got-hello\n");
    QTest::addRow("-i as another user") << QStringList{QStringLiteral("-i"),
                                                       QStringLiteral("-u"),
                                                       QStringLiteral("web"),
                                                       QStringLiteral("web:1"),
                                                       QStringLiteral("sh"),
                                                       QStringLiteral("-c"),
                                                       QStringLiteral("echo $(id -u):$(cat)")}
                                        << QByteArray("1001:hello\n");
    QTest::addRow("no -i") << QStringList{QStringLiteral("web:1"), QStringLiteral("cat")} << QByteArray();
}

void TestCliRun::input()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, out);
    const Result r = stagecraft(QStringList{QStringLiteral("run")} + args, "hello\n");
    QVERIFY2(r.status == 0, QByteArray(QByteArray::number(r.status) + ": " + r.out + r.err).constData());
    QCOMPARE(r.out, out);
}

// -it under a terminal of 33x101: the command's terminal has that size, and follows the
// caller's when it changes (the kernel sends SIGWINCH to the caller, as a terminal
// emulator's resize does).
void TestCliRun::windowSize()
{
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    QVERIFY(master >= 0);
    auto closeMaster = qScopeGuard([master] { ::close(master); });
    QVERIFY(::grantpt(master) == 0 && ::unlockpt(master) == 0);
    const winsize initial{33, 101, 0, 0};
    QVERIFY(::ioctl(master, TIOCSWINSZ, &initial) == 0);
    const QByteArray slaveName = ::ptsname(master);
    QProcess p;
    // The terminal becomes the controlling terminal of a new session and stagecraft's
    // stdio, as in a terminal emulator.
    p.setChildProcessModifier([&slaveName] {
        ::setsid();
        const int slave = ::open(slaveName.constData(), O_RDWR);
        if (slave < 0 || ::ioctl(slave, TIOCSCTTY, 0) != 0)
            ::_exit(126);
        for (const int fd : {0, 1, 2})
            ::dup2(slave, fd);
    });
    p.start(QStringLiteral(STAGECRAFT_BIN),
            {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("-it"),
             QStringLiteral("web:1"), QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("stty size; read x; stty size")});
    QVERIFY(p.waitForStarted());
    auto reap = qScopeGuard([&p] {
        p.kill();
        p.waitForFinished();
    });
    QByteArray out;
    const auto readUntil = [&](const QByteArray &wanted) {
        QDeadlineTimer deadline(60000);
        while (!out.contains(wanted) && !deadline.hasExpired()) {
            pollfd fd{master, POLLIN, 0};
            if (::poll(&fd, 1, 100) <= 0)
                continue;
            char buffer[512];
            const ssize_t n = ::read(master, buffer, sizeof(buffer));
            if (n <= 0)
                break;
            out.append(buffer, n);
        }
        return out.contains(wanted);
    };
    QVERIFY2(readUntil("33 101\r\n"), out.constData());
    const winsize resized{40, 120, 0, 0};
    QVERIFY(::ioctl(master, TIOCSWINSZ, &resized) == 0);
    QThread::msleep(300); // the signal reaches the caller before the key below
    QCOMPARE(::write(master, "\n", 1), ssize_t(1));
    QVERIFY2(readUntil("40 120\r\n"), out.constData());
    QVERIFY(p.waitForFinished(30000));
    reap.dismiss();
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, out.constData());
}

// -t -d: the command has a terminal, its output goes to the log (plain line ends).
void TestCliRun::detachedTerminal_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QByteArray>("log");
    QTest::addRow("-t -d") << QStringList{QStringLiteral("-t"), QStringLiteral("-d")}
                           << QByteArray("tty\ntty\ntty\n");
    QTest::addRow("-d") << QStringList{QStringLiteral("-d")} << QByteArray("none\nnone\nnone\n");
}

void TestCliRun::detachedTerminal()
{
    QFETCH(QStringList, options);
    QFETCH(QByteArray, log);
    // No network: the log holds the command's output only, not a notice of a fallback.
    Result r = stagecraft(QStringList{QStringLiteral("run"), QStringLiteral("--network=none")} + options +
                          QStringList{QStringLiteral("web:1"), QStringLiteral("sh"), QStringLiteral("-c"),
                                      QStringLiteral("for fd in 0 1 2; do test -t $fd && echo tty || echo "
                                                     "none; done")});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    const QString shortId = QString::fromLatin1(r.out.trimmed()).left(12);
    QVERIFY2(waitForExit(shortId).contains("Exited (0)"), r.out.constData());
    r = stagecraft({QStringLiteral("logs"), shortId});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, log);
    QCOMPARE(stagecraft({QStringLiteral("rm"), shortId}).status, 0);
}

// `ps -a` shows how ended containers ended; `rm` forgets them with their writable
// layer, refuses a running one, and stops it first with -f.
void TestCliRun::removeContainers()
{
    Result r = stagecraft({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("web:1"),
                           QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("echo changed > /www/index.html; exit 3")});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    const QString ended = QString::fromLatin1(r.out.trimmed());
    r = stagecraft({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("web:1"),
                    QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo changed > /www/index.html; exec sleep 120")});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    const QString running = QString::fromLatin1(r.out.trimmed());
    auto stopper = qScopeGuard([&] { stagecraft({QStringLiteral("rm"), QStringLiteral("-f"), running}); });
    const QString containers = m_store + QStringLiteral("/containers/");
    QVERIFY(QFileInfo::exists(containers + ended));
    QVERIFY(QFileInfo::exists(containers + running));

    QVERIFY(waitForExit(ended.left(12)).contains("Exited (3)"));
    r = stagecraft({QStringLiteral("ps")});
    QVERIFY2(!r.out.contains(ended.left(12).toLatin1()) && r.out.contains(running.left(12).toLatin1()),
             r.out.constData());
    // While it runs its writable layer holds what it changed.
    QVERIFY(!QDir(containers + running + QStringLiteral("/scratch")).isEmpty());

    r = stagecraft({QStringLiteral("rm"), running.left(12)});
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.contains("is running"), r.err.constData());
    QVERIFY(QFileInfo::exists(containers + running));
    r = stagecraft({QStringLiteral("rm"), ended.left(12)});
    QCOMPARE(r.status, 0);
    QCOMPARE(r.out, ended.left(12).toLatin1() + '\n');
    QVERIFY(!QFileInfo::exists(containers + ended));
    r = stagecraft({QStringLiteral("rm"), QStringLiteral("--force"), running.left(12)});
    QVERIFY2(r.status == 0, r.err.constData());
    stopper.dismiss();
    QVERIFY(!QFileInfo::exists(containers + running));
    r = stagecraft({QStringLiteral("ps"), QStringLiteral("-a"), QStringLiteral("-q")});
    QVERIFY2(!r.out.contains(ended.left(12).toLatin1()) && !r.out.contains(running.left(12).toLatin1()),
             r.out.constData());
    r = stagecraft({QStringLiteral("rm"), ended.left(12)});
    QCOMPARE(r.status, 1);
    QCOMPARE(stagecraft({QStringLiteral("rm")}).status, 2);
}

// --rm and the foreground leave nothing behind: no record, no writable layer.
void TestCliRun::removeWhenDone()
{
    const QStringList before = scratchLeft();
    Result r = stagecraft({QStringLiteral("run"), QStringLiteral("web:1"), QStringLiteral("sh"),
                           QStringLiteral("-c"), QStringLiteral("echo changed > /www/index.html")});
    QVERIFY2(r.status == 0, r.err.constData());
    QCOMPARE(scratchLeft(), before);
    r = stagecraft({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("-d"),
                    QStringLiteral("web:1"), QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo changed > /www/index.html; exec sleep 120")});
    QVERIFY2(r.status == 0, r.err.constData());
    const QString id = QString::fromLatin1(r.out.trimmed());
    const QString record = m_store + QStringLiteral("/containers/") + id;
    QVERIFY(QFileInfo::exists(record));
    r = stagecraft({QStringLiteral("stop"), id.left(12)});
    QVERIFY2(r.status == 0, r.err.constData());
    QVERIFY(!QFileInfo::exists(record));
    QCOMPARE(scratchLeft(), before);
}

// A supervisor killed outright records no exit; `rm` still removes what the container
// changed (files its own root and users own).
void TestCliRun::removeAfterSupervisorKilled()
{
    Result r = stagecraft({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--network=none"),
                           QStringLiteral("web:1"), QStringLiteral("sh"), QStringLiteral("-c"),
                           QStringLiteral("mkdir -p /home/web && chown web /home/web && "
                                          "echo changed > /www/index.html; exec sleep 120")});
    QVERIFY2(r.status == 0, r.err.constData());
    const QString id = QString::fromLatin1(r.out.trimmed());
    const QString record = m_store + QStringLiteral("/containers/") + id;
    QFile config(record + QStringLiteral("/config.json"));
    QVERIFY(config.open(QIODevice::ReadOnly));
    const qint64 pid =
        QJsonDocument::fromJson(config.readAll()).object().value(QStringLiteral("pid")).toInteger();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
    QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired() && QFileInfo::exists(QStringLiteral("/proc/%1").arg(pid)))
        QThread::msleep(20);
    r = stagecraft({QStringLiteral("ps"), QStringLiteral("-a")});
    QVERIFY2(r.out.contains(id.left(12).toLatin1()) && !r.out.contains("Up since"), r.out.constData());
    QVERIFY(!QDir(record + QStringLiteral("/scratch")).isEmpty());
    r = stagecraft({QStringLiteral("rm"), id.left(12)});
    QVERIFY2(r.status == 0, r.err.constData());
    QVERIFY(!QFileInfo::exists(record));
    // Nothing of it, not even the hidden name it is deleted under.
    const QStringList left = QDir(m_store + QStringLiteral("/containers"))
                                 .entryList({QLatin1Char('*') + id + QLatin1Char('*')},
                                            QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(u' ')));
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
