// COPY source selection in a real directory (globs, directories, exclusions, escapes),
// the Dockerfile-specific ignore file, and content digests with their stat memo.
#include "core/context/buildcontext.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;

class TestBuildContext : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void select_data();
    void select();
    void refusesEscapes_data();
    void refusesEscapes();
    void dockerfileIgnoreTakesPrecedence();
    void excludedDirectoryWithException();
    void digestFollowsContent();
    void secondDigestUsesMemo();

private:
    void write(const QString &relative, const QByteArray &content);
    QStringList paths(const QList<ContextMatch> &matches) const;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestBuildContext::write(const QString &relative, const QByteArray &content)
{
    const QString path = m_dir->filePath(relative);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(content);
}

QStringList TestBuildContext::paths(const QList<ContextMatch> &matches) const
{
    QStringList out;
    for (const ContextMatch &m : matches)
        for (const ContextFile &f : m.files)
            out.append(f.path.isEmpty() ? QStringLiteral(".") : f.path);
    return out;
}

void TestBuildContext::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    write(QStringLiteral("main.go"), "package main\n");
    write(QStringLiteral("util.go"), "package main\n");
    write(QStringLiteral("README.md"), "readme\n");
    write(QStringLiteral("debug.log"), "log\n");
    write(QStringLiteral("src/a.txt"), "a\n");
    write(QStringLiteral("src/sub/b.txt"), "b\n");
    write(QStringLiteral("src/sub/c.log"), "c\n");
    write(QStringLiteral("pkg/x/x.go"), "x\n");
    write(QStringLiteral("pkg/y/y.go"), "y\n");
    write(QStringLiteral(".dockerignore"), "*.log\n**/*.log\nsecret\n");
    write(QStringLiteral("secret"), "s\n");
    QVERIFY(::symlink("src", QFile::encodeName(m_dir->filePath(QStringLiteral("srclink"))).constData()) == 0);
    QVERIFY(::symlink("../../etc/passwd",
                      QFile::encodeName(m_dir->filePath(QStringLiteral("src/escape"))).constData()) == 0);
}

void TestBuildContext::select_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QStringList>("expected");
    QTest::addRow("glob") << QStringLiteral("*.go")
                          << QStringList{QStringLiteral("main.go"), QStringLiteral("util.go")};
    QTest::addRow("file") << QStringLiteral("README.md") << QStringList{QStringLiteral("README.md")};
    QTest::addRow("absolute-is-context")
        << QStringLiteral("/README.md") << QStringList{QStringLiteral("README.md")};
    QTest::addRow("dir-slash") << QStringLiteral("src/")
                               << QStringList{QStringLiteral("src"), QStringLiteral("src/a.txt"),
                                              QStringLiteral("src/escape"), QStringLiteral("src/sub"),
                                              QStringLiteral("src/sub/b.txt")};
    QTest::addRow("glob-in-dir") << QStringLiteral("pkg/*/*.go")
                                 << QStringList{QStringLiteral("pkg/x/x.go"), QStringLiteral("pkg/y/y.go")};
    QTest::addRow("question") << QStringLiteral("pkg/?")
                              << QStringList{QStringLiteral("pkg/x"), QStringLiteral("pkg/x/x.go"),
                                             QStringLiteral("pkg/y"), QStringLiteral("pkg/y/y.go")};
    QTest::addRow("glob-matching-nothing") << QStringLiteral("*.rs") << QStringList{};
    QTest::addRow("class") << QStringLiteral("[mu]*.go")
                           << QStringList{QStringLiteral("main.go"), QStringLiteral("util.go")};
    QTest::addRow("glob-skips-excluded")
        << QStringLiteral("*") // .log and secret are excluded
        << QStringList{QStringLiteral(".dockerignore"), QStringLiteral("README.md"),
                       QStringLiteral("main.go"),       QStringLiteral("pkg"),
                       QStringLiteral("pkg/x"),         QStringLiteral("pkg/x/x.go"),
                       QStringLiteral("pkg/y"),         QStringLiteral("pkg/y/y.go"),
                       QStringLiteral("src"),           QStringLiteral("src/a.txt"),
                       QStringLiteral("src/escape"),    QStringLiteral("src/sub"),
                       QStringLiteral("src/sub/b.txt"), QStringLiteral("srclink"),
                       QStringLiteral("srclink/a.txt"), QStringLiteral("srclink/escape"),
                       QStringLiteral("srclink/sub"),   QStringLiteral("srclink/sub/b.txt"),
                       QStringLiteral("util.go")};
    QTest::addRow("symlinked-dir-followed")
        << QStringLiteral("srclink/sub")
        << QStringList{QStringLiteral("srclink/sub"), QStringLiteral("srclink/sub/b.txt")};
    QTest::addRow("inner-dotdot") << QStringLiteral("src/../README.md")
                                  << QStringList{QStringLiteral("README.md")};
}

void TestBuildContext::select()
{
    QFETCH(QString, source);
    QFETCH(QStringList, expected);
    const Expected<BuildContext> context = BuildContext::open(m_dir->path());
    QVERIFY(context);
    const Expected<QList<ContextMatch>> matches = context->select(source, {});
    QVERIFY2(matches, matches ? "" : qPrintable(matches.error().message));
    QCOMPARE(paths(*matches), expected);
}

void TestBuildContext::refusesEscapes_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("message");
    QTest::addRow("dotdot") << QStringLiteral("../x") << QStringLiteral("outside the build context");
    QTest::addRow("symlink-out") << QStringLiteral("src/escape")
                                 << QStringLiteral("outside the build context");
    QTest::addRow("excluded") << QStringLiteral("debug.log") << QStringLiteral("excluded by .dockerignore");
    QTest::addRow("missing") << QStringLiteral("nope.txt") << QStringLiteral("not found");
}

void TestBuildContext::refusesEscapes()
{
    QFETCH(QString, source);
    QFETCH(QString, message);
    const Expected<BuildContext> context = BuildContext::open(m_dir->path());
    QVERIFY(context);
    const Expected<QList<ContextMatch>> matches = context->select(source, {});
    QVERIFY(!matches);
    QVERIFY2(matches.error().message.contains(message), qPrintable(matches.error().message));
}

void TestBuildContext::dockerfileIgnoreTakesPrecedence()
{
    write(QStringLiteral("build/app.Dockerfile"), "FROM scratch\n");
    write(QStringLiteral("build/app.Dockerfile.dockerignore"), "README.md\n");
    const Expected<BuildContext> context =
        BuildContext::open(m_dir->path(), m_dir->filePath(QStringLiteral("build/app.Dockerfile")));
    QVERIFY(context);
    QVERIFY(context->ignoreFile().endsWith(QStringLiteral("app.Dockerfile.dockerignore")));
    QVERIFY(context->isExcluded(QStringLiteral("README.md")));
    QVERIFY(!context->isExcluded(QStringLiteral("debug.log"))); // the context's file is not used
    const Expected<BuildContext> plain =
        BuildContext::open(m_dir->path(), m_dir->filePath(QStringLiteral("Dockerfile")));
    QVERIFY(plain);
    QVERIFY(plain->isExcluded(QStringLiteral("debug.log")));
}

void TestBuildContext::excludedDirectoryWithException()
{
    write(QStringLiteral(".dockerignore"), "docs\n!docs/keep/*.txt\n");
    write(QStringLiteral("docs/drop.txt"), "d\n");
    write(QStringLiteral("docs/keep/k.txt"), "k\n");
    write(QStringLiteral("docs/keep/k.bin"), "k\n");
    const Expected<BuildContext> context = BuildContext::open(m_dir->path());
    QVERIFY(context);
    const Expected<QList<ContextMatch>> matches = context->select(QStringLiteral("docs"), {});
    QVERIFY2(matches, matches ? "" : qPrintable(matches.error().message));
    QCOMPARE(paths(*matches), (QStringList{QStringLiteral("docs"), QStringLiteral("docs/keep"),
                                           QStringLiteral("docs/keep/k.txt")}));
}

void TestBuildContext::digestFollowsContent()
{
    const Expected<BuildContext> context = BuildContext::open(m_dir->path());
    QVERIFY(context);
    const Expected<QString> before = context->sourceDigest(QStringLiteral("src"), {});
    QVERIFY(before);
    QVERIFY(before->startsWith(QStringLiteral("sha256:")));
    QCOMPARE(before->size(), 7 + 64);

    // An mtime change alone does not change the digest.
    const QByteArray b = QFile::encodeName(m_dir->filePath(QStringLiteral("src/sub/b.txt")));
    struct timespec times[2] = {{1000, 0}, {1000, 0}};
    QVERIFY(::utimensat(AT_FDCWD, b.constData(), times, 0) == 0);
    QCOMPARE(*context->sourceDigest(QStringLiteral("src"), {}), *before);

    // Content, a mode bit and a new file do.
    write(QStringLiteral("src/sub/b.txt"), "B\n");
    const QString changed = *context->sourceDigest(QStringLiteral("src"), {});
    QVERIFY(changed != *before);
    QVERIFY(::chmod(b.constData(), 0600) == 0);
    const QString chmodded = *context->sourceDigest(QStringLiteral("src"), {});
    QVERIFY(chmodded != changed);
    write(QStringLiteral("src/new.txt"), "n\n");
    QVERIFY(*context->sourceDigest(QStringLiteral("src"), {}) != chmodded);
    // An excluded file does not.
    const QString withNew = *context->sourceDigest(QStringLiteral("src"), {});
    write(QStringLiteral("src/more.log"), "ignored\n");
    QCOMPARE(*context->sourceDigest(QStringLiteral("src"), {}), withNew);
}

void TestBuildContext::secondDigestUsesMemo()
{
    for (int i = 0; i < 200; ++i)
        write(QStringLiteral("many/f%1.txt").arg(i), QByteArray(4096, char('a' + i % 26)));
    Expected<BuildContext> context = BuildContext::open(m_dir->path());
    QVERIFY(context);
    auto cache = std::make_shared<ContentHashCache>();
    context->setHashCache(cache);
    const Expected<QString> first = context->sourceDigest(QStringLiteral("."), {});
    QVERIFY(first);
    const qint64 misses = cache->misses();
    QVERIFY(misses >= 200);
    const Expected<QString> second = context->sourceDigest(QStringLiteral("."), {});
    QCOMPARE(*second, *first);
    QCOMPARE(cache->misses(), misses); // nothing was read again
    QVERIFY(cache->hits() >= 200);

    // A rewritten file is hashed again even with the same size.
    write(QStringLiteral("many/f0.txt"), QByteArray(4096, 'z'));
    const Expected<QString> third = context->sourceDigest(QStringLiteral("."), {});
    QVERIFY(*third != *first);
    QCOMPARE(cache->misses(), misses + 1);
}

QTEST_GUILESS_MAIN(TestBuildContext)
#include "tst_buildcontext.moc"
