// `stagecraft pull` and `stagecraft push` as a user runs them, against Debian's
// docker-registry on 127.0.0.1 and temporary stores.
#include "tests/core/registryfixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using stagecraft::test::RegistryFixture;

namespace {

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

struct Result
{
    int status = -1;
    QString out;
    QString err;
};

} // namespace

class TestCliRegistry : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void pushThenPullIntoEmptyStore();
    void mirrorFromOptionAndFile();
    void offlineError();
    void usageErrors_data();
    void usageErrors();

private:
    Result run(const QStringList &args, const QString &store);
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcessEnvironment m_env;
};

void TestCliRegistry::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_env = QProcessEnvironment::systemEnvironment();
    // Keep the user's own registries.conf and Docker credentials out of the tests.
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir->filePath(QStringLiteral("config")));
    m_env.insert(QStringLiteral("DOCKER_CONFIG"), m_dir->filePath(QStringLiteral("docker")));
}

Result TestCliRegistry::run(const QStringList &args, const QString &store)
{
    QProcess p;
    p.setProcessEnvironment(m_env);
    QStringList all = args;
    all << QStringLiteral("--store") << m_dir->filePath(store);
    p.start(QStringLiteral(STAGECRAFT_BIN), all);
    if (!p.waitForFinished(120000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

void TestCliRegistry::pushThenPullIntoEmptyStore()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    Result r = run({QStringLiteral("import"), imagesDir() + QStringLiteral("/base.docker.tar")},
                   QStringLiteral("a"));
    QVERIFY2(r.status == 0, qPrintable(r.err));

    const QString remote = registry.host() + QStringLiteral("/class/busybox:1");
    r = run({QStringLiteral("push"), QStringLiteral("busybox:fixture"), remote}, QStringLiteral("a"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    // Not a terminal: one plain line per blob, then the result.
    QVERIFY2(r.out.contains(QStringLiteral(": pushed ")), qPrintable(r.out));
    QVERIFY(!r.out.contains(QLatin1Char('\r')));
    QVERIFY2(r.out.contains(QStringLiteral("Pushed ") + remote), qPrintable(r.out));
    const QString digestLine = r.out.section(QStringLiteral("Digest: "), 1).section(QLatin1Char(' '), 0, 0);
    QVERIFY2(digestLine.startsWith(QStringLiteral("sha256:")), qPrintable(r.out));

    r = run({QStringLiteral("pull"), remote}, QStringLiteral("b"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("Digest: ") + digestLine), qPrintable(r.out));
    QVERIFY2(r.out.contains(QStringLiteral(": pulled ")), qPrintable(r.out));
    r = run({QStringLiteral("images")}, QStringLiteral("b"));
    QVERIFY2(r.out.contains(registry.host() + QStringLiteral("/class/busybox")), qPrintable(r.out));
    r = run({QStringLiteral("store"), QStringLiteral("verify")}, QStringLiteral("b"));
    QVERIFY2(r.status == 0, qPrintable(r.out + r.err));

    // Pulled again: everything is present already.
    r = run({QStringLiteral("pull"), remote}, QStringLiteral("b"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(r.out.count(QStringLiteral("already present")), 2);
}

void TestCliRegistry::mirrorFromOptionAndFile()
{
    if (!RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    Result r = run({QStringLiteral("import"), imagesDir() + QStringLiteral("/base.docker.tar")},
                   QStringLiteral("a"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = run({QStringLiteral("push"), QStringLiteral("busybox:fixture"),
             registry.host() + QStringLiteral("/library/busybox:fixture")},
            QStringLiteral("a"));
    QVERIFY2(r.status == 0, qPrintable(r.err));

    // `busybox:fixture` is Docker Hub's library/busybox: served by the mirror.
    r = run({QStringLiteral("pull"), QStringLiteral("--mirror"),
             QStringLiteral("docker.io=") + registry.url(), QStringLiteral("busybox:fixture")},
            QStringLiteral("b"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("Pulled docker.io/library/busybox:fixture as busybox:fixture")),
             qPrintable(r.out));

    // The same from the settings file in the user's configuration directory.
    const QString conf = m_dir->filePath(QStringLiteral("config/stagecraft/registries.conf"));
    QDir().mkpath(QFileInfo(conf).absolutePath());
    QFile f(conf);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# classroom mirror\ndocker.io = " + registry.url().toLatin1() + "\n");
    f.close();
    r = run({QStringLiteral("pull"), QStringLiteral("docker.io/library/busybox:fixture")},
            QStringLiteral("c"));
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = run({QStringLiteral("images")}, QStringLiteral("c"));
    QVERIFY2(r.out.contains(QStringLiteral("busybox")) && r.out.contains(QStringLiteral("fixture")),
             qPrintable(r.out));

    // A broken settings file is reported with its line.
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("docker.io http://x\n");
    f.close();
    r = run({QStringLiteral("pull"), QStringLiteral("busybox")}, QStringLiteral("c"));
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.contains(conf + QStringLiteral(":1:")), qPrintable(r.err));
}

void TestCliRegistry::offlineError()
{
    const QString reference = QStringLiteral("127.0.0.1:%1/team/app:1").arg(stagecraft::test::freePort());
    Result r = run({QStringLiteral("pull"), reference}, QStringLiteral("a"));
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.contains(QStringLiteral("cannot pull ") + reference), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("stagecraft import")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("--mirror")), qPrintable(r.err));
    r = run({QStringLiteral("pull"), QStringLiteral("registry.invalid/app")}, QStringLiteral("a"));
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.contains(QStringLiteral("cannot pull registry.invalid/app")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("cannot reach")), qPrintable(r.err));
}

void TestCliRegistry::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const auto row = [](const char *name, const QStringList &args, const char *message) {
        QTest::addRow("%s", name) << args << QString::fromLatin1(message);
    };
    row("pull-nothing", {QStringLiteral("pull")}, "give one image");
    row("pull-bad-name", {QStringLiteral("pull"), QStringLiteral("Upper/Case")}, "lower-case");
    row("pull-bad-platform",
        {QStringLiteral("pull"), QStringLiteral("--platform"), QStringLiteral("x"), QStringLiteral("a")},
        "platform");
    row("pull-bad-mirror",
        {QStringLiteral("pull"), QStringLiteral("--mirror"), QStringLiteral("docker.io"),
         QStringLiteral("a")},
        "REGISTRY=URL");
    row("pull-bad-insecure",
        {QStringLiteral("pull"), QStringLiteral("--insecure=http://x/"), QStringLiteral("a")},
        "--insecure takes a registry host");
    row("push-nothing", {QStringLiteral("push")}, "give the image");
    row("push-missing",
        {QStringLiteral("push"), QStringLiteral("nothere:1"), QStringLiteral("localhost:1/x:1")},
        "no image named `nothere:1`");
    row("push-digest",
        {QStringLiteral("push"), QStringLiteral("a"),
         QStringLiteral(
             "localhost:1/x@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
        "not to a digest");
}

void TestCliRegistry::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    Result r = run(args, QStringLiteral("a"));
    QVERIFY(r.status == 1 || r.status == 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.err.startsWith(QStringLiteral("stagecraft ")));
}

QTEST_GUILESS_MAIN(TestCliRegistry)
#include "tst_cli_registry.moc"
