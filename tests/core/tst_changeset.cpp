// The layer a RUN produces, over overlayfs and over the copy fallback: new files,
// whiteouts, opaque directories, unchanged copy-ups left out, directories whose only
// change is their mtime, symlinks, hardlinks, and layers stacked on earlier uppers.
#include "busyboxrootfs.h"

#include "core/exec/changeset.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

Q_DECLARE_METATYPE(stagecraft::RootfsMode)

class TestChangeSet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void newFile_data() { addModes(); }
    void newFile();
    void removalIsWhiteout_data() { addModes(); }
    void removalIsWhiteout();
    void recreatedDirectoryIsOpaque_data() { addModes(); }
    void recreatedDirectoryIsOpaque();
    void unchangedCopyUpIsKept_data() { addModes(); }
    void unchangedCopyUpIsKept();
    void rewrittenFileIsKept_data() { addModes(); }
    void rewrittenFileIsKept();
    void directoryTimesOnly_data() { addModes(); }
    void directoryTimesOnly();
    void linksAndNestedDirectories_data() { addModes(); }
    void linksAndNestedDirectories();
    void stackedOnEarlierUpper_data() { addModes(); }
    void stackedOnEarlierUpper();
    void matchesDockerLayers();
    void typeChangesMatchBuildKit_data();
    void typeChangesMatchBuildKit();
    void manyLowerLayers();
    void asOrdinaryUser();

private:
    void addModes();
    std::optional<Rootfs> prepare(RootfsMode mode, const QStringList &lowers,
                                  const QString &name = QStringLiteral("scratch"));
    std::optional<ChangeSet> runAndCapture(const Rootfs &rootfs, const QString &script);
    static QStringList listing(const ChangeSet &changes);
    std::optional<QStringList> runOutput(const Rootfs &rootfs, const QString &script);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_lower;
};

void TestChangeSet::initTestCase()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("sandbox unavailable: ") + reason));
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox is not installed (Debian package busybox-static)");
}

void TestChangeSet::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_lower = m_dir->filePath(QStringLiteral("layer0"));
    QVERIFY(test::makeBusyboxRootfs(m_lower));
    QVERIFY(test::writeFile(m_lower + QStringLiteral("/data/a"), "a\n"));
    QVERIFY(test::writeFile(m_lower + QStringLiteral("/data/b"), "b\n"));
}

void TestChangeSet::addModes()
{
    QTest::addColumn<RootfsMode>("mode");
    QTest::addRow("overlay") << RootfsMode::Overlay;
    QTest::addRow("copy") << RootfsMode::Copy;
}

std::optional<Rootfs> TestChangeSet::prepare(RootfsMode mode, const QStringList &lowers, const QString &name)
{
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported())
        return std::nullopt;
    const QString scratch = m_dir->filePath(name);
    QDir().mkpath(scratch);
    for (const QString &lower : lowers)
        test::ownForSandbox(lower);
    Expected<Rootfs> rootfs = Rootfs::prepare(lowers, scratch, mode, {});
    if (!rootfs) {
        qWarning("%s", qPrintable(rootfs.error().message));
        return std::nullopt;
    }
    return std::move(*rootfs);
}

std::optional<ChangeSet> TestChangeSet::runAndCapture(const Rootfs &rootfs, const QString &script)
{
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(rootfs, spec, {}, callbacks);
    if (!ran) {
        qWarning("%s: %s", qPrintable(ran.error().message), qPrintable(output.join(u'\n')));
        return std::nullopt;
    }
    Expected<ChangeSet> changes = ChangeSet::capture(rootfs, {});
    if (!changes) {
        qWarning("%s", qPrintable(changes.error().message));
        return std::nullopt;
    }
    // Every entry's parent directory comes before it, as in a layer tarball.
    QStringList seen;
    for (const ChangeEntry &c : changes->entries()) {
        const QString parent = c.entry.path.section(u'/', 0, -2);
        if (!parent.isEmpty() && !seen.contains(parent) && c.entry.type != EntryType::OpaqueWhiteout) {
            qWarning("%s listed before its parent", qPrintable(c.entry.path));
            return std::nullopt;
        }
        seen.append(c.entry.path);
    }
    return std::move(*changes);
}

std::optional<QStringList> TestChangeSet::runOutput(const Rootfs &rootfs, const QString &script)
{
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), script};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(rootfs, spec, {}, callbacks);
    if (!ran) {
        qWarning("%s: %s", qPrintable(ran.error().message), qPrintable(output.join(u'\n')));
        return std::nullopt;
    }
    return output;
}

QStringList TestChangeSet::listing(const ChangeSet &changes)
{
    QStringList out;
    for (const ChangeEntry &c : changes.entries()) {
        switch (c.entry.type) {
        case EntryType::Directory: out.append(c.entry.path + u'/'); break;
        case EntryType::Whiteout: out.append(QStringLiteral("whiteout ") + c.entry.path); break;
        case EntryType::OpaqueWhiteout: out.append(QStringLiteral("opaque ") + c.entry.path); break;
        case EntryType::Symlink:
            out.append(c.entry.path + QStringLiteral(" -> ") + c.entry.linkTarget);
            break;
        case EntryType::Hardlink:
            out.append(c.entry.path + QStringLiteral(" => ") + c.entry.linkTarget);
            break;
        default: out.append(c.entry.path); break;
        }
    }
    return out;
}

#define PREPARE_OR_SKIP(var, lowers)                                                                         \
    QFETCH(RootfsMode, mode);                                                                                \
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported())                                          \
        QSKIP("overlayfs in a user namespace is not allowed by this kernel");                                \
    std::optional<Rootfs> var = prepare(mode, lowers);                                                       \
    QVERIFY(var)

void TestChangeSet::newFile()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("echo hi > /a"));
    QVERIFY(changes);
    // etc/ is there because the sandbox's /etc/hosts mount point came and went, and the
    // first RUN leaves /dev, /proc and /sys mount points, as with BuildKit.
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("a"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("sys/")}));
    const ChangeEntry *a = changes->find(QStringLiteral("a"), EntryType::File);
    QVERIFY(a);
    QCOMPARE(a->entry.size, 3);
    QCOMPARE(a->entry.uid, 0);
    QCOMPARE(a->entry.gid, 0);
    QVERIFY((a->entry.mode & 0600) == 0600);
    QFile content(a->sourcePath);
    QVERIFY(content.open(QIODevice::ReadOnly));
    QCOMPARE(content.readAll(), QByteArray("hi\n"));
    QCOMPARE(changes->byteCount(), 3);
}

void TestChangeSet::removalIsWhiteout()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("rm /bin/ls /data/a"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("bin/"), QStringLiteral("whiteout bin/ls"), QStringLiteral("data/"),
                          QStringLiteral("whiteout data/a"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("sys/")}));
    QCOMPARE(changes->byteCount(), 0);
}

void TestChangeSet::recreatedDirectoryIsOpaque()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    // /etc cannot be removed while /etc/hosts is mounted (Docker has the same limit), so
    // the directory recreated here is /data.
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("rm -rf /data && mkdir /data && echo c > /data/c"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("opaque data"), QStringLiteral("data/c"),
                          QStringLiteral("dev/"), QStringLiteral("etc/"), QStringLiteral("proc/"),
                          QStringLiteral("sys/")}));
}

void TestChangeSet::unchangedCopyUpIsKept()
{
    // Docker 20.10's BuildKit tars the overlay upper as it is: a chmod to the same mode
    // copies the file up and it is in the layer (tests/data/changeset/copy-up-only.txt);
    // reading a file copies nothing up.
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("chmod 644 /etc/motd /data/a && cat /etc/passwd > /dev/null"));
    QVERIFY(changes);
    if (mode == RootfsMode::Overlay) // the chmod really copied the file up
        QVERIFY(QFile::exists(rootfs->upperDir() + QStringLiteral("/data/a")));
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("data/a"), QStringLiteral("dev/"),
                          QStringLiteral("etc/"), QStringLiteral("etc/motd"), QStringLiteral("proc/"),
                          QStringLiteral("sys/")}));
}

void TestChangeSet::rewrittenFileIsKept()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    QTest::qSleep(20); // a new mtime must differ from the lower's
    const std::optional<ChangeSet> changes =
        runAndCapture(*rootfs, QStringLiteral("cat /data/a > /tmp/x && cat /tmp/x > /data/a && rm /tmp/x"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("data/a"), QStringLiteral("dev/"),
                          QStringLiteral("etc/"), QStringLiteral("proc/"), QStringLiteral("sys/"),
                          QStringLiteral("tmp/")}));
}

void TestChangeSet::directoryTimesOnly()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    QTest::qSleep(20);
    const std::optional<ChangeSet> changes = runAndCapture(*rootfs, QStringLiteral("touch /root /data"));
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("dev/"), QStringLiteral("etc/"),
                          QStringLiteral("proc/"), QStringLiteral("root/"), QStringLiteral("sys/")}));
    QCOMPARE(changes->byteCount(), 0);
}

void TestChangeSet::linksAndNestedDirectories()
{
    PREPARE_OR_SKIP(rootfs, {m_lower});
    const std::optional<ChangeSet> changes = runAndCapture(
        *rootfs,
        QStringLiteral(
            "ln -s /bin/busybox /bin/bb && mkdir -p /x/y/z && echo 12345 > /x/y/z/f && ln /x/y/z/f /x/g"));
    QVERIFY(changes);
    QCOMPARE(
        listing(*changes),
        (QStringList{QStringLiteral("bin/"), QStringLiteral("bin/bb -> /bin/busybox"), QStringLiteral("dev/"),
                     QStringLiteral("etc/"), QStringLiteral("proc/"), QStringLiteral("sys/"),
                     QStringLiteral("x/"), QStringLiteral("x/g"), QStringLiteral("x/y/"),
                     QStringLiteral("x/y/z/"), QStringLiteral("x/y/z/f => x/g")}));
    QCOMPARE(changes->byteCount(), 6); // the hardlink's bytes count once
}

void TestChangeSet::stackedOnEarlierUpper()
{
    QFETCH(RootfsMode, mode);
    if (!Rootfs::overlaySupported())
        QSKIP("needs overlayfs in a user namespace to produce an upper with whiteouts");
    // Step 1 on overlay: its upper (with a whiteout and an opaque directory) becomes a layer.
    std::optional<Rootfs> first = prepare(RootfsMode::Overlay, {m_lower}, QStringLiteral("first"));
    QVERIFY(first);
    QVERIFY(runAndCapture(*first,
                          QStringLiteral("rm /bin/ls && rm -rf /data && mkdir /data && echo c > /data/c")));
    const QString layer1 = m_dir->filePath(QStringLiteral("layer1"));
    QVERIFY(QDir().rename(first->upperDir(), layer1));
    first->removeScratch();

    std::optional<Rootfs> second = prepare(mode, {m_lower, layer1}, QStringLiteral("second"));
    QVERIFY(second);
    QVERIFY(!second->lookup(QStringLiteral("bin/ls")));
    QVERIFY(!second->lookup(QStringLiteral("data/a")));
    QVERIFY(second->lookup(QStringLiteral("data/c")));
    QVERIFY(second->lookup(QStringLiteral("bin/sh")));

    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                 QStringLiteral("test -e /bin/ls && echo has-ls; echo /data/*; echo d > /data/d")};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(*second, spec, {}, callbacks);
    QVERIFY2(ran, qPrintable(output.join(u'\n')));
    QCOMPARE(output, QStringList{QStringLiteral("/data/c")});
    const Expected<ChangeSet> changes = ChangeSet::capture(*second, {});
    QVERIFY(changes);
    QCOMPARE(listing(*changes),
             (QStringList{QStringLiteral("data/"), QStringLiteral("data/d"), QStringLiteral("etc/")}));
}

static bool runTar(const QStringList &args, QByteArray *output = nullptr)
{
    QProcess tar;
    tar.start(QStandardPaths::findExecutable(QStringLiteral("tar")), args);
    if (!tar.waitForFinished(60000) || tar.exitStatus() != QProcess::NormalExit || tar.exitCode() != 0)
        return false;
    if (output)
        *output = tar.readAllStandardOutput();
    return true;
}

// The layer paths of a docker-archive, in order.
static QStringList archiveLayers(const QString &dir)
{
    QFile manifest(dir + QStringLiteral("/manifest.json"));
    if (!manifest.open(QIODevice::ReadOnly))
        return {};
    QStringList layers;
    const QJsonArray list = QJsonDocument::fromJson(manifest.readAll())
                                .array()
                                .first()
                                .toObject()
                                .value(QStringLiteral("Layers"))
                                .toArray();
    for (const QJsonValue &v : list)
        layers.append(dir + u'/' + v.toString());
    return layers;
}

void TestChangeSet::matchesDockerLayers()
{
    // Replays the RUN steps of tests/data/images/context/Dockerfile on the same base and
    // compares each layer's paths and byte count with the layer Docker built.
    if (!Rootfs::overlaySupported())
        QSKIP("needs overlayfs in a user namespace to stack the steps' upper directories");
    if (QStandardPaths::findExecutable(QStringLiteral("tar")).isEmpty())
        QSKIP("tar is not installed");
    const QString images = QFINDTESTDATA("data/images");
    QVERIFY(!images.isEmpty());
    const QString baseArchive = m_dir->filePath(QStringLiteral("base-archive"));
    const QString buildArchive = m_dir->filePath(QStringLiteral("build-archive"));
    QVERIFY(QDir().mkpath(baseArchive) && QDir().mkpath(buildArchive));
    QVERIFY(runTar({QStringLiteral("-xf"), images + QStringLiteral("/base.docker.tar"), QStringLiteral("-C"),
                    baseArchive}));
    QVERIFY(runTar({QStringLiteral("-xf"), images + QStringLiteral("/build.docker.tar"), QStringLiteral("-C"),
                    buildArchive}));
    const QStringList baseLayers = archiveLayers(baseArchive);
    const QStringList dockerLayers = archiveLayers(buildArchive);
    QCOMPARE(baseLayers.size(), 1);
    QCOMPARE(dockerLayers.size(), 8);

    const auto extract = [&](const QString &layerTar, const QString &name) {
        const QString dir = m_dir->filePath(name);
        QDir().mkpath(dir);
        return runTar({QStringLiteral("-xf"), layerTar, QStringLiteral("-C"), dir}) ? dir : QString();
    };
    QStringList lowers{extract(baseLayers[0], QStringLiteral("docker0"))};
    QVERIFY(!lowers[0].isEmpty());

    struct Step
    {
        int layer;
        const char *script;
        const char *workdir;
        qint64 bytes;
    };
    const Step steps[] = {
        {1, "/bin/busybox --install -s /bin", "/", 0},
        {4, "mkdir -p /out && head -c 1048576 /dev/urandom > /out/blob.bin && echo v1 > /out/app", "/src",
         1048579},
        {5, "rm /out/blob.bin && echo v2 > /out/app", "/src", 3},
        {6, "mkdir -p /cache && head -c 65536 /dev/zero > /cache/a && echo b > /cache/b", "/src", 65538},
        {7, "rm -rf /cache && mkdir /cache && echo c > /cache/c", "/src", 2},
    };
    int next = 0;
    for (int layer = 1; layer < dockerLayers.size(); ++layer) {
        const QString name = QStringLiteral("docker%1").arg(layer);
        if (next >= int(std::size(steps)) || steps[next].layer != layer) {
            // WORKDIR and COPY layers come from Docker's own output.
            lowers.append(extract(dockerLayers[layer], name));
            QVERIFY(!lowers.last().isEmpty());
            continue;
        }
        const Step &step = steps[next++];
        const QString scratch = m_dir->filePath(name + QStringLiteral("-scratch"));
        QDir().mkpath(scratch);
        for (const QString &lower : std::as_const(lowers))
            test::ownForSandbox(lower);
        Expected<Rootfs> rootfs = Rootfs::prepare(lowers, scratch, RootfsMode::Overlay, {});
        QVERIFY(rootfs);
        RunSpec spec;
        spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QLatin1String(step.script)};
        spec.workingDir = QLatin1String(step.workdir);
        const auto ran = Sandbox::run(*rootfs, spec, {});
        QVERIFY2(ran, ran ? "" : qPrintable(ran.error().message));
        const Expected<ChangeSet> changes = ChangeSet::capture(*rootfs, {});
        QVERIFY(changes);

        QStringList ours;
        for (const ChangeEntry &c : changes->entries()) {
            const LayerEntry &e = c.entry;
            switch (e.type) {
            case EntryType::Directory: ours.append(e.path + u'/'); break;
            case EntryType::OpaqueWhiteout: ours.append(e.path + QStringLiteral("/.wh..wh..opq")); break;
            case EntryType::Whiteout: {
                const QString parent = e.path.section(u'/', 0, -2);
                ours.append((parent.isEmpty() ? QString() : parent + u'/') + QStringLiteral(".wh.") +
                            e.path.section(u'/', -1));
                break;
            }
            default: ours.append(e.path); break;
            }
        }
        QByteArray listed;
        QVERIFY(runTar({QStringLiteral("-tf"), dockerLayers[layer]}, &listed));
        QStringList theirs;
        for (QString path : QString::fromUtf8(listed).split(u'\n', Qt::SkipEmptyParts)) {
            if (path.startsWith(QStringLiteral("./")))
                path = path.mid(2);
            if (!path.isEmpty())
                theirs.append(path);
        }
        ours.sort();
        theirs.sort();
        QCOMPARE(ours, theirs);
        QCOMPARE(changes->byteCount(), step.bytes);

        QVERIFY(QDir().rename(rootfs->upperDir(), m_dir->filePath(name)));
        rootfs->removeScratch();
        lowers.append(m_dir->filePath(name));
    }
}

namespace {

// One line per entry of a layer tar in the form of tests/data/changeset/dump-layer.py,
// with the permission bits of the mode only (libarchive never writes the file type bits
// Docker keeps in the mode field).
QString entryLine(QChar type, quint32 mode, qint64 uid, qint64 gid, qint64 size, const QString &name,
                  const QString &link = {})
{
    QString line = QStringLiteral("%1 %2 %3/%4 %5 %6")
                       .arg(type)
                       .arg(mode & 07777, 4, 8, QLatin1Char('0'))
                       .arg(uid)
                       .arg(gid)
                       .arg(size)
                       .arg(name);
    if (!link.isEmpty())
        line += QStringLiteral(" -> ") + link;
    return line;
}

QStringList tarListing(const QByteArray &tar)
{
    QBuffer buffer;
    buffer.setData(tar);
    buffer.open(QIODevice::ReadOnly);
    LayerReader reader(&buffer);
    QStringList out;
    for (;;) {
        Expected<std::optional<LayerEntry>> next = reader.next();
        if (!next)
            return {QStringLiteral("unreadable layer: ") + next.error().message};
        if (!*next)
            return out;
        const LayerEntry &e = **next;
        QString name = reader.rawName();
        if (name.startsWith(QStringLiteral("./")))
            name = name.mid(2);
        if (name.endsWith(u'/'))
            name.chop(1);
        QChar type = u'-';
        switch (e.type) {
        case EntryType::Directory: type = u'd'; break;
        case EntryType::Symlink: type = u'l'; break;
        case EntryType::Hardlink: type = u'h'; break;
        case EntryType::CharDevice: type = u'c'; break;
        case EntryType::BlockDevice: type = u'b'; break;
        case EntryType::Fifo: type = u'p'; break;
        default: break;
        }
        const bool linked = e.type == EntryType::Symlink || e.type == EntryType::Hardlink;
        out.append(entryLine(type, e.mode, e.uid, e.gid, e.size, name, linked ? e.linkTarget : QString()));
    }
}

// The layers of a reference file, each as tarListing() gives it.
QList<QStringList> referenceLayers(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QList<QStringList> layers;
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
        if (line.startsWith(QStringLiteral("# layer"))) {
            layers.append(QStringList());
            continue;
        }
        QStringList f = line.split(u' ');
        if (layers.isEmpty() || f.size() < 5)
            return {};
        const QStringList owner = f[2].split(u'/');
        layers.last().append(entryLine(f[0].at(0), f[1].toUInt(nullptr, 8), owner.value(0).toLongLong(),
                                       owner.value(1).toLongLong(), f[3].toLongLong(), f[4],
                                       f.size() > 6 ? f.mid(6).join(u' ') : QString()));
    }
    return layers;
}

std::optional<QByteArray> writeLayer(const QList<LayerSourceEntry> &entries)
{
    QBuffer out;
    out.open(QIODevice::WriteOnly);
    LayerWriteOptions options;
    options.compression = Compression::None;
    const Expected<WrittenLayer> written = LayerWriter::write(entries, &out, options);
    if (!written) {
        qWarning("%s", qPrintable(written.error().message));
        return std::nullopt;
    }
    return out.data();
}

bool extractInto(const QByteArray &tar, const QString &destination)
{
    QBuffer in;
    in.setData(tar);
    in.open(QIODevice::ReadOnly);
    const Expected<ExtractReport> report = LayerExtractor::extract(&in, destination);
    if (!report)
        qWarning("%s", qPrintable(report.error().message));
    return bool(report);
}

} // namespace

void TestChangeSet::typeChangesMatchBuildKit_data()
{
    QTest::addColumn<RootfsMode>("mode");
    QTest::addColumn<QStringList>("steps");
    QTest::addColumn<QString>("reference");
    const QString cases = QFINDTESTDATA("data/changeset/cases.txt");
    QVERIFY(!cases.isEmpty());
    QFile file(cases);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString dir = QFileInfo(cases).absolutePath();
    for (const QString &line : QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts)) {
        if (line.startsWith(u'#'))
            continue;
        QStringList steps = line.split(u'|');
        const QString name = steps.takeFirst();
        const QString reference = dir + u'/' + name + QStringLiteral(".txt");
        QTest::addRow("%s/overlay", qPrintable(name)) << RootfsMode::Overlay << steps << reference;
        QTest::addRow("%s/copy", qPrintable(name)) << RootfsMode::Copy << steps << reference;
    }
}

void TestChangeSet::typeChangesMatchBuildKit()
{
    // Each case's RUN steps on the busybox base give the layers Docker 20.10's BuildKit
    // wrote for them (tests/data/changeset), entry by entry in tar order, and the layers
    // extracted one over the other give the tree the last RUN saw.
    QFETCH(RootfsMode, mode);
    QFETCH(QStringList, steps);
    QFETCH(QString, reference);
    if (mode == RootfsMode::Overlay && !Rootfs::overlaySupported())
        QSKIP("overlayfs in a user namespace is not allowed by this kernel");
    const Expected<IdMap> &ids = IdMap::current();
    const bool otherIds = steps.join(u' ').contains(QStringLiteral("chown "));
    if (otherIds && ids && ids->kind() == IdMap::Kind::SingleId)
        QSKIP("chown to other ids needs subordinate ids");
    const QList<QStringList> expected = referenceLayers(reference);
    QCOMPARE(expected.size(), steps.size());
    QCOMPARE(::symlink("busybox", QFile::encodeName(m_lower + QStringLiteral("/bin/chown")).constData()), 0);

    // The base as a layer of its own, for the steps' layers to be extracted onto.
    LayerWriteOptions plain;
    plain.compression = Compression::None;
    QBuffer base;
    base.open(QIODevice::WriteOnly);
    QVERIFY(LayerWriter::writeDirectory(m_lower, &base, plain));
    const QString extracted = m_dir->filePath(QStringLiteral("extracted"));
    QVERIFY(extractInto(base.data(), extracted));

    // Owners survive extraction only as root.
    const QString owner = ::geteuid() == 0 ? QStringLiteral(" %u:%g") : QString();
    const QString tree = QStringLiteral("cd / && busybox find t | busybox sort | while read -r f; do "
                                        "busybox stat -c '%n %F %a%1' \"$f\"; "
                                        "if [ -L \"$f\" ]; then busybox readlink \"$f\"; "
                                        "elif [ -f \"$f\" ]; then busybox stat -c 'links %h' \"$f\"; "
                                        "busybox md5sum < \"$f\"; fi; done")
                             .arg(owner);
    QStringList lowers{m_lower};
    QList<QByteArray> written;
    QStringList seen;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        const QString name = QStringLiteral("step%1").arg(i);
        std::optional<Rootfs> rootfs = prepare(mode, lowers, name);
        QVERIFY(rootfs);
        const std::optional<ChangeSet> changes = runAndCapture(*rootfs, steps[i]);
        QVERIFY(changes);
        QList<LayerSourceEntry> entries;
        for (const ChangeEntry &c : changes->entries())
            entries.append(LayerSourceEntry{c.entry, c.sourcePath, {}});
        const std::optional<QByteArray> tar = writeLayer(entries);
        QVERIFY(tar);
        const QStringList ours = tarListing(*tar);
        if (ours != expected[i])
            qWarning("layer %d:\n  ours:   %s\n  Docker: %s", int(i + 1),
                     qPrintable(ours.join(QStringLiteral("; "))),
                     qPrintable(expected[i].join(QStringLiteral("; "))));
        QCOMPARE(ours, expected[i]);
        QVERIFY(extractInto(*tar, extracted));
        if (i + 1 == steps.size()) {
            const std::optional<QStringList> view = runOutput(*rootfs, tree);
            QVERIFY(view);
            QVERIFY(!view->isEmpty());
            seen = *view;
        }
        written.append(*tar);
        // The next step stands on this one's upper, as the builder stacks them, or in copy
        // mode on the base with the layers so far extracted onto it.
        if (mode == RootfsMode::Overlay) {
            const QString layer = m_dir->filePath(name + QStringLiteral("-layer"));
            QVERIFY(QDir().rename(rootfs->upperDir(), layer));
            lowers.append(layer);
        } else {
            const QString flat = m_dir->filePath(name + QStringLiteral("-flat"));
            QVERIFY(extractInto(base.data(), flat));
            for (const QByteArray &layer : std::as_const(written))
                QVERIFY(extractInto(layer, flat));
            lowers = {flat};
        }
        rootfs->removeScratch();
    }
    std::optional<Rootfs> rebuilt = prepare(RootfsMode::Copy, {extracted}, QStringLiteral("extracted-view"));
    QVERIFY(rebuilt);
    const std::optional<QStringList> view = runOutput(*rebuilt, tree);
    QVERIFY(view);
    QCOMPARE(*view, seen);
}

void TestChangeSet::manyLowerLayers()
{
    // 50 layers in a deep store directory overflow one page of overlay mount options
    // when their paths are absolute.
    if (!Rootfs::overlaySupported())
        QSKIP("overlayfs in a user namespace is not allowed by this kernel");
    const QString store =
        m_dir->filePath(QStringLiteral("store/") + QString(60, u'x') + u'/' + QString(60, u'y'));
    const QString base = store + QStringLiteral("/sha256-base");
    QVERIFY(test::makeBusyboxRootfs(base));
    QStringList lowers{base};
    for (int i = 0; i < 50; ++i) {
        const QString layer = store + QStringLiteral("/sha256-%1").arg(i, 64, 10, QLatin1Char('0'));
        QVERIFY(test::writeFile(layer + QStringLiteral("/stack/f%1").arg(i), QByteArray::number(i) + '\n'));
        lowers.append(layer);
    }
    std::optional<Rootfs> rootfs = prepare(RootfsMode::Overlay, lowers);
    QVERIFY(rootfs);
    RunSpec spec;
    spec.args = {QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("cat /stack/f0 /stack/f49")};
    QStringList output;
    SandboxCallbacks callbacks;
    callbacks.log = [&output](const QString &line) { output.append(line); };
    const auto ran = Sandbox::run(*rootfs, spec, {}, callbacks);
    QVERIFY2(ran, qPrintable(ran ? QString() : ran.error().message + u'\n' + output.join(u'\n')));
    QCOMPARE(output, (QStringList{QStringLiteral("0"), QStringLiteral("49")}));
}

void TestChangeSet::asOrdinaryUser()
{
    // The same change sets must come out for a user without privileges.
    if (::geteuid() != 0)
        QSKIP("already running as an ordinary user");
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        QSKIP("setpriv (util-linux) is not installed");
    QProcess child;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), QStringLiteral("/tmp"));
    // nobody has no subordinate ids: this runs the single-id fallback (the suite as a user
    // with a range is scripts/test-as-user).
    env.insert(QStringLiteral("STAGECRAFT_SINGLE_ID"), QStringLiteral("1"));
    env.insert(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args{QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                     QStringLiteral("--clear-groups"), QCoreApplication::applicationFilePath()};
    for (const char *f : {"newFile", "removalIsWhiteout", "recreatedDirectoryIsOpaque",
                          "unchangedCopyUpIsKept", "linksAndNestedDirectories", "stackedOnEarlierUpper",
                          "matchesDockerLayers", "typeChangesMatchBuildKit", "manyLowerLayers"})
        args.append(QLatin1String(f));
    child.start(setpriv, args);
    QVERIFY(child.waitForFinished(120000));
    const QByteArray output = child.readAll();
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, output.constData());
    for (const QByteArray &line : output.split('\n'))
        if (line.startsWith("SKIP"))
            qInfo("as nobody: %s", line.constData());
}

QTEST_GUILESS_MAIN(TestChangeSet)
#include "tst_changeset.moc"
