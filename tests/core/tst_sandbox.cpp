// Running RUN commands with bubblewrap on a busybox root filesystem, over overlayfs and
// over the copy fallback: output, exit errors, env/workdir/user, network, mounts, the
// invisibility of host paths and cancellation. When run as root, also re-runs itself as
// nobody to prove that an ordinary user gets the same.
#include "busyboxrootfs.h"

#include "core/exec/changeset.h"
#include "core/exec/pseudoterminal.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

using namespace stagecraft;

Q_DECLARE_METATYPE(stagecraft::RootfsMode)

namespace {

struct Outcome
{
    std::expected<void, ExecError> result;
    QStringList lines;
};

} // namespace

class TestSandbox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void output_data() { addModes(); }
    void output();
    void failureIsTypedError_data() { addModes(); }
    void failureIsTypedError();
    void envWorkdirUser_data() { addModes(); }
    void envWorkdirUser();
    void numericUser_data() { addModes(); }
    void numericUser();
    void unknownUserIsSetupError();
    void userOwnsItsFiles_data() { addModes(); }
    void userOwnsItsFiles();
    void networkNone_data() { addModes(); }
    void networkNone();
    void hostPathsInvisible_data() { addModes(); }
    void hostPathsInvisible();
    void hostsAndResolvConfNotCaptured_data() { addModes(); }
    void hostsAndResolvConfNotCaptured();
    void mounts_data() { addModes(); }
    void mounts();
    void tmpIsPartOfTheRootfs_data() { addModes(); }
    void tmpIsPartOfTheRootfs();
    void hardlinksInLowerStayLinked_data() { addModes(); }
    void hardlinksInLowerStayLinked();
    void cancellationKillsProcessGroup_data() { addModes(); }
    void cancellationKillsProcessGroup();
    void terminalOnAnyDescriptor_data();
    void terminalOnAnyDescriptor();
    void inputFromDescriptor_data();
    void inputFromDescriptor();
    void asOrdinaryUser();

private:
    void addModes();
    std::optional<Rootfs> prepare(RootfsMode mode);
    Outcome run(const Rootfs &rootfs, const QString &script, RunSpec spec = {},
                const CancellationToken &cancel = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_lower;
};

void TestSandbox::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox is not installed (Debian package busybox-static)");
}

void TestSandbox::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_lower = m_dir->filePath(QStringLiteral("layer0"));
    QVERIFY(test::makeBusyboxRootfs(m_lower));
}

void TestSandbox::addModes()
{
    QTest::addColumn<RootfsMode>("mode");
    QTest::addRow("overlay") << RootfsMode::Overlay;
    QTest::addRow("copy") << RootfsMode::Copy;
}

std::optional<Rootfs> TestSandbox::prepare(RootfsMode mode)
{
    QString reason;
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported(&reason)) {
        qWarning("overlay unavailable: %s", qPrintable(reason));
        return std::nullopt;
    }
    const QString scratch = m_dir->filePath(QStringLiteral("scratch"));
    QDir().mkpath(scratch);
    test::ownForSandbox(m_lower);
    Expected<Rootfs> rootfs = Rootfs::prepare({m_lower}, scratch, mode, {});
    if (!rootfs) {
        qWarning("%s", qPrintable(rootfs.error().message));
        return std::nullopt;
    }
    return std::move(*rootfs);
}

#define PREPARE_OR_SKIP(var)                                                                                 \
    QFETCH(RootfsMode, mode);                                                                                \
    std::optional<Rootfs> var = prepare(mode);                                                               \
    if (!var && mode == RootfsMode::Overlay)                                                                 \
        QSKIP("overlayfs in a user namespace is not allowed by this kernel");                                \
    QVERIFY(var)

Outcome TestSandbox::run(const Rootfs &rootfs, const QString &script, RunSpec spec,
                         const CancellationToken &cancel)
{
    Outcome outcome;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    SandboxCallbacks callbacks;
    callbacks.log = [&outcome](const QString &line) { outcome.lines.append(line); };
    outcome.result = Sandbox::run(rootfs, spec, cancel, callbacks);
    return outcome;
}

static QString describe(const Outcome &o)
{
    if (o.result)
        return QStringLiteral("ok: ") + o.lines.join(u'|');
    return o.result.error().message + QStringLiteral(" / ") + o.lines.join(u'|');
}

void TestSandbox::output()
{
    PREPARE_OR_SKIP(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("echo out; echo err >&2; printf 'no newline'"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines,
             (QStringList{QStringLiteral("out"), QStringLiteral("err"), QStringLiteral("no newline")}));
}

void TestSandbox::failureIsTypedError()
{
    PREPARE_OR_SKIP(rootfs);
    const Outcome o =
        run(*rootfs, QStringLiteral("for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; done; exit 3"));
    QVERIFY(!o.result);
    const ExecError &e = o.result.error();
    QCOMPARE(e.kind, ExecError::Kind::ExitCode);
    QCOMPARE(e.exitCode, 3);
    QCOMPARE(e.message,
             QStringLiteral("process \"/bin/sh -c for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; "
                            "done; exit 3\" did not complete successfully: exit code: 3"));
    QCOMPARE(e.lastLines.size(), Sandbox::keptLines);
    QCOMPARE(e.lastLines.last(), QStringLiteral("line12"));
    QCOMPARE(e.lastLines.first(), QStringLiteral("line3"));

    const Outcome f = run(*rootfs, QStringLiteral("false"));
    QCOMPARE(f.result.error().message,
             QStringLiteral("process \"/bin/sh -c false\" did not complete successfully: exit code: 1"));
}

void TestSandbox::envWorkdirUser()
{
    PREPARE_OR_SKIP(rootfs);
    RunSpec spec;
    spec.env = {QStringLiteral("GREETING=hello world"), QStringLiteral("PATH=/bin")};
    spec.workingDir = QStringLiteral("/srv/app");
    spec.user = QStringLiteral("builder");
    const Outcome o =
        run(*rootfs, QStringLiteral("echo \"$GREETING\"; pwd; id -u; id -g; echo $HOME; echo $PATH"), spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines,
             (QStringList{QStringLiteral("hello world"), QStringLiteral("/srv/app"), QStringLiteral("1000"),
                          QStringLiteral("1000"), QStringLiteral("/home/builder"), QStringLiteral("/bin")}));
    // The working directory Docker creates is part of the layer.
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    QVERIFY(changes->find(QStringLiteral("srv"), EntryType::Directory));
    QVERIFY(changes->find(QStringLiteral("srv/app"), EntryType::Directory));

    RunSpec group;
    group.user = QStringLiteral("builder:staff");
    const Outcome g = run(*rootfs, QStringLiteral("id -u; id -g; echo $PATH"), group);
    QVERIFY2(g.result, qPrintable(describe(g)));
    QCOMPARE(g.lines,
             (QStringList{QStringLiteral("1000"), QStringLiteral("50"),
                          QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")}));
}

void TestSandbox::numericUser()
{
    PREPARE_OR_SKIP(rootfs);
    RunSpec spec;
    spec.user = QStringLiteral("1234");
    const Outcome o = run(*rootfs, QStringLiteral("id -u; id -g"), spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines, (QStringList{QStringLiteral("1234"), QStringLiteral("0")}));
    const Outcome root = run(*rootfs, QStringLiteral("id -u; id -g; echo $HOME"));
    QCOMPARE(root.lines, (QStringList{QStringLiteral("0"), QStringLiteral("0"), QStringLiteral("/root")}));
}

void TestSandbox::unknownUserIsSetupError()
{
    const std::optional<Rootfs> rootfs = prepare(RootfsMode::Copy);
    QVERIFY(rootfs);
    RunSpec spec;
    spec.user = QStringLiteral("ghost");
    const Outcome o = run(*rootfs, QStringLiteral("true"), spec);
    QVERIFY(!o.result);
    QCOMPARE(o.result.error().kind, ExecError::Kind::Setup);
    QCOMPARE(o.result.error().message,
             QStringLiteral("unable to find user ghost: no matching entries in passwd file"));
}

void TestSandbox::userOwnsItsFiles()
{
    if (::geteuid() != 0)
        QSKIP("an ordinary user cannot give a lower layer's file another owner outside the namespace");
    QVERIFY(QDir().mkpath(m_lower + QStringLiteral("/home/builder")));
    QVERIFY(::chown(QFile::encodeName(m_lower + QStringLiteral("/home/builder")).constData(), 1000, 1000) ==
            0);
    PREPARE_OR_SKIP(rootfs);
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(test::writeFile(context + QStringLiteral("/in.txt"), "input\n"));
    RunSpec spec;
    spec.user = QStringLiteral("builder");
    spec.workingDir = QStringLiteral("/srv/app");
    spec.mounts = {SandboxMount::bindHostPath(context, QStringLiteral("/ctx")).value()};
    const Outcome o = run(*rootfs,
                          QStringLiteral("cat /ctx/in.txt > /home/builder/f && id -u && "
                                         "(touch /etc/x 2>/dev/null && echo wrote-etc || echo denied)"),
                          spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines, (QStringList{QStringLiteral("1000"), QStringLiteral("denied")}));
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    const ChangeEntry *f = changes->find(QStringLiteral("home/builder/f"), EntryType::File);
    QVERIFY(f);
    QCOMPARE(f->entry.uid, 1000);
    QCOMPARE(f->entry.gid, 1000);
    const ChangeEntry *workdir = changes->find(QStringLiteral("srv/app"), EntryType::Directory);
    QVERIFY(workdir);
    QCOMPARE(workdir->entry.uid, 0); // Docker creates the working directory as root
    QVERIFY(!changes->find(QStringLiteral("ctx"), EntryType::Directory));
}

void TestSandbox::networkNone()
{
    PREPARE_OR_SKIP(rootfs);
    RunSpec spec;
    spec.network = NetworkMode::None;
    const Outcome o = run(*rootfs, QStringLiteral("cat /proc/net/dev"), spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QStringList interfaces;
    for (const QString &line : o.lines.mid(2))
        interfaces.append(line.section(u':', 0, 0).trimmed());
    QCOMPARE(interfaces, QStringList{QStringLiteral("lo")});
}

void TestSandbox::hostPathsInvisible()
{
    PREPARE_OR_SKIP(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("ls /; ls /work /usr 2>&1; hostname"));
    QVERIFY2(!o.lines.contains(QStringLiteral("work")), qPrintable(describe(o)));
    QVERIFY2(o.lines.contains(QStringLiteral("buildkitsandbox")), qPrintable(describe(o)));
    QVERIFY(o.lines.contains(QStringLiteral("bin")));
    QVERIFY(o.lines.contains(QStringLiteral("ls: /work: No such file or directory")));
}

void TestSandbox::hostsAndResolvConfNotCaptured()
{
    PREPARE_OR_SKIP(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("cat /etc/hosts; test -e /etc/resolv.conf && echo resolv"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    QVERIFY(o.lines.first().contains(QStringLiteral("localhost buildkitsandbox")));
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    for (const ChangeEntry &c : changes->entries()) {
        QVERIFY2(!c.entry.path.startsWith(QStringLiteral("etc/")), qPrintable(c.entry.path));
    }
    // As with BuildKit, /etc itself still shows up: its mtime changed.
    QVERIFY(changes->find(QStringLiteral("etc"), EntryType::Directory));
    QCOMPARE(changes->byteCount(), 0);
}

void TestSandbox::mounts()
{
    PREPARE_OR_SKIP(rootfs);
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(test::writeFile(context + QStringLiteral("/input.txt"), "from the context\n"));
    const QString cache = m_dir->filePath(QStringLiteral("cache"));
    RunSpec spec;
    spec.mounts = {
        SandboxMount::bindHostPath(context, QStringLiteral("/ctx")).value(),
        SandboxMount::cache(cache, QStringLiteral("/var/cache/app")),
        SandboxMount::tmpfs(QStringLiteral("/scratch")),
    };
    const Outcome o =
        run(*rootfs,
            QStringLiteral("cat /ctx/input.txt; (echo no > /ctx/x) 2>/dev/null || echo read-only; "
                           "echo cached > /var/cache/app/c; echo t > /scratch/t; cat /scratch/t"),
            spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines, (QStringList{QStringLiteral("from the context"), QStringLiteral("read-only"),
                                   QStringLiteral("t")}));
    QFile cached(cache + QStringLiteral("/c"));
    QVERIFY(cached.open(QIODevice::ReadOnly));
    QCOMPARE(cached.readAll(), QByteArray("cached\n"));
    QVERIFY(!QFile::exists(context + QStringLiteral("/x")));

    // Mount points the sandbox created are not part of the layer.
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    for (const ChangeEntry &c : changes->entries())
        QVERIFY2(c.entry.path != u"ctx" && !c.entry.path.startsWith(QStringLiteral("var")) &&
                     c.entry.path != u"scratch",
                 qPrintable(c.entry.path));

    // The cache persists into the next RUN.
    RunSpec again;
    again.mounts = {SandboxMount::cache(cache, QStringLiteral("/var/cache/app"))};
    const Outcome second = run(*rootfs, QStringLiteral("cat /var/cache/app/c"), again);
    QCOMPARE(second.lines, QStringList{QStringLiteral("cached")});
}

void TestSandbox::tmpIsPartOfTheRootfs()
{
    PREPARE_OR_SKIP(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("echo t > /tmp/kept"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    QVERIFY(changes->find(QStringLiteral("tmp/kept"), EntryType::File));
}

void TestSandbox::hardlinksInLowerStayLinked()
{
    // Two names of one file in a layer are one file in the RUN, as overlayfs shows them:
    // the copy fallback must not split them into two.
    QVERIFY(test::writeFile(m_lower + QStringLiteral("/data/a"), "one\n"));
    QCOMPARE(::link(QFile::encodeName(m_lower + QStringLiteral("/data/a")).constData(),
                    QFile::encodeName(m_lower + QStringLiteral("/data/b")).constData()),
             0);
    PREPARE_OR_SKIP(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("busybox stat -c '%n %h %i' /data/a /data/b"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines.size(), 2);
    QCOMPARE(o.lines[0].section(u' ', 0, 1), QStringLiteral("/data/a 2"));
    QCOMPARE(o.lines[1].section(u' ', 0, 1), QStringLiteral("/data/b 2"));
    QCOMPARE(o.lines[0].section(u' ', 2), o.lines[1].section(u' ', 2)); // one inode
}

void TestSandbox::cancellationKillsProcessGroup()
{
    PREPARE_OR_SKIP(rootfs);
    CancellationToken cancel;
    std::atomic<qint64> group{0};
    QElapsedTimer sinceCancel;
    std::atomic_bool cancelled{false};
    SandboxCallbacks callbacks;
    callbacks.started = [&](qint64 pgid) { group = pgid; };
    std::thread canceller([&] {
        while (group == 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        sinceCancel.start();
        cancelled = true;
        cancel.cancel();
    });
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("sleep 100 & sleep 100; echo never")};
    const auto result = Sandbox::run(*rootfs, spec, cancel, callbacks);
    const qint64 elapsed = sinceCancel.elapsed();
    canceller.join();
    QVERIFY(cancelled);
    QVERIFY(!result);
    QCOMPARE(result.error().kind, ExecError::Kind::Cancelled);
    QVERIFY2(elapsed < 1000, qPrintable(QString::number(elapsed)));
    // Nothing of the process group is left.
    QDir proc(QStringLiteral("/proc"));
    for (const QString &pid : proc.entryList(QDir::Dirs)) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 2 && fields[2].toLongLong() == group.load())
            qWarning("left: %s", text.constData());
    }
    errno = 0;
    QCOMPARE(::kill(-pid_t(group.load()), 0), -1);
    QCOMPARE(errno, ESRCH);
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-g"), QString::number(group.load())});
    if (pgrep.waitForFinished(5000))
        QCOMPARE(pgrep.readAllStandardOutput(), QByteArray());
}

void TestSandbox::terminalOnAnyDescriptor_data()
{
    QTest::addColumn<int>("descriptor");
    QTest::addRow("low") << 5;
    // A shell redirection (`<&12`) takes single digits only: a busy program's pty is higher.
    QTest::addRow("two-digit") << 40;
}

// The pty becomes the command's stdin, stdout, stderr and controlling terminal, whatever
// descriptor the caller holds it on, and that descriptor does not reach the command.
void TestSandbox::terminalOnAnyDescriptor()
{
    QFETCH(int, descriptor);
    std::optional<Rootfs> rootfs = prepare(Rootfs::defaultMode());
    QVERIFY(rootfs);
    if (QStandardPaths::findExecutable(QStringLiteral("setsid")).isEmpty())
        QSKIP("setsid (util-linux) is not installed");
    Expected<std::unique_ptr<PseudoTerminal>> terminal = PseudoTerminal::open(-1);
    QVERIFY2(terminal, qPrintable(terminal ? QString() : terminal.error().message));
    const int fd = ::fcntl((*terminal)->slaveFd(), F_DUPFD_CLOEXEC, descriptor);
    QVERIFY(fd >= descriptor);
    int pipeFds[2];
    QCOMPARE(::pipe2(pipeFds, O_CLOEXEC), 0);
    (*terminal)->startRelay(-1, pipeFds[1], false);
    RunSpec spec;
    spec.terminalFd = fd;
    const Outcome o = run(*rootfs,
                          QStringLiteral("test -t 0 && test -t 1 && test -t 2 && echo tty-$((6*7)); "
                                         "test -e /proc/self/fd/%1 || echo no-fd-$((%1+1))")
                              .arg(fd),
                          spec);
    (*terminal)->stop();
    ::close(fd);
    ::close(pipeFds[1]);
    QByteArray out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipeFds[0], buffer, sizeof(buffer))) > 0;)
        out.append(buffer, n);
    ::close(pipeFds[0]);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QVERIFY2(out.contains("tty-42\r\n"), qPrintable(QString::fromUtf8(out) + describe(o)));
    QVERIFY2(out.contains(QStringLiteral("no-fd-%1\r\n").arg(fd + 1).toUtf8()), out.constData());
}

void TestSandbox::inputFromDescriptor_data()
{
    QTest::addColumn<bool>("onStdin");
    QTest::addRow("pipe") << false;
    // The caller's own stdin (`build --debug-shell < commands`): descriptor 0 itself.
    QTest::addRow("stdin") << true;
}

// Without a terminal, RunSpec::inputFd is the command's stdin (else /dev/null).
void TestSandbox::inputFromDescriptor()
{
    QFETCH(bool, onStdin);
    std::optional<Rootfs> rootfs = prepare(Rootfs::defaultMode());
    QVERIFY(rootfs);
    int pipeFds[2];
    QCOMPARE(::pipe2(pipeFds, O_CLOEXEC), 0);
    const QByteArray input = "line one\nline two\n";
    QCOMPARE(::write(pipeFds[1], input.constData(), size_t(input.size())), ssize_t(input.size()));
    ::close(pipeFds[1]);
    const int savedStdin = ::dup(STDIN_FILENO);
    if (onStdin)
        QCOMPARE(::dup2(pipeFds[0], STDIN_FILENO), STDIN_FILENO);
    RunSpec spec;
    spec.inputFd = onStdin ? STDIN_FILENO : pipeFds[0];
    const Outcome o = run(*rootfs, QStringLiteral("sed 's/^/in: /'"), spec);
    ::dup2(savedStdin, STDIN_FILENO);
    ::close(savedStdin);
    ::close(pipeFds[0]);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines, (QStringList{QStringLiteral("in: line one"), QStringLiteral("in: line two")}));
    const Outcome none = run(*rootfs, QStringLiteral("wc -c"));
    QVERIFY2(none.result, qPrintable(describe(none)));
    QCOMPARE(none.lines.join(QString()).trimmed(), QStringLiteral("0"));
}

void TestSandbox::asOrdinaryUser()
{
    if (::geteuid() != 0)
        QSKIP("already running as an ordinary user");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        QSKIP("setpriv (util-linux) is not installed");
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
    // nobody has no subordinate ids: this runs the single-id fallback (the suite as a user
    // with a range is scripts/test-as-user).
    env.insert(QStringLiteral("STAGECRAFT_SINGLE_ID"), QStringLiteral("1"));
    env.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.setWorkingDirectory(QStringLiteral("/tmp"));
    QStringList functions;
    for (const char *f :
         {"output", "failureIsTypedError", "envWorkdirUser", "numericUser", "networkNone",
          "hostPathsInvisible", "hostsAndResolvConfNotCaptured", "mounts", "tmpIsPartOfTheRootfs",
          "hardlinksInLowerStayLinked", "cancellationKillsProcessGroup"})
        functions.append(QLatin1String(f));
    child.start(setpriv,
                QStringList{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                            QStringLiteral("--clear-groups"), QCoreApplication::applicationFilePath()} +
                    functions);
    QVERIFY(child.waitForFinished(120000));
    const QByteArray output = child.readAll();
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, output.constData());
    for (const QByteArray &line : output.split('\n'))
        if (line.startsWith("SKIP"))
            qInfo("as nobody: %s", line.constData());
}

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
