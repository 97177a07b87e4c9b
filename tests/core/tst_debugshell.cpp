// The debug shell's core API as the window uses it, without the CLI: the builder hands
// over the failed RUN step (where it is, its filesystem and spec), DebugShell::run runs
// a shell on a pseudo-terminal the caller relays, and the caller's cancellation token
// ends the shell and the build.
#include "core/builder/builder.h"
#include "core/builder/debugshell.h"
#include "core/exec/pseudoterminal.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

// A pty relayed from an input pipe to an output pipe, as a terminal panel would.
struct RelayedTerminal
{
    std::unique_ptr<PseudoTerminal> pty;
    int input[2] = {-1, -1};
    int output[2] = {-1, -1};

    bool open(const QByteArray &typed)
    {
        Expected<std::unique_ptr<PseudoTerminal>> opened = PseudoTerminal::open(-1);
        if (!opened || ::pipe2(input, O_CLOEXEC) != 0 || ::pipe2(output, O_CLOEXEC) != 0)
            return false;
        pty = std::move(*opened);
        if (::write(input[1], typed.constData(), size_t(typed.size())) != typed.size())
            return false;
        pty->startRelay(input[0], output[1], true);
        return true;
    }
    // Everything the shell printed, once it has ended.
    QByteArray finish()
    {
        pty->stop();
        ::close(output[1]);
        QByteArray out;
        char buffer[4096];
        for (ssize_t n; (n = ::read(output[0], buffer, sizeof(buffer))) > 0;)
            out.append(buffer, n);
        for (int fd : {input[0], input[1], output[0]})
            ::close(fd);
        return out;
    }
};

} // namespace

class TestDebugShell : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void failedStepHandedOver();
    void cancellationEndsShellAndBuild();

private:
    QString context(const QByteArray &dockerfile);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
};

QString TestDebugShell::context(const QByteArray &dockerfile)
{
    const QString dir = m_dir->filePath(QStringLiteral("context"));
    QDir().mkpath(dir);
    QFile f(dir + QStringLiteral("/Dockerfile"));
    if (!f.open(QIODevice::WriteOnly) || f.write(dockerfile) != dockerfile.size())
        return {};
    return dir;
}

void TestDebugShell::init()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = *store;
    auto imported = m_store->import(QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                                        QStringLiteral("/tests/data/images/base.docker.tar"),
                                    QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
}

void TestDebugShell::failedStepHandedOver()
{
    BuildRequest request;
    request.contextDir = context("FROM busybox:fixture AS tools\n"
                                 "RUN echo fine\n"
                                 "FROM busybox:fixture\n"
                                 "ARG LEVEL=deep\n"
                                 "WORKDIR /w\n"
                                 "RUN --network=none echo half-$((3*7)) > half && exit 7\n");
    QVERIFY(!request.contextDir.isEmpty());
    int calls = 0;
    std::optional<FailedStep> seen;
    Expected<int> shellExit = 0;
    QByteArray shellOutput;
    request.onFailedStep = [&](const FailedStep &failed, const CancellationToken &cancel) {
        ++calls;
        seen = failed;
        QCOMPARE(DebugShell::shellProgram(failed), QStringLiteral("/bin/sh"));
        RelayedTerminal terminal;
        QVERIFY(terminal.open("test -t 0 && echo \"tty $(cat half) $LEVEL $(pwd)\"\nexit 4\n"));
        shellExit = DebugShell::run(failed, terminal.pty->slaveFd(), cancel);
        shellOutput = terminal.finish();
    };
    const Expected<BuildResult> result = Builder(*m_store).build(request);
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QLatin1String("exit code: 7")),
             qPrintable(result.error().message));
    QCOMPARE(calls, 1);
    QVERIFY(seen);
    QCOMPARE(seen->stage, 1);
    QCOMPARE(seen->step, 3);
    QCOMPARE(seen->stepCount, 4);
    QCOMPARE(seen->range.start.line, 6);
    QCOMPARE(seen->instruction, QStringLiteral("RUN --network=none echo half-$((3*7)) > half && exit 7"));
    QCOMPARE(seen->exitCode, 7);
    QCOMPARE(seen->spec.workingDir, QStringLiteral("/w"));
    QVERIFY(seen->spec.env.contains(QStringLiteral("LEVEL=deep")));
    QCOMPARE(seen->spec.network, NetworkMode::None);
    QVERIFY2(shellExit, qPrintable(shellExit ? QString() : shellExit.error().message));
    QCOMPARE(*shellExit, 4);
    QVERIFY2(shellOutput.contains("tty half-21 deep /w\r\n"), shellOutput.constData());
    // The step's scratch went after the callback.
    QVERIFY(!QFileInfo::exists(seen->rootfs.scratchDir()));
}

void TestDebugShell::cancellationEndsShellAndBuild()
{
    BuildRequest request;
    request.contextDir = context("FROM busybox:fixture\nRUN false\n");
    QVERIFY(!request.contextDir.isEmpty());
    const CancellationToken cancel;
    Expected<int> shellExit = 0;
    qint64 shellMs = 0;
    request.onFailedStep = [&](const FailedStep &failed, const CancellationToken &token) {
        RelayedTerminal terminal;
        QVERIFY(terminal.open({})); // nothing typed: the shell waits for its user
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            cancel.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        shellExit = DebugShell::run(failed, terminal.pty->slaveFd(), token);
        shellMs = timer.elapsed();
        canceller.join();
        terminal.finish();
    };
    const Expected<BuildResult> result = Builder(*m_store).build(request, {}, cancel);
    QVERIFY(!result);
    QCOMPARE(result.error().message, QStringLiteral("build cancelled"));
    QVERIFY2(shellExit, qPrintable(shellExit ? QString() : shellExit.error().message));
    QCOMPARE(*shellExit, 130);
    QVERIFY2(shellMs >= 400 && shellMs < 30000, qPrintable(QString::number(shellMs)));
}

QTEST_GUILESS_MAIN(TestDebugShell)
#include "tst_debugshell.moc"
