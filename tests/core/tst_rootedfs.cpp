// Rooted file operations against hostile names: every case builds a root and a "host"
// directory beside it, runs one operation, and checks that the host did not change and
// that the result is the one the container would see (or a clear error). Each case runs
// twice: with openat2 (where the kernel has it) and with the O_NOFOLLOW walk.
#include "core/fs/layeredview.h"
#include "core/fs/rootdirectory.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "treesnapshot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

void writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(data);
}

void symlink(const QString &target, const QString &at)
{
    QDir().mkpath(QFileInfo(at).absolutePath());
    QVERIFY2(::symlink(QFile::encodeName(target).constData(), QFile::encodeName(at).constData()) == 0,
             qPrintable(at));
}

QString fingerprint(const QString &dir)
{
    return fixtures::treeSnapshot(dir).join(QLatin1Char('\n'));
}

QByteArray readAll(int fd)
{
    QByteArray out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        out.append(buffer, n);
    return out;
}

} // namespace

class TestRootedFs : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_root;
    QString m_host;
    QString m_hostBefore;

    RootDirectory root()
    {
        auto r = RootDirectory::open(m_root);
        if (!r)
            qFatal("%s", qPrintable(r.error().message));
        return std::move(*r);
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QDir(m_dir.path()).removeRecursively();
        QDir().mkpath(m_dir.path());
        m_root = m_dir.filePath(QStringLiteral("root"));
        m_host = m_dir.filePath(QStringLiteral("host"));
        QDir().mkpath(m_root);
        writeFile(m_host + QStringLiteral("/important"), "keep me");
        writeFile(m_host + QStringLiteral("/etc/shadow"), "host secret");
        m_hostBefore = fingerprint(m_host);
    }
    void cleanup()
    {
        QCOMPARE(fingerprint(m_host), m_hostBefore);
        RootDirectory::setOpenat2Allowed(true);
    }

    void walkAndOpenat2_data()
    {
        QTest::addColumn<bool>("openat2");
        QTest::addRow("openat2") << true;
        QTest::addRow("walk") << false;
    }

    // `..` never climbs above the root, absolute and relative symlinks land inside it.
    void walkAndOpenat2()
    {
        QFETCH(bool, openat2);
        RootDirectory::setOpenat2Allowed(openat2);
        if (openat2 && !RootDirectory::openat2Available())
            QSKIP("this kernel has no openat2");
        writeFile(m_root + QStringLiteral("/etc/shadow"), "stage file");
        symlink(QStringLiteral("/etc"), m_root + QStringLiteral("/abs"));
        symlink(QStringLiteral("../../../../../../etc"), m_root + QStringLiteral("/rel"));
        symlink(m_host + QStringLiteral("/etc"), m_root + QStringLiteral("/hostpath"));
        const RootDirectory r = root();
        for (const QString &name : {QStringLiteral("../../etc/shadow"), QStringLiteral("/../etc/shadow"),
                                    QStringLiteral("abs/shadow"), QStringLiteral("rel/shadow"),
                                    QStringLiteral("abs/../abs/./shadow")}) {
            auto fd = r.open(name, O_RDONLY, Symlinks::FollowInRoot);
            QVERIFY2(fd, qPrintable(name));
            QCOMPARE(readAll(fd->get()), QByteArray("stage file"));
        }
        // The host's own path, named by a symlink, is looked up inside the root.
        auto hostFd = r.open(QStringLiteral("hostpath/shadow"), O_RDONLY, Symlinks::FollowInRoot);
        QVERIFY(!hostFd);
        QCOMPARE(hostFd.error().kind, FsErrorKind::NotFound);
        QCOMPARE(r.canonicalPath(QStringLiteral("rel/shadow")).value(), QStringLiteral("etc/shadow"));
        QCOMPARE(r.canonicalPath(QStringLiteral("abs/../../x/y")).value(), QStringLiteral("x/y"));
    }

    void refusePolicy()
    {
        symlink(m_host, m_root + QStringLiteral("/evil"));
        const RootDirectory r = root();
        auto parent = r.resolveParent(QStringLiteral("evil/important"), Symlinks::Refuse);
        QVERIFY(!parent);
        QCOMPARE(parent.error().kind, FsErrorKind::Symlink);
        auto created = r.openDirectory(QStringLiteral("evil/sub"), Symlinks::Refuse, true);
        QVERIFY(!created);
        // The symlink itself may be named and removed.
        QVERIFY(r.removeAll(QStringLiteral("evil"), Symlinks::Refuse));
        QVERIFY(!QFileInfo::exists(m_root + QStringLiteral("/evil")));
    }

    void symlinkLoop()
    {
        symlink(QStringLiteral("b"), m_root + QStringLiteral("/a"));
        symlink(QStringLiteral("a"), m_root + QStringLiteral("/b"));
        RootDirectory::setOpenat2Allowed(false);
        auto fd = root().open(QStringLiteral("a/x"), O_RDONLY, Symlinks::FollowInRoot);
        QVERIFY(!fd);
        QCOMPARE(fd.error().kind, FsErrorKind::Loop);
    }

    // Removing, creating and writing through a symlink that points at the host.
    void changesThroughSymlinks_data()
    {
        QTest::addColumn<QString>("link");
        QTest::addRow("absolute-host-path") << m_host;
        QTest::addRow("climbing") << QStringLiteral("../../../../../../../../") + m_host;
    }
    void changesThroughSymlinks()
    {
        QFETCH(QString, link);
        symlink(link, m_root + QStringLiteral("/evil"));
        const RootDirectory r = root();
        QVERIFY(r.removeAll(QStringLiteral("evil/important"), Symlinks::FollowInRoot));
        QVERIFY(r.makeDirectories(QStringLiteral("evil/etc/newdir")));
        auto fd =
            r.open(QStringLiteral("evil/important"), O_WRONLY | O_CREAT | O_TRUNC, Symlinks::FollowInRoot);
        QVERIFY(fd);
        QCOMPARE(::write(fd->get(), "x", 1), 1);
        // What was made is inside the root, where the symlink leads there.
        const QString canonical = r.canonicalPath(QStringLiteral("evil")).value();
        QVERIFY(QFileInfo::exists(m_root + QLatin1Char('/') + canonical + QStringLiteral("/etc/newdir")));
        QVERIFY(QFileInfo(m_root + QLatin1Char('/') + canonical + QStringLiteral("/important")).isFile());
    }

    // A directory swapped for a symlink after its parent was resolved: the *at() calls
    // act on the directory that was resolved, wherever it moved, never on the symlink's target.
    void symlinkSwapAfterResolution()
    {
        QDir().mkpath(m_root + QStringLiteral("/d"));
        const RootDirectory r = root();
        auto parent = r.resolveParent(QStringLiteral("d/important"), Symlinks::Refuse);
        QVERIFY(parent);
        QVERIFY(::rename(QFile::encodeName(m_root + QStringLiteral("/d")).constData(),
                         QFile::encodeName(m_root + QStringLiteral("/moved")).constData()) == 0);
        symlink(m_host, m_root + QStringLiteral("/d"));
        const int fd = ::openat(parent->directory.get(), parent->name.constData(),
                                O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        QVERIFY(fd >= 0);
        ::close(fd);
        QVERIFY(::unlinkat(parent->directory.get(), parent->name.constData(), 0) == 0);
        // And a fresh resolution refuses the symlink now in the way.
        QVERIFY(!r.resolveParent(QStringLiteral("d/important"), Symlinks::Refuse));
    }

    void removeUnreadableTree()
    {
        writeFile(m_root + QStringLiteral("/w/a/b/file"), "x");
        symlink(m_host, m_root + QStringLiteral("/w/a/hostlink"));
        ::chmod(QFile::encodeName(m_root + QStringLiteral("/w/a/b")).constData(), 0);
        ::chmod(QFile::encodeName(m_root + QStringLiteral("/w/a")).constData(), 0);
        ::chmod(QFile::encodeName(m_root + QStringLiteral("/w")).constData(), 0);
        QVERIFY(root().removeAll(QStringLiteral("w"), Symlinks::Refuse));
        QVERIFY(!QFileInfo::exists(m_root + QStringLiteral("/w")));
    }

    void removingTheRootIsRefused()
    {
        const RootDirectory r = root();
        QVERIFY(!r.removeAll(QStringLiteral("."), Symlinks::FollowInRoot));
        QVERIFY(!r.removeAll(QStringLiteral("../.."), Symlinks::FollowInRoot));
        QVERIFY(QFileInfo(m_root).isDir());
    }

    // `ln -s / /b && ln -s b/etc /a`, then COPY --from=s /a/shadow: the two hops resolve
    // in the stage, where there is no etc/shadow; the host's is never read.
    void layeredTwoHopSymlink()
    {
        const QString layer = m_dir.filePath(QStringLiteral("layer0"));
        QDir().mkpath(layer);
        symlink(QStringLiteral("/"), layer + QStringLiteral("/b"));
        symlink(QStringLiteral("b") + m_host + QStringLiteral("/etc"), layer + QStringLiteral("/a"));
        symlink(QStringLiteral("b/etc"), layer + QStringLiteral("/c"));
        auto view = LayeredView::open({layer});
        QVERIFY(view);
        QVERIFY(!view->find(QStringLiteral("a/shadow")).value().has_value());
        QVERIFY(!view->find(QStringLiteral("c/shadow")).value().has_value());
        // Once the stage has the file, it is the stage's copy that is found.
        writeFile(layer + QStringLiteral("/etc/shadow"), "stage");
        const auto found = view->find(QStringLiteral("c/shadow")).value();
        QVERIFY(found);
        QCOMPARE(found->path, QStringLiteral("etc/shadow"));
        QCOMPARE(found->hostPath, layer + QStringLiteral("/etc/shadow"));
    }

    // Layers: a whiteout hides, an opaque directory hides what is below, a directory
    // over a file or symlink hides the lower one, and a symlink in a lower layer is not
    // followed on the host when an upper layer has a directory there.
    void layeredOverlaySemantics()
    {
        const QString l0 = m_dir.filePath(QStringLiteral("l0"));
        const QString l1 = m_dir.filePath(QStringLiteral("l1"));
        writeFile(l0 + QStringLiteral("/keep/a"), "a");
        writeFile(l0 + QStringLiteral("/gone"), "gone");
        writeFile(l0 + QStringLiteral("/opaque/old"), "old");
        symlink(m_host, l0 + QStringLiteral("/swapped"));
        writeFile(l1 + QStringLiteral("/keep/b"), "b");
        writeFile(l1 + QStringLiteral("/opaque/new"), "new");
        writeFile(l1 + QStringLiteral("/swapped/mine"), "mine");
        // A whiteout in the xattr form (no privileges needed).
        writeFile(l1 + QStringLiteral("/gone"), QByteArray());
        if (::setxattr(QFile::encodeName(l1 + QStringLiteral("/gone")).constData(), "user.overlay.whiteout",
                       "y", 1, 0) != 0)
            QSKIP("this filesystem has no user xattrs");
        QVERIFY(::setxattr(QFile::encodeName(l1 + QStringLiteral("/opaque")).constData(),
                           "user.overlay.opaque", "y", 1, 0) == 0);
        auto view = LayeredView::open({l0, l1});
        QVERIFY(view);
        QCOMPARE(view->list(QStringLiteral("keep")).value(),
                 (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
        QCOMPARE(view->list(QStringLiteral("opaque")).value(), QStringList{QStringLiteral("new")});
        QVERIFY(!view->find(QStringLiteral("gone")).value());
        QVERIFY(!view->find(QStringLiteral("opaque/old")).value());
        QVERIFY(!view->find(QStringLiteral("swapped/important")).value());
        QCOMPARE(view->list(QStringLiteral("swapped")).value(), QStringList{QStringLiteral("mine")});
        QVERIFY(!view->list(QString()).value().contains(QStringLiteral("gone")));
        const auto a = view->find(QStringLiteral("keep/a")).value();
        QVERIFY(a);
        QCOMPARE(a->layer, 0);
        auto fd = view->openEntry(*a, O_RDONLY);
        QVERIFY(fd);
        QCOMPARE(readAll(fd->get()), QByteArray("a"));
    }
};

QTEST_GUILESS_MAIN(TestRootedFs)
#include "tst_rootedfs.moc"
