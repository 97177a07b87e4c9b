// Builds one multi-stage Dockerfile on the busybox fixture base with Stagecraft and with
// buildah, and checks that the final images hold the same files (paths, types, modes,
// owners, sizes, link targets, hardlink groups) and the same container config.
#include "busyboxlayout.h"
#include "busyboxrootfs.h"
#include "core/builder/builder.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerreader.h"
#include "core/oci/layerwriter.h"
#include "core/oci/mediatype.h"
#include "core/oci/ocilayout.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>

#include <unistd.h>

using namespace stagecraft;

namespace {

QString seedsDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/seeds");
}

struct ProcessResult
{
    int exitCode = -1;
    QByteArray output;
    // The output for a failure message, whole: QtTest cuts long messages short, so it
    // goes to the log and the message says so.
    const char *report() const
    {
        qWarning("%s", output.constData());
        return "the command failed; its output is above";
    }
};

ProcessResult runProcess(const QString &program, const QStringList &args, const QString &workingDir,
                         int timeoutMs = 300000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setWorkingDirectory(workingDir);
    p.start(program, args);
    ProcessResult result;
    if (!p.waitForStarted()) {
        result.output = p.errorString().toUtf8();
        return result;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        result.output = "timed out: " + p.readAll();
        return result;
    }
    result.output = p.readAll();
    result.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return result;
}

QString typeName(EntryType type)
{
    switch (type) {
    case EntryType::File: return QStringLiteral("file");
    case EntryType::Directory: return QStringLiteral("dir");
    case EntryType::Symlink: return QStringLiteral("symlink");
    case EntryType::Hardlink: return QStringLiteral("file");
    case EntryType::CharDevice: return QStringLiteral("char");
    case EntryType::BlockDevice: return QStringLiteral("block");
    case EntryType::Fifo: return QStringLiteral("fifo");
    case EntryType::Whiteout:
    case EntryType::OpaqueWhiteout: break;
    }
    return QStringLiteral("whiteout");
}

// The final filesystem of `image`: its layers applied in order (whiteouts and opaque
// directories included), one line per path. A hardlink reads as the file it names, plus
// the whole group of paths sharing it, so the result does not depend on which name of
// a group a tar writer happened to store first.
QStringList mergedFilesystem(const Image &image, QString *error)
{
    struct Node
    {
        LayerEntry entry;
        QString group; // the path of the file a hardlink names (itself for a plain file)
    };
    QMap<QString, Node> files;
    const auto removeBelow = [&](const QString &path, bool keepSelf) {
        const QString prefix = path + u'/';
        for (auto it = files.begin(); it != files.end();) {
            if ((!keepSelf && it.key() == path) || it.key().startsWith(prefix))
                it = files.erase(it);
            else
                ++it;
        }
    };
    for (int i = 0; i < image.layers.size(); ++i) {
        auto blob = image.openLayer(i);
        if (!blob) {
            *error = blob.error().message;
            return {};
        }
        auto contents = LayerReader::readAll(blob->get());
        if (!contents) {
            *error = contents.error().message;
            return {};
        }
        // Whiteouts hide what lower layers had, whatever their place in the tar.
        for (const LayerEntry &e : std::as_const(contents->entries)) {
            if (e.type == EntryType::Whiteout)
                removeBelow(e.path, false);
            else if (e.type == EntryType::OpaqueWhiteout)
                removeBelow(e.path, true);
        }
        for (const LayerEntry &e : std::as_const(contents->entries)) {
            if (e.type == EntryType::Whiteout || e.type == EntryType::OpaqueWhiteout)
                continue;
            if (e.type != EntryType::Directory)
                removeBelow(e.path, false);
            Node node{e, e.path};
            if (e.type == EntryType::Hardlink) {
                const auto target = files.constFind(e.linkTarget);
                if (target == files.cend()) {
                    *error =
                        QStringLiteral("hardlink %1 names %2, which is not there").arg(e.path, e.linkTarget);
                    return {};
                }
                node.entry.size = target->entry.size;
                node.group = target->group;
            }
            files.insert(e.path, node);
        }
    }
    QMap<QString, QStringList> groups;
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        if (it->entry.type == EntryType::File || it->entry.type == EntryType::Hardlink)
            groups[it->group].append(it.key());
    QStringList lines;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const LayerEntry &e = it->entry;
        QString line = QStringLiteral("/%1 %2 mode=%3 owner=%4:%5")
                           .arg(it.key(), typeName(e.type))
                           .arg(e.mode, 4, 8, QLatin1Char('0'))
                           .arg(e.uid)
                           .arg(e.gid);
        if (e.type == EntryType::File || e.type == EntryType::Hardlink) {
            line += QStringLiteral(" size=%1").arg(e.size);
            const QStringList &group = groups.value(it->group);
            if (group.size() > 1)
                line += QStringLiteral(" links=") + group.join(u',');
        }
        if (e.type == EntryType::Symlink)
            line += QStringLiteral(" -> ") + e.linkTarget;
        lines.append(line);
    }
    return lines;
}

QStringList withoutLinkGroups(QStringList lines)
{
    for (QString &line : lines)
        if (const qsizetype at = line.indexOf(QLatin1String(" links=")); at >= 0)
            line.truncate(at);
    return lines;
}

QStringList sortedLabels(QMap<QString, QString> labels)
{
    // buildah stamps its own version on every image it builds.
    labels.remove(QStringLiteral("io.buildah.version"));
    QStringList lines;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        lines.append(it.key() + u'=' + it.value());
    return lines;
}

} // namespace

class TestBuildahCompare : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameFinalImage();
};

void TestBuildahCompare::sameFinalImage()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("the sandbox cannot run here: ") + reason));
    const QString buildah = QStandardPaths::findExecutable(QStringLiteral("buildah"));
    if (buildah.isEmpty())
        QSKIP("buildah is not installed (Debian: apt-get install buildah); nothing to compare with");
    if (::geteuid() != 0)
        QSKIP("buildah needs root here: as an ordinary user it needs subordinate ids in /etc/subuid "
              "and /etc/subgid, which a test cannot set up");

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString layout = dir.filePath(QStringLiteral("base"));
    const QString made = test::makeFixtureLayout(layout, QStringLiteral("fixture"));
    QVERIFY2(made.isEmpty(), qPrintable(made));
    const QString context = seedsDir() + QStringLiteral("/busybox");

    // Stagecraft
    auto store = ImageStore::open(dir.filePath(QStringLiteral("store")));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    auto imported = store->import(layout, QStringLiteral("busybox:fixture"));
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    Builder builder(*store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("compare:stagecraft")};
    QElapsedTimer timer;
    timer.start();
    auto built = builder.build(request);
    QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
    qInfo("Stagecraft built the comparison Dockerfile in %lld ms", timer.elapsed());
    auto ours = store->image(QStringLiteral("compare:stagecraft"));
    QVERIFY2(ours, qPrintable(ours ? QString() : ours.error().message));

    // buildah, in its own throwaway storage, from the same base layout
    const QStringList storage{
        QStringLiteral("--root"),           dir.filePath(QStringLiteral("buildah-root")),
        QStringLiteral("--runroot"),        dir.filePath(QStringLiteral("buildah-run")),
        QStringLiteral("--storage-driver"), QStringLiteral("vfs")};
    // buildah names what it pulls from an OCI layout after the layout's path, which must be
    // lower case: relative paths from the temporary directory keep the name `base`.
    const auto runBuildah = [&](const QStringList &args) {
        return runProcess(buildah, storage + args, dir.path());
    };
    ProcessResult info = runBuildah({QStringLiteral("info")});
    if (info.exitCode != 0)
        QSKIP(qPrintable(QStringLiteral("buildah cannot run here: ") +
                         QString::fromUtf8(info.output.trimmed())));
    ProcessResult pulled =
        runBuildah({QStringLiteral("pull"), QStringLiteral("-q"), QStringLiteral("oci:base:fixture")});
    if (pulled.exitCode != 0)
        QFAIL(pulled.report());
    const QString baseId = QString::fromUtf8(pulled.output.trimmed()).split(u'\n').last();
    ProcessResult tagged = runBuildah({QStringLiteral("tag"), baseId, QStringLiteral("busybox:fixture")});
    if (tagged.exitCode != 0)
        QFAIL(tagged.report());
    timer.restart();
    ProcessResult buildahBuilt = runBuildah(
        {QStringLiteral("build"), QStringLiteral("--layers"), QStringLiteral("--isolation"),
         QStringLiteral("chroot"), QStringLiteral("-t"), QStringLiteral("compare:buildah"), context});
    if (buildahBuilt.exitCode != 0)
        QFAIL(buildahBuilt.report());
    qInfo("buildah built the comparison Dockerfile in %lld ms", timer.elapsed());
    const QString exported = dir.filePath(QStringLiteral("buildah-out"));
    ProcessResult pushed =
        runBuildah({QStringLiteral("push"), QStringLiteral("-q"), QStringLiteral("compare:buildah"),
                    QStringLiteral("oci:buildah-out:final")});
    if (pushed.exitCode != 0)
        QFAIL(pushed.report());
    auto theirLayout = OciLayout::open(exported);
    QVERIFY2(theirLayout, qPrintable(theirLayout ? QString() : theirLayout.error().message));
    auto theirs = theirLayout->image(QStringLiteral("final"));
    QVERIFY2(theirs, qPrintable(theirs ? QString() : theirs.error().message));

    // Files
    QString error;
    const QStringList ourFiles = mergedFilesystem(*ours, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList theirFiles = mergedFilesystem(*theirs, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // buildah's chroot isolation leaves the empty mount targets it made for a RUN in the
    // layer (Docker and Stagecraft remove them): those are not part of the build.
    theirFiles.removeIf([](const QString &line) {
        return line.startsWith(QLatin1String("/run dir ")) ||
               (line.endsWith(QLatin1String(" size=0")) &&
                (line.startsWith(QLatin1String("/etc/hostname ")) ||
                 line.startsWith(QLatin1String("/etc/hosts ")) ||
                 line.startsWith(QLatin1String("/etc/resolv.conf "))));
    });
    QVERIFY(ourFiles.size() > 30);
    for (const QString &line : ourFiles)
        if (!theirFiles.contains(line))
            qWarning("only Stagecraft's image has: %s", qPrintable(line));
    for (const QString &line : theirFiles)
        if (!ourFiles.contains(line))
            qWarning("only buildah's image has: %s", qPrintable(line));
    // Every file the same, apart from which names share an inode...
    QCOMPARE(withoutLinkGroups(ourFiles), withoutLinkGroups(theirFiles));
    // ... and those too: COPY --from keeps hardlinks within the copied tree.
    QCOMPARE(ourFiles, theirFiles);

    // Config
    const ContainerConfig &a = ours->config.config;
    const ContainerConfig &b = theirs->config.config;
    QCOMPARE(a.env, b.env);
    QCOMPARE(a.entrypoint, b.entrypoint);
    QCOMPARE(a.cmd, b.cmd);
    QCOMPARE(a.workingDir, b.workingDir);
    QCOMPARE(a.user, b.user);
    QCOMPARE(a.exposedPorts, b.exposedPorts);
    QCOMPARE(sortedLabels(a.labels), sortedLabels(b.labels));
    QCOMPARE(ours->config.architecture, theirs->config.architecture);
    QCOMPARE(ours->config.os, theirs->config.os);
}

QTEST_GUILESS_MAIN(TestBuildahCompare)
#include "tst_buildahcompare.moc"
