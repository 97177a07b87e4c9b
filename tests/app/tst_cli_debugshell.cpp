// `stagecraft build --debug-shell` as a user runs it: a RUN that writes a file and then
// fails opens a shell in that step's filesystem (what the command wrote, its ENV,
// WORKDIR, USER), reading commands from stdin when that is no terminal. The build still
// fails, the store is byte for byte as a plain failed build leaves it, and the shell
// cannot reach the host's files or change the RUN cache mounts the next build sees.
#include "core/exec/sandbox.h"

#include "clirun.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

namespace {

using Result = test::CliResult;

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(absent)");
}

// Every file and directory below `root` with the hash of each file's bytes, one per
// line: two stores with the same listing hold the same images, tags and cache entries.
QString listing(const QString &root)
{
    QStringList lines;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info = it.fileInfo();
        QString line = path.mid(root.size());
        // The lock files are opened (and so created) by every command.
        if (info.isFile() && !line.endsWith(QLatin1String(".lock"))) {
            QFile f(path);
            line += QLatin1Char(' ') +
                    QString::fromLatin1(
                        f.open(QIODevice::ReadOnly)
                            ? QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex()
                            : QByteArray("unreadable"));
        }
        lines.append(line);
    }
    lines.sort();
    return lines.join(QLatin1Char('\n'));
}

} // namespace

class TestCliDebugShell : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void shellInFailedStep();
    void hostAndCacheUntouched();
    void noShell_data();
    void noShell();
    void jsonProgressRefused();
    void underTerminal();

private:
    Result stagecraft(const QStringList &args, const QByteArray &input = {});
    QString context(const QByteArray &dockerfile);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
    int m_contexts = 0;
};

Result TestCliDebugShell::stagecraft(const QStringList &args, const QByteArray &input)
{
    return test::runStagecraft(m_store, args, input);
}

QString TestCliDebugShell::context(const QByteArray &dockerfile)
{
    const QString dir = m_dir->filePath(QStringLiteral("context-%1").arg(m_contexts++));
    if (!QDir().mkpath(dir) || !writeFile(dir + QStringLiteral("/Dockerfile"), dockerfile))
        return {};
    return dir;
}

void TestCliDebugShell::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
}

void TestCliDebugShell::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = m_dir->filePath(QStringLiteral("store"));
    const QString base = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                         QStringLiteral("/tests/data/images/base.docker.tar");
    const Result r =
        stagecraft({QStringLiteral("import"), QStringLiteral("-t"), QStringLiteral("busybox:fixture"), base});
    QVERIFY2(r.status == 0, r.err.constData());
}

void TestCliDebugShell::shellInFailedStep()
{
    // The values the shell prints are computed, so the Dockerfile's own lines echoed in
    // the build's progress cannot pass for them.
    const QString failing = context("FROM busybox:fixture\n"
                                    "ENV FOO=abc\n"
                                    "WORKDIR /work/dir\n"
                                    "RUN mkdir -p /home/u && chmod 1777 /home/u\n"
                                    "USER 1234:1234\n"
                                    "RUN echo part$((20+22)) > /home/u/written && false\n");
    QVERIFY(!failing.isEmpty());
    const QStringList build{QStringLiteral("build"), QStringLiteral("-t"), QStringLiteral("debug:1"),
                            failing};
    // A plain failed build first: the store as a failed build leaves it.
    Result r = stagecraft(build);
    QVERIFY2(r.status != 0, r.out.constData());
    const QString before = listing(m_store);
    QVERIFY(before.contains(QLatin1String("/cache/build/")));

    r = stagecraft({QStringLiteral("build"), QStringLiteral("--debug-shell"), QStringLiteral("-t"),
                    QStringLiteral("debug:1"), failing},
                   "cat /home/u/written\n"
                   "echo \"uid=$(id -u):$(id -g)\"\n"
                   "echo \"x${FOO}x\"\n"
                   "echo \"pwd=$(pwd)\"\n"
                   "touch /home/u/from-shell && echo \"touched=$?\"\n"
                   "exit 3\n");
    const QByteArray all = r.out + r.err;
    QVERIFY2(r.status == 1, all.constData());
    QVERIFY2(r.out.contains("\npart42\n"), all.constData());
    QVERIFY2(r.out.contains("\nuid=1234:1234\n"), all.constData());
    QVERIFY2(r.out.contains("\nxabcx\n"), all.constData());
    QVERIFY2(r.out.contains("\npwd=/work/dir\n"), all.constData());
    QVERIFY2(r.out.contains("\ntouched=0\n"), all.constData());
    QVERIFY2(r.err.contains("Dockerfile:6: step 6/6 of stage 0 failed (exit code 1)"), all.constData());
    QVERIFY2(r.err.contains("debug shell exited (3)"), all.constData());
    QVERIFY2(r.err.contains("did not complete successfully: exit code: 1"), all.constData());
    // No image, tag or cache entry, and no scratch left behind.
    QCOMPARE(listing(m_store), before);
    QVERIFY(QDir(m_store + QStringLiteral("/cache/tmp")).isEmpty());

    // Fixed, the step runs (it was never cached) on layers without the shell's file.
    const QString fixed =
        context("FROM busybox:fixture\n"
                "ENV FOO=abc\n"
                "WORKDIR /work/dir\n"
                "RUN mkdir -p /home/u && chmod 1777 /home/u\n"
                "USER 1234:1234\n"
                "RUN test ! -e /home/u/from-shell && echo part$((20+22)) > /home/u/written\n");
    r = stagecraft({QStringLiteral("build"), QStringLiteral("--debug-shell"), QStringLiteral("-t"),
                    QStringLiteral("debug:1"), fixed});
    QVERIFY2(r.status == 0, QByteArray(r.out + r.err).constData());
    QVERIFY2(r.out.contains("#5 CACHED") && !r.out.contains("#6 CACHED") && r.out.contains("#6 DONE"),
             r.out.constData());
    QVERIFY2(!r.err.contains("debug shell"), r.err.constData());
}

void TestCliDebugShell::hostAndCacheUntouched()
{
    const QString hostDir = m_dir->filePath(QStringLiteral("host"));
    QVERIFY(QDir().mkpath(hostDir));
    const QString hostFile = hostDir + QStringLiteral("/secret");
    QVERIFY(writeFile(hostFile, "host\n"));
    QVERIFY(QFile::setPermissions(hostDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                               QFileDevice::WriteOther | QFileDevice::ExeOther));
    const QString failing =
        context("FROM busybox:fixture\n"
                "RUN --mount=type=cache,target=/cache echo run > /cache/from-run && false\n");
    QVERIFY(!failing.isEmpty());
    // Writes to the host's paths, directly and through /proc/1/root, and to the store.
    const QString input = QStringLiteral("echo \"cache=$(cat /cache/from-run)\"\n"
                                         "echo shell > /cache/from-shell\n"
                                         "echo pwned > %1; echo pwned > %2/new\n"
                                         "echo pwned > /proc/1/root%1; echo pwned > /proc/1/root%2/new\n"
                                         "mkdir -p %2 && echo pwned > %2/new2\n"
                                         "echo pwned > %3/refs.json\n"
                                         "echo end-$((1+1))\n")
                              .arg(hostFile, hostDir, m_store);
    // No `exit`: the end of stdin ends the shell.
    const Result r =
        stagecraft({QStringLiteral("build"), QStringLiteral("--debug-shell"), failing}, input.toUtf8());
    const QByteArray all = r.out + r.err;
    QVERIFY2(r.status == 1, all.constData());
    QVERIFY2(r.out.contains("\ncache=run\n") && r.out.contains("\nend-2\n"), all.constData());
    QVERIFY2(r.err.contains("debug shell exited (0)"), all.constData());
    QCOMPARE(readFile(hostFile), QByteArray("host\n"));
    QCOMPARE(QDir(hostDir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList{QStringLiteral("secret")});
    QVERIFY(!readFile(m_store + QStringLiteral("/refs.json")).contains("pwned"));

    // The next build's cache mount has what the RUN wrote, not what the shell wrote.
    const QString next = context("FROM busybox:fixture\n"
                                 "RUN --mount=type=cache,target=/cache test -e /cache/from-run && "
                                 "test ! -e /cache/from-shell\n");
    const Result again = stagecraft({QStringLiteral("build"), next});
    QVERIFY2(again.status == 0, QByteArray(again.out + again.err).constData());
}

void TestCliDebugShell::noShell_data()
{
    QTest::addColumn<QByteArray>("dockerfile");
    QTest::addColumn<QString>("missing");
    QTest::addRow("shell-instruction") << QByteArray("FROM busybox:fixture\n"
                                                     "SHELL [\"/bin/bash\", \"-c\"]\n"
                                                     "RUN [\"/bin/sh\", \"-c\", \"exit 1\"]\n")
                                       << QStringLiteral("/bin/bash");
    QTest::addRow("removed-by-the-run") << QByteArray("FROM busybox:fixture\n"
                                                      "RUN rm /bin/sh && false\n")
                                        << QStringLiteral("/bin/sh");
}

void TestCliDebugShell::noShell()
{
    QFETCH(QByteArray, dockerfile);
    QFETCH(QString, missing);
    const QString dir = context(dockerfile);
    const Result r = stagecraft({QStringLiteral("build"), QStringLiteral("--debug-shell"), dir}, "exit 0\n");
    const QByteArray all = r.out + r.err;
    QVERIFY2(r.status == 1, all.constData());
    QVERIFY2(
        r.err.contains(QStringLiteral("the stage has no %1 to open a debug shell").arg(missing).toUtf8()),
        all.constData());
    QVERIFY(QDir(m_store + QStringLiteral("/cache/tmp")).isEmpty());
}

void TestCliDebugShell::jsonProgressRefused()
{
    const QString dir = context("FROM busybox:fixture\nRUN false\n");
    const Result r = stagecraft({QStringLiteral("build"), QStringLiteral("--debug-shell"),
                                 QStringLiteral("--progress"), QStringLiteral("json"), dir});
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("--debug-shell needs plain progress"), r.err.constData());
    QVERIFY2(r.out.isEmpty(), r.out.constData());
}

// On a terminal (util-linux's `script` gives `stagecraft` one) the shell is the user's.
void TestCliDebugShell::underTerminal()
{
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script (util-linux) is not installed");
    const QString dir = context("FROM busybox:fixture\nRUN echo part$((20+22)) > /written && false\n");
    QProcess p;
    p.start(script, {QStringLiteral("-qec"),
                     QStringLiteral("'%1' build --store '%2' --debug-shell '%3'")
                         .arg(QStringLiteral(STAGECRAFT_BIN), m_store, dir),
                     QStringLiteral("/dev/null")});
    p.write("test -t 0 && test -t 1 && echo \"tty-$(cat /written)\"\nexit\n");
    p.closeWriteChannel();
    if (!p.waitForFinished(120000))
        p.kill();
    p.waitForFinished();
    const QByteArray out = p.readAllStandardOutput();
    QCOMPARE(p.exitCode(), 1);
    QVERIFY2(out.contains("tty-part42\r\n"), out.constData());
    QVERIFY2(!out.contains("commands from stdin"), out.constData());
}

QTEST_GUILESS_MAIN(TestCliDebugShell)
#include "tst_cli_debugshell.moc"
