// `stagecraft build --cache-to/--cache-from` as a person types it: the busybox seed built
// in one store, its cache exported, then built in an empty store (the base imported, the
// network off) with every step cached from the export and the same image; a damaged
// export refused. With Debian's docker-registry, the same through a registry, imported by
// five processes at once.
#include "busyboxlayout.h"
#include "core/builder/cachelayout.h"
#include "core/exec/sandbox.h"
#include "core/kit/classroomkit.h"
#include "core/oci/layerwriter.h"
#include "core/oci/ocilayout.h"
#include "core/store/imagestore.h"
#include "partialkit.h"
#include "registryfixture.h"
#include "tests/app/clirun.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using stagecraft::test::runStagecraft;

namespace {

QString seedContext()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
           QStringLiteral("/tests/data/seeds/busybox");
}

QString imageIdOf(const QByteArray &out)
{
    static const QRegularExpression line(QStringLiteral("writing image (sha256:[0-9a-f]{64})"));
    return line.match(QString::fromUtf8(out)).captured(1);
}

} // namespace

class TestCliBuildCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void localCacheRebuildsEveryStepCached();
    void damagedLocalCacheIsRefused();
    void registryCacheServesFiveImportsAtOnce();
    void registryCacheFetchesOnlyTheLayersItUses();
    void kitRebuildsOfflineInAnEmptyStore();
    void damagedKitIsRefused_data();
    void damagedKitIsRefused();
    void kitWithASymlinkIsRefused();
    void kitCheckNamesWhatWouldRun();

private:
    // A store holding busybox:fixture; empty on failure.
    QString storeWithBase(const QString &name);

    std::optional<QTemporaryDir> m_dir;
};

void TestCliBuildCache::init()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("the sandbox cannot run here: ") + reason));
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox-static is not installed");
    m_dir.emplace();
    QVERIFY(m_dir->isValid());
    const QString made =
        test::makeBusyboxLayout(m_dir->filePath(QStringLiteral("base")), QStringLiteral("fixture"));
    QVERIFY2(made.isEmpty(), qPrintable(made));
}

QString TestCliBuildCache::storeWithBase(const QString &name)
{
    const QString root = m_dir->filePath(name);
    auto store = ImageStore::open(root);
    if (!store)
        return {};
    auto imported = store->import(m_dir->filePath(QStringLiteral("base")), QStringLiteral("busybox:fixture"));
    return imported ? root : QString();
}

void TestCliBuildCache::localCacheRebuildsEveryStepCached()
{
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    QVERIFY(!teacher.isEmpty());
    const QString cache = m_dir->filePath(QStringLiteral("usb/cache"));
    const auto built = runStagecraft(teacher, {QStringLiteral("build"), QStringLiteral("--network"),
                                               QStringLiteral("none"), QStringLiteral("--cache-to"),
                                               QStringLiteral("type=local,dest=") + cache, seedContext()});
    QVERIFY2(built.status == 0, built.err.constData());
    QVERIFY2(built.out.contains("exported the build cache (22 steps"), built.out.constData());

    const QString student = storeWithBase(QStringLiteral("student"));
    QVERIFY(!student.isEmpty());
    QElapsedTimer timer;
    timer.start();
    const auto rebuilt = runStagecraft(student, {QStringLiteral("build"), QStringLiteral("--network"),
                                                 QStringLiteral("none"), QStringLiteral("--cache-from"),
                                                 QStringLiteral("type=local,src=") + cache, seedContext()});
    QVERIFY2(rebuilt.status == 0, rebuilt.err.constData());
    qInfo("fully cached rebuild from the exported cache: %lld ms", timer.elapsed());
    QVERIFY2(rebuilt.out.count(QByteArray(" CACHED from " + QFile::encodeName(cache))) == 22,
             rebuilt.out.constData());
    QVERIFY(!imageIdOf(built.out).isEmpty());
    QCOMPARE(imageIdOf(rebuilt.out), imageIdOf(built.out));
}

void TestCliBuildCache::damagedLocalCacheIsRefused()
{
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const QString cache = m_dir->filePath(QStringLiteral("cache"));
    QCOMPARE(runStagecraft(teacher, {QStringLiteral("build"), QStringLiteral("--network"),
                                     QStringLiteral("none"), QStringLiteral("--cache-to"),
                                     QStringLiteral("type=local,dest=") + cache, seedContext()})
                 .status,
             0);
    auto layout = CacheLayout::open(cache);
    QVERIFY(layout);
    const Descriptor layer = (*layout)->index().blobs().last();
    QVERIFY(QFile::resize((*layout)->blobs().blobPath(layer.digest), layer.size - 7));
    const QString student = storeWithBase(QStringLiteral("student"));
    const auto refused = runStagecraft(student, {QStringLiteral("build"), QStringLiteral("--cache-from"),
                                                 QStringLiteral("type=local,src=") + cache, seedContext()});
    QCOMPARE(refused.status, 1);
    QVERIFY2(refused.err.contains("is refused") && refused.err.contains("truncated"),
             refused.err.constData());
    QVERIFY(!refused.out.contains("#1 "));
}

void TestCliBuildCache::registryCacheServesFiveImportsAtOnce()
{
    if (!test::RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    test::RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    const QString ref = registry.host() + QStringLiteral("/class/cache:seed");
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const auto built = runStagecraft(teacher, {QStringLiteral("build"), QStringLiteral("--network"),
                                               QStringLiteral("none"), QStringLiteral("--cache-to"),
                                               QStringLiteral("type=registry,ref=") + ref, seedContext()});
    QVERIFY2(built.status == 0, built.err.constData());
    QVERIFY2(built.out.contains("pushed the build cache (22 steps"), built.out.constData());

    // Five students press Build at once; each process stops by itself (two minutes at most).
    constexpr int Students = 5;
    QList<std::shared_ptr<QProcess>> processes;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Students; ++i) {
        const QString store = storeWithBase(QStringLiteral("student%1").arg(i));
        QVERIFY(!store.isEmpty());
        auto p = std::make_shared<QProcess>();
        p->start(QStringLiteral(STAGECRAFT_BIN),
                 {QStringLiteral("build"), QStringLiteral("--store"), store, QStringLiteral("--network"),
                  QStringLiteral("none"), QStringLiteral("--cache-from"),
                  QStringLiteral("type=registry,ref=") + ref, seedContext()});
        processes.append(p);
    }
    QStringList ids;
    for (const auto &p : std::as_const(processes)) {
        if (!p->waitForFinished(120000)) {
            p->kill();
            p->waitForFinished();
        }
        const QByteArray out = p->readAllStandardOutput();
        QVERIFY2(p->exitStatus() == QProcess::NormalExit && p->exitCode() == 0,
                 p->readAllStandardError().constData());
        QVERIFY2(out.count(QByteArray(" CACHED from " + ref.toUtf8())) == 22, out.constData());
        QVERIFY2(out.contains("layers ("), out.constData()); // the lazy import's summary
        ids.append(imageIdOf(out));
    }
    qInfo("%d fully cached builds from the registry at once: %lld ms", Students, timer.elapsed());
    QCOMPARE(ids.count(imageIdOf(built.out)), Students);
}

// The registry's cache is lazy: a student whose Dockerfile differs from the instructor's
// at the build stage's second RUN gets the layers of the steps before it (and of the final
// stage's first RUN), not every layer the instructor pushed.
void TestCliBuildCache::registryCacheFetchesOnlyTheLayersItUses()
{
    if (!test::RegistryFixture::available())
        QSKIP("docker-registry is not installed (Debian package docker-registry)");
    test::RegistryFixture registry;
    QVERIFY2(registry.start(), qPrintable(registry.error()));
    const QString ref = registry.host() + QStringLiteral("/class/cache:seed");
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const QString cache = m_dir->filePath(QStringLiteral("local-cache"));
    const auto built = runStagecraft(teacher, {QStringLiteral("build"), QStringLiteral("--cache-to"),
                                               QStringLiteral("type=registry,ref=") + ref, seedContext()});
    QVERIFY2(built.status == 0, built.err.constData());
    // The same cache as a local layout, to know its layers.
    QCOMPARE(runStagecraft(teacher, {QStringLiteral("build"), QStringLiteral("--cache-to"),
                                     QStringLiteral("type=local,dest=") + cache, seedContext()})
                 .status,
             0);
    auto layout = CacheLayout::open(cache);
    QVERIFY(layout);
    const QList<Descriptor> cacheLayers = (*layout)->index().blobs();

    // The student's copy of the seed, its build stage's second RUN changed.
    const QString context = m_dir->filePath(QStringLiteral("edited"));
    QVERIFY(QDir().mkpath(context));
    QDirIterator it(seedContext(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString from = it.next();
        const QString to = context + from.mid(seedContext().size());
        if (it.fileInfo().isDir())
            QVERIFY(QDir().mkpath(to));
        else if (!it.fileInfo().isSymLink())
            QVERIFY(QFile::copy(from, to));
    }
    QFile dockerfile(context + QStringLiteral("/Dockerfile"));
    QVERIFY(dockerfile.open(QIODevice::ReadOnly));
    QByteArray text = dockerfile.readAll();
    dockerfile.close();
    QVERIFY(text.contains("RUN rm data/temporary"));
    text.replace("RUN rm data/temporary", "RUN echo changed > data/changed && rm data/temporary");
    QVERIFY(dockerfile.open(QIODevice::WriteOnly | QIODevice::Truncate));
    dockerfile.write(text);
    dockerfile.close();

    const QString student = storeWithBase(QStringLiteral("student"));
    const auto rebuilt = runStagecraft(student, {QStringLiteral("build"), QStringLiteral("--network"),
                                                 QStringLiteral("none"), QStringLiteral("--cache-from"),
                                                 QStringLiteral("type=registry,ref=") + ref, context});
    QVERIFY2(rebuilt.status == 0, rebuilt.err.constData());
    const qsizetype cachedSteps = rebuilt.out.count(QByteArray(" CACHED from " + ref.toUtf8()));
    QVERIFY2(cachedSteps > 0 && cachedSteps < 22, rebuilt.out.constData());
    static const QRegularExpression summary(QStringLiteral("fetched (\\d+) of (\\d+) layers"));
    const QRegularExpressionMatch m = summary.match(QString::fromUtf8(rebuilt.out));
    QVERIFY2(m.hasMatch(), rebuilt.out.constData());
    const int fetched = m.captured(1).toInt();
    QCOMPARE(m.captured(2).toInt(), cacheLayers.size());
    qInfo("a prefix of the steps cached: fetched %d of %lld cache layers", fetched,
          qlonglong(cacheLayers.size()));
    QVERIFY(fetched > 0);
    QVERIFY(fetched < cacheLayers.size() - 1); // more than the base layer left behind
    // What the store holds of the cache's layers, independently of the count: fewer than all.
    auto store = ImageStore::open(student);
    QVERIFY(store);
    qsizetype held = 0;
    for (const Descriptor &d : cacheLayers)
        held += store->hasBlob(d.digest) ? 1 : 0;
    QVERIFY2(held < cacheLayers.size(), qPrintable(QString::number(held)));
}

void TestCliBuildCache::kitRebuildsOfflineInAnEmptyStore()
{
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const QString kit = m_dir->filePath(QStringLiteral("lesson.kit"));
    const auto exported = runStagecraft(
        teacher, {QStringLiteral("kit"), QStringLiteral("export"), QStringLiteral("-o"), kit, seedContext()});
    QVERIFY2(exported.status == 0, exported.err.constData());
    qInfo("kit: %lld bytes", QFileInfo(kit).size());
    const auto built = runStagecraft(teacher, {QStringLiteral("build"), seedContext()});
    QVERIFY(!imageIdOf(built.out).isEmpty());

    const QString student = m_dir->filePath(QStringLiteral("student"));
    const auto shown = runStagecraft(
        student, {QStringLiteral("kit"), QStringLiteral("show"), QStringLiteral("--check"), kit});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("busybox:fixture") && shown.out.contains("busybox  22 steps, ") &&
                 shown.out.contains(" cached  covered: builds fully cached offline"),
             shown.out.constData());
    QElapsedTimer timer;
    timer.start();
    const QString examples = m_dir->filePath(QStringLiteral("class"));
    const auto imported = runStagecraft(student, {QStringLiteral("kit"), QStringLiteral("import"),
                                                  QStringLiteral("--examples"), examples, kit});
    QVERIFY2(imported.status == 0, imported.err.constData());
    QVERIFY2(imported.out.contains(QByteArray("example: " + QFile::encodeName(examples) + "/busybox")),
             imported.out.constData());
    const qint64 importMs = timer.restart();
    // The classroom: the instructor built with the network, the student builds with none
    // and with Docker Hub's mirror on a port nothing listens on, so a pull would fail.
    const auto rebuilt =
        runStagecraft(student, {QStringLiteral("build"), QStringLiteral("--network"), QStringLiteral("none"),
                                QStringLiteral("--mirror"), QStringLiteral("docker.io=http://127.0.0.1:9"),
                                examples + QStringLiteral("/busybox")});
    QVERIFY2(rebuilt.status == 0, rebuilt.err.constData());
    qInfo("kit import %lld ms, then a fully cached offline build %lld ms", importMs, timer.elapsed());
    QVERIFY2(rebuilt.out.count(" CACHED") == 22, rebuilt.out.constData());
    QCOMPARE(imageIdOf(rebuilt.out), imageIdOf(built.out));
}

void TestCliBuildCache::damagedKitIsRefused_data()
{
    QTest::addColumn<bool>("truncate");
    QTest::addRow("truncated") << true;
    QTest::addRow("bit-flipped") << false;
}

void TestCliBuildCache::damagedKitIsRefused()
{
    QFETCH(bool, truncate);
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const QString kit = m_dir->filePath(QStringLiteral("lesson.kit"));
    QCOMPARE(runStagecraft(teacher, {QStringLiteral("kit"), QStringLiteral("export"), QStringLiteral("-o"),
                                     kit, seedContext()})
                 .status,
             0);
    const qint64 size = QFileInfo(kit).size();
    if (truncate) {
        QVERIFY(QFile::resize(kit, size * 2 / 3));
    } else {
        // A byte in the middle of the file: inside a layer's content.
        QFile f(kit);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(size / 2);
        char c = 0;
        QVERIFY(f.getChar(&c));
        f.seek(size / 2);
        QVERIFY(f.putChar(char(c ^ 0x01)));
    }
    const QString student = storeWithBase(QStringLiteral("student"));
    const auto before = runStagecraft(student, {QStringLiteral("images")});
    const auto refused =
        runStagecraft(student, {QStringLiteral("kit"), QStringLiteral("import"), QStringLiteral("--examples"),
                                m_dir->filePath(QStringLiteral("class")), kit});
    QCOMPARE(refused.status, 1);
    QVERIFY2(refused.err.contains("is refused"), refused.err.constData());
    QVERIFY(!QFileInfo::exists(m_dir->filePath(QStringLiteral("class"))));
    QCOMPARE(runStagecraft(student, {QStringLiteral("images")}).out, before.out);
    QVERIFY(QDir(student + QStringLiteral("/cache/build")).isEmpty());
    QCOMPARE(runStagecraft(student, {QStringLiteral("store"), QStringLiteral("verify")}).status, 0);
}

void TestCliBuildCache::kitWithASymlinkIsRefused()
{
    // A kit whose "blob" is a symlink to a file of the user's: never read, refused.
    const QString layout = m_dir->filePath(QStringLiteral("evil"));
    const QByteArray hex(64, 'a');
    QVERIFY(QDir().mkpath(layout + QStringLiteral("/blobs/sha256")));
    QFile ociLayout(layout + QStringLiteral("/oci-layout"));
    QVERIFY(ociLayout.open(QIODevice::WriteOnly));
    ociLayout.write(R"({"imageLayoutVersion":"1.0.0"})");
    ociLayout.close();
    QFile index(layout + QStringLiteral("/index.json"));
    QVERIFY(index.open(QIODevice::WriteOnly));
    index.write(
        R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("digest":"sha256:)" +
        hex +
        R"(","size":100,"annotations":{"org.opencontainers.image.ref.name":"stagecraft-build-cache"}}]})");
    index.close();
    QVERIFY(QFile::link(QStringLiteral("/etc/passwd"),
                        layout + QStringLiteral("/blobs/sha256/") + QString::fromLatin1(hex)));
    const QString kit = m_dir->filePath(QStringLiteral("evil.kit"));
    QFile out(kit);
    QVERIFY(out.open(QIODevice::WriteOnly));
    LayerWriteOptions options;
    options.compression = Compression::None;
    QVERIFY(LayerWriter::writeDirectory(layout, &out, options));
    out.close();
    const QString student = m_dir->filePath(QStringLiteral("student"));
    const auto refused = runStagecraft(student, {QStringLiteral("kit"), QStringLiteral("show"), kit});
    QCOMPARE(refused.status, 1);
    QVERIFY2(refused.err.contains("is refused") && refused.err.contains("not a plain file"),
             refused.err.constData());
}

// `kit show --check` on a kit that lacks a RUN step's result and the base image: against
// an empty store it names the step by line and instruction (it would run) and the image
// (it would be pulled, so the network) and exits with 1; against the instructor's store,
// which has the image, only the step is left.
void TestCliBuildCache::kitCheckNamesWhatWouldRun()
{
    const QString teacher = storeWithBase(QStringLiteral("teacher"));
    const QString kit = m_dir->filePath(QStringLiteral("lesson.kit"));
    QCOMPARE(runStagecraft(teacher, {QStringLiteral("kit"), QStringLiteral("export"), QStringLiteral("-o"),
                                     kit, seedContext()})
                 .status,
             0);
    auto opened = ClassroomKit::open(kit, m_dir->filePath(QStringLiteral("scratch")));
    QVERIFY(opened);
    QCOMPARE(opened->examples().size(), 1);
    QString key;
    int line = 0;
    for (const BuildStepKey &step : opened->examples().first().plan)
        if (step.instruction.startsWith(QLatin1String("RUN rm data/temporary"))) {
            key = step.key;
            line = step.line;
        }
    QVERIFY(!key.isEmpty());
    QCOMPARE(line, 17);
    const QString partial = m_dir->filePath(QStringLiteral("partial.kit"));
    const QString made = test::makePartialKit(kit, partial, {key}, {QStringLiteral("busybox:fixture")});
    QVERIFY2(made.isEmpty(), qPrintable(made));

    const QString empty = m_dir->filePath(QStringLiteral("student"));
    const auto shown = runStagecraft(
        empty, {QStringLiteral("kit"), QStringLiteral("show"), QStringLiteral("--check"), partial});
    QCOMPARE(shown.status, 1);
    QVERIFY2(shown.out.contains("busybox  22 steps") &&
                 shown.out.contains("NOT covered: would need the network"),
             shown.out.constData());
    QVERIFY2(
        shown.out.contains("    base image busybox:fixture: not in the kit or the store, would be pulled "
                           "(needs the network)\n"),
        shown.out.constData());
    QVERIFY2(shown.out.contains("    line 17: RUN rm data/temporary && rm -r lib/deep && chmod 0750 data && "
                                "touch data/empty: no cached result, would run\n"),
             shown.out.constData());
    QVERIFY2(shown.out.contains("0 of 1 examples fully covered"), shown.out.constData());

    const auto mine = runStagecraft(
        teacher, {QStringLiteral("kit"), QStringLiteral("show"), QStringLiteral("--check"), partial});
    QCOMPARE(mine.status, 1);
    QVERIFY2(mine.out.contains("NOT covered: steps would run (offline)") && !mine.out.contains("base image"),
             mine.out.constData());
    const auto full =
        runStagecraft(empty, {QStringLiteral("kit"), QStringLiteral("show"), QStringLiteral("--check"), kit});
    QCOMPARE(full.status, 0);
    QVERIFY2(full.out.contains("1 of 1 examples fully covered"), full.out.constData());
}

QTEST_GUILESS_MAIN(TestCliBuildCache)
#include "tst_cli_buildcache.moc"
