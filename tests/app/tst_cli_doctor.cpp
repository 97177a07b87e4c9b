// `stagecraft doctor`: the fix it names for a user without subordinate ids (a throwaway
// user, made only when the test runs as root), the store's permissions, its exit status,
// and the parsing of /etc/subuid behind it.
#include "core/exec/hostcheck.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

struct Result
{
    int status = -1;
    QString out;
};

Result runProgram(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

} // namespace

class TestCliDoctor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void subordinateRange_data();
    void subordinateRange();
    void storePermissions_data();
    void storePermissions();
    void userWithoutSubordinateIds();
};

void TestCliDoctor::subordinateRange_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("start"); // -1: none
    QTest::addColumn<qint64>("count");
    QTest::addRow("by name") << QByteArray("other:1:2\nalice:100000:65536\n") << qint64(100000)
                             << qint64(65536);
    QTest::addRow("by uid") << QByteArray("1042:200000:65536\n") << qint64(200000) << qint64(65536);
    QTest::addRow("largest of several")
        << QByteArray("alice:5:10\nalice:300000:70000\n") << qint64(300000) << qint64(70000);
    QTest::addRow("none") << QByteArray("bob:100000:65536\n") << qint64(-1) << qint64(0);
    QTest::addRow("malformed") << QByteArray("alice:x:65536\nalice:1\nalice:1:0\n") << qint64(-1)
                               << qint64(0);
}

void TestCliDoctor::subordinateRange()
{
    QFETCH(QByteArray, text);
    QFETCH(qint64, start);
    QFETCH(qint64, count);
    const auto range = HostCheck::subordinateRange(text, QStringLiteral("alice"), 1042);
    if (start < 0) {
        QVERIFY(!range);
        return;
    }
    QVERIFY(range);
    QCOMPARE(range->first, start);
    QCOMPARE(range->second, count);
}

void TestCliDoctor::storePermissions_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("ok");
    QTest::addRow("private") << 0700 << true;
    QTest::addRow("readable by others") << 0755 << false;
    QTest::addRow("group writable") << 0770 << false;
}

void TestCliDoctor::storePermissions()
{
    QFETCH(int, mode);
    QFETCH(bool, ok);
    QTemporaryDir dir;
    const QString store = dir.filePath(QStringLiteral("store"));
    QVERIFY(QDir().mkpath(store));
    QCOMPARE(::chmod(QFile::encodeName(store).constData(), mode_t(mode)), 0);
    const Result r = runProgram(QStringLiteral(STAGECRAFT_BIN),
                                {QStringLiteral("doctor"), QStringLiteral("--store"), store});
    const QString octal = QString::number(mode, 8).rightJustified(4, u'0');
    QVERIFY2(r.out.contains(QStringLiteral("%1  store permissions: %2 has mode %3\n")
                                .arg(ok ? QStringLiteral("ok  ") : QStringLiteral("FAIL"), store, octal)),
             qPrintable(r.out));
    QCOMPARE(r.out.contains(QStringLiteral("fix: chmod 0700 %1 ").arg(store)), !ok);
    // The exit status says whether anything needed failed, this check or another.
    QCOMPARE(r.status,
             r.out.contains(QStringLiteral("\nFAIL  ")) || r.out.startsWith(QStringLiteral("FAIL  ")) ? 1
                                                                                                      : 0);
    if (!ok)
        QCOMPARE(r.status, 1);
}

void TestCliDoctor::userWithoutSubordinateIds()
{
    if (::geteuid() != 0)
        QSKIP("needs root to create a throwaway user without subordinate ids");
    const QString useradd = QStandardPaths::findExecutable(QStringLiteral("useradd"));
    const QString runuser = QStandardPaths::findExecutable(QStringLiteral("runuser"));
    if (useradd.isEmpty() || runuser.isEmpty())
        QSKIP("useradd or runuser is not installed");
    const QString user = QStringLiteral("scdoc%1").arg(QRandomGenerator::global()->bounded(100000, 999999));
    const Result added =
        runProgram(useradd, {QStringLiteral("-M"), QStringLiteral("-K"), QStringLiteral("SUB_UID_COUNT=0"),
                             QStringLiteral("-K"), QStringLiteral("SUB_GID_COUNT=0"), user});
    QVERIFY2(added.status == 0, qPrintable(added.out));
    const auto removeUser = qScopeGuard([&] { runProgram(QStringLiteral("userdel"), {user}); });
    for (const char *file : {"/etc/subuid", "/etc/subgid"}) {
        QFile f{QLatin1String(file)};
        if (f.open(QIODevice::ReadOnly) && HostCheck::subordinateRange(f.readAll(), user, -1))
            QSKIP("useradd gave the throwaway user subordinate ids anyway");
    }
    QTemporaryDir dir;
    QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0755) == 0);
    const Result r = runProgram(runuser, {QStringLiteral("-u"), user, QStringLiteral("--"),
                                          QStringLiteral("env"), QStringLiteral("HOME=") + dir.path(),
                                          QStringLiteral(STAGECRAFT_BIN), QStringLiteral("doctor"),
                                          QStringLiteral("--store"), dir.filePath(QStringLiteral("store"))});
    QCOMPARE(r.status, 1);
    QVERIFY2(r.out.contains(QStringLiteral("FAIL  subordinate ids: ")), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral("fix: sudo usermod --add-subuids 100000-165535 --add-subgids "
                                           "100000-165535 %1\n")
                                .arg(user)),
             qPrintable(r.out));
}

QTEST_GUILESS_MAIN(TestCliDoctor)
#include "tst_cli_doctor.moc"
