#include "core/oci/blobfile.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/ocilayout.h"
#include "core/store/imagereference.h"
#include "core/store/imagestore.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <optional>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace stagecraft;

namespace {

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

QStringList blobNames(const ImageStore &store)
{
    return QDir(store.root() + QStringLiteral("/blobs/sha256"))
        .entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

QStringList diffIds(const Image &image)
{
    QStringList ids;
    for (const ImageLayer &l : image.layers)
        ids << l.diffId.toString();
    return ids;
}

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return mode_t(-1);
    return st.st_mode & 07777;
}

// What a RUN killed in the middle leaves in cache/tmp: an overlay upper and a work
// directory of mode 000, and a symlink pointing out of the store (never to be followed).
void makeScratchLeftover(const QString &scratch, const QString &outside)
{
    QVERIFY(QDir().mkpath(scratch + QStringLiteral("/upper/etc")));
    QVERIFY(QDir().mkpath(scratch + QStringLiteral("/work/work")));
    QFile f(scratch + QStringLiteral("/upper/etc/hostname"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x");
    f.close();
    QVERIFY(QFile::link(outside, scratch + QStringLiteral("/upper/escape")));
    QCOMPARE(::chmod(QFile::encodeName(scratch + QStringLiteral("/work/work")).constData(), 0), 0);
    QCOMPARE(::chmod(QFile::encodeName(scratch + QStringLiteral("/work")).constData(), 0), 0);
}

} // namespace

class TestImageStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void references_data();
    void references();
    void rootOrder();
    void blobsAreVerified();
    void writtenBlobsMoveIn();
    void importDockerArchiveAndOciLayout();
    void importChecksLayersBeforeStoringThem();
    void tagResolveRemove();
    void gcKeepsReferencedBlobs();
    void gcKeepsWhatLiveLeasesKeep();
    void deadLeaseHoldersLeftoversAreRemoved();
    void storeDirectoriesArePrivate();
    void reimportRepairsDamagedBlobs_data();
    void reimportRepairsDamagedBlobs();
    void duplicateLayersRoundTrip();
    void verifyFindsDamage();
    void temporaryFilesIgnoredAndCollected();
    void gcPrunesDerivedCaches();
    void exportRoundTrip();
};

void TestImageStore::references_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // empty: refused
    QTest::addRow("bare") << QStringLiteral("busybox") << QStringLiteral("busybox:latest");
    QTest::addRow("tag") << QStringLiteral("busybox:1.36") << QStringLiteral("busybox:1.36");
    QTest::addRow("path") << QStringLiteral("library/busybox") << QStringLiteral("library/busybox:latest");
    QTest::addRow("registry-port") << QStringLiteral("localhost:5000/a/b")
                                   << QStringLiteral("localhost:5000/a/b:latest");
    QTest::addRow("digest")
        << QStringLiteral("a@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        << QStringLiteral("a@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    QTest::addRow("upper") << QStringLiteral("BusyBox") << QString();
    QTest::addRow("empty") << QString() << QString();
    QTest::addRow("space") << QStringLiteral("a b") << QString();
    QTest::addRow("bad-tag") << QStringLiteral("a:-x") << QString();
}

void TestImageStore::references()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    auto normalised = ImageReference::normalise(input);
    QCOMPARE(normalised.has_value(), !expected.isEmpty());
    if (normalised)
        QCOMPARE(*normalised, expected);
}

void TestImageStore::rootOrder()
{
    qputenv("STAGECRAFT_STORE", "/env/store");
    QCOMPARE(ImageStore::defaultRoot(QStringLiteral("/opt/s")), QStringLiteral("/opt/s"));
    QCOMPARE(ImageStore::defaultRoot(), QStringLiteral("/env/store"));
    qunsetenv("STAGECRAFT_STORE");
    QVERIFY(ImageStore::defaultRoot().endsWith(QStringLiteral("/store")));
}

// The builder's own layer files move into the store (no second read); a file that is not
// what the caller says (another size, a symlink, missing) is refused and left alone.
void TestImageStore::writtenBlobsMoveIn()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    const QString scratch = store->cacheDir(QStringLiteral("tmp"));
    auto writeScratch = [&](const QString &name, const QByteArray &content) {
        QFile f(scratch + u'/' + name);
        return f.open(QIODevice::WriteOnly) && f.write(content) == content.size() ? f.fileName() : QString();
    };
    const QByteArray content("a layer, as written");
    const Digest digest = Digest::ofBytes(content);

    const QString wrongSize = writeScratch(QStringLiteral("layer-a"), content);
    QVERIFY(!store->putWrittenBlob(wrongSize, digest, content.size() + 1));
    QVERIFY(QFile::exists(wrongSize));
    QVERIFY(!store->hasBlob(digest));
    const QString link = scratch + QStringLiteral("/layer-link");
    QVERIFY(QFile::link(wrongSize, link));
    QVERIFY(!store->putWrittenBlob(link, digest, content.size()));
    QVERIFY(!store->hasBlob(digest));
    QVERIFY(!store->putWrittenBlob(scratch + QStringLiteral("/missing"), digest, content.size()));

    auto moved = store->putWrittenBlob(wrongSize, digest, content.size());
    QVERIFY2(moved, qPrintable(moved ? QString() : moved.error().message));
    QVERIFY(!QFile::exists(wrongSize));
    QCOMPARE(*store->readBlob(digest), content);
    QCOMPARE(QFileInfo(store->blobPath(digest)).permissions() & QFileDevice::WriteOther,
             QFileDevice::Permissions());

    // The same blob again: the stored one stays, the new file goes.
    const QString again = writeScratch(QStringLiteral("layer-b"), content);
    QVERIFY(store->putWrittenBlob(again, digest, content.size()));
    QVERIFY(!QFile::exists(again));
    auto report = store->verify();
    QVERIFY(report);
}

void TestImageStore::blobsAreVerified()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    const QByteArray content("hello blob");
    const Digest right = Digest::ofBytes(content);
    const Digest wrong = Digest::ofBytes("something else");
    QBuffer buffer;
    buffer.setData(content);
    buffer.open(QIODevice::ReadOnly);
    auto refused = store->putBlob(&buffer, wrong, content.size());
    QVERIFY(!refused);
    QVERIFY2(refused.error().message.contains(wrong.toString()), qPrintable(refused.error().message));
    QVERIFY(!store->hasBlob(wrong));
    QCOMPARE(blobNames(*store), QStringList());
    QVERIFY(QDir(dir.path() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).isEmpty());

    buffer.seek(0);
    auto stored = store->putBlob(&buffer, right, content.size());
    QVERIFY(stored);
    QCOMPARE(*store->readBlob(right), content);
    auto unknown = store->putBlob(QByteArray("no digest given"), QStringLiteral("text/plain"));
    QVERIFY(unknown);
    QVERIFY(store->hasBlob(unknown->digest));

    // A blob damaged on disk is refused when read.
    QFile f(store->blobPath(right));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write("hellO blob");
    f.close();
    auto damaged = store->readBlob(right);
    QVERIFY(!damaged);
    QVERIFY(damaged.error().message.contains(right.toString()));
}

void TestImageStore::importDockerArchiveAndOciLayout()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    auto names = store->import(imagesDir() + QStringLiteral("/build.docker.tar"));
    QVERIFY2(names, qPrintable(names ? QString() : names.error().message));
    QCOMPARE(*names, QStringList{QStringLiteral("stagecraft-fixture:build")});
    auto fromOci =
        store->import(imagesDir() + QStringLiteral("/build.oci"), QStringLiteral("fixture/build-oci:1"));
    QVERIFY2(fromOci, qPrintable(fromOci ? QString() : fromOci.error().message));
    auto a = store->image(QStringLiteral("stagecraft-fixture:build"));
    auto b = store->image(QStringLiteral("fixture/build-oci:1"));
    QVERIFY(a && b);
    QCOMPARE(diffIds(*a), diffIds(*b));
    auto size = store->contentSize(*a);
    QVERIFY(size);
    QCOMPARE(*size, qint64(3096536 - 105)); // Docker also counted the base layer's symlink lengths
    // Image ID prefix and manifest digest resolve too.
    QVERIFY(store->resolve(a->id().shortHex()));
    QVERIFY(store->resolve(a->manifestDescriptor.digest.toString()));
    QVERIFY(store->verify()->ok());
}

void TestImageStore::importChecksLayersBeforeStoringThem()
{
    // A layer is parsed while it is copied in (one read): a layer whose content does not
    // have the diff ID the image claims is refused before it reaches the store.
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    auto layout = OciLayout::open(imagesDir() + QStringLiteral("/build.oci"));
    QVERIFY(layout);
    auto image = layout->image();
    QVERIFY(image);
    const int last = int(image->layers.size()) - 1;
    const Digest lying = Digest::ofBytes("not what the layer holds");
    image->layers[last].diffId = lying;
    auto added = store->addImage(*image, {QStringLiteral("liar:1")});
    QVERIFY(!added);
    QVERIFY2(added.error().message.contains(lying.toString()), qPrintable(added.error().message));
    QVERIFY(added.error().message.contains(QLatin1String("diff ID")));
    QVERIFY(!store->hasBlob(image->layers[last].descriptor.digest));
    QVERIFY(store->hasBlob(image->layers[0].descriptor.digest));
    QVERIFY(QDir(dir.path() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).isEmpty());
    QVERIFY(!store->resolve(QStringLiteral("liar:1")));

    // The honest image then imports, and every layer's size was recorded on the way.
    auto honest = layout->image();
    QVERIFY(honest);
    QVERIFY(store->addImage(*honest, {QStringLiteral("honest:1")}));
    for (const ImageLayer &l : honest->layers)
        QVERIFY(QFile::exists(store->cacheDir(QStringLiteral("layer-sizes")) + u'/' + l.diffId.hex()));
    QCOMPARE(*store->contentSize(*honest), qint64(3096536 - 105));
    QVERIFY(store->verify()->ok());
}

void TestImageStore::tagResolveRemove()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/final.docker.tar")));
    auto d = store->resolve(QStringLiteral("stagecraft-fixture:final"));
    QVERIFY(d);
    QVERIFY(store->tag(QStringLiteral("mine"), *d));
    QCOMPARE(store->resolve(QStringLiteral("mine:latest"))->digest, d->digest);
    QVERIFY(store->removeReference(QStringLiteral("mine")));
    QVERIFY(!store->resolve(QStringLiteral("mine")));
    QVERIFY(!store->removeReference(QStringLiteral("mine")));
    QVERIFY(store->resolve(QStringLiteral("stagecraft-fixture:final")));
}

void TestImageStore::gcKeepsReferencedBlobs()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/final.docker.tar")));
    QVERIFY(store->import(imagesDir() + QStringLiteral("/base.docker.tar")));
    auto finalImage = store->image(QStringLiteral("stagecraft-fixture:final"));
    auto base = store->image(QStringLiteral("busybox:fixture"));
    QVERIFY(finalImage && base);
    auto stray = store->putBlob(QByteArray("unreferenced"), QStringLiteral("text/plain"));
    QVERIFY(stray);

    auto report = store->collectGarbage();
    QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
    QCOMPARE(report->blobsRemoved, 1);
    QVERIFY(!store->hasBlob(stray->digest));
    QVERIFY(store->image(QStringLiteral("stagecraft-fixture:final")));

    // A gc root keeps a blob no reference names.
    auto rooted = store->putBlob(QByteArray("kept by a root"), QStringLiteral("text/plain"));
    QVERIFY(rooted);
    QVERIFY(store->setGcRoot(QStringLiteral("build-cache"), {rooted->digest}));
    report = store->collectGarbage();
    QVERIFY(report);
    QCOMPARE(report->blobsRemoved, 0);
    QVERIFY(store->removeGcRoot(QStringLiteral("build-cache")));

    QVERIFY(store->removeReference(QStringLiteral("busybox:fixture")));
    report = store->collectGarbage();
    QVERIFY(report);
    QVERIFY(report->blobsRemoved >= 4); // manifest, config, layer of the base, the unrooted blob
    QVERIFY(!store->hasBlob(rooted->digest));
    QVERIFY(!store->hasBlob(base->manifestDescriptor.digest));
    QVERIFY(!store->hasBlob(base->id()));
    auto kept = store->image(QStringLiteral("stagecraft-fixture:final"));
    QVERIFY(kept);
    for (const ImageLayer &l : kept->layers)
        QVERIFY(store->hasBlob(l.descriptor.digest));
    QVERIFY(store->verify()->ok());
}

void TestImageStore::gcKeepsWhatLiveLeasesKeep()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/base.docker.tar"), QStringLiteral("base:1")));
    auto base = store->image(QStringLiteral("base:1"));
    QVERIFY(base);
    const QString outside = dir.filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(outside));
    Digest written;
    Digest found;
    {
        // A build: it writes a blob no name holds yet, and builds on the base whose name goes.
        ImageStore writer = *store;
        auto lease = writer.lease(QStringLiteral("build"));
        QVERIFY2(lease, qPrintable(lease ? QString() : lease.error().message));
        QVERIFY(writer.leased());
        QVERIFY(!store->leased());
        auto blob = writer.putBlob(QByteArray("a layer not tagged yet"), QStringLiteral("text/plain"));
        QVERIFY(blob);
        written = blob->digest;
        QVERIFY(writer.image(QStringLiteral("base:1")));
        auto stray = store->putBlob(QByteArray("nobody keeps this"), QStringLiteral("text/plain"));
        QVERIFY(stray);
        found = stray->digest;
        const QString scratch = store->cacheDir(QStringLiteral("tmp")) + QStringLiteral("/run-live");
        makeScratchLeftover(scratch, outside);
        QVERIFY(store->removeReference(QStringLiteral("base:1")));

        auto report = store->collectGarbage();
        QVERIFY2(report, qPrintable(report ? QString() : report.error().message));
        QCOMPARE(report->blobsRemoved, 1);
        QVERIFY(!store->hasBlob(found));
        QVERIFY(store->hasBlob(written));
        for (const ImageLayer &l : base->layers)
            QVERIFY(store->hasBlob(l.descriptor.digest));
        QVERIFY(store->hasBlob(base->id()));
        // Made by the live holder: not touched.
        QVERIFY(QFileInfo::exists(scratch + QStringLiteral("/upper/etc/hostname")));
        QCOMPARE(QDir(dir.path() + QStringLiteral("/leases")).entryList(QDir::Files).size(), 1);
    }
    // The lease ended: its file is gone, and so is what only it kept.
    QVERIFY(QDir(dir.path() + QStringLiteral("/leases")).entryList(QDir::Files).isEmpty());
    auto report = store->collectGarbage();
    QVERIFY(report);
    QVERIFY(report->blobsRemoved >= 4); // the blob, the base's manifest, config and layer
    QVERIFY(!store->hasBlob(written));
    QVERIFY(!store->hasBlob(base->id()));
    QVERIFY(!QFileInfo::exists(store->cacheDir(QStringLiteral("tmp")) + QStringLiteral("/run-live")));
    QVERIFY(QFileInfo(outside).isDir());
    QVERIFY(store->verify()->ok());
}

void TestImageStore::deadLeaseHoldersLeftoversAreRemoved()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    const QString outside = dir.filePath(QStringLiteral("outside"));
    QVERIFY(QDir().mkpath(outside));
    QFile keepMe(outside + QStringLiteral("/keep-me"));
    QVERIFY(keepMe.open(QIODevice::WriteOnly));
    keepMe.close();
    const QString tmp = store->cacheDir(QStringLiteral("tmp"));
    const QString layers = store->cacheDir(QStringLiteral("layers"));

    // A build killed with SIGKILL in the middle of a RUN and of an extraction.
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ImageStore s = *store;
        auto lease = s.lease(QStringLiteral("build"));
        if (!lease || !s.putBlob(QByteArray("half a build"), QStringLiteral("text/plain")))
            ::_exit(1);
        QDir().mkpath(tmp + QStringLiteral("/run-killed/upper"));
        QDir().mkpath(tmp + QStringLiteral("/run-killed/work/work"));
        ::chmod(QFile::encodeName(tmp + QStringLiteral("/run-killed/work/work")).constData(), 0);
        ::chmod(QFile::encodeName(tmp + QStringLiteral("/run-killed/work")).constData(), 0);
        QFile::link(outside, tmp + QStringLiteral("/run-killed/upper/escape"));
        QDir().mkpath(layers + QStringLiteral("/.extract-killed/tree/bin"));
        QFile half(tmp + QStringLiteral("/layer-killed"));
        half.open(QIODevice::WriteOnly);
        half.write("half a layer");
        half.close();
        ::kill(::getpid(), SIGKILL);
        ::_exit(2);
    }
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    QVERIFY(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    QCOMPARE(QDir(dir.path() + QStringLiteral("/leases")).entryList(QDir::Files).size(), 1);
    QCOMPARE(modeOf(tmp + QStringLiteral("/run-killed/work")), mode_t(0));

    // A live holder that began after the killed one died, with scratch of its own. The
    // coarse file clock ticks at most every 10 ms: its start must be later than the leftovers.
    QTest::qWait(30);
    ImageStore live = *store;
    std::optional<Expected<ImageStore::LeaseScope>> lease;
    lease.emplace(live.lease(QStringLiteral("build")));
    QVERIFY(*lease);
    const QString mine = tmp + QStringLiteral("/run-mine");
    makeScratchLeftover(mine, outside);
    // A name not made by a lease holder (a container of `stagecraft run`) stays.
    QVERIFY(QDir().mkpath(tmp + QStringLiteral("/container-other")));

    auto removed = store->removeAbandoned();
    QVERIFY2(removed, qPrintable(removed ? QString() : removed.error().message));
    QCOMPARE(*removed, 4); // the lease file, run-killed, layer-killed, .extract-killed
    QVERIFY(!QFileInfo::exists(tmp + QStringLiteral("/run-killed")));
    QVERIFY(!QFileInfo::exists(tmp + QStringLiteral("/layer-killed")));
    QVERIFY(!QFileInfo::exists(layers + QStringLiteral("/.extract-killed")));
    QVERIFY(QFileInfo::exists(outside + QStringLiteral("/keep-me")));
    QVERIFY(QFileInfo::exists(mine + QStringLiteral("/upper/etc/hostname")));
    QVERIFY(QFileInfo::exists(tmp + QStringLiteral("/container-other")));
    QCOMPARE(QDir(dir.path() + QStringLiteral("/leases")).entryList(QDir::Files).size(), 1);
    // The killed build's blob was named by no live lease.
    auto gc = store->collectGarbage();
    QVERIFY(gc);
    QCOMPARE(gc->blobsRemoved, 1);

    // Once the live holder is done, its leftovers go too.
    lease.reset();
    removed = store->removeAbandoned();
    QVERIFY(removed);
    QCOMPARE(*removed, 1);
    QVERIFY(!QFileInfo::exists(mine));
}

void TestImageStore::storeDirectoriesArePrivate()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("store"));
    {
        auto fresh = ImageStore::open(root);
        QVERIFY(fresh);
        fresh->cacheDir(QStringLiteral("layers"));
    }
    for (const char *sub : {"", "/blobs", "/blobs/sha256", "/tmp", "/leases", "/cache", "/cache/layers"})
        QCOMPARE(modeOf(root + QLatin1String(sub)), mode_t(0700));
    // A store made by an earlier version, with the umask's modes: fixed when opened.
    for (const char *sub :
         {"", "/blobs", "/blobs/sha256", "/tmp", "/cache", "/cache/layers", "/cache/build"}) {
        QDir().mkpath(root + QLatin1String(sub));
        QCOMPARE(::chmod(QFile::encodeName(root + QLatin1String(sub)).constData(), 0755), 0);
    }
    auto reopened = ImageStore::open(root);
    QVERIFY(reopened);
    for (const char *sub : {"", "/blobs", "/blobs/sha256", "/tmp", "/cache", "/cache/layers", "/cache/build"})
        QVERIFY2(modeOf(root + QLatin1String(sub)) == 0700, sub);
    QCOMPARE(modeOf(reopened->cacheDir(QStringLiteral("analysis"))), mode_t(0700));
}

void TestImageStore::reimportRepairsDamagedBlobs_data()
{
    QTest::addColumn<QString>("which");  // layer, config, manifest-less: which blob is damaged
    QTest::addColumn<QString>("damage"); // flip: same size; truncate: shorter
    QTest::addRow("layer-flipped") << QStringLiteral("layer") << QStringLiteral("flip");
    QTest::addRow("layer-truncated") << QStringLiteral("layer") << QStringLiteral("truncate");
    QTest::addRow("config-flipped") << QStringLiteral("config") << QStringLiteral("flip");
    QTest::addRow("config-truncated") << QStringLiteral("config") << QStringLiteral("truncate");
}

void TestImageStore::reimportRepairsDamagedBlobs()
{
    QFETCH(QString, which);
    QFETCH(QString, damage);
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    const QString source = imagesDir() + QStringLiteral("/build.docker.tar");
    QVERIFY(store->import(source));
    auto image = store->image(QStringLiteral("stagecraft-fixture:build"));
    QVERIFY(image);
    const Digest victim = which == QLatin1String("layer") ? image->layers[3].descriptor.digest : image->id();
    const QString path = store->blobPath(victim);
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray original = f.readAll();
    f.close();
    QByteArray bytes = original;
    if (damage == QLatin1String("flip"))
        bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x20);
    else
        bytes.chop(bytes.size() / 3);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(bytes);
    f.close();
    QCOMPARE(store->verify()->corrupt.size(), 1);

    auto again = store->import(source);
    QVERIFY2(again, qPrintable(again ? QString() : again.error().message));
    auto report = store->verify();
    QVERIFY(report);
    QVERIFY2(report->ok(), qPrintable(report->corrupt.join(u';')));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), original);
    f.close();
    QVERIFY(store->image(QStringLiteral("stagecraft-fixture:build")));
    QVERIFY(QDir(dir.path() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

void TestImageStore::duplicateLayersRoundTrip()
{
    // `RUN true` twice gives two identical (empty) layers: the same blob twice in a manifest.
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.filePath(QStringLiteral("store")));
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/final.docker.tar"), QStringLiteral("final:1")));
    auto image = store->image(QStringLiteral("final:1"));
    QVERIFY(image);
    QJsonObject config = QJsonDocument::fromJson(image->configBytes).object();
    QJsonObject rootfs = config.value(QLatin1String("rootfs")).toObject();
    QJsonArray diffIdArray = rootfs.value(QLatin1String("diff_ids")).toArray();
    diffIdArray.append(diffIdArray.last());
    diffIdArray.append(diffIdArray.last());
    rootfs.insert(QLatin1String("diff_ids"), diffIdArray);
    config.insert(QLatin1String("rootfs"), rootfs);
    QJsonArray history = config.value(QLatin1String("history")).toArray();
    QJsonObject step;
    step.insert(QLatin1String("created_by"), QStringLiteral("RUN true"));
    history.append(step);
    history.append(step);
    config.insert(QLatin1String("history"), history);
    auto configDescriptor = store->putBlob(QJsonDocument(config).toJson(QJsonDocument::Compact),
                                           image->manifest.config.mediaType);
    QVERIFY(configDescriptor);
    QJsonObject manifest = QJsonDocument::fromJson(image->manifestBytes).object();
    QJsonArray layers = manifest.value(QLatin1String("layers")).toArray();
    layers.append(layers.last());
    layers.append(layers.last());
    manifest.insert(QLatin1String("layers"), layers);
    manifest.insert(QLatin1String("config"), configDescriptor->toJson());
    auto manifestDescriptor = store->putBlob(QJsonDocument(manifest).toJson(QJsonDocument::Compact),
                                             image->manifestDescriptor.mediaType);
    QVERIFY(manifestDescriptor);
    QVERIFY(store->tag(QStringLiteral("twice:1"), *manifestDescriptor));
    auto twice = store->image(QStringLiteral("twice:1"));
    QVERIFY2(twice, qPrintable(twice ? QString() : twice.error().message));
    QCOMPARE(twice->layers.size(), image->layers.size() + 2);
    QVERIFY(store->verify()->ok());
    QVERIFY(store->collectGarbage());
    QVERIFY(store->verify()->ok());

    for (ExportFormat format : {ExportFormat::DockerArchive, ExportFormat::Oci}) {
        const QString out = dir.filePath(format == ExportFormat::Oci ? QStringLiteral("layout")
                                                                     : QStringLiteral("twice.tar"));
        auto exported = store->exportImage(QStringLiteral("twice:1"), out, format);
        QVERIFY2(exported, qPrintable(exported ? QString() : exported.error().message));
        auto other = ImageStore::open(dir.filePath(QStringLiteral("store-") + QFileInfo(out).fileName()));
        QVERIFY(other);
        auto imported = other->import(out, QStringLiteral("again:1"));
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
        auto again = other->image(QStringLiteral("again:1"));
        QVERIFY(again);
        QCOMPARE(diffIds(*again), diffIds(*twice));
        QVERIFY(other->verify()->ok());
    }
}

void TestImageStore::verifyFindsDamage()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/build.docker.tar")));
    auto image = store->image(QStringLiteral("stagecraft-fixture:build"));
    QVERIFY(image);
    const Digest flipped = image->layers[3].descriptor.digest;
    const Digest removed = image->layers[5].descriptor.digest;
    QFile f(store->blobPath(flipped));
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    bytes[600] = char(bytes[600] ^ 0x20);
    f.seek(0);
    f.write(bytes);
    f.close();
    QVERIFY(QFile::remove(store->blobPath(removed)));

    auto report = store->verify();
    QVERIFY(report);
    QVERIFY(!report->ok());
    QCOMPARE(report->corrupt.size(), 1);
    QVERIFY(report->corrupt.first().startsWith(flipped.toString()));
    QCOMPARE(report->missing.size(), 1);
    QVERIFY(report->missing.first().startsWith(removed.toString()));
    QVERIFY(report->missing.first().contains(QStringLiteral("stagecraft-fixture:build")));
}

void TestImageStore::temporaryFilesIgnoredAndCollected()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/final.docker.tar")));
    // What a process killed in the middle of writing leaves behind.
    const QStringList leftovers{
        dir.path() + QStringLiteral("/tmp/") + TemporaryBlobPrefix + QStringLiteral("abc123"),
        dir.path() + QStringLiteral("/") + TemporaryBlobPrefix + QStringLiteral("refs")};
    for (const QString &path : leftovers) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("half a blob");
    }
    auto report = store->verify();
    QVERIFY(report);
    QVERIFY2(report->ok(), qPrintable(report->problems.join(u';')));
    auto gc = store->collectGarbage();
    QVERIFY(gc);
    QCOMPARE(gc->temporaryFilesRemoved, 2);
    QCOMPARE(gc->blobsRemoved, 0);
    QVERIFY(QDir(dir.path() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).isEmpty());
}

void TestImageStore::gcPrunesDerivedCaches()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.path());
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/final.docker.tar"), QStringLiteral("final:1")));
    QVERIFY(store->import(imagesDir() + QStringLiteral("/base.docker.tar"), QStringLiteral("base:1")));
    auto final = store->image(QStringLiteral("final:1"));
    auto base = store->image(QStringLiteral("base:1"));
    QVERIFY(final && base);
    const QString finalDiff = final->layers.last().diffId.hex();
    const QString baseDiff = base->layers.first().diffId.hex();
    QVERIFY(finalDiff != baseDiff);

    const auto write = [](const QString &path) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("derived");
    };
    const QString analysis = store->cacheDir(QStringLiteral("analysis"));
    const QString index = store->cacheDir(QStringLiteral("layer-index"));
    const QString sizes = store->cacheDir(QStringLiteral("layer-sizes"));
    const QString other = store->cacheDir(QStringLiteral("build"));
    const QString finalAnalysis = analysis + QStringLiteral("/sha256-") + final->id().hex() +
                                  QStringLiteral("-0123456789abcdef.analysis");
    const QString baseAnalysis = analysis + QStringLiteral("/sha256-") + base->id().hex() +
                                 QStringLiteral("-0123456789abcdef.analysis");
    const QString finalIndex = index + QStringLiteral("/sha256-") + finalDiff + QStringLiteral(".idx");
    const QString baseIndex = index + QStringLiteral("/sha256-") + baseDiff + QStringLiteral(".idx");
    const QString foreign = other + QStringLiteral("/not-ours");
    const QString staleTemp = other + u'/' + TemporaryBlobPrefix + QStringLiteral("old");
    const QString freshTemp = sizes + u'/' + TemporaryBlobPrefix + QStringLiteral("new");
    for (const QString &path :
         {finalAnalysis, baseAnalysis, finalIndex, baseIndex, foreign, staleTemp, freshTemp})
        write(path);
    QVERIFY(QFile::exists(sizes + u'/' + baseDiff)); // written by the import
    {
        QFile old(staleTemp);
        QVERIFY(old.open(QIODevice::ReadWrite));
        QVERIFY(old.setFileTime(QDateTime::currentDateTimeUtc().addSecs(-3600),
                                QFileDevice::FileModificationTime));
    }

    // Nothing is gone while both images are named.
    auto first = store->collectGarbage();
    QVERIFY(first);
    QCOMPARE(first->cacheFilesRemoved, 1); // only the stale temporary file
    QVERIFY(!QFile::exists(staleTemp));
    for (const QString &path : {finalAnalysis, baseAnalysis, finalIndex, baseIndex, foreign, freshTemp})
        QVERIFY2(QFile::exists(path), qPrintable(path));

    // The base image goes: its analysis, layer index and size go with it, unless another
    // stored image shares the layer.
    QVERIFY(store->removeReference(QStringLiteral("base:1")));
    auto second = store->collectGarbage();
    QVERIFY(second);
    QVERIFY(second->blobsRemoved > 0);
    QVERIFY(!QFile::exists(baseAnalysis));
    QVERIFY(!QFile::exists(baseIndex));
    QVERIFY(!QFile::exists(sizes + u'/' + baseDiff));
    for (const QString &path :
         {finalAnalysis, finalIndex, foreign, freshTemp, QString(sizes + u'/' + finalDiff)})
        QVERIFY2(QFile::exists(path), qPrintable(path));
    QCOMPARE(second->cacheFilesRemoved, 3);
    QVERIFY(store->verify()->ok());
}

void TestImageStore::exportRoundTrip()
{
    QTemporaryDir dir;
    auto store = ImageStore::open(dir.filePath(QStringLiteral("store")));
    QVERIFY(store);
    QVERIFY(store->import(imagesDir() + QStringLiteral("/build.oci"), QStringLiteral("fixture:build")));
    const QString tar = dir.filePath(QStringLiteral("out.tar"));
    auto exported = store->exportImage(QStringLiteral("fixture:build"), tar, ExportFormat::DockerArchive);
    QVERIFY2(exported, qPrintable(exported ? QString() : exported.error().message));
    auto archive = DockerArchive::open(tar);
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    auto original = store->image(QStringLiteral("fixture:build"));
    QVERIFY(original);
    QCOMPARE(archive->images().first().names, QStringList{QStringLiteral("fixture:build")});
    QCOMPARE(diffIds(archive->images().first()), diffIds(*original));
    QCOMPARE(archive->images().first().id(), original->id());

    // Import the archive into a second store and export as OCI: skopeo must accept both.
    auto second = ImageStore::open(dir.filePath(QStringLiteral("store2")));
    QVERIFY(second);
    QVERIFY(second->import(tar));
    const QString layout = dir.filePath(QStringLiteral("layout"));
    QVERIFY(second->exportImage(QStringLiteral("fixture:build"), layout, ExportFormat::Oci));
    auto reread = OciLayout::open(layout);
    QVERIFY(reread);
    QCOMPARE(reread->refNames(), QStringList{QStringLiteral("fixture:build")});

    const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
    if (skopeo.isEmpty())
        QSKIP("skopeo is not installed");
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(skopeo, {QStringLiteral("copy"), QStringLiteral("docker-archive:") + tar,
                     QStringLiteral("oci:") + dir.filePath(QStringLiteral("copied")) + QStringLiteral(":x")});
    QVERIFY(p.waitForFinished(120000));
    QVERIFY2(p.exitCode() == 0, p.readAll().constData());
    p.start(skopeo,
            {QStringLiteral("inspect"), QStringLiteral("oci:") + layout + QStringLiteral(":fixture:build")});
    QVERIFY(p.waitForFinished(120000));
    const QByteArray out = p.readAll();
    QVERIFY2(p.exitCode() == 0, out.constData());
    QCOMPARE(QJsonDocument::fromJson(out).object().value(QLatin1String("Layers")).toArray().size(), 8);
}

QTEST_GUILESS_MAIN(TestImageStore)
#include "tst_imagestore.moc"
