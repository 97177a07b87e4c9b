// The layer a RUN produces, over overlayfs and over the copy fallback: new files,
// whiteouts, opaque directories, unchanged copy-ups left out, directories whose only
// change is their mtime, symlinks, hardlinks, and layers stacked on earlier uppers.
#include "busyboxrootfs.h"

#include "core/exec/changeset.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"

#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

Q_DECLARE_METATYPE(stagecraft::RootfsMode)

class TestChangeSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void newFile_data() { addModes(); }
    void newFile();
    void removalIsWhiteout_data() { addModes(); }
    void removalIsWhiteout();
    void recreatedDirectoryIsOpaque_data() { addModes(); }
    void recreatedDirectoryIsOpaque();
    void unchangedCopyUpIsLeftOut_data() { addModes(); }
    void unchangedCopyUpIsLeftOut();
    void rewrittenFileIsKept_data() { addModes(); }
    void rewrittenFileIsKept();
    void directoryTimesOnly_data() { addModes(); }
    void directoryTimesOnly();
    void linksAndNestedDirectories_data() { addModes(); }
    void linksAndNestedDirectories();
    void stackedOnEarlierUpper_data() { addModes(); }
    void stackedOnEarlierUpper();

private:
    void addModes();
    std::optional<Rootfs> prepare(RootfsMode mode, const QStringList &lowers,
                                  const QString &name = QStringLiteral("scratch"));
    std::optional<ChangeSet> runAndCapture(const Rootfs &rootfs, const QString &script);
    static QStringList listing(const ChangeSet &changes);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_lower;
};

void TestChangeSet::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox is not installed (Debian package busybox-static)");
}

void TestChangeSet::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_lower = m_dir->filePath(QStringLiteral("layer0"));
    QVERIFY(test::makeBusyboxRootfs(m_lower));
    QVERIFY(test::writeFile(m_lower + QStringLiteral("/data/a"), "a\n"));
    QVERIFY(test::writeFile(m_lower + QStringLiteral("/data/b"), "b\n"));
}

void TestChangeSet::addModes()
{
    QTest::addColumn<RootfsMode>("mode");
    QTest::addRow("overlay") << RootfsMode::Overlay;
    QTest::addRow("copy") << RootfsMode::Copy;
}

std::optional<Rootfs> TestChangeSet::prepare(RootfsMode mode, const QStringList &lowers, const QString &name)
{
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported())
        return std::nullopt;
    const QString scratch = m_dir->filePath(name);
    QDir().mkpath(scratch);
    Expected<Rootfs> rootfs = Rootfs::prepare(lowers, scratch, mode, {});
    if (!rootfs) {
        qWarning("%s", qPrintable(rootfs.error().message));
        return std::nullopt;
    }
    return std::move(*rootfs);
}

std::optional<ChangeSet> TestChangeSet::runAndCapture(const Rootfs &rootfs, const QString &script)
{
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(rootfs, spec, {}, callbacks);
    if (!ran) {
        qWarning("%s: %s", qPrintable(ran.error().message), qPrintable(output.join(u'\n')));
        return std::nullopt;
    }
    Expected<ChangeSet> changes = ChangeSet::capture(rootfs, {});
    if (!changes) {
        qWarning("%s", qPrintable(changes.error().message));
        return std::nullopt;
    }
    // Every entry's parent directory comes before it, as in a layer tarball.
    QStringList seen;
    for (const ChangeEntry &c : changes->entries()) {
        const QString parent = c.entry.path.section(u'/', 0, -2);
        if (!parent.isEmpty() && !seen.contains(parent) && c.entry.type != EntryType::OpaqueWhiteout) {
            qWarning("%s listed before its parent", qPrintable(c.entry.path));
            return std::nullopt;
        }
        seen.append(c.entry.path);
    }
    return std::move(*changes);
}

QStringList TestChangeSet::listing(const ChangeSet &changes)
{
    QStringList out;
    for (const ChangeEntry &c : changes.entries()) {
        switch (c.entry.type) {
        case EntryType::Directory: out.append(c.entry.path + u'/'); break;
        case EntryType::Whiteout: out.append(QStringLiteral("whiteout ") + c.entry.path); break;
        case EntryType::OpaqueWhiteout: out.append(QStringLiteral("opaque ") + c.entry.path); break;
        case EntryType::Symlink:
            out.append(c.entry.path + QStringLiteral(" -> ") + c.entry.linkTarget);
            break;
        case EntryType::Hardlink:
            out.append(c.entry.path + QStringLiteral(" => ") + c.entry.linkTarget);
            break;
        default: out.append(c.entry.path); break;
        }
    }
    return out;
}

#define PREPARE_OR_SKIP(var, lowers)                                                                         \
    QFETCH(RootfsMode, mode);                                                                                \
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported())                                          \
        QSKIP("overlayfs in a user namespace is not allowed by this kernel");                                \
    std::optional<Rootfs> var = prepare(mode, lowers);                                                       \
    QVERIFY(var)

void TestChangeSet::newFile()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("echo hi > /a"));
    QVERIFY(changes);
    // etc/ is there because the sandbox's /etc/hosts mount point came and went, and the
    // first RUN leaves /dev, /proc and /sys mount points, as with BuildKit.
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("a"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("sys/")}));
    const ChangeEntry *a = changes->find(QStringLiteral("a"), EntryType::File);
    QVERIFY(a);
    QCOMPARE(a->entry.size, 3);
    QCOMPARE(a->entry.uid, 0);
    QCOMPARE(a->entry.gid, 0);
    QVERIFY((a->entry.mode & 0600) == 0600);
    QFile content(a->sourcePath);
    QVERIFY(content.open(QIODevice::ReadOnly));
    QCOMPARE(content.readAll(), QByteArray("hi\n"));
    QCOMPARE(changes->byteCount(), 3);
}

void TestChangeSet::removalIsWhiteout()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("rm /bin/ls /data/a"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("bin/"), QStringLiteral("whiteout bin/ls"), QStringLiteral("data/"),
                          QStringLiteral("whiteout data/a"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("sys/")}));
    QCOMPARE(changes->byteCount(), 0);
}

void TestChangeSet::recreatedDirectoryIsOpaque()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    // /etc cannot be removed while /etc/hosts is mounted (Docker has the same limit), so
    // the directory recreated here is /data.
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("rm -rf /data && mkdir /data && echo c > /data/c"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("opaque data"), QStringLiteral("data/c"),
                          QStringLiteral("dev/"), QStringLiteral("etc/"), QStringLiteral("proc/"),
                          QStringLiteral("sys/")}));
}

void TestChangeSet::unchangedCopyUpIsLeftOut()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("chmod 644 /etc/motd /data/a && cat /etc/passwd > /dev/null"));
    QVERIFY(changes);
    if (mode == RootfsMode::Overlay) // the chmod really copied the file up
        QVERIFY(QFile::exists(rootfs->upperDir() + QStringLiteral("/data/a")));
    QCOMPARE(listing(*changes), (QStringList{QStringLiteral("dev/"), QStringLiteral("etc/"),
                                             QStringLiteral("proc/"), QStringLiteral("sys/")}));
}

void TestChangeSet::rewrittenFileIsKept()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    QTest::qSleep(20); // a new mtime must differ from the lower's
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("cat /data/a > /tmp/x && cat /tmp/x > /data/a && rm /tmp/x"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("data/a"), QStringLiteral("dev/"),
                          QStringLiteral("etc/"), QStringLiteral("proc/"), QStringLiteral("sys/"),
                          QStringLiteral("tmp/")}));
}

void TestChangeSet::directoryTimesOnly()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    QTest::qSleep(20);
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("touch /root /data"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("root/"), QStringLiteral("sys/")}));
    QCOMPARE(changes->byteCount(), 0);
}

void TestChangeSet::linksAndNestedDirectories()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(
        *rootfs,
        QStringLiteral(
            "ln -s /bin/busybox /bin/bb && mkdir -p /x/y/z && echo 12345 > /x/y/z/f && ln /x/y/z/f /x/g"));
    QVERIFY(changes);
    QCOMPARE(
        listing(*changes),
        (QStringList{QStringLiteral("bin/"), QStringLiteral("bin/bb -> /bin/busybox"), QStringLiteral("dev/"),
                     QStringLiteral("etc/"), QStringLiteral("proc/"), QStringLiteral("sys/"),
                     QStringLiteral("x/"), QStringLiteral("x/g"), QStringLiteral("x/y/"),
                     QStringLiteral("x/y/z/"), QStringLiteral("x/y/z/f => x/g")}));
    QCOMPARE(changes->byteCount(), 6); // the hardlink's bytes count once
}

void TestChangeSet::stackedOnEarlierUpper()
{
    QFETCH(RootfsMode, mode);
    if (!Rootfs::overlaySupported())
        QSKIP("needs overlayfs in a user namespace to produce an upper with whiteouts");
    // Step 1 on overlay: its upper (with a whiteout and an opaque directory) becomes a layer.
    std::optional<Rootfs> first = prepare(RootfsMode::Overlay, {m_lower}, QStringLiteral("first"));
    QVERIFY(first);
    QVERIFY(runAndCapture(*first,
                          QStringLiteral("rm /bin/ls && rm -rf /data && mkdir /data && echo c > /data/c")));
    const QString layer1 = m_dir->filePath(QStringLiteral("layer1"));
    QVERIFY(QDir().rename(first->upperDir(), layer1));
    first->removeScratch();

    std::optional<Rootfs> second = prepare(mode, {m_lower, layer1}, QStringLiteral("second"));
    QVERIFY(second);
    QVERIFY(!second->lookup(QStringLiteral("bin/ls")));
    QVERIFY(!second->lookup(QStringLiteral("data/a")));
    QVERIFY(second->lookup(QStringLiteral("data/c")));
    QVERIFY(second->lookup(QStringLiteral("bin/sh")));

    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("test -e /bin/ls && echo has-ls; echo /data/*; echo d > /data/d")};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(*second, spec, {}, callbacks);
    QVERIFY2(ran, qPrintable(output.join(u'\n')));
    QCOMPARE(output, QStringList{QStringLiteral("/data/c")});
    const Expected<ChangeSet> changes = ChangeSet::capture(*second, {});
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("data/d"), QStringLiteral("etc/")}));
}

QTEST_GUILESS_MAIN(TestChangeSet)
#include "tst_changeset.moc"
