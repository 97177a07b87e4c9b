// `stagecraft check --fix --write` against a hostile context: a .dockerignore that is a
// symlink to a file outside the context (or to a name there that does not exist yet) is
// refused, never written through; the file outside keeps its bytes, nothing is created
// outside, and the symlink stays as it was.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft::test;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

} // namespace

class TestCliCheckWrite : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void symlinkedDockerignoreIsNotFollowed_data()
    {
        QTest::addColumn<bool>("targetExists");
        QTest::addRow("to-a-file-outside") << true;
        QTest::addRow("dangling-outside") << false;
    }

    void symlinkedDockerignoreIsNotFollowed()
    {
        QFETCH(bool, targetExists);
        QTemporaryDir context;
        QTemporaryDir outside;
        QVERIFY(context.isValid() && outside.isValid());
        // A context whose `COPY . .` lets .env through: --fix wants a .dockerignore.
        QVERIFY(writeAll(context.filePath(QStringLiteral("Dockerfile")),
                         "FROM busybox\nWORKDIR /src\nCOPY . .\nRUN ls\n"));
        QVERIFY(writeAll(context.filePath(QStringLiteral(".env")), "TOKEN=x\n"));
        QVERIFY(writeAll(context.filePath(QStringLiteral("main.go")), "package main\n"));
        const QString target = outside.filePath(QStringLiteral("victim"));
        const QByteArray original = "# the user's own file\n.git\n";
        if (targetExists)
            QVERIFY(writeAll(target, original));
        const QString link = context.filePath(QStringLiteral(".dockerignore"));
        QVERIFY(QFile::link(target, link));

        const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"),
                                               context.filePath(QStringLiteral("Dockerfile")),
                                               QStringLiteral("--fix"), QStringLiteral("--write")});
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains(".dockerignore is a symlink; not written"), r.err.constData());
        if (targetExists)
            QCOMPARE(readAll(target), original);
        else
            QVERIFY(!QFileInfo::exists(target));
        QCOMPARE(QDir(outside.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
                 targetExists ? QStringList{QStringLiteral("victim")} : QStringList{});
        QVERIFY(QFileInfo(link).isSymLink());
        QCOMPARE(QFileInfo(link).symLinkTarget(), target);
        // No temporary file left behind in the context either.
        QCOMPARE(QDir(context.path())
                     .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot),
                 (QStringList{QStringLiteral(".dockerignore"), QStringLiteral(".env"),
                              QStringLiteral("Dockerfile"), QStringLiteral("main.go")}));
    }

    void plainDockerignoreIsStillWritten()
    {
        // The same context without the symlink: the fix creates the file in the context.
        QTemporaryDir context;
        QVERIFY(writeAll(context.filePath(QStringLiteral("Dockerfile")),
                         "FROM busybox\nWORKDIR /src\nCOPY . .\nRUN ls\n"));
        QVERIFY(writeAll(context.filePath(QStringLiteral(".env")), "TOKEN=x\n"));
        const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"),
                                               context.filePath(QStringLiteral("Dockerfile")),
                                               QStringLiteral("--fix"), QStringLiteral("--write")});
        QVERIFY2(r.err.contains("applied"), r.err.constData());
        const QFileInfo written(context.filePath(QStringLiteral(".dockerignore")));
        QVERIFY(written.isFile() && !written.isSymLink());
        QVERIFY2(readAll(written.filePath()).contains(".env"), readAll(written.filePath()).constData());
    }
};

QTEST_GUILESS_MAIN(TestCliCheckWrite)
#include "tst_cli_checkwrite.moc"
