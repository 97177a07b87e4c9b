// The docker engine against a real Docker engine the test starts itself (dockerd with its
// own data root and socket in a temporary directory): the busybox two-stage seed builds
// with every step seen as events and all of them cached the second time, a broken RUN
// gives its line, the imported result has the layers `docker inspect` reports, and cancel
// leaves no client or build process. Skips, saying why, without dockerd or root. The
// availability checks that need no daemon always run.
#include "core/engine/dockerengine.h"
#include "core/oci/ocilayout.h"
#include "core/progress/buildprogress.h"

#include "busyboxrootfs.h"
#include "privatedockerengine.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <memory>
#include <optional>

using namespace stagecraft;
using namespace Qt::StringLiterals;

namespace {

struct Built
{
    Expected<BuildResult> result = std::unexpected(Error());
    QList<BuildEvent> events;
};

// Command lines of the processes running now, NULs as spaces.
QStringList processCommandLines()
{
    QStringList lines;
    QDirIterator it(u"/proc"_s, QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        const QString dir = it.next();
        bool numeric = false;
        QFileInfo(dir).fileName().toInt(&numeric);
        if (!numeric)
            continue;
        QFile f(dir + u"/cmdline"_s);
        if (f.open(QIODevice::ReadOnly))
            lines << QString::fromUtf8(f.read(4096).replace('\0', ' ')).trimmed();
    }
    return lines;
}

} // namespace

class DockerEngineTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void noClientIsUnavailable();
    void unreachableDaemonNamesTheSocket();
    void available();
    void buildsTheSeedAndItsCache();
    void brokenRunGivesItsLine();
    void cancelEndsClientAndBuild();
    void builderWithoutImageStoreExportsOci();

private:
    DockerEngineOptions options() const;
    Built build(const EngineRequest &request, const CancellationToken &cancel = {},
                const std::function<void(const BuildEvent &)> &watch = {});
    QString seedDir() const { return QFINDTESTDATA("data/seeds/busybox"); }

    QTemporaryDir m_dir;
    std::unique_ptr<test::PrivateDockerEngine> m_docker;
    QString m_skip;
    std::optional<ImageStore> m_store;
};

void DockerEngineTest::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto store = ImageStore::open(m_dir.filePath(u"store"_s));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = *store;
    m_skip = test::PrivateDockerEngine::unavailableReason();
    if (m_skip.isEmpty() && test::busyboxBinary().isEmpty())
        m_skip = u"no busybox (Debian: apt-get install busybox-static)"_s;
    if (!m_skip.isEmpty()) {
        qWarning("docker engine tests skip: %s", qPrintable(m_skip));
        return;
    }
    m_docker = std::make_unique<test::PrivateDockerEngine>(
        QString(), test::PrivateDockerEngine::defaultClient(), m_dir.filePath(u"docker"_s));
    if (!m_docker->isRunning()) {
        m_skip = u"the private dockerd did not start: "_s + m_docker->error();
        qWarning("docker engine tests skip: %s", qPrintable(m_skip));
        m_docker.reset();
        return;
    }
    // The seed's base: the busybox fixture the embedded builder's seed tests use
    // (tests/data/images/base.docker.tar has neither /etc/motd nor the user `builder`
    // that the seed's final stage needs), as a one-layer image.
    QTemporaryDir rootfs;
    QVERIFY(rootfs.isValid());
    QVERIFY(test::makeBusyboxRootfs(rootfs.path()));
    QFile::setPermissions(rootfs.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                             QFile::ReadGroup | QFile::ExeGroup | QFile::ReadOther |
                                             QFile::ExeOther);
    QProcess tar, import;
    tar.setStandardOutputProcess(&import);
    import.setProcessEnvironment(m_docker->environment());
    tar.start(u"tar"_s, {u"-C"_s, rootfs.path(), u"--numeric-owner"_s, u"--owner=0"_s, u"--group=0"_s,
                         u"-c"_s, u"."_s});
    import.start(m_docker->client(),
                 m_docker->hostArgs() + QStringList{u"import"_s, u"-"_s, u"busybox:fixture"_s});
    QVERIFY(tar.waitForFinished(60000));
    QVERIFY(import.waitForFinished(60000));
    QCOMPARE(import.exitCode(), 0);
}

void DockerEngineTest::cleanupTestCase()
{
    m_docker.reset(); // stops dockerd and removes its files
}

DockerEngineOptions DockerEngineTest::options() const
{
    DockerEngineOptions o;
    if (m_docker) {
        o.client = m_docker->client();
        o.host = m_docker->host();
        o.config = m_docker->configDir();
    }
    return o;
}

Built DockerEngineTest::build(const EngineRequest &request, const CancellationToken &cancel,
                              const std::function<void(const BuildEvent &)> &watch)
{
    Built built;
    DockerEngine engine(*m_store, options());
    built.result = engine.build(
        request,
        [&](const BuildEvent &e) {
            built.events.append(e);
            if (watch)
                watch(e);
        },
        cancel);
    return built;
}

void DockerEngineTest::noClientIsUnavailable()
{
    DockerEngineOptions o;
    o.client = m_dir.filePath(u"no-such-docker"_s);
    const EngineAvailability a = DockerEngine(*m_store, o).availability();
    QVERIFY(!a.usable);
    QVERIFY2(a.reason.contains(o.client), qPrintable(a.reason));
}

void DockerEngineTest::unreachableDaemonNamesTheSocket()
{
    const QString client = test::PrivateDockerEngine::defaultClient();
    if (client.isEmpty())
        QSKIP("no docker client");
    DockerEngineOptions o;
    o.client = client;
    o.host = u"unix://"_s + m_dir.filePath(u"nobody-listens.sock"_s);
    o.config = m_dir.filePath(u"client-config"_s);
    const EngineAvailability a = DockerEngine(*m_store, o).availability();
    QVERIFY(!a.usable);
    QVERIFY2(a.reason.contains(o.host), qPrintable(a.reason));
    QVERIFY2(a.reason.contains(u"does not answer"_s) || a.reason.contains(u"buildx"_s), qPrintable(a.reason));
}

void DockerEngineTest::available()
{
    if (!m_docker)
        QSKIP(qPrintable(m_skip));
    const EngineAvailability a = DockerEngine(*m_store, options()).availability();
    QVERIFY2(a.usable, qPrintable(a.reason));
    QVERIFY2(a.summary.contains(m_docker->version()), qPrintable(a.summary));
}

void DockerEngineTest::buildsTheSeedAndItsCache()
{
    if (!m_docker)
        QSKIP(qPrintable(m_skip));
    EngineRequest request;
    request.build.contextDir = seedDir();
    request.build.tags = {u"seed:engine"_s};
    request.build.network = RunNetwork::Host;
    const Built cold = build(request);
    QVERIFY2(cold.result, qPrintable(cold.result ? QString() : cold.result.error().message));

    BuildProgress progress;
    progress.replay(cold.events);
    QCOMPARE(progress.state(), ProgressState::Done);
    QCOMPARE(progress.stageIndexes(), (QList<int>{0, 1}));
    for (int index : progress.stageIndexes()) {
        const StageProgress *stage = progress.stage(index);
        QCOMPARE(stage->state, ProgressState::Done);
        // Every step, those Docker shows no vertex for included.
        QCOMPARE(stage->finishedSteps, stage->stepCount);
        for (int s = 0; s < stage->stepCount; ++s) {
            const StepProgress *step = progress.step(index, s);
            QVERIFY2(step && step->range.isValid(), qPrintable(u"stage %1 step %2"_s.arg(index).arg(s)));
        }
    }
    QCOMPARE(progress.stage(0)->stepCount, 7);
    QCOMPARE(progress.stage(1)->stepCount, 17);
    QCOMPARE(progress.finishedSteps(), 24);

    // The store holds the image Docker built: same ID, same layers.
    QByteArray inspected;
    QCOMPARE(m_docker->run({u"image"_s, u"inspect"_s, u"--format"_s, u"{{.Id}} {{json .RootFS.Layers}}"_s,
                            u"seed:engine"_s},
                           &inspected),
             0);
    const QString id = QString::fromUtf8(inspected).section(u' ', 0, 0);
    const QJsonArray layers = QJsonDocument::fromJson(inspected.mid(inspected.indexOf(' ') + 1)).array();
    QCOMPARE(cold.result->imageId.toString(), id);
    auto image = m_store->image(u"seed:engine"_s);
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QStringList diffIds;
    for (const Digest &d : image->config.diffIds)
        diffIds << d.toString();
    QStringList dockerLayers;
    for (const QJsonValue &v : layers)
        dockerLayers << v.toString();
    QVERIFY(dockerLayers.size() > 5);
    QCOMPARE(diffIds, dockerLayers);
    QCOMPARE(cold.result->tags, QStringList{u"seed:engine"_s});

    // Again: every step with a vertex comes from Docker's cache.
    const Built warm = build(request);
    QVERIFY2(warm.result, qPrintable(warm.result ? QString() : warm.result.error().message));
    QCOMPARE(warm.result->imageId, cold.result->imageId);
    int cached = 0;
    for (const BuildEvent &e : warm.events) {
        if (e.kind == BuildEventKind::StepCached)
            ++cached;
        if (e.kind == BuildEventKind::StepDone) {
            const QString keyword = e.text.section(u' ', 0, 0).toUpper();
            QVERIFY2(keyword != u"RUN"_s && keyword != u"COPY"_s && keyword != u"WORKDIR"_s,
                     qPrintable(u"not cached: "_s + e.text));
        }
    }
    QVERIFY(cached >= 13); // 4 in the build stage, 8 in the final one, and the metadata after them
    BuildProgress again;
    again.replay(warm.events);
    QCOMPARE(again.state(), ProgressState::Done);
    QCOMPARE(again.stage(0)->state, ProgressState::Cached);
    QCOMPARE(again.stage(1)->state, ProgressState::Cached);
}

void DockerEngineTest::brokenRunGivesItsLine()
{
    if (!m_docker)
        QSKIP(qPrintable(m_skip));
    QFile seed(seedDir() + u"/Dockerfile"_s);
    QVERIFY(seed.open(QIODevice::ReadOnly));
    QString text = QString::fromUtf8(seed.readAll());
    // The editor's text, not the file: line 31 of the seed fails.
    const QString runLine =
        u"RUN ln -s index.html default.html && busybox chown -R 1000:1000 /home/builder"_s;
    QVERIFY(text.contains(runLine));
    text.replace(runLine, u"RUN echo going to fail && exit 7"_s);
    const int line = int(text.left(text.indexOf(u"RUN echo going to fail"_s)).count(u'\n')) + 1;
    EngineRequest request;
    request.build.contextDir = seedDir();
    request.build.network = RunNetwork::Host;
    request.dockerfileText = text;
    const Built broken = build(request);
    QVERIFY(!broken.result);
    QVERIFY2(broken.result.error().message.contains(u"exit code: 7"_s),
             qPrintable(broken.result.error().message));
    BuildProgress progress;
    progress.replay(broken.events);
    QCOMPARE(progress.state(), ProgressState::Failed);
    QCOMPARE(progress.failedLine(), line);
    const StepProgress *failing = nullptr;
    for (int s = 0; s < progress.stage(1)->stepCount; ++s)
        if (const StepProgress *step = progress.step(1, s); step && step->range.start.line == line)
            failing = step;
    QVERIFY(failing);
    QCOMPARE(failing->state, ProgressState::Failed);
    QVERIFY2(failing->log.contains(u"going to fail"_s), qPrintable(failing->log.join(u'|')));
}

void DockerEngineTest::cancelEndsClientAndBuild()
{
    if (!m_docker)
        QSKIP(qPrintable(m_skip));
    QTemporaryDir context;
    QVERIFY(context.isValid());
    EngineRequest request;
    request.build.contextDir = context.path();
    request.build.noCache = true;
    request.build.network = RunNetwork::Host;
    request.dockerfileText = u"FROM busybox:fixture\nRUN echo started && sleep 471\n"_s;
    CancellationToken cancel;
    QElapsedTimer timer;
    timer.start();
    qint64 cancelledAt = -1;
    const Built built = build(request, cancel, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepLog && e.text.contains(u"started"_s) && cancelledAt < 0) {
            cancelledAt = timer.elapsed();
            cancel.cancel();
        }
    });
    QVERIFY2(cancelledAt >= 0, "the RUN never started");
    QVERIFY(!built.result);
    QVERIFY(built.result.error().isCancelled());
    QVERIFY2(timer.elapsed() - cancelledAt < 15000, "cancelling took too long");
    BuildProgress progress;
    progress.replay(built.events);
    QCOMPARE(progress.state(), ProgressState::Cancelled);

    // Neither the client nor the RUN's process is left.
    const QString socket = m_docker->host().mid(7);
    QStringList left;
    for (int i = 0; i < 100; ++i) {
        left.clear();
        for (const QString &line : processCommandLines())
            if (line.contains(u"sleep 471"_s) || (line.contains(socket) && line.contains(u" build "_s)))
                left << line;
        if (left.isEmpty())
            break;
        QThread::msleep(100);
    }
    QVERIFY2(left.isEmpty(), qPrintable(left.join(u'\n')));
}

void DockerEngineTest::builderWithoutImageStoreExportsOci()
{
    // A buildx builder of the kubernetes driver keeps its results: the build asks for an OCI
    // tarball instead of --load, and the tarball is what gets imported. The client is a
    // script standing in for docker with buildx (none is installed here) that logs its
    // arguments and writes a real OCI layout (tests/data/images/final.oci) as the tarball.
    const QString layoutDir = QFINDTESTDATA("data/images/final.oci");
    const Expected<OciLayout> layout = OciLayout::open(layoutDir);
    QVERIFY2(layout, qPrintable(layout ? QString() : layout.error().message));
    const Expected<Image> expected = layout->image();
    QVERIFY(expected);
    const QString configDigest = expected->manifest.config.digest.toString();
    const QString log = m_dir.filePath(u"fake-docker.log"_s);
    const QString script = m_dir.filePath(u"fake-docker"_s);
    QFile f(script);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(u"#!/bin/sh\n"
            "echo \"$*\" >> '%1'\n"
            "case \"$1 $2\" in\n"
            "'version --format') echo '27.3.1|27.3.1' ;;\n"
            "'buildx version') echo 'github.com/docker/buildx v0.17.1' ;;\n"
            "'buildx inspect') printf 'Name:          kube\\nDriver:        kubernetes\\n' ;;\n"
            "'buildx build')\n"
            "  cat > /dev/null\n"
            "  while [ $# -gt 0 ]; do\n"
            "    case \"$1\" in\n"
            "    --output) dest=${2#type=oci,dest=}; shift ;;\n"
            "    --iidfile) iid=$2; shift ;;\n"
            "    esac\n"
            "    shift\n"
            "  done\n"
            "  echo '#1 [internal] load build definition from Dockerfile'\n"
            "  echo '#1 DONE 0.0s'\n"
            "  tar -C '%2' -cf \"$dest\" . || exit 1\n"
            "  echo '%3' > \"$iid\" ;;\n"
            "'save '*) exit 3 ;;\n"
            "esac\n"_s.arg(log, layoutDir, configDigest)
                .toUtf8());
    f.close();
    QVERIFY(f.setPermissions(f.permissions() | QFile::ExeOwner));

    DockerEngineOptions o;
    o.client = script;
    o.builder = u"kube"_s;
    EngineRequest request;
    request.build.contextDir = m_dir.path();
    request.build.tags = {u"fake:oci"_s};
    request.dockerfileText = u"FROM busybox\nRUN true\n"_s;
    DockerEngine engine(*m_store, o);
    const Expected<BuildResult> result = engine.build(request);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(result->imageId.toString(), configDigest);
    QCOMPARE(result->tags, QStringList{u"fake:oci"_s});
    const auto resolved = m_store->resolve(u"fake:oci"_s);
    QVERIFY2(resolved, qPrintable(resolved ? QString() : resolved.error().message));

    QFile logged(log);
    QVERIFY(logged.open(QIODevice::ReadOnly));
    const QString calls = QString::fromUtf8(logged.readAll());
    QVERIFY2(calls.contains(u"buildx inspect kube"_s), qPrintable(calls));
    QVERIFY2(calls.contains(u"buildx build --output type=oci,dest="_s), qPrintable(calls));
    QVERIFY2(calls.contains(u"--builder kube"_s), qPrintable(calls));
    QVERIFY2(!calls.contains(u"--load"_s), qPrintable(calls));
    QVERIFY2(!calls.contains(u"\nsave "_s), qPrintable(calls));
    QVERIFY(DockerEngine::driverKeepsResults(u"docker-container"_s));
    QVERIFY(DockerEngine::driverKeepsResults(u"remote"_s));
    QVERIFY(!DockerEngine::driverKeepsResults(u"docker"_s));
}

QTEST_GUILESS_MAIN(DockerEngineTest)
#include "tst_dockerengine.moc"
