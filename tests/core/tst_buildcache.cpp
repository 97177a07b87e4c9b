// The build cache carried between machines: step cache keys that do not depend on the
// machine (store, context path, user), the cache exported as an OCI layout and imported
// into an empty store (every step cached, the same image), and a damaged cache refused
// before anything reaches the store.
#include "buildfixture.h"
#include "busyboxlayout.h"
#include "core/builder/builder.h"
#include "core/builder/cacheindex.h"
#include "core/builder/cachelayout.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerreader.h"
#include "core/oci/ocilayout.h"
#include "core/progress/buildprogress.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace stagecraft;

namespace {

QString seedsDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/seeds");
}

// Every file under `dir` with its size: what a store holds, to see that nothing changed.
QStringList listing(const QString &dir)
{
    QStringList files;
    for (const QString &sub : {QStringLiteral("blobs"), QStringLiteral("cache/build")}) {
        QDirIterator it(dir + u'/' + sub, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            files.append(path.mid(dir.size()) + u' ' + QString::number(QFileInfo(path).size()));
        }
    }
    files.append(QString::fromUtf8(fixtures::readBytes(dir + QStringLiteral("/refs.json"))));
    files.sort();
    return files;
}

// A context with the same files wherever it is written, whoever writes it (modes set).
void writeContext(const QString &dir)
{
    QVERIFY(fixtures::writeText(dir + QStringLiteral("/Dockerfile"), "FROM scratch\n"
                                                                     "ENV GREETING=hello\n"
                                                                     "COPY app.txt /app/\n"
                                                                     "COPY --link conf /etc/conf\n"
                                                                     "WORKDIR /app\n"
                                                                     "LABEL lesson=one\n"
                                                                     "COPY . /src\n"));
    QVERIFY(fixtures::writeText(dir + QStringLiteral("/app.txt"), "the app\n"));
    QVERIFY(fixtures::writeText(dir + QStringLiteral("/conf/a.conf"), "a=1\n"));
    const auto mode = [](const QString &path, QFile::Permissions p) {
        QVERIFY(QFile::setPermissions(path, p));
    };
    const QFile::Permissions file =
        QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther;
    const QFile::Permissions directory = file | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
    mode(dir + QStringLiteral("/Dockerfile"), file);
    mode(dir + QStringLiteral("/app.txt"), file);
    mode(dir + QStringLiteral("/conf/a.conf"), file);
    mode(dir + QStringLiteral("/conf"), directory);
    mode(dir, directory);
}

struct Built
{
    BuildResult result;
    std::shared_ptr<BuildProgress> progress = std::make_shared<BuildProgress>(); // what the window shows
    QStringList cachedFrom; // the cacheSource of every StepCached event
    int cachedEvents = 0;
    QList<Digest> extracted; // the layers the build had to extract
};

Expected<Built> build(const ImageStore &store, const QString &context, const StepCacheSources &from = {},
                      const QString &tag = QStringLiteral("lesson:one"))
{
    Builder builder(store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {tag};
    request.network = RunNetwork::None;
    request.cacheFrom = from;
    Built built;
    std::mutex mutex;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        std::lock_guard lock(mutex);
        built.progress->apply(e);
        if (e.kind == BuildEventKind::StepCached) {
            ++built.cachedEvents;
            built.cachedFrom.append(e.cacheSource);
        }
    });
    if (!result)
        return std::unexpected(result.error());
    built.result = *result;
    built.extracted = builder.extractedLayers();
    return built;
}

// Why the busybox seed cannot be built here; empty when it can.
QString skipReason()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        return QStringLiteral("the sandbox cannot run here: ") + reason;
    if (test::busyboxBinary().isEmpty())
        return QStringLiteral("busybox-static is not installed");
    return {};
}

} // namespace

class TestBuildCache : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysDoNotDependOnTheMachine();
    void exportedCacheRebuildsInAnEmptyStore();
    void damagedCacheIsRefused_data();
    void damagedCacheIsRefused();
    void hostileIndexIsRefused_data();
    void hostileIndexIsRefused();
    void boundContextFilesAreInTheKey();
    void chownByNameAndImageSourcesNeedNoExtraction();

private:
    // The busybox seed built in a store of `dir`, its cache exported to `dir`/cache.
    void buildSeedAndExport(const QString &dir, Built *built);
};

void TestBuildCache::keysDoNotDependOnTheMachine()
{
    // Two stores, two context paths: the same keys. The first key is fixed here, so that
    // the test run as another user (scripts/test-as-user) or on another machine checks
    // that no user name, path or time went into it.
    QTemporaryDir a, b;
    QVERIFY(a.isValid() && b.isValid());
    writeContext(a.filePath(QStringLiteral("lesson")));
    writeContext(b.filePath(QStringLiteral("elsewhere/deeper/lesson-copy")));
    auto storeA = ImageStore::open(a.filePath(QStringLiteral("store")));
    auto storeB = ImageStore::open(b.filePath(QStringLiteral("other-store")));
    QVERIFY(storeA && storeB);
    auto builtA = build(*storeA, a.filePath(QStringLiteral("lesson")));
    QVERIFY2(builtA, qPrintable(builtA ? QString() : builtA.error().message));
    auto builtB = build(*storeB, b.filePath(QStringLiteral("elsewhere/deeper/lesson-copy")));
    QVERIFY2(builtB, qPrintable(builtB ? QString() : builtB.error().message));
    const QStringList keys = builtA->result.cacheKeys;
    QCOMPARE(keys.size(), 7); // six steps, one of them a --link layer too
    QCOMPARE(builtB->result.cacheKeys, keys);
    QCOMPARE(keys.last(), QStringLiteral("5802da92c2597fb61443eb75c42490da0191a7b65a3f08af474af43fcefef7a0"));
}

void TestBuildCache::buildSeedAndExport(const QString &dir, Built *built)
{
    const QString made = test::makeBusyboxLayout(dir + QStringLiteral("/base"), QStringLiteral("fixture"));
    QVERIFY2(made.isEmpty(), qPrintable(made));
    auto store = ImageStore::open(dir + QStringLiteral("/teacher"));
    QVERIFY(store);
    auto imported = store->import(dir + QStringLiteral("/base"), QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    auto first = build(*store, seedsDir() + QStringLiteral("/busybox"));
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    *built = *first;
    auto index = CacheIndex::collect(*store, first->result.cacheKeys);
    QVERIFY2(index, qPrintable(index ? QString() : index.error().message));
    QCOMPARE(index->entries.size(), first->result.steps);
    auto written = CacheLayout::write(*store, *index, dir + QStringLiteral("/cache"));
    QVERIFY2(written, qPrintable(written ? QString() : written.error().message));
}

void TestBuildCache::exportedCacheRebuildsInAnEmptyStore()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (const QString reason = skipReason(); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    Built teacher;
    buildSeedAndExport(dir.path(), &teacher);
    if (QTest::currentTestFailed())
        return;

    auto student = ImageStore::open(dir.filePath(QStringLiteral("student")));
    QVERIFY(student);
    QVERIFY(student->import(dir.filePath(QStringLiteral("base")), QStringLiteral("busybox:fixture")));
    auto cache = CacheLayout::open(dir.filePath(QStringLiteral("cache")), QStringLiteral("from the kit"));
    QVERIFY2(cache, qPrintable(cache ? QString() : cache.error().message));
    QElapsedTimer timer;
    timer.start();
    auto rebuilt = build(*student, seedsDir() + QStringLiteral("/busybox"), {*cache});
    QVERIFY2(rebuilt, qPrintable(rebuilt ? QString() : rebuilt.error().message));
    qInfo("rebuilt from the exported cache in %lld ms (%d steps)", timer.elapsed(), rebuilt->result.steps);
    QCOMPARE(rebuilt->result.cachedSteps, rebuilt->result.steps);
    QCOMPARE(rebuilt->cachedEvents, rebuilt->result.steps);
    QVERIFY(rebuilt->cachedFrom.contains(QStringLiteral("from the kit")));
    // The window's log of a step says so too.
    const StepProgress *step = rebuilt->progress->step(0, 1);
    QVERIFY(step);
    QVERIFY2(step->log.contains(QStringLiteral("cached, from the kit")), qPrintable(step->log.join(u'|')));
    QCOMPARE(rebuilt->result.manifest.digest, teacher.result.manifest.digest);
    QCOMPARE(rebuilt->result.cacheKeys, teacher.result.cacheKeys);
    // Every step cached, COPY (from the context, --from a stage, --chown) and WORKDIR
    // included: their keys come without the stage's files, so nothing was extracted (a
    // kit's Go toolchain stage took half a minute to unpack just to find a COPY's target).
    QVERIFY2(rebuilt->extracted.isEmpty(),
             qPrintable(QStringLiteral("%1 layers extracted").arg(rebuilt->extracted.size())));

    // Now the store's own: a third build asks the kit nothing.
    auto again = build(*student, seedsDir() + QStringLiteral("/busybox"), {*cache});
    QVERIFY(again);
    QCOMPARE(again->cachedFrom.count(QString()), again->result.steps);
}

void TestBuildCache::damagedCacheIsRefused_data()
{
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("message");
    QTest::addRow("truncated-layer") << "truncate-layer"
                                     << "truncated";
    QTest::addRow("bit-flipped-layer") << "flip-layer"
                                       << "corrupt";
    QTest::addRow("bit-flipped-index") << "flip-index"
                                       << "damaged";
    QTest::addRow("missing-layer") << "remove-layer"
                                   << "missing";
    QTest::addRow("no-index-json") << "remove-index-json"
                                   << "refused";
    // A symlink could make the cache read any file of the user's.
    QTest::addRow("symlinked-layer") << "symlink-layer"
                                     << "not a plain file";
}

void TestBuildCache::damagedCacheIsRefused()
{
    QFETCH(QString, damage);
    QFETCH(QString, message);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (const QString reason = skipReason(); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    Built teacher;
    buildSeedAndExport(dir.path(), &teacher);
    if (QTest::currentTestFailed())
        return;
    const QString cacheDir = dir.filePath(QStringLiteral("cache"));
    auto layout = OciLayout::open(cacheDir);
    QVERIFY(layout);
    auto cache = CacheLayout::open(cacheDir);
    QVERIFY(cache);
    // The largest layer: a RUN's, not the base's.
    Descriptor layer;
    for (const Descriptor &d : (*cache)->index().blobs())
        if (d.size > layer.size)
            layer = d;
    const QString layerPath = layout->blobs()->blobPath(layer.digest);
    QString indexPath;
    for (const QFileInfo &f : QDir(cacheDir + QStringLiteral("/blobs/sha256")).entryInfoList(QDir::Files))
        if (fixtures::readBytes(f.filePath()).startsWith("{\"entries\""))
            indexPath = f.filePath();
    QVERIFY(!indexPath.isEmpty());
    const auto flip = [](const QString &path, qint64 at) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(at);
        char c = 0;
        QVERIFY(f.getChar(&c));
        f.seek(at);
        QVERIFY(f.putChar(char(c ^ 0x10)));
    };
    if (damage == QLatin1String("truncate-layer"))
        QVERIFY(QFile::resize(layerPath, layer.size / 2));
    else if (damage == QLatin1String("flip-layer"))
        flip(layerPath, layer.size / 2);
    else if (damage == QLatin1String("flip-index"))
        flip(indexPath, 40);
    else if (damage == QLatin1String("symlink-layer"))
        QVERIFY(QFile::remove(layerPath) && QFile::link(QStringLiteral("/etc/passwd"), layerPath));
    else if (damage == QLatin1String("remove-layer"))
        QVERIFY(QFile::remove(layerPath));
    else
        QVERIFY(QFile::remove(cacheDir + QStringLiteral("/index.json")));

    auto student = ImageStore::open(dir.filePath(QStringLiteral("student")));
    QVERIFY(student);
    QVERIFY(student->import(dir.filePath(QStringLiteral("base")), QStringLiteral("busybox:fixture")));
    const QStringList before = listing(student->root());
    auto refused = CacheLayout::open(cacheDir);
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(message), qPrintable(refused.error().message));
    QVERIFY2(refused.error().message.contains(cacheDir), qPrintable(refused.error().message));
    QCOMPARE(listing(student->root()), before);
}

void TestBuildCache::hostileIndexIsRefused_data()
{
    QTest::addColumn<QByteArray>("index");
    QTest::addColumn<QString>("message");
    const QByteArray type = CacheIndex::MediaType.latin1();
    QTest::addRow("not-json") << QByteArray("{") << "not a JSON object";
    QTest::addRow("wrong-type") << QByteArray(R"({"mediaType":"x","entries":[]})") << "media type";
    QTest::addRow("path-as-key") << (R"({"mediaType":")" + type +
                                     R"(","entries":[{"key":"../../refs","layer":{}}]})")
                                 << "invalid key";
    const QByteArray key(64, 'a');
    QTest::addRow("config-not-layer")
        << (R"({"mediaType":")" + type + R"(","entries":[{"key":"link-)" + key +
            R"(","layer":{"mediaType":"application/vnd.oci.image.config.v1+json",)"
            R"("digest":"sha256:)" +
            key + R"(","size":2},"diffId":"sha256:)" + key + R"("}]})")
        << "not a layer's";
    QTest::addRow("negative-size") << (R"({"mediaType":")" + type + R"(","entries":[{"key":"link-)" + key +
                                       R"(","layer":{"mediaType":"application/vnd.oci.image.layer.v1.tar",)"
                                       R"("digest":"sha256:)" +
                                       key + R"(","size":-5},"diffId":"sha256:)" + key + R"("}]})")
                                   << "size";
    QTest::addRow("layer-count-differs")
        << (R"({"mediaType":")" + type + R"(","entries":[{"key":")" + key +
            R"(","config":{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}},)"
            R"("layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:)" +
            key + R"(","size":1}]}]})")
        << "names 1 layers";
    QTest::addRow("too-large") << QByteArray(CacheIndex::MaxIndexBytes + 1, ' ') << "larger than";
}

void TestBuildCache::hostileIndexIsRefused()
{
    QFETCH(QByteArray, index);
    QFETCH(QString, message);
    auto parsed = CacheIndex::parse(index);
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
}

void TestBuildCache::boundContextFilesAreInTheKey()
{
    // A RUN that reads a context file through a bind mount: its result depends on the
    // file, so a changed file must not get the cached result (nor an imported cache's).
    if (const QString reason = skipReason(); !reason.isEmpty())
        QSKIP(qPrintable(reason));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString made =
        test::makeBusyboxLayout(dir.filePath(QStringLiteral("base")), QStringLiteral("fixture"));
    QVERIFY2(made.isEmpty(), qPrintable(made));
    auto store = ImageStore::open(dir.filePath(QStringLiteral("store")));
    QVERIFY(store);
    QVERIFY(store->import(dir.filePath(QStringLiteral("base")), QStringLiteral("busybox:fixture")));
    const QString context = dir.filePath(QStringLiteral("context"));
    QVERIFY(fixtures::writeText(context + QStringLiteral("/Dockerfile"),
                                "FROM busybox:fixture\n"
                                "RUN --mount=type=bind,source=input.txt,target=/in cat /in > /out\n"));
    QVERIFY(fixtures::writeText(context + QStringLiteral("/input.txt"), "one\n"));
    auto first = build(*store, context);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    auto same = build(*store, context);
    QVERIFY(same);
    QCOMPARE(same->result.cachedSteps, same->result.steps);
    QVERIFY(fixtures::writeText(context + QStringLiteral("/input.txt"), "two\n"));
    auto changed = build(*store, context);
    QVERIFY(changed);
    QCOMPARE(changed->result.cachedSteps, 0);
    QVERIFY(changed->result.cacheKeys != first->result.cacheKeys);
}

// A cached `COPY --chown=NAME` and `COPY --from=IMAGE` are found without extracting a
// layer: the name is keyed as the name (the parent key pins the /etc/passwd it resolves
// through, as BuildKit keys a chown by name) and the image by its manifest digest. The
// first build resolves the name to the ids the stage's /etc/passwd gives.
void TestBuildCache::chownByNameAndImageSourcesNeedNoExtraction()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString made =
        test::makeBusyboxLayout(dir.filePath(QStringLiteral("base")), QStringLiteral("fixture"));
    QVERIFY2(made.isEmpty(), qPrintable(made));
    const QString context = dir.filePath(QStringLiteral("lesson"));
    QVERIFY(fixtures::writeText(context + QStringLiteral("/Dockerfile"),
                                "FROM busybox:fixture\n"
                                "COPY --chown=builder:staff app.txt /home/builder/app.txt\n"
                                "COPY --chown=builder app.txt /home/builder/again.txt\n"
                                "COPY --from=busybox:fixture /etc/group /copied/group\n"));
    QVERIFY(fixtures::writeText(context + QStringLiteral("/app.txt"), "the app\n"));
    const auto storeWithBase = [&](const QString &name) -> std::optional<ImageStore> {
        auto store = ImageStore::open(dir.filePath(name));
        if (!store || !store->import(dir.filePath(QStringLiteral("base")), QStringLiteral("busybox:fixture")))
            return std::nullopt;
        return *store;
    };
    auto teacher = storeWithBase(QStringLiteral("teacher"));
    QVERIFY(teacher);
    auto first = build(*teacher, context);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    QVERIFY(!first->extracted.isEmpty()); // the names were looked up in the base's files
    auto image = teacher->image(QStringLiteral("lesson:one"));
    QVERIFY(image);
    QCOMPARE(image->layers.size(), 4);
    auto owners = [&](int layer) {
        auto blob = image->openLayer(layer);
        QStringList seen;
        auto contents = LayerReader::readAll(blob->get());
        for (const LayerEntry &e : contents->entries)
            if (e.type == EntryType::File)
                seen.append(QStringLiteral("%1 %2:%3").arg(e.path).arg(e.uid).arg(e.gid));
        return seen;
    };
    QCOMPARE(owners(1), QStringList{QStringLiteral("home/builder/app.txt 1000:50")});
    QCOMPARE(owners(2), QStringList{QStringLiteral("home/builder/again.txt 1000:1000")});

    auto index = CacheIndex::collect(*teacher, first->result.cacheKeys);
    QVERIFY(index);
    QVERIFY(CacheLayout::write(*teacher, *index, dir.filePath(QStringLiteral("cache"))));
    auto cache = CacheLayout::open(dir.filePath(QStringLiteral("cache")));
    QVERIFY(cache);
    auto student = storeWithBase(QStringLiteral("student"));
    QVERIFY(student);
    auto rebuilt = build(*student, context, {*cache});
    QVERIFY2(rebuilt, qPrintable(rebuilt ? QString() : rebuilt.error().message));
    QCOMPARE(rebuilt->result.cachedSteps, 3);
    QCOMPARE(rebuilt->result.manifest.digest, first->result.manifest.digest);
    QVERIFY2(rebuilt->extracted.isEmpty(),
             qPrintable(QStringLiteral("%1 layers extracted").arg(rebuilt->extracted.size())));
}

QTEST_GUILESS_MAIN(TestBuildCache)
#include "tst_buildcache.moc"
