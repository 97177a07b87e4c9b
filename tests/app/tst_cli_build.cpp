// Runs `stagecraft build` and `stagecraft run` against a temporary store holding
// Docker's busybox base image; `build --engine docker` against a private dockerd.
#include "privatedockerengine.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestCliBuild : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void buildPlainThenCached();
    void buildJson();
    void runImage();
    void networkFallbackWarnedOnce();
    void networkOption();
    void engineOptions();
    void dockerEngineUnreachable();
    void dockerEngineBuild();

private:
    int stagecraft(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
    QString m_context;
};

int TestCliBuild::stagecraft(const QStringList &args, QByteArray *out, QByteArray *err)
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN), args);
    if (!p.waitForFinished(120000))
        return -1;
    if (out)
        *out = p.readAllStandardOutput();
    if (err)
        *err = p.readAllStandardError();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

void TestCliBuild::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = m_dir->filePath(QStringLiteral("store"));
    m_context = m_dir->filePath(QStringLiteral("context"));
    QDir().mkpath(m_context);
    QFile f(m_context + QStringLiteral("/Dockerfile"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("FROM busybox:fixture AS build\n"
            "RUN echo built > /out\n"
            "FROM scratch\n"
            "COPY --from=build /bin/busybox /bin/busybox\n"
            "COPY --from=build /out /out\n"
            "ENV PATH=/bin\n"
            "CMD [\"/bin/busybox\", \"cat\", \"/out\"]\n");
    f.close();
    const QString base = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                         QStringLiteral("/tests/data/images/base.docker.tar");
    QCOMPARE(stagecraft({QStringLiteral("import"), QStringLiteral("--store"), m_store, QStringLiteral("-t"),
                         QStringLiteral("busybox:fixture"), base}),
             0);
}

void TestCliBuild::buildPlainThenCached()
{
    QByteArray out, err;
    const QStringList args{QStringLiteral("build"), QStringLiteral("--store"), m_store,
                           QStringLiteral("-t"),    QStringLiteral("app:1"),   m_context};
    QCOMPARE(stagecraft(args, &out, &err), 0);
    QVERIFY2(out.contains("[build 2/2] RUN echo built > /out"), out.constData());
    QVERIFY(out.contains("DONE"));
    QVERIFY(out.contains("naming to app:1 done"));
    QCOMPARE(stagecraft(args, &out, &err), 0);
    QCOMPARE(out.count("CACHED"), 5); // RUN, both COPYs, ENV and CMD
}

void TestCliBuild::buildJson()
{
    QByteArray out, err;
    QCOMPARE(
        stagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store, QStringLiteral("--progress"),
                    QStringLiteral("json"), QStringLiteral("--target"), QStringLiteral("build"), m_context},
                   &out, &err),
        0);
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QVERIFY(lines.size() > 3);
    QVERIFY(lines.last().contains("\"kind\":\"BuildDone\""));
    QVERIFY(!out.contains("COPY --from"));
}

void TestCliBuild::runImage()
{
    QByteArray out, err;
    QCOMPARE(stagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store, QStringLiteral("-t"),
                         QStringLiteral("app:1"), m_context},
                        &out, &err),
             0);
    QCOMPARE(stagecraft({QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("app:1")},
                        &out, &err),
             0);
    QCOMPARE(out, QByteArray("built\n"));
    QCOMPARE(stagecraft({QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("app:1"),
                         QStringLiteral("--"), QStringLiteral("/bin/busybox"), QStringLiteral("sh"),
                         QStringLiteral("-c"), QStringLiteral("exit 7")},
                        &out, &err),
             7);
}

namespace {

// The interface names of a /proc/net/dev text.
QStringList interfaces(const QByteArray &procNetDev)
{
    QStringList names;
    for (const QByteArray &line : procNetDev.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && !line.contains('|'))
            names.append(QString::fromLatin1(line.left(colon).trimmed()));
    }
    names.sort();
    return names;
}

} // namespace

// `build --network` sets the network of every RUN that does not choose its own: none
// leaves loopback only, host the machine's interfaces; `RUN --network=none` still wins.
void TestCliBuild::networkOption()
{
    QFile f(m_context + QStringLiteral("/Dockerfile"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("FROM busybox:fixture\n"
            "RUN cat /proc/net/dev > /net\n"
            "RUN --network=none cat /proc/net/dev > /net-none\n");
    f.close();
    QFile host(QStringLiteral("/proc/net/dev"));
    QVERIFY(host.open(QIODevice::ReadOnly));
    const QStringList hostInterfaces = interfaces(host.readAll());
    QVERIFY(hostInterfaces.contains(QStringLiteral("lo")));
    for (const QString &network : {QStringLiteral("none"), QStringLiteral("host")}) {
        QByteArray out, err;
        const QString tag = QStringLiteral("net:") + network;
        QCOMPARE(stagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store,
                             QStringLiteral("--network"), network, QStringLiteral("-t"), tag, m_context},
                            &out, &err),
                 0);
        QCOMPARE(stagecraft({QStringLiteral("run"), QStringLiteral("--store"), m_store,
                             QStringLiteral("--network"), QStringLiteral("none"), tag, QStringLiteral("--"),
                             QStringLiteral("/bin/cat"), QStringLiteral("/net"), QStringLiteral("/net-none")},
                            &out, &err),
                 0);
        const qsizetype second = out.indexOf("Inter-", 1);
        QVERIFY2(second > 0, out.constData());
        const QStringList seen = interfaces(out.left(second));
        const QStringList ownChoice = interfaces(out.mid(second));
        QCOMPARE(ownChoice, QStringList{QStringLiteral("lo")});
        QCOMPARE(seen, network == QLatin1String("none") ? QStringList{QStringLiteral("lo")} : hostInterfaces);
    }
    QByteArray out, err;
    QCOMPARE(stagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store,
                         QStringLiteral("--network"), QStringLiteral("bridge"), m_context},
                        &out, &err),
             2);
    QVERIFY2(err.contains("--network is private, host or none"), err.constData());
}

// On a host without slirp4netns (a PATH without it) RUN falls back to the host's network:
// the build says so once on stderr, however many RUN steps and stages meet it, and once
// as a BuildWarning event in the JSON progress.
void TestCliBuild::networkFallbackWarnedOnce()
{
    // The sandbox's programs are found there by its own (unprivileged) root too.
    QTemporaryDir tools;
    QVERIFY(tools.isValid());
    QVERIFY(QFile::setPermissions(tools.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                    QFile::ReadOther | QFile::ExeOther));
    const QString bin = tools.path();
    for (const QString &dir : qEnvironmentVariable("PATH").split(u':', Qt::SkipEmptyParts))
        for (const QFileInfo &tool : QDir(dir).entryInfoList(QDir::Files))
            if (tool.fileName() != QLatin1String("slirp4netns"))
                QFile::link(tool.absoluteFilePath(), bin + u'/' + tool.fileName());
    QFile f(m_context + QStringLiteral("/Dockerfile"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("FROM busybox:fixture AS one\n"
            "RUN echo first\n"
            "RUN echo second\n"
            "FROM busybox:fixture\n"
            "COPY --from=one /etc/passwd /copied\n"
            "RUN echo third\n");
    f.close();
    for (const QString &progress : {QStringLiteral("plain"), QStringLiteral("json")}) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PATH"), bin);
        env.remove(QStringLiteral("STAGECRAFT_SLIRP4NETNS"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(STAGECRAFT_BIN),
                {QStringLiteral("build"), QStringLiteral("--store"), m_store, QStringLiteral("--no-cache"),
                 QStringLiteral("--progress"), progress, m_context});
        QVERIFY(p.waitForFinished(120000));
        const QByteArray out = p.readAllStandardOutput();
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 QByteArray(out + err).constData());
        QVERIFY2(out.contains("third"), out.constData());
        const QByteArray notice = "no private network (slirp4netns is not installed";
        if (progress == QLatin1String("plain")) {
            QCOMPARE(err.count(QByteArray("WARNING: " + notice)), 1);
            QCOMPARE(out.count(notice), 0);
        } else {
            QCOMPARE(out.count("\"kind\":\"BuildWarning\""), 1);
            QCOMPARE(out.count(notice), 1);
        }
    }
}

void TestCliBuild::engineOptions()
{
    QByteArray out, err;
    const QStringList base{QStringLiteral("build"), QStringLiteral("--store"), m_store};
    QCOMPARE(stagecraft(base + QStringList{QStringLiteral("--engine"), QStringLiteral("podman"), m_context},
                        &out, &err),
             2);
    QVERIFY2(err.contains("--engine is embedded or docker"), err.constData());
    QCOMPARE(stagecraft(
                 base + QStringList{QStringLiteral("--docker-host"), QStringLiteral("unix:///x"), m_context},
                 &out, &err),
             2);
    QVERIFY2(err.contains("need --engine docker"), err.constData());
    QCOMPARE(stagecraft(base + QStringList{QStringLiteral("--engine"), QStringLiteral("docker"),
                                           QStringLiteral("--debug-shell"), m_context},
                        &out, &err),
             2);
    // The embedded engine, named, builds as without the option.
    QCOMPARE(stagecraft(base + QStringList{QStringLiteral("--engine"), QStringLiteral("embedded"),
                                           QStringLiteral("-t"), QStringLiteral("app:1"), m_context},
                        &out, &err),
             0);
    QVERIFY2(out.contains("naming to app:1 done"), out.constData());
}

// No daemon behind the socket: the error names it and says what to do.
void TestCliBuild::dockerEngineUnreachable()
{
    const QString client = stagecraft::test::PrivateDockerEngine::defaultClient();
    if (client.isEmpty())
        QSKIP("no docker client (Debian: apt-get install docker.io)");
    qputenv("STAGECRAFT_DOCKER", client.toLocal8Bit());
    qputenv("DOCKER_CONFIG", m_dir->filePath(QStringLiteral("docker-config")).toLocal8Bit());
    const QString socket = m_dir->filePath(QStringLiteral("nobody.sock"));
    QByteArray out, err;
    QCOMPARE(stagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store,
                         QStringLiteral("--engine"), QStringLiteral("docker"),
                         QStringLiteral("--docker-host"), QStringLiteral("unix://") + socket, m_context},
                        &out, &err),
             1);
    QVERIFY2(err.contains(socket.toUtf8()), err.constData());
    QVERIFY2(err.contains("does not answer") && err.contains("DOCKER_HOST"), err.constData());
}

// The same build on a Docker engine: BuildKit's steps printed as the embedded builder
// prints its own, the image imported into the store.
void TestCliBuild::dockerEngineBuild()
{
    using stagecraft::test::PrivateDockerEngine;
    if (const QString reason = PrivateDockerEngine::unavailableReason(); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    PrivateDockerEngine docker({}, PrivateDockerEngine::defaultClient(),
                               m_dir->filePath(QStringLiteral("docker")));
    if (!docker.isRunning())
        QSKIP(qPrintable(docker.error()));
    const QString base = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                         QStringLiteral("/tests/data/images/base.docker.tar");
    QByteArray loaded;
    QCOMPARE(docker.run({QStringLiteral("load"), QStringLiteral("-i"), base}, &loaded), 0);
    QVERIFY2(loaded.contains("busybox:fixture"), loaded.constData());
    qputenv("STAGECRAFT_DOCKER", docker.client().toLocal8Bit());
    qputenv("DOCKER_CONFIG", docker.configDir().toLocal8Bit());
    QByteArray out, err;
    const QStringList args{QStringLiteral("build"),
                           QStringLiteral("--store"),
                           m_store,
                           QStringLiteral("--engine"),
                           QStringLiteral("docker"),
                           QStringLiteral("--docker-host"),
                           docker.host(),
                           QStringLiteral("--network"),
                           QStringLiteral("host"),
                           QStringLiteral("-t"),
                           QStringLiteral("app:docker"),
                           m_context};
    QCOMPARE(stagecraft(args, &out, &err), 0);
    QVERIFY2(out.contains("[build 2/2] RUN echo built > /out"), out.constData());
    QVERIFY2(out.contains("naming to app:docker done"), out.constData());
    QCOMPARE(stagecraft({QStringLiteral("images"), QStringLiteral("--store"), m_store}, &out, &err), 0);
    QVERIFY2(out.contains("app ") && out.contains("docker"), out.constData());
    QCOMPARE(stagecraft(args, &out, &err), 0);
    // RUN, both COPYs, ENV and CMD as with the embedded builder; Docker may call its FROM cached too.
    QVERIFY2(out.count("CACHED") >= 5, out.constData());
    for (const char *step : {"RUN echo built", "COPY --from=build /bin/busybox", "COPY --from=build /out"}) {
        const qsizetype at = out.indexOf(step);
        QVERIFY2(at > 0, step);
        const qsizetype hash = out.lastIndexOf('#', at);
        const QByteArray cached = out.mid(hash, out.indexOf(' ', hash) - hash) + QByteArray(" CACHED\n");
        QVERIFY2(out.contains(cached), out.constData());
    }
}

QTEST_GUILESS_MAIN(TestCliBuild)
#include "tst_cli_build.moc"
