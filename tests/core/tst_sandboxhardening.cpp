// What RUN must not be able to do, whoever runs the build: make namespaces, mount,
// open devices, write kernel settings, make a read-only bind writable, read kernel
// memory. And what it must be able to do: be root in its namespace (never host root),
// switch users and groups as package managers do, and leave container ids in the layer.
// Every case runs as root and, through scripts/test-as-user, as an ordinary user with a
// subordinate range.
#include "busyboxrootfs.h"

#include "core/exec/changeset.h"
#include "core/exec/idmap.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/exec/seccompfilter.h"

#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

struct Outcome
{
    std::expected<void, ExecError> result;
    QStringList lines;
};

QString describe(const Outcome &o)
{
    if (o.result)
        return QStringLiteral("ok: ") + o.lines.join(u'|');
    return o.result.error().message + QStringLiteral(" / ") + o.lines.join(u'|');
}

} // namespace

class TestSandboxHardening : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void refused_data();
    void refused();
    void identities_data();
    void identities();
    void capabilitiesAreDockers();
    void procPathsAreMasked();
    void containerRootIsNotHostRoot();
    void layerRecordsContainerIds();
    void idMapFromSubordinateFiles_data();
    void idMapFromSubordinateFiles();
    void diagnoseReportsEveryCheck();

private:
    std::optional<Rootfs> prepare();
    Outcome run(const Rootfs &rootfs, const QString &script, RunSpec spec = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_lower;
};

void TestSandboxHardening::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox is not installed (Debian package busybox-static)");
    // These checks are about a full id map; the one-id fallback has its own warning.
    QVERIFY2(IdMap::current()->kind() != IdMap::Kind::SingleId, "run without STAGECRAFT_SINGLE_ID");
}

void TestSandboxHardening::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_lower = m_dir->filePath(QStringLiteral("layer0"));
    QVERIFY(test::makeBusyboxRootfs(m_lower));
    QVERIFY(QDir().mkpath(m_lower + QStringLiteral("/mnt")));
    test::ownForSandbox(m_lower);
}

std::optional<Rootfs> TestSandboxHardening::prepare()
{
    const QString scratch = m_dir->filePath(QStringLiteral("scratch"));
    QDir().mkpath(scratch);
    Expected<Rootfs> rootfs = Rootfs::prepare({m_lower}, scratch, std::nullopt, {});
    if (!rootfs) {
        qWarning("%s", qPrintable(rootfs.error().message));
        return std::nullopt;
    }
    return std::move(*rootfs);
}

Outcome TestSandboxHardening::run(const Rootfs &rootfs, const QString &script, RunSpec spec)
{
    Outcome outcome;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    SandboxCallbacks callbacks;
    callbacks.log = [&outcome](const QString &line) { outcome.lines.append(line); };
    outcome.result = Sandbox::run(rootfs, spec, {}, callbacks);
    return outcome;
}

void TestSandboxHardening::refused_data()
{
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("user");
    // Each script succeeds only where the sandbox fails to refuse. The writes write back
    // what is there, so a broken sandbox changes nothing on the host.
    for (const char *user : {"", "1000"}) {
        const QString as = QLatin1String(*user ? " as 1000" : " as root");
        QTest::addRow("nested user namespace%s", qPrintable(as))
            << QStringLiteral("busybox unshare -U true") << QString::fromLatin1(user);
        QTest::addRow("unshare of a mount namespace%s", qPrintable(as))
            << QStringLiteral("busybox unshare -m true") << QString::fromLatin1(user);
        QTest::addRow("mount tmpfs%s", qPrintable(as))
            << QStringLiteral("busybox mount -t tmpfs x /mnt") << QString::fromLatin1(user);
        QTest::addRow("open a device node made with mknod%s", qPrintable(as))
            << QStringLiteral("(busybox mknod /tmp/d c 1 3 || true) && busybox head -c 1 /tmp/d >/dev/null")
            << QString::fromLatin1(user);
        QTest::addRow("write core_pattern%s", qPrintable(as))
            << QStringLiteral("v=$(cat /proc/sys/kernel/core_pattern) && echo \"$v\" > "
                              "/proc/sys/kernel/core_pattern")
            << QString::fromLatin1(user);
        QTest::addRow("write sysrq-trigger%s", qPrintable(as))
            << QStringLiteral("printf '' > /proc/sysrq-trigger") << QString::fromLatin1(user);
        QTest::addRow("remount a read-only bind writable%s", qPrintable(as))
            << QStringLiteral("busybox mount -o remount,bind,rw /ctx; touch /ctx/x")
            << QString::fromLatin1(user);
        QTest::addRow("read kernel memory%s", qPrintable(as))
            << QStringLiteral("test $(busybox head -c 16 /proc/kcore | busybox wc -c) -gt 0")
            << QString::fromLatin1(user);
    }
}

void TestSandboxHardening::refused()
{
    QFETCH(QString, script);
    QFETCH(QString, user);
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(test::writeFile(context + QStringLiteral("/in.txt"), "input\n"));
    RunSpec spec;
    spec.user = user;
    spec.mounts = {SandboxMount::bindHostPath(context, QStringLiteral("/ctx")).value()};
    const Outcome o = run(*rootfs, script, spec);
    QVERIFY2(!o.result, qPrintable(describe(o)));
    QCOMPARE(o.result.error().kind, ExecError::Kind::ExitCode);
    QVERIFY(!QFile::exists(context + QStringLiteral("/x")));
}

void TestSandboxHardening::identities_data()
{
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("script");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("root") << QString() << QStringLiteral("id -u; id -g; id -G")
                          << QStringList{QStringLiteral("0"), QStringLiteral("0"), QStringLiteral("0")};
    QTest::addRow("USER 1000") << QStringLiteral("1000") << QStringLiteral("id -u; id -g")
                               << QStringList{QStringLiteral("1000"), QStringLiteral("1000")};
    QTest::addRow("USER 4242 (no passwd entry)") << QStringLiteral("4242") << QStringLiteral("id -u; id -g")
                                                 << QStringList{QStringLiteral("4242"), QStringLiteral("0")};
    QTest::addRow("USER builder:staff") << QStringLiteral("builder:staff") << QStringLiteral("id -u; id -g")
                                        << QStringList{QStringLiteral("1000"), QStringLiteral("50")};
    // su sets groups and ids: impossible with a single mapped id (setgroups is denied).
    QTest::addRow("su to another user")
        << QString() << QStringLiteral("busybox su -s /bin/sh builder -c 'id -u; id -G'")
        << QStringList{QStringLiteral("1000"), QStringLiteral("1000")};
    QTest::addRow("nobody's files are nobody's")
        << QString()
        << QStringLiteral(
               "busybox touch /tmp/n && busybox chown 65534:65534 /tmp/n && busybox stat -c '%u:%g' /tmp/n")
        << QStringList{QStringLiteral("65534:65534")};
    QTest::addRow("lower layer's files are root's")
        << QString() << QStringLiteral("busybox stat -c '%u:%g' /etc/passwd /bin/busybox")
        << QStringList{QStringLiteral("0:0"), QStringLiteral("0:0")};
}

void TestSandboxHardening::identities()
{
    QFETCH(QString, user);
    QFETCH(QString, script);
    QFETCH(QStringList, expected);
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    RunSpec spec;
    spec.user = user;
    const Outcome o = run(*rootfs, script, spec);
    QVERIFY2(o.result, qPrintable(describe(o)));
    QCOMPARE(o.lines, expected);
}

void TestSandboxHardening::capabilitiesAreDockers()
{
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("busybox grep -E '^(CapEff|Seccomp):' /proc/self/status"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    // Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
    // NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP; mode 2 is a filter.
    QCOMPARE(o.lines,
             (QStringList{QStringLiteral("CapEff:\t00000000a80425fb"), QStringLiteral("Seccomp:\t2")}));
    const Outcome user = [&] {
        RunSpec spec;
        spec.user = QStringLiteral("1000");
        return run(*rootfs, QStringLiteral("busybox grep -E '^CapEff:' /proc/self/status"), spec);
    }();
    QVERIFY2(user.result, qPrintable(describe(user)));
    QCOMPARE(user.lines, QStringList{QStringLiteral("CapEff:\t0000000000000000")});
}

void TestSandboxHardening::procPathsAreMasked()
{
    // Docker's masked files that this kernel has show as /dev/null (char 1,3: opens, reads
    // nothing); without the mask they would be proc files (an empty %t,%T of 0,0).
    QStringList files;
    for (const char *path : {"/proc/keys", "/proc/timer_list", "/proc/kcore", "/proc/sched_debug"})
        if (QFileInfo(QLatin1String(path)).isFile())
            files.append(QLatin1String(path));
    if (files.isEmpty())
        QSKIP("this kernel has none of the masked /proc files");
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("busybox stat -c '%n %F %t,%T' ") + files.join(u' '));
    QVERIFY2(o.result, qPrintable(describe(o)));
    QStringList expected;
    for (const QString &f : std::as_const(files))
        expected.append(f + QStringLiteral(" character special file 1,3"));
    QCOMPARE(o.lines, expected);
    const Outcome write = run(*rootfs, QStringLiteral("echo 1 > /proc/sys/kernel/ns_last_pid"));
    QVERIFY(!write.result);
    QVERIFY2(write.lines.join(u' ').contains(QStringLiteral("Read-only file system")),
             qPrintable(describe(write)));
}

void TestSandboxHardening::containerRootIsNotHostRoot()
{
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    const Outcome o = run(*rootfs, QStringLiteral("touch /made-by-root"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    const QString onHost = (rootfs->mode() == RootfsMode::Overlay ? rootfs->upperDir() : rootfs->rootDir()) +
                           QStringLiteral("/made-by-root");
    struct stat st = {};
    QVERIFY(::lstat(QFile::encodeName(onHost).constData(), &st) == 0);
    QCOMPARE(qint64(st.st_uid), IdMap::current()->hostUid(0));
    QCOMPARE(qint64(st.st_gid), IdMap::current()->hostGid(0));
    if (::geteuid() == 0) {
        QVERIFY(st.st_uid != 0);
        QVERIFY(st.st_uid >= 100000);
    }
}

void TestSandboxHardening::layerRecordsContainerIds()
{
    std::optional<Rootfs> rootfs = prepare();
    QVERIFY(rootfs);
    const Outcome o =
        run(*rootfs, QStringLiteral("busybox touch /tmp/f /tmp/g && busybox chown 42:42 /tmp/f && "
                                    "busybox chown builder:staff /tmp/g && mkdir /home && "
                                    "busybox su -s /bin/sh builder -c 'busybox touch /tmp/h'"));
    QVERIFY2(o.result, qPrintable(describe(o)));
    const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
    QVERIFY(changes);
    const auto owner = [&](const char *path) {
        const ChangeEntry *e = changes->find(QLatin1String(path), EntryType::File);
        return e ? QStringLiteral("%1:%2").arg(e->entry.uid).arg(e->entry.gid) : QStringLiteral("missing");
    };
    QCOMPARE(owner("tmp/f"), QStringLiteral("42:42"));
    QCOMPARE(owner("tmp/g"), QStringLiteral("1000:50"));
    QCOMPARE(owner("tmp/h"), QStringLiteral("1000:1000"));
    const ChangeEntry *home = changes->find(QStringLiteral("home"), EntryType::Directory);
    QVERIFY(home);
    QCOMPARE(home->entry.uid, 0);
    rootfs->removeScratch();
    QVERIFY(QDir(rootfs->scratchDir()).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
}

void TestSandboxHardening::idMapFromSubordinateFiles_data()
{
    QTest::addColumn<uint>("uid");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("subuid");
    QTest::addColumn<bool>("singleId");
    QTest::addColumn<QString>("expected"); // describe(), or "error: " + a part of the message
    const QByteArray file = "alice:100000:65536\n# a comment\n1001:300000:1000\nbob:200000:65536\n";
    QTest::addRow("root without a range") << 0U << QStringLiteral("root") << file << false
                                          << QStringLiteral("uids 0…65535→1000000000…1000065535; gids "
                                                            "0…65535→1000000000…1000065535");
    QTest::addRow("root with a range")
        << 0U << QStringLiteral("root") << QByteArray("root:500000:65536\n") << false
        << QStringLiteral("uids 0…65535→500000…565535; gids 0…65535→500000…565535");
    QTest::addRow("user by name") << 1000U << QStringLiteral("alice") << file << false
                                  << QStringLiteral("uids 0→1000, 1…65536→100000…165535; gids 0→1000, "
                                                    "1…65536→100000…165535");
    QTest::addRow("user by number") << 1001U << QStringLiteral("carol") << file << false
                                    << QStringLiteral("uids 0→1001, 1…1000→300000…300999; gids 0→1001, "
                                                      "1…1000→300000…300999");
    QTest::addRow("user without a range")
        << 1002U << QStringLiteral("dave") << file << false
        << QStringLiteral("error: sudo usermod --add-subuids 301000-366535 --add-subgids "
                          "301000-366535 dave");
    QTest::addRow("one id asked for")
        << 1002U << QStringLiteral("dave") << file << true << QStringLiteral("uids 0→1002; gids 0→1002");
}

void TestSandboxHardening::idMapFromSubordinateFiles()
{
    QFETCH(uint, uid);
    QFETCH(QString, name);
    QFETCH(QByteArray, subuid);
    QFETCH(bool, singleId);
    QFETCH(QString, expected);
    const Expected<IdMap> map = IdMap::forUser(uid, uid, name, subuid, subuid, singleId);
    if (expected.startsWith(QStringLiteral("error: "))) {
        QVERIFY(!map);
        QVERIFY2(map.error().message.contains(expected.mid(7)), qPrintable(map.error().message));
        return;
    }
    QVERIFY2(map, qPrintable(map ? QString() : map.error().message));
    QCOMPARE(map->describe(), expected);
    // Every mapped id goes there and back; the owner is container root, others are nobody.
    for (const IdRange &r : map->uidRanges()) {
        QCOMPARE(map->containerUid(map->hostUid(r.containerStart + r.count - 1)),
                 r.containerStart + r.count - 1);
        QCOMPARE(map->hostUid(r.containerStart), r.hostStart);
    }
    QCOMPARE(map->containerUid(uid), 0);
    QCOMPARE(map->containerUid(4242424242LL), IdMap::overflowId);
}

void TestSandboxHardening::diagnoseReportsEveryCheck()
{
    const QList<SandboxCheck> checks = Sandbox::diagnose();
    QStringList names;
    for (const SandboxCheck &c : checks) {
        names.append(c.name);
        QVERIFY2(!c.detail.isEmpty(), qPrintable(c.name));
        QVERIFY2(c.ok == c.fix.isEmpty(), qPrintable(c.name + QStringLiteral(": ") + c.fix));
    }
    QCOMPARE(names,
             (QStringList{QStringLiteral("user namespaces"), QStringLiteral("subordinate ids"),
                          QStringLiteral("newuidmap"), QStringLiteral("newgidmap"), QStringLiteral("bwrap"),
                          QStringLiteral("overlayfs in a user namespace"), QStringLiteral("seccomp")}));
    // The sandbox works here (initTestCase), so what it needs is reported present.
    for (const SandboxCheck &c : checks)
        if (c.name != u"overlayfs in a user namespace")
            QVERIFY2(c.ok, qPrintable(c.name + QStringLiteral(": ") + c.detail));
    QVERIFY(SeccompFilter::refusedCalls().contains(QStringLiteral("mount")));
}

QTEST_GUILESS_MAIN(TestSandboxHardening)
#include "tst_sandboxhardening.moc"
