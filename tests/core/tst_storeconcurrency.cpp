// The store under concurrent and hostile use, with real processes: builds and imports of
// the `stagecraft` binary sharing one store while `stagecraft store gc` runs in a loop,
// builds killed with SIGKILL in the middle of a RUN, an image with the same layer twice, and
// the extracted-layer cache, which must hold no setuid program or device node.
#include "core/builder/builder.h"
#include "core/store/imagestore.h"
#include "layerfixtures.h"

#include <QBuffer>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

#include <sys/stat.h>

namespace {

QString sourceDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR"));
}

std::unique_ptr<QProcess> start(const QStringList &args)
{
    auto p = std::make_unique<QProcess>();
    p->start(QStringLiteral(STAGECRAFT_BIN), args);
    return p;
}

QString describe(QProcess &p, const QStringList &args)
{
    return QStringLiteral("stagecraft %1: exit %2\n%3%4")
        .arg(args.join(u' '))
        .arg(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1)
        .arg(QString::fromLocal8Bit(p.readAllStandardOutput().right(2000)),
             QString::fromLocal8Bit(p.readAllStandardError().right(2000)));
}

QStringList entries(const QString &dir, const QString &pattern)
{
    return QDir(dir).entryList({pattern},
                               QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

} // namespace

class TestStoreConcurrency : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void buildsAndImportsWhileGcLoops();
    void killedBuildLeavesNothingBehind_data();
    void killedBuildLeavesNothingBehind();
    void sameLayerTwice();
    void layerCacheIsPrivateAndHoldsNoDevices();

private:
    int stagecraft(const QStringList &args, QByteArray *out = nullptr);
    QStringList withStore(const QString &command, const QStringList &rest) const;
    QString writeContext(const QString &name, const QByteArray &dockerfile);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

int TestStoreConcurrency::stagecraft(const QStringList &args, QByteArray *out)
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN), args);
    if (!p.waitForFinished(180000))
        return -1;
    // What the command printed; notices (a network fallback) go to the error stream.
    const QByteArray output = p.readAllStandardOutput();
    const QByteArray text = output + p.readAllStandardError();
    if (out)
        *out = output;
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        qWarning("%s", text.constData());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QStringList TestStoreConcurrency::withStore(const QString &command, const QStringList &rest) const
{
    QStringList args{command, QStringLiteral("--store"), m_store};
    return args + rest;
}

QString TestStoreConcurrency::writeContext(const QString &name, const QByteArray &dockerfile)
{
    const QString context = m_dir->filePath(name);
    QDir().mkpath(context);
    QFile f(context + QStringLiteral("/Dockerfile"));
    if (f.open(QIODevice::WriteOnly))
        f.write(dockerfile);
    return context;
}

void TestStoreConcurrency::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = m_dir->filePath(QStringLiteral("store"));
    QCOMPARE(stagecraft(withStore(QStringLiteral("import"),
                                  {QStringLiteral("-t"), QStringLiteral("busybox:fixture"),
                                   sourceDir() + QStringLiteral("/tests/data/images/base.docker.tar")})),
             0);
}

void TestStoreConcurrency::buildsAndImportsWhileGcLoops()
{
    // Each build writes layers of its own (its build argument differs), which no name
    // holds until the build ends: exactly what a collection running meanwhile must keep.
    const QString context =
        writeContext(QStringLiteral("context"), "FROM busybox:fixture\n"
                                                "ARG N\n"
                                                "RUN echo $N > /n && mkdir -p /data && echo hello > /data/x\n"
                                                "COPY Dockerfile /Dockerfile\n"
                                                "RUN cat /n /data/x > /out\n");
    constexpr int kRounds = 2;
    constexpr int kBuilds = 3;
    constexpr int kMaxGcRuns = 400;
    QElapsedTimer clock;
    clock.start();
    int gcRuns = 0;
    int gcDuringWork = 0;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<std::pair<std::unique_ptr<QProcess>, QStringList>> workers;
        for (int i = 0; i < kBuilds; ++i) {
            const QString n = QString::number(round * kBuilds + i);
            const QStringList args = withStore(
                QStringLiteral("build"),
                {QStringLiteral("-t"), QStringLiteral("app:") + n, QStringLiteral("--build-arg"),
                 QStringLiteral("N=") + n, QStringLiteral("--progress"), QStringLiteral("plain"), context});
            workers.emplace_back(start(args), args);
        }
        const QStringList import =
            withStore(QStringLiteral("import"),
                      {QStringLiteral("-t"), QStringLiteral("imported:") + QString::number(round),
                       sourceDir() + (round % 2 ? QStringLiteral("/tests/data/images/build.oci")
                                                : QStringLiteral("/tests/data/images/final.docker.tar"))});
        workers.emplace_back(start(import), import);

        const auto running = [&] {
            for (const auto &w : workers)
                if (w.first->state() != QProcess::NotRunning)
                    return true;
            return false;
        };
        while (running()) {
            QVERIFY2(clock.elapsed() < 240000, "the builds did not finish within 4 minutes");
            QVERIFY(gcRuns < kMaxGcRuns);
            const QStringList gcArgs = withStore(QStringLiteral("store"), {QStringLiteral("gc")});
            auto gc = start(gcArgs);
            QVERIFY(gc->waitForFinished(90000));
            ++gcRuns;
            if (running())
                ++gcDuringWork;
            QVERIFY2(gc->exitStatus() == QProcess::NormalExit && gc->exitCode() == 0,
                     qPrintable(describe(*gc, gcArgs)));
            for (auto &w : workers)
                w.first->waitForFinished(0);
        }
        for (auto &w : workers) {
            if (w.first->state() != QProcess::NotRunning)
                QVERIFY(w.first->waitForFinished(10000));
            QVERIFY2(w.first->exitStatus() == QProcess::NormalExit && w.first->exitCode() == 0,
                     qPrintable(describe(*w.first, w.second)));
        }
    }
    qInfo("%d builds and %d imports in %lld ms, %d collections (%d while they ran)", kRounds * kBuilds,
          kRounds, clock.elapsed(), gcRuns, gcDuringWork);
    QVERIFY2(gcDuringWork >= kRounds, "no collection overlapped the builds");

    QByteArray out;
    QCOMPARE(stagecraft(withStore(QStringLiteral("store"), {QStringLiteral("gc")})), 0);
    QCOMPARE(stagecraft(withStore(QStringLiteral("store"), {QStringLiteral("verify")}), &out), 0);
    QVERIFY2(out.contains(": ok"), out.constData());
    for (int n = 0; n < kRounds * kBuilds; ++n) {
        QCOMPARE(stagecraft(withStore(QStringLiteral("run"),
                                      {QStringLiteral("app:") + QString::number(n), QStringLiteral("--"),
                                       QStringLiteral("/bin/cat"), QStringLiteral("/out")}),
                            &out),
                 0);
        QCOMPARE(out, QByteArray::number(n) + "\nhello\n");
    }
    // Nothing left behind: no lease, no scratch directory.
    QCOMPARE(entries(m_store + QStringLiteral("/leases"), QStringLiteral("*")), QStringList());
    QCOMPARE(entries(m_store + QStringLiteral("/cache/tmp"), QStringLiteral("run-*")), QStringList());
}

void TestStoreConcurrency::killedBuildLeavesNothingBehind_data()
{
    QTest::addColumn<bool>("byGc"); // true: `store gc` cleans up; false: the next build does
    QTest::addRow("store-gc") << true;
    QTest::addRow("next-build") << false;
}

void TestStoreConcurrency::killedBuildLeavesNothingBehind()
{
    QFETCH(bool, byGc);
    const QString context = writeContext(QStringLiteral("slow"), "FROM busybox:fixture\n"
                                                                 "RUN echo started > /started && sleep 60\n");
    const QString scratchRoot = m_store + QStringLiteral("/cache/tmp");
    const QStringList args =
        withStore(QStringLiteral("build"), {QStringLiteral("-t"), QStringLiteral("slow:1"), context});
    auto build = start(args);
    // Killed once the RUN's overlay is in place: its upper holds the first file.
    QElapsedTimer clock;
    clock.start();
    QString scratch;
    while (scratch.isEmpty() && clock.elapsed() < 60000) {
        QVERIFY2(build->state() != QProcess::NotRunning, qPrintable(describe(*build, args)));
        for (const QString &run : entries(scratchRoot, QStringLiteral("run-*")))
            if (QFile::exists(scratchRoot + u'/' + run + QStringLiteral("/upper/started")))
                scratch = scratchRoot + u'/' + run;
        QTest::qWait(20);
    }
    QVERIFY2(!scratch.isEmpty(), "the RUN never started");
    build->kill(); // SIGKILL
    QVERIFY(build->waitForFinished(10000));
    QTest::qWait(200); // the sandbox dies with its parent
    QVERIFY(QFileInfo::exists(scratch));
    QCOMPARE(entries(m_store + QStringLiteral("/leases"), QStringLiteral("*")).size(), 1);
    QStringList unreadable; // overlay's work directory is mode 000
    QDirIterator it(scratch, QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        struct stat st = {};
        const QString path = it.next();
        if (::lstat(QFile::encodeName(path).constData(), &st) == 0 && (st.st_mode & 0777) == 0)
            unreadable << path;
    }
    qInfo("left behind: %s, mode 000: %s", qPrintable(scratch), qPrintable(unreadable.join(u' ')));
    QVERIFY(!unreadable.isEmpty() || !QFileInfo::exists(scratch + QStringLiteral("/work")));

    if (byGc) {
        QCOMPARE(stagecraft(withStore(QStringLiteral("store"), {QStringLiteral("gc")})), 0);
    } else {
        const QString quick =
            writeContext(QStringLiteral("quick"), "FROM busybox:fixture\nRUN echo quick > /q\n");
        QCOMPARE(stagecraft(withStore(QStringLiteral("build"),
                                      {QStringLiteral("-t"), QStringLiteral("quick:1"), quick})),
                 0);
    }
    QVERIFY2(!QFileInfo::exists(scratch), qPrintable(scratch));
    QCOMPARE(entries(scratchRoot, QStringLiteral("run-*")), QStringList());
    QCOMPARE(entries(m_store + QStringLiteral("/leases"), QStringLiteral("*")), QStringList());
    QByteArray out;
    QCOMPARE(stagecraft(withStore(QStringLiteral("store"), {QStringLiteral("verify")}), &out), 0);
}

void TestStoreConcurrency::sameLayerTwice()
{
    // Three `RUN true` make three identical empty layers; the RUN after them mounts all.
    const QString context = writeContext(QStringLiteral("twice"), "FROM busybox:fixture\n"
                                                                  "RUN true\n"
                                                                  "RUN true\n"
                                                                  "RUN true\n"
                                                                  "RUN echo after > /after\n");
    QByteArray out;
    const int built = stagecraft(
        withStore(QStringLiteral("build"), {QStringLiteral("-t"), QStringLiteral("twice:1"), context}), &out);
    // overlayfs refuses the same lower directory twice (ELOOP): Rootfs::prepare keeps only
    // the upper occurrence of a repeated layer directory.
    QVERIFY2(built == 0, out.constData());
    QCOMPARE(
        stagecraft(withStore(QStringLiteral("run"), {QStringLiteral("twice:1"), QStringLiteral("--"),
                                                     QStringLiteral("/bin/cat"), QStringLiteral("/after")}),
                   &out),
        0);
    QCOMPARE(out, QByteArray("after\n"));
    const QString exported = m_dir->filePath(QStringLiteral("twice.tar"));
    QCOMPARE(stagecraft({QStringLiteral("export"), QStringLiteral("--store"), m_store,
                         QStringLiteral("twice:1"), QStringLiteral("-o"), exported}),
             0);
    QCOMPARE(stagecraft(withStore(QStringLiteral("import"),
                                  {QStringLiteral("-t"), QStringLiteral("again:1"), exported})),
             0);
    QCOMPARE(stagecraft(withStore(QStringLiteral("store"), {QStringLiteral("verify")}), &out), 0);
}

void TestStoreConcurrency::layerCacheIsPrivateAndHoldsNoDevices()
{
    using fixtures::TarEntry;
    const QByteArray tar = fixtures::makeTar({TarEntry(QStringLiteral("bin"), 'd', {}, {}, 0755),
                                              TarEntry(QStringLiteral("bin/su"), 'f', "su", {}, 04755),
                                              TarEntry(QStringLiteral("bin/wall"), 'f', "wall", {}, 02755),
                                              TarEntry(QStringLiteral("bin/both"), 'f', "both", {}, 06711),
                                              TarEntry(QStringLiteral("srv"), 'd', {}, {}, 02775),
                                              TarEntry(QStringLiteral("dev"), 'd', {}, {}, 0755),
                                              TarEntry(QStringLiteral("dev/null"), 'c', {}, {}, 0666),
                                              TarEntry(QStringLiteral("dev/mem"), 'c', {}, {}, 0640)});
    auto store = stagecraft::ImageStore::open(m_store);
    QVERIFY(store);
    auto blob = store->putBlob(tar, QStringLiteral("application/vnd.oci.image.layer.v1.tar"));
    QVERIFY(blob);
    auto dir =
        stagecraft::Builder(*store).layerDirectory(*blob, blob->digest); // uncompressed: diff ID = digest
    QVERIFY2(dir, qPrintable(dir ? QString() : dir.error().message));
    const auto modeOf = [](const QString &path) {
        struct stat st = {};
        return ::lstat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode : mode_t(0);
    };
    // Nobody else can enter the store, so the setuid programs the layer holds (kept, as
    // Docker keeps them for COPY --from) are out of other users' reach.
    QCOMPARE(modeOf(m_store) & 07777, mode_t(0700));
    QCOMPARE(modeOf(store->cacheDir(QStringLiteral("layers"))) & 07777, mode_t(0700));
    QCOMPARE(modeOf(*dir + QStringLiteral("/bin/su")) & 07777, mode_t(04755));
    QCOMPARE(modeOf(*dir + QStringLiteral("/bin/both")) & 07777, mode_t(06711));
    QDirIterator it(*dir, QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const mode_t mode = modeOf(path);
        QVERIFY2(!S_ISCHR(mode) && !S_ISBLK(mode), qPrintable(path));
    }
    QVERIFY(QFileInfo(*dir + QStringLiteral("/dev")).isDir());
}

QTEST_GUILESS_MAIN(TestStoreConcurrency)
#include "tst_storeconcurrency.moc"
