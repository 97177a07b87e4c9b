// Builds Dockerfiles on Docker's busybox base image and compares the results with the
// images Docker itself built from the same context (tests/data/images).
#include "core/build/builder.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace stagecraft;

namespace {

QString dataDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

bool writeText(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// A comparable line per layer entry: path, type, mode, owner, size, link target.
// Directory entries and timestamps are left out, as the reference comparison allows.
QStringList describeLayer(const Image &image, int index)
{
    auto blob = image.openLayer(index);
    if (!blob)
        return {QStringLiteral("error: ") + blob.error().message};
    auto contents = LayerReader::readAll(blob->get());
    if (!contents)
        return {QStringLiteral("error: ") + contents.error().message};
    QStringList lines;
    for (const LayerEntry &e : contents->entries) {
        if (e.type == EntryType::Directory)
            continue;
        lines.append(QStringLiteral("%1 type=%2 mode=%3 owner=%4:%5 size=%6 link=%7")
                         .arg(e.path)
                         .arg(int(e.type))
                         .arg(e.mode, 0, 8)
                         .arg(e.uid)
                         .arg(e.gid)
                         .arg(e.size)
                         .arg(e.linkTarget));
    }
    lines.sort();
    return lines;
}

QStringList historyLines(const ImageConfig &config)
{
    QStringList lines;
    for (const HistoryEntry &h : config.history)
        lines.append(h.createdBy + (h.emptyLayer ? QStringLiteral(" [empty]") : QString()));
    return lines;
}

} // namespace

class TestBuilder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void dockerReference_data();
    void dockerReference();
    void cacheAndRebuild();
    void instructions();
    void missingBase();
    void failingRun();
    void cancelRun();

private:
    bool canRun(QString *reason) const;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
};

bool TestBuilder::canRun(QString *reason) const
{
    if (!Sandbox::isAvailable(reason))
        return false;
    return true;
}

void TestBuilder::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    m_store = *store;
    auto imported =
        m_store->import(dataDir() + QStringLiteral("/base.docker.tar"), QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
}

void TestBuilder::dockerReference_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("archive");
    QTest::addRow("build") << QStringLiteral("build") << QStringLiteral("build.docker.tar");
    QTest::addRow("final") << QString() << QStringLiteral("final.docker.tar");
}

void TestBuilder::dockerReference()
{
    QFETCH(QString, target);
    QFETCH(QString, archive);
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    Builder builder(*m_store);
    BuildRequest request;
    // A copy of the context with the modes Docker saw (a checkout may have made them read-only).
    request.contextDir = m_dir->filePath(QStringLiteral("context"));
    for (const QString &name : QDir(dataDir() + QStringLiteral("/context")).entryList(QDir::Files)) {
        QFile source(dataDir() + QStringLiteral("/context/") + name);
        QVERIFY(source.open(QIODevice::ReadOnly));
        QVERIFY(writeText(request.contextDir + QLatin1Char('/') + name, source.readAll()));
    }
    request.target = target;
    request.tags = {QStringLiteral("result:test")};
    QStringList events;
    auto result =
        builder.build(request, [&](const BuildEvent &e) { events.append(buildEventKindName(e.kind)); });
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QVERIFY(events.contains(QStringLiteral("BuildDone")));

    auto built = m_store->image(QStringLiteral("result:test"));
    QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
    auto docker = DockerArchive::open(dataDir() + QLatin1Char('/') + archive);
    QVERIFY(docker);
    auto reference = docker->image();
    QVERIFY(reference);

    QCOMPARE(historyLines(built->config), historyLines(reference->config));
    const ContainerConfig &a = built->config.config;
    const ContainerConfig &b = reference->config.config;
    QCOMPARE(a.env, b.env);
    QCOMPARE(a.user, b.user);
    QCOMPARE(a.workingDir, b.workingDir);
    QCOMPARE(a.entrypoint, b.entrypoint);
    QCOMPARE(a.cmd, b.cmd);
    QCOMPARE(a.exposedPorts, b.exposedPorts);
    QCOMPARE(a.stopSignal, b.stopSignal);
    QCOMPARE(a.labels, b.labels);
    QCOMPARE(built->config.architecture, reference->config.architecture);
    QCOMPARE(built->config.os, reference->config.os);

    QCOMPARE(built->layers.size(), reference->layers.size());
    for (int i = 0; i < built->layers.size(); ++i) {
        // The base layer is shared: the same diff ID.
        if (i == 0 && target == QLatin1String("build"))
            QCOMPARE(built->layers[i].diffId, reference->layers[i].diffId);
        QCOMPARE(describeLayer(*built, i), describeLayer(*reference, i));
    }
}

void TestBuilder::cacheAndRebuild()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture AS build\n"
                                                               "RUN echo one > /one\n"
                                                               "COPY a.txt /a.txt\n"
                                                               "RUN cat /a.txt /one > /both\n"
                                                               "FROM scratch\n"
                                                               "COPY --from=build /both /both\n"));
    QVERIFY(writeText(context + QStringLiteral("/a.txt"), "first\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("cached:1")};
    auto first = builder.build(request);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    QCOMPARE(first->cachedSteps, 0);

    QElapsedTimer timer;
    timer.start();
    QStringList cachedSteps;
    auto second = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepCached)
            cachedSteps.append(e.text);
    });
    const qint64 elapsed = timer.elapsed();
    QVERIFY(second);
    QCOMPARE(second->cachedSteps, second->steps);
    QCOMPARE(second->imageId, first->imageId);
    QCOMPARE(cachedSteps.size(), 4);
    qInfo("fully cached rebuild took %lld ms", elapsed);
    QVERIFY2(elapsed < 1000, "a cached rebuild should be nearly instant");

    // A changed context file re-runs from its COPY on.
    QVERIFY(writeText(context + QStringLiteral("/a.txt"), "second\n"));
    QStringList ran;
    auto third = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepDone && e.step > 0)
            ran.append(e.text);
    });
    QVERIFY(third);
    QCOMPARE(ran,
             (QStringList{QStringLiteral("COPY a.txt /a.txt"), QStringLiteral("RUN cat /a.txt /one > /both"),
                          QStringLiteral("COPY --from=build /both /both")}));
    QCOMPARE(third->cachedSteps, 1);

    // --no-cache runs everything again.
    request.noCache = true;
    auto fourth = builder.build(request);
    QVERIFY(fourth);
    QCOMPARE(fourth->cachedSteps, 0);
    auto verified = m_store->verify();
    QVERIFY(verified && verified->ok());
}

void TestBuilder::instructions()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(
        context + QStringLiteral("/Dockerfile"),
        "ARG BASE=busybox:fixture\n"
        "FROM ${BASE} AS tools\n"
        "ARG GREETING=hi\n"
        "RUN echo \"$GREETING\" > /greeting && echo 'x:x:1000:1000::/:/bin/sh' >> /etc/passwd\n"
        "RUN echo 'x:x:1000:' > /etc/group\n"
        "FROM busybox:fixture AS other\n"
        "RUN echo other > /other\n"
        "FROM tools\n"
        "ENV A=1 B=\"two words\"\n"
        "WORKDIR app\n"
        "COPY --chown=x:x --chmod=0600 files/ ./files/\n"
        "COPY --from=other /other /copied/\n"
        "COPY --exclude=*.tmp files/* /flat/\n"
        "COPY <<EOF /heredoc.txt\n"
        "value=$A\n"
        "EOF\n"
        "RUN <<EOF\n"
        "echo from heredoc > /script.out\n"
        "EOF\n"
        "RUN --mount=type=cache,target=/cache echo cached >> /cache/log && wc -l < /cache/log > /count\n"
        "USER x\n"
        "EXPOSE 8080 53/udp\n"
        "LABEL a=b\n"
        "STOPSIGNAL SIGINT\n"
        "VOLUME /data\n"
        "ENTRYPOINT [\"/bin/sh\"]\n"
        "CMD echo $A\n"));
    QVERIFY(writeText(context + QStringLiteral("/files/one.txt"), "one\n"));
    QVERIFY(writeText(context + QStringLiteral("/files/skip.tmp"), "tmp\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.buildArgs.insert(QStringLiteral("GREETING"), QStringLiteral("hello"));
    request.tags = {QStringLiteral("every:thing")};
    QStringList logs;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepLog)
            logs.append(e.text);
    });
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    auto image = m_store->image(QStringLiteral("every:thing"));
    QVERIFY(image);
    const ContainerConfig &c = image->config.config;
    QVERIFY(c.env.contains(QStringLiteral("A=1")));
    QVERIFY(c.env.contains(QStringLiteral("B=two words")));
    QCOMPARE(c.workingDir, QStringLiteral("/app"));
    QCOMPARE(c.user, QStringLiteral("x"));
    QCOMPARE(c.exposedPorts, (QStringList{QStringLiteral("53/udp"), QStringLiteral("8080/tcp")}));
    QCOMPARE(c.labels.value(QStringLiteral("a")), QStringLiteral("b"));
    QCOMPARE(c.stopSignal, QStringLiteral("SIGINT"));
    QCOMPARE(c.entrypoint, QStringList{QStringLiteral("/bin/sh")});
    QCOMPARE(c.cmd,
             (QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("echo $A")}));
    QStringList history = historyLines(image->config);
    QVERIFY2(
        history.contains(QStringLiteral("RUN |1 GREETING=hello /bin/sh -c echo \"$GREETING\" > /greeting && "
                                        "echo 'x:x:1000:1000::/:/bin/sh' >> /etc/passwd # buildkit")),
        qPrintable(history.join(QLatin1Char('\n'))));
    QVERIFY(history.contains(QStringLiteral("CMD [\"/bin/sh\" \"-c\" \"echo $A\"] [empty]")));
    QVERIFY(history.contains(QStringLiteral("WORKDIR app")));

    // Check the files through umoci, which applies the layers independently.
    if (QStandardPaths::findExecutable(QStringLiteral("umoci")).isEmpty())
        QSKIP("umoci is not installed");
    const QString layout = m_dir->filePath(QStringLiteral("layout"));
    QVERIFY(m_store->exportImage(QStringLiteral("every:thing"), layout, ExportFormat::Oci));
    const QString bundle = m_dir->filePath(QStringLiteral("bundle"));
    QProcess umoci;
    umoci.start(QStringLiteral("umoci"),
                {QStringLiteral("unpack"), QStringLiteral("--rootless"), QStringLiteral("--image"),
                 layout + QStringLiteral(":every:thing"), bundle});
    if (!umoci.waitForFinished(60000) || umoci.exitCode() != 0) {
        // The layout's ref name may be the tag alone.
        umoci.start(QStringLiteral("umoci"),
                    {QStringLiteral("unpack"), QStringLiteral("--rootless"), QStringLiteral("--image"),
                     layout + QStringLiteral(":thing"), bundle});
        QVERIFY(umoci.waitForFinished(60000));
    }
    QVERIFY2(umoci.exitCode() == 0, umoci.readAllStandardError().constData());
    const auto read = [&](const QString &path) {
        QFile f(bundle + QStringLiteral("/rootfs") + path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    };
    QCOMPARE(read(QStringLiteral("/greeting")), QByteArray("hello\n"));
    QCOMPARE(read(QStringLiteral("/app/files/one.txt")), QByteArray("one\n"));
    QCOMPARE(read(QStringLiteral("/copied/other")), QByteArray("other\n"));
    QCOMPARE(read(QStringLiteral("/flat/one.txt")), QByteArray("one\n"));
    QCOMPARE(read(QStringLiteral("/flat/skip.tmp")), QByteArray("<missing>"));
    QCOMPARE(read(QStringLiteral("/heredoc.txt")), QByteArray("value=1\n"));
    QCOMPARE(read(QStringLiteral("/script.out")), QByteArray("from heredoc\n"));
    QCOMPARE(read(QStringLiteral("/count")).trimmed(), QByteArray("1"));
    QCOMPARE(read(QStringLiteral("/cache/log")), QByteArray("<missing>"));
    QCOMPARE(QFileInfo(bundle + QStringLiteral("/rootfs/app/files/one.txt")).permissions() & 0x7777,
             QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                 QFileDevice::WriteUser);
}

void TestBuilder::missingBase()
{
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM nosuch/image\nRUN true\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    auto result = builder.build(request);
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("\"nosuch/image:latest\" is not in the store")),
             qPrintable(result.error().message));
    QVERIFY(result.error().message.contains(QStringLiteral("stagecraft import")));
    QVERIFY(result.error().message.startsWith(QStringLiteral("Dockerfile:1:")));
}

void TestBuilder::failingRun()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture\nRUN echo about to fail && exit 3\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    auto result = builder.build(request);
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("exit code: 3")),
             qPrintable(result.error().message));
    QVERIFY(result.error().message.contains(QStringLiteral("about to fail")));
    QVERIFY(result.error().message.startsWith(QStringLiteral("Dockerfile:2:")));
}

void TestBuilder::cancelRun()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture\nRUN sleep 100\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("never:built")};
    CancellationToken cancel;
    std::atomic_bool started{false};
    QElapsedTimer timer;
    std::thread canceller([&] {
        while (!started)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        timer.start();
        cancel.cancel();
    });
    auto result = builder.build(
        request,
        [&](const BuildEvent &e) {
            if (e.kind == BuildEventKind::StepStarted && e.text.startsWith(QStringLiteral("RUN")))
                started = true;
        },
        cancel);
    canceller.join();
    QVERIFY(!result);
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(result.error().message.contains(QStringLiteral("cancelled")));
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"), {QStringLiteral("-f"), QStringLiteral("^sleep 100$")});
    pgrep.waitForFinished();
    QVERIFY2(pgrep.readAllStandardOutput().trimmed().isEmpty(), "the sandboxed sleep is still running");
    QVERIFY(!m_store->resolve(QStringLiteral("never:built")));
    auto verified = m_store->verify();
    QVERIFY(verified && verified->ok());
}

QTEST_GUILESS_MAIN(TestBuilder)
#include "tst_builder.moc"
