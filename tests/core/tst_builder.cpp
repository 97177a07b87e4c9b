// Builds Dockerfiles on Docker's busybox base image and compares the results with the
// images Docker itself built from the same context (tests/data/images).
#include "core/builder/builder.h"
#include "core/exec/rootfs.h"
#include "core/exec/sandbox.h"
#include "core/fs/rootdirectory.h"
#include "core/oci/dockerarchive.h"
#include "core/oci/layerextractor.h"
#include "core/oci/layerreader.h"
#include "core/oci/mediatype.h"

#include "buildfixture.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <future>
#include <mutex>
#include <thread>

#include <archive.h>
#include <archive_entry.h>

#include <sys/stat.h>
#include <sys/xattr.h>

using namespace stagecraft;

namespace {

using fixtures::readBytes;
using fixtures::unpackImage;
using fixtures::writeText;

QString dataDir()
{
    return fixtures::imagesDataDir();
}

// A comparable line per layer entry: path, type, mode, owner, size, link target.
// Timestamps are left out, and directory entries unless asked for (the reference
// comparison allows a RUN's layer to list other unchanged parents than BuildKit's).
QStringList describeLayer(const Image &image, int index, bool directories = false)
{
    auto blob = image.openLayer(index);
    if (!blob)
        return {QStringLiteral("error: ") + blob.error().message};
    auto contents = LayerReader::readAll(blob->get());
    if (!contents)
        return {QStringLiteral("error: ") + contents.error().message};
    QStringList lines;
    for (const LayerEntry &e : contents->entries) {
        if (e.type == EntryType::Directory && !directories)
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

// A tar archive in memory with the given compression (libarchive's writer), for ADD.
enum class TarFilter { None, Gzip, Bzip2, Xz, Zstd };

la_ssize_t appendBytes(struct archive *, void *out, const void *buffer, size_t length)
{
    static_cast<QByteArray *>(out)->append(static_cast<const char *>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

// pkg/ (0755), pkg/hello.txt (0640, owner 1000:1000), pkg/again.txt hardlinked to it,
// pkg/link -> hello.txt; empty when the filter is not available.
QByteArray makeArchive(TarFilter filter)
{
    QByteArray out;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    int r = ARCHIVE_OK;
    switch (filter) {
    case TarFilter::None: break;
    case TarFilter::Gzip: r = archive_write_add_filter_gzip(a); break;
    case TarFilter::Bzip2: r = archive_write_add_filter_bzip2(a); break;
    case TarFilter::Xz: r = archive_write_add_filter_xz(a); break;
    case TarFilter::Zstd: r = archive_write_add_filter_zstd(a); break;
    }
    if (r != ARCHIVE_OK) {
        archive_write_free(a);
        return {};
    }
    archive_write_set_bytes_in_last_block(a, 1); // no zero padding after the compressed stream
    archive_write_open(a, &out, nullptr, appendBytes, nullptr);
    const auto put = [&](const char *path, mode_t type, int mode, const QByteArray &content,
                         const char *symlink = nullptr, const char *hardlink = nullptr) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, type);
        archive_entry_set_perm(e, mode);
        archive_entry_set_uid(e, 1000);
        archive_entry_set_gid(e, 1000);
        archive_entry_set_mtime(e, 1700000000, 0);
        if (symlink)
            archive_entry_set_symlink(e, symlink);
        if (hardlink)
            archive_entry_set_hardlink(e, hardlink);
        archive_entry_set_size(e, content.size());
        archive_write_header(a, e);
        if (!content.isEmpty())
            archive_write_data(a, content.constData(), size_t(content.size()));
        archive_entry_free(e);
    };
    put("pkg/", AE_IFDIR, 0755, {});
    put("pkg/hello.txt", AE_IFREG, 0640, "hello\n");
    put("pkg/again.txt", AE_IFREG, 0640, {}, nullptr, "pkg/hello.txt");
    put("pkg/link", AE_IFLNK, 0777, {}, "hello.txt");
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

// A one-connection-at-a-time HTTP server on 127.0.0.1 in its own thread (the build
// blocks the test's thread): serves `files` by path, 404 for anything else.
class FileServer
{
public:
    struct File
    {
        QByteArray body;
        QByteArray lastModified; // HTTP date, empty: no header
    };

    explicit FileServer(QHash<QByteArray, File> files)
        : m_files(std::move(files))
    {
        auto ready = m_ready.get_future();
        m_thread = std::thread([this] { serve(); });
        m_port = ready.get();
    }
    ~FileServer()
    {
        m_stop = true;
        m_thread.join();
    }
    quint16 port() const { return m_port; }
    int requests() const { return m_requests; }

private:
    void serve()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        m_ready.set_value(server.serverPort());
        while (!m_stop) {
            if (!server.waitForNewConnection(50))
                continue;
            std::unique_ptr<QTcpSocket> socket(server.nextPendingConnection());
            QByteArray request;
            while (!request.contains("\r\n\r\n") && socket->waitForReadyRead(2000))
                request += socket->readAll();
            ++m_requests;
            const QByteArray path = request.split(' ').value(1);
            QByteArray response;
            if (m_files.contains(path)) {
                const File &f = m_files[path];
                response = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                           QByteArray::number(f.body.size()) + "\r\n";
                if (!f.lastModified.isEmpty())
                    response += "Last-Modified: " + f.lastModified + "\r\n";
                response += "Connection: close\r\n\r\n" + f.body;
            } else {
                response =
                    "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found";
            }
            socket->write(response);
            socket->waitForBytesWritten(2000);
            socket->disconnectFromHost();
            if (socket->state() != QAbstractSocket::UnconnectedState)
                socket->waitForDisconnected(2000);
        }
    }

    QHash<QByteArray, File> m_files;
    std::promise<quint16> m_ready;
    std::thread m_thread;
    std::atomic_bool m_stop{false};
    std::atomic_int m_requests{0};
    quint16 m_port = 0;
};

// Every entry of every layer of an image, by path (later layers win), for checks that
// need types, owners, modes and link targets as the layers record them.
QHash<QString, LayerEntry> layerEntries(const Image &image, int index)
{
    QHash<QString, LayerEntry> out;
    auto blob = image.openLayer(index);
    if (!blob)
        return out;
    auto contents = LayerReader::readAll(blob->get());
    if (!contents)
        return out;
    for (const LayerEntry &e : contents->entries)
        out.insert(e.path, e);
    return out;
}

// A layer directory's form as overlay and the next step see it, one line per name:
// type, mode, owner, whole-second time, device, overlay markers and content.
QStringList treeForm(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QByteArray native = QFile::encodeName(path);
        struct stat st = {};
        if (::lstat(native.constData(), &st) != 0) {
            out.append(path + QStringLiteral(" vanished"));
            continue;
        }
        // A whiteout's own time is when it was made, which overlay never shows.
        const bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == 0;
        QString line = path.mid(dir.size()) + QStringLiteral(" %1 %2:%3 %4 %5")
                                                  .arg(st.st_mode, 0, 8)
                                                  .arg(st.st_uid)
                                                  .arg(st.st_gid)
                                                  .arg(whiteout ? 0 : qint64(st.st_mtim.tv_sec))
                                                  .arg(whiteout ? 0 : qint64(st.st_mtim.tv_nsec));
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            line += QStringLiteral(" dev %1").arg(quint64(st.st_rdev));
        for (const char *name : {"user.overlay.opaque", "trusted.overlay.opaque", "user.overlay.whiteout"})
            if (::lgetxattr(native.constData(), name, nullptr, 0) >= 0)
                line += QLatin1Char(' ') + QLatin1String(name);
        if (S_ISREG(st.st_mode))
            line += QLatin1Char(' ') + QString::fromLatin1(readBytes(path).toHex());
        else if (S_ISLNK(st.st_mode))
            line += QStringLiteral(" -> ") + QFileInfo(path).symLinkTarget();
        out.append(line);
    }
    out.sort();
    return out;
}

// A long sleep duration (about three months) unlikely to be in use by anything else.
qint64 uniqueSeconds()
{
    return 8000000 + QRandomGenerator::global()->bounded(1000000);
}

// Leftovers of a build in the store's scratch places (nothing should remain).
QStringList leftovers(const ImageStore &store)
{
    QStringList out;
    for (const QString &name : QDir(store.cacheDir(QStringLiteral("tmp")))
                                   .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
        out.append(QStringLiteral("tmp/") + name);
    for (const QString &name : QDir(store.cacheDir(QStringLiteral("layers")))
                                   .entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot))
        if (name.startsWith(QLatin1Char('.')))
            out.append(QStringLiteral("layers/") + name);
    return out;
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
    void addArchives();
    void addUrl();
    void copyFromStage();
    void onlyExportedLayersCompressed();
    void contextHardlinks();
    void copyLink();
    void parallelStages();
    void failingStageCancelsSiblings();
    void unneededStagesSkipped();
    void pullMissingBase();
    void pruneAfterGc();
    void runLayerNotExtractedAgain();

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
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("archive");
    QTest::addColumn<bool>("directories");
    QTest::addRow("build") << QStringLiteral("context") << QStringLiteral("build")
                           << QStringLiteral("build.docker.tar") << false;
    QTest::addRow("final") << QStringLiteral("context") << QString() << QStringLiteral("final.docker.tar")
                           << false;
    // A file replaced by a directory and back, a directory by a file and back, a symlink
    // by a directory; a wildcard that matches nothing; COPY into and through symlinks
    // (absolute, relative, dangling): every entry of BuildKit's layers, directories and
    // whiteouts included.
    QTest::addRow("paths") << QStringLiteral("paths-context") << QString()
                           << QStringLiteral("paths.docker.tar") << true;
}

void TestBuilder::dockerReference()
{
    QFETCH(QString, context);
    QFETCH(QString, target);
    QFETCH(QString, archive);
    QFETCH(bool, directories);
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    Builder builder(*m_store);
    BuildRequest request;
    // A copy of the context with the modes Docker saw (a checkout may have made them read-only).
    request.contextDir = m_dir->filePath(QStringLiteral("context"));
    for (const QString &name : QDir(dataDir() + u'/' + context).entryList(QDir::Files)) {
        QFile source(dataDir() + u'/' + context + u'/' + name);
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
        QCOMPARE(describeLayer(*built, i, directories), describeLayer(*reference, i, directories));
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
        "import \"fmt\" 'single' \\n\n"
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
    // `COPY --chmod=0600` gives the copied directories 0600 too, as BuildKit does: an
    // ordinary user owns the rootless unpack but needs the search bit to read through it.
    if (::geteuid() != 0)
        QCOMPARE(QProcess::execute(QStringLiteral("chmod"), {QStringLiteral("-R"), QStringLiteral("u+rwX"),
                                                             bundle + QStringLiteral("/rootfs")}),
                 0);
    const auto read = [&](const QString &path) {
        QFile f(bundle + QStringLiteral("/rootfs") + path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    };
    QCOMPARE(read(QStringLiteral("/greeting")), QByteArray("hello\n"));
    QCOMPARE(read(QStringLiteral("/app/files/one.txt")), QByteArray("one\n"));
    QCOMPARE(read(QStringLiteral("/copied/other")), QByteArray("other\n"));
    QCOMPARE(read(QStringLiteral("/flat/one.txt")), QByteArray("one\n"));
    QCOMPARE(read(QStringLiteral("/flat/skip.tmp")), QByteArray("<missing>"));
    // Variables expand; quotes and escapes stay as written, as BuildKit keeps them.
    QCOMPARE(read(QStringLiteral("/heredoc.txt")), QByteArray("value=1\nimport \"fmt\" 'single' \\n\n"));
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
    QVERIFY(result.error().message.contains(QStringLiteral("stagecraft pull nosuch/image:latest")));
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
    QVERIFY2(leftovers(*m_store).isEmpty(), qPrintable(leftovers(*m_store).join(QLatin1Char(' '))));
}

void TestBuilder::cancelRun()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    // A duration no other test uses, so that the process check below sees only this one.
    const QByteArray sleep = "sleep " + QByteArray::number(uniqueSeconds());
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture\nRUN " + sleep + "\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("never:built")};
    CancellationToken cancel;
    std::atomic_bool started{false};
    std::optional<ErrorKind> buildFailedKind;
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
            if (e.kind == BuildEventKind::BuildFailed)
                buildFailedKind = e.errorKind;
        },
        cancel);
    canceller.join();
    QVERIFY(!result);
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
    // Callers tell a cancelled build from a failed one by its kind, not by its message.
    QVERIFY2(result.error().isCancelled(), qPrintable(result.error().message));
    QVERIFY(buildFailedKind == ErrorKind::Cancelled);
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"),
                {QStringLiteral("-f"), QLatin1Char('^') + QString::fromLatin1(sleep) + QLatin1Char('$')});
    pgrep.waitForFinished();
    QVERIFY2(pgrep.readAllStandardOutput().trimmed().isEmpty(), "the sandboxed sleep is still running");
    QVERIFY(!m_store->resolve(QStringLiteral("never:built")));
    QVERIFY2(leftovers(*m_store).isEmpty(), qPrintable(leftovers(*m_store).join(QLatin1Char(' '))));
    auto verified = m_store->verify();
    QVERIFY(verified && verified->ok());
}

void TestBuilder::addArchives()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    struct Variant
    {
        const char *file;
        TarFilter filter;
    };
    const QList<Variant> variants{{"plain.tar", TarFilter::None},
                                  {"gz.tgz", TarFilter::Gzip},
                                  {"bz.tar.bz2", TarFilter::Bzip2},
                                  {"xz.tar.xz", TarFilter::Xz},
                                  {"zst.tar.zst", TarFilter::Zstd}};
    QByteArray dockerfile = "FROM busybox:fixture\n";
    QStringList made;
    for (const Variant &v : variants) {
        const QByteArray archive = makeArchive(v.filter);
        if (archive.isEmpty())
            continue; // this libarchive cannot write the compression; the others still count
        QVERIFY(writeText(context + QLatin1Char('/') + QLatin1String(v.file), archive));
        const QString name = QString::fromLatin1(v.file).section(QLatin1Char('.'), 0, 0);
        dockerfile += "ADD " + QByteArray(v.file) + " /x/" + name.toUtf8() + "\n";
        made.append(name);
    }
    QVERIFY(made.contains(QStringLiteral("gz")));
    // Named like archives but not tar inside: copied as they are (Docker's rule).
    QVERIFY(writeText(context + QStringLiteral("/notatar.tar.gz"), "just text\n"));
    QVERIFY(writeText(context + QStringLiteral("/empty.tar"), ""));
    dockerfile += "ADD notatar.tar.gz empty.tar /y/\n"
                  "ADD --unpack=false gz.tgz /z/\n";
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), dockerfile));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("archives:1")};
    auto result = builder.build(request);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    auto image = m_store->image(QStringLiteral("archives:1"));
    QVERIFY(image);
    for (qsizetype i = 0; i < made.size(); ++i) {
        const QString root = QStringLiteral("x/") + made[i];
        const auto entries = layerEntries(*image, int(image->layers.size() - made.size() - 2 + i));
        // The pair stays hardlinked; in the layer's order again.txt comes first and
        // carries the content.
        const LayerEntry again = entries.value(root + QStringLiteral("/pkg/again.txt"));
        QCOMPARE(again.type, EntryType::File);
        QCOMPARE(again.mode, 0640u);
        QCOMPARE(again.uid, qint64(1000));
        QCOMPARE(again.size, qint64(6));
        QCOMPARE(again.mtime, qint64(1700000000));
        const LayerEntry hello = entries.value(root + QStringLiteral("/pkg/hello.txt"));
        QCOMPARE(hello.type, EntryType::Hardlink);
        QCOMPARE(hello.linkTarget, root + QStringLiteral("/pkg/again.txt"));
        const LayerEntry link = entries.value(root + QStringLiteral("/pkg/link"));
        QCOMPARE(link.type, EntryType::Symlink);
        QCOMPARE(link.linkTarget, QStringLiteral("hello.txt"));
    }
    const QString rootfs = m_dir->filePath(QStringLiteral("rootfs"));
    QVERIFY(unpackImage(*image, rootfs));
    QCOMPARE(readBytes(rootfs + QStringLiteral("/x/gz/pkg/hello.txt")), QByteArray("hello\n"));
    QCOMPARE(readBytes(rootfs + QStringLiteral("/y/notatar.tar.gz")), QByteArray("just text\n"));
    QVERIFY(QFileInfo(rootfs + QStringLiteral("/y/empty.tar")).isFile());
    QCOMPARE(readBytes(rootfs + QStringLiteral("/z/gz.tgz")), readBytes(context + QStringLiteral("/gz.tgz")));
}

void TestBuilder::addUrl()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QByteArray data = "downloaded bytes\n";
    const QByteArray digest = QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
    const QByteArray archive = makeArchive(TarFilter::Gzip);
    FileServer server({{"/files/data.bin", {data, "Wed, 21 Oct 2015 07:28:00 GMT"}},
                       {"/files/bundle.tar.gz", {archive, {}}}});
    const QByteArray base = "http://127.0.0.1:" + QByteArray::number(server.port());
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture\n"
                                                               "ADD " +
                                                                   base +
                                                                   "/files/data.bin /downloads/\n"
                                                                   "ADD --checksum=sha256:" +
                                                                   digest + " " + base +
                                                                   "/files/data.bin /named.bin\n"
                                                                   "ADD " +
                                                                   base +
                                                                   "/files/bundle.tar.gz /downloads/\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("url:1")};
    auto result = builder.build(request);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    auto image = m_store->image(QStringLiteral("url:1"));
    QVERIFY(image);
    const int first = int(image->layers.size()) - 3;
    const LayerEntry downloaded = layerEntries(*image, first).value(QStringLiteral("downloads/data.bin"));
    QCOMPARE(downloaded.type, EntryType::File);
    QCOMPARE(downloaded.mode, 0600u);
    QCOMPARE(downloaded.mtime, qint64(1445412480)); // the Last-Modified time
    QCOMPARE(downloaded.size, qint64(data.size()));
    QCOMPARE(layerEntries(*image, first + 1).value(QStringLiteral("named.bin")).type, EntryType::File);
    // A downloaded archive stays an archive.
    const LayerEntry bundle =
        layerEntries(*image, first + 2).value(QStringLiteral("downloads/bundle.tar.gz"));
    QCOMPARE(bundle.type, EntryType::File);
    QCOMPARE(bundle.size, qint64(archive.size()));
    const QString rootfs = m_dir->filePath(QStringLiteral("rootfs"));
    QVERIFY(unpackImage(*image, rootfs));
    QCOMPARE(readBytes(rootfs + QStringLiteral("/downloads/data.bin")), data);
    QCOMPARE(readBytes(rootfs + QStringLiteral("/named.bin")), data);

    // A wrong checksum fails the step and says what was expected and what came.
    const QByteArray wrong = QByteArray(64, 'a');
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture\nADD --checksum=sha256:" + wrong + " " + base +
                          "/files/data.bin /x\n"));
    auto mismatch = builder.build(request);
    QVERIFY(!mismatch);
    QVERIFY2(mismatch.error().message.contains(QStringLiteral("checksum mismatch")),
             qPrintable(mismatch.error().message));
    QVERIFY(mismatch.error().message.contains(QString::fromLatin1("sha256:" + wrong)));
    QVERIFY(mismatch.error().message.contains(QString::fromLatin1("sha256:" + digest)));

    // A missing file names the server's answer.
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture\nADD " + base + "/files/nothing /x\n"));
    auto missing = builder.build(request);
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(QStringLiteral("404")), qPrintable(missing.error().message));
    QVERIFY2(leftovers(*m_store).isEmpty(), qPrintable(leftovers(*m_store).join(QLatin1Char(' '))));
}

// Only the layers of the image a build makes are compressed: a stage that serves a COPY
// --from keeps uncompressed tars (nobody waits for gzip, as BuildKit exports only the
// target's layers), which stay valid images when a later build targets that stage.
void TestBuilder::onlyExportedLayersCompressed()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture AS src\nRUN echo data > /data\n"
                      "FROM src AS mid\nRUN echo more > /more\n"
                      "FROM busybox:fixture\nCOPY --from=mid /data /more /\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("final:1")};
    QVERIFY(builder.build(request));
    auto final = m_store->image(QStringLiteral("final:1"));
    QVERIFY(final);
    QCOMPARE(final->layers.last().descriptor.mediaType, QString(mediatype::OciLayerGzip));
    QCOMPARE(layerEntries(*final, int(final->layers.size()) - 1).value(QStringLiteral("more")).size, 5);

    // `--target mid` from the cache: its two layers are the uncompressed tars, digest = diff ID.
    request.target = QStringLiteral("mid");
    request.tags = {QStringLiteral("mid:cached")};
    auto cached = builder.build(request);
    QVERIFY(cached);
    QCOMPARE(cached->cachedSteps, 2);
    auto mid = m_store->image(QStringLiteral("mid:cached"));
    QVERIFY(mid);
    for (int i = int(mid->layers.size()) - 2; i < mid->layers.size(); ++i) {
        QCOMPARE(mid->layers[i].descriptor.mediaType, QString(mediatype::OciLayer));
        QCOMPARE(mid->layers[i].descriptor.digest, mid->layers[i].diffId);
    }
    QVERIFY(layerEntries(*mid, int(mid->layers.size()) - 1).contains(QStringLiteral("more")));

    // Built for itself, `mid` is the target and `src` the stage it is built FROM: both compressed.
    request.noCache = true;
    request.tags = {QStringLiteral("mid:fresh")};
    QVERIFY(builder.build(request));
    auto fresh = m_store->image(QStringLiteral("mid:fresh"));
    QVERIFY(fresh);
    for (int i = int(fresh->layers.size()) - 2; i < fresh->layers.size(); ++i)
        QCOMPARE(fresh->layers[i].descriptor.mediaType, QString(mediatype::OciLayerGzip));
    QVERIFY(layerEntries(*fresh, int(fresh->layers.size()) - 1).contains(QStringLiteral("more")));
}

// Files of the build context that are hardlinks of each other stay linked in COPY's layer
// (BuildKit's context transfer keeps them); breaking the link is a change of the source.
void TestBuilder::contextHardlinks()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("links"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture\nCOPY data/ /x/\n"));
    QVERIFY(writeText(context + QStringLiteral("/data/a.txt"), "same\n"));
    QVERIFY(::link(QFile::encodeName(context + QStringLiteral("/data/a.txt")).constData(),
                   QFile::encodeName(context + QStringLiteral("/data/b.txt")).constData()) == 0);
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("links:1")};
    QVERIFY(builder.build(request));
    auto linked = m_store->image(QStringLiteral("links:1"));
    QVERIFY(linked);
    auto entries = layerEntries(*linked, int(linked->layers.size()) - 1);
    QCOMPARE(entries.value(QStringLiteral("x/a.txt")).type, EntryType::File);
    QCOMPARE(entries.value(QStringLiteral("x/b.txt")).type, EntryType::Hardlink);
    QCOMPARE(entries.value(QStringLiteral("x/b.txt")).linkTarget, QStringLiteral("x/a.txt"));

    // The same bytes as two files: not taken from the cache, and two files in the layer.
    QVERIFY(QFile::remove(context + QStringLiteral("/data/b.txt")));
    QVERIFY(writeText(context + QStringLiteral("/data/b.txt"), "same\n"));
    QCOMPARE(QFileInfo(context + QStringLiteral("/data/b.txt")).permissions(),
             QFileInfo(context + QStringLiteral("/data/a.txt")).permissions());
    request.tags = {QStringLiteral("links:2")};
    auto separate = builder.build(request);
    QVERIFY(separate);
    QCOMPARE(separate->cachedSteps, 0);
    auto copied = m_store->image(QStringLiteral("links:2"));
    QVERIFY(copied);
    entries = layerEntries(*copied, int(copied->layers.size()) - 1);
    QCOMPARE(entries.value(QStringLiteral("x/b.txt")).type, EntryType::File);
}

void TestBuilder::copyFromStage()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(
        writeText(context + QStringLiteral("/Dockerfile"),
                  "FROM busybox:fixture AS src\n"
                  "RUN mkdir -p /data/sub /deep/x/y && echo a > /data/a.txt && echo b > /data/sub/b.txt && "
                  "echo c > /data/c.log && ln /data/a.txt /data/hard.txt && echo d > /deep/x/y/d.txt\n"
                  "FROM busybox:fixture\n"
                  "COPY --from=src /data/*.txt /globbed/\n"
                  "COPY --from=src /d*/s?b/*.txt /nested/\n"
                  "COPY --parents --from=src /deep/./x/y/d.txt /pivot/\n"
                  "COPY --parents --from=src /data/sub /kept/\n"
                  "COPY --parents files/sub/one.txt /ctx/\n"
                  "COPY --parents ./files/./sub/*.txt /ctxpivot/\n"
                  "HEALTHCHECK --interval=30s --timeout=1m30s --start-period=500ms --start-interval=2s "
                  "--retries=3 CMD [\"/bin/true\", \"x\"]\n"));
    QVERIFY(writeText(context + QStringLiteral("/files/sub/one.txt"), "one\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("from:1")};
    auto result = builder.build(request);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    auto image = m_store->image(QStringLiteral("from:1"));
    QVERIFY(image);
    const int first = int(image->layers.size()) - 6;
    const auto globbed = layerEntries(*image, first);
    QVERIFY(!globbed.contains(QStringLiteral("globbed/c.log")));
    QVERIFY(!globbed.contains(QStringLiteral("globbed/sub")));
    // The hardlink made in the stage stays one.
    QCOMPARE(globbed.value(QStringLiteral("globbed/a.txt")).type, EntryType::File);
    QCOMPARE(globbed.value(QStringLiteral("globbed/hard.txt")).type, EntryType::Hardlink);
    QCOMPARE(globbed.value(QStringLiteral("globbed/hard.txt")).linkTarget, QStringLiteral("globbed/a.txt"));
    QVERIFY(layerEntries(*image, first + 1).contains(QStringLiteral("nested/b.txt")));
    QVERIFY(layerEntries(*image, first + 2).contains(QStringLiteral("pivot/x/y/d.txt")));
    QVERIFY(layerEntries(*image, first + 3).contains(QStringLiteral("kept/data/sub/b.txt")));
    QVERIFY(layerEntries(*image, first + 4).contains(QStringLiteral("ctx/files/sub/one.txt")));
    const auto pivot = layerEntries(*image, first + 5);
    QVERIFY(pivot.contains(QStringLiteral("ctxpivot/sub/one.txt")));
    QVERIFY(!pivot.contains(QStringLiteral("ctxpivot/files")));

    const QJsonObject check = image->config.config.healthcheck;
    QCOMPARE(check.value(QStringLiteral("Test")).toArray(),
             (QJsonArray{QStringLiteral("CMD"), QStringLiteral("/bin/true"), QStringLiteral("x")}));
    QCOMPARE(check.value(QStringLiteral("Interval")).toDouble(), 30e9);
    QCOMPARE(check.value(QStringLiteral("Timeout")).toDouble(), 90e9);
    QCOMPARE(check.value(QStringLiteral("StartPeriod")).toDouble(), 500e6);
    QCOMPARE(check.value(QStringLiteral("StartInterval")).toDouble(), 2e9);
    QCOMPARE(check.value(QStringLiteral("Retries")).toInt(), 3);
    QCOMPARE(image->config.history.last().createdBy,
             QStringLiteral("HEALTHCHECK &{[\"CMD\" \"/bin/true\" \"x\"] \"30s\" \"1m30s\" \"500ms\" \"2s\" "
                            "'\\x03'}"));
    QVERIFY(image->config.history.last().emptyLayer);

    // Bad options are refused with BuildKit's reason, at the flag's line and column; NONE
    // clears the check.
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture\nHEALTHCHECK --interval=soon CMD true\n"));
    auto bad = builder.build(request);
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.startsWith(QStringLiteral("Dockerfile:2:13: ")) &&
                 bad.error().message.contains(QStringLiteral("invalid duration \"soon\"")),
             qPrintable(bad.error().message));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM from:1\nHEALTHCHECK NONE\n"));
    request.tags = {QStringLiteral("from:2")};
    auto none = builder.build(request);
    QVERIFY2(none, qPrintable(none ? QString() : none.error().message));
    QCOMPARE(
        m_store->image(QStringLiteral("from:2"))->config.config.healthcheck.value(QStringLiteral("Test")),
        QJsonValue(QJsonArray{QStringLiteral("NONE")}));
}

void TestBuilder::copyLink()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/a.txt"), "linked\n"));
    const auto dockerfile = [&](const QByteArray &value) {
        return writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture\n"
                                                                  "RUN mkdir -m 0700 /secret && echo " +
                                                                      value +
                                                                      " > /value\n"
                                                                      "COPY a.txt /secret/b.txt\n"
                                                                      "COPY --link a.txt /secret/a.txt\n");
    };
    QVERIFY(dockerfile("1"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("link:1")};
    auto first = builder.build(request);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    auto image = m_store->image(QStringLiteral("link:1"));
    QVERIFY(image);
    const int n = int(image->layers.size());
    // The linked layer does not copy /secret's metadata up from below; the plain COPY does.
    QCOMPARE(layerEntries(*image, n - 2).value(QStringLiteral("secret")).mode, 0700u);
    QCOMPARE(layerEntries(*image, n - 1).value(QStringLiteral("secret")).mode, 0755u);
    const Descriptor linkedLayer = image->layers[n - 1].descriptor;
    const Digest runLayer = image->layers[n - 3].descriptor.digest;

    // A change below reruns the RUN and the plain COPY, but reuses the linked layer.
    QVERIFY(dockerfile("2"));
    QStringList cached, ran;
    auto second = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepCached)
            cached.append(e.text);
        if (e.kind == BuildEventKind::StepDone && e.step > 0)
            ran.append(e.text);
    });
    QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
    QCOMPARE(cached, QStringList{QStringLiteral("COPY --link a.txt /secret/a.txt")});
    QCOMPARE(ran.size(), 2);
    image = m_store->image(QStringLiteral("link:1"));
    QCOMPARE(image->layers[n - 1].descriptor.digest, linkedLayer.digest);
    QVERIFY(image->layers[n - 3].descriptor.digest != runLayer);
}

void TestBuilder::parallelStages()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    // Each stage leaves its marker in a shared cache mount and waits for the other's:
    // run one after the other, the first gives up after 30 s and fails the build.
    const auto rendezvous = [](const char *mine, const char *other) -> QByteArray {
        return QByteArray("RUN --mount=type=cache,id=rendezvous,target=/r touch /r/") + mine +
               " && i=0 && while [ ! -e /r/" + other +
               " ]; do sleep 0.1; i=$((i+1)); if [ $i -gt 300 ]; then echo gave up; exit 1; fi; done && "
               "echo met > /" +
               mine + "\n";
    };
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture AS left\n" + rendezvous("left", "right") +
                          "FROM busybox:fixture AS right\n" + rendezvous("right", "left") +
                          "FROM busybox:fixture\n"
                          "COPY --from=left /left /left\n"
                          "COPY --from=right /right /right\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("parallel:1")};
    auto result = builder.build(request);
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    auto image = m_store->image(QStringLiteral("parallel:1"));
    QVERIFY(image);
    const QString rootfs = m_dir->filePath(QStringLiteral("rootfs"));
    QVERIFY(unpackImage(*image, rootfs));
    QCOMPARE(readBytes(rootfs + QStringLiteral("/left")), QByteArray("met\n"));
    QCOMPARE(readBytes(rootfs + QStringLiteral("/right")), QByteArray("met\n"));
}

void TestBuilder::failingStageCancelsSiblings()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QByteArray sleep = "sleep " + QByteArray::number(uniqueSeconds());
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture AS slow\n"
                      "RUN " +
                          sleep +
                          "\n"
                          "FROM busybox:fixture AS broken\n"
                          "RUN echo first line && echo the last words && exit 7\n"
                          "FROM busybox:fixture\n"
                          "COPY --from=slow /etc/motd /a\n"
                          "COPY --from=broken /etc/motd /b\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    QHash<QString, QStringList> stageEvents;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StageDone || e.kind == BuildEventKind::StageFailed ||
            e.kind == BuildEventKind::StageStarted)
            stageEvents[e.stageName].append(buildEventKindName(e.kind) + (e.errorKind == ErrorKind::Cancelled
                                                                              ? QStringLiteral(" cancelled")
                                                                              : QString()));
    });
    QVERIFY(!result);
    // The stage that failed decides the build's error, not the sibling it stopped.
    QVERIFY(!result.error().isCancelled());
    const QString message = result.error().message;
    QVERIFY2(message.startsWith(QStringLiteral("Dockerfile:4:")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("stage \"broken\"")), qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("exit code: 7")));
    QVERIFY(message.contains(QStringLiteral("the last words")));
    // The sibling was stopped, not left to finish its two minutes.
    QCOMPARE(stageEvents.value(QStringLiteral("slow")),
             (QStringList{QStringLiteral("StageStarted"), QStringLiteral("StageFailed cancelled")}));
    QCOMPARE(stageEvents.value(QStringLiteral("broken")),
             (QStringList{QStringLiteral("StageStarted"), QStringLiteral("StageFailed")}));
    QVERIFY(!stageEvents.contains(QStringLiteral("2")));
    QProcess pgrep;
    pgrep.start(QStringLiteral("pgrep"),
                {QStringLiteral("-f"), QLatin1Char('^') + QString::fromLatin1(sleep) + QLatin1Char('$')});
    pgrep.waitForFinished();
    QVERIFY2(pgrep.readAllStandardOutput().trimmed().isEmpty(), "the sibling's sleep is still running");
    QVERIFY2(leftovers(*m_store).isEmpty(), qPrintable(leftovers(*m_store).join(QLatin1Char(' '))));
}

void TestBuilder::unneededStagesSkipped()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM busybox:fixture AS unused\n"
                                                               "RUN exit 9\n"
                                                               "FROM busybox:fixture AS wanted\n"
                                                               "RUN echo ok > /ok\n"
                                                               "FROM wanted AS after\n"
                                                               "RUN exit 8\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.target = QStringLiteral("wanted");
    request.tags = {QStringLiteral("wanted:1")};
    QStringList started;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StageStarted)
            started.append(e.stageName);
    });
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    QCOMPARE(started, QStringList{QStringLiteral("wanted")});
}

void TestBuilder::pullMissingBase()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM mirror/busybox:1 AS one\n"
                      "RUN echo one > /one\n"
                      "FROM mirror/busybox:1\n"
                      "COPY --from=one /one /one\n"
                      "COPY --from=mirror/other:2 /etc/passwd /passwd\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("pulled:1")};
    QStringList pulled;
    std::mutex mutex;
    request.pullMissingImage = [&](const QString &reference, const CancellationToken &) -> Expected<void> {
        {
            std::lock_guard lock(mutex);
            pulled.append(reference);
        }
        auto imported = m_store->import(dataDir() + QStringLiteral("/base.docker.tar"), reference);
        if (!imported)
            return std::unexpected(imported.error());
        return {};
    };
    QStringList logs;
    auto result = builder.build(request, [&](const BuildEvent &e) {
        if (e.kind == BuildEventKind::StepLog)
            logs.append(QStringLiteral("%1 %2: %3").arg(e.stageName).arg(e.step).arg(e.text));
    });
    QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
    pulled.sort();
    QCOMPARE(pulled, (QStringList{QStringLiteral("mirror/busybox:1"), QStringLiteral("mirror/other:2")}));
    // Shown as output of the step that needed the image.
    QVERIFY2(logs.contains(QStringLiteral("one 0: pulling mirror/busybox:1")) ||
                 logs.contains(QStringLiteral("1 0: pulling mirror/busybox:1")),
             qPrintable(logs.join(QLatin1Char('\n'))));
    QVERIFY2(logs.contains(QStringLiteral("1 2: pulling mirror/other:2")),
             qPrintable(logs.join(QLatin1Char('\n'))));

    // A pull that fails says so, with the puller's reason.
    request.pullMissingImage = [](const QString &, const CancellationToken &) -> Expected<void> {
        return fail(QStringLiteral("registry unreachable"));
    };
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"), "FROM mirror/absent:3\n"));
    auto failed = builder.build(request);
    QVERIFY(!failed);
    QVERIFY2(failed.error().message.contains(QStringLiteral("registry unreachable")),
             qPrintable(failed.error().message));
    QVERIFY(failed.error().message.contains(QStringLiteral("mirror/absent:3")));
}

void TestBuilder::pruneAfterGc()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(writeText(context + QStringLiteral("/Dockerfile"),
                      "FROM busybox:fixture AS first\nRUN echo one > /one\n"
                      "FROM first\nRUN echo two > /two\n"));
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("pruned:1")};
    auto built = builder.build(request);
    QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
    const QDir layers(m_store->cacheDir(QStringLiteral("layers")));
    const auto base = m_store->image(QStringLiteral("busybox:fixture"));
    QVERIFY(base);
    // As root the extracted tree's name also carries the id shift ("<diff id>-<uid>-<gid>").
    const QString baseHex = base->layers.first().diffId.hex();
    QString baseDir;
    for (const QString &name : layers.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (name == baseHex || name.startsWith(baseHex + QLatin1Char('-')))
            baseDir = name;
    QVERIFY(layers.exists(baseDir));
    const int before = int(layers.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
    QVERIFY(before >= 2); // the base and the first RUN's layer, extracted for the second RUN

    // While the image is tagged, nothing it uses goes.
    auto kept = builder.pruneCaches();
    QVERIFY2(kept, qPrintable(kept ? QString() : kept.error().message));
    QCOMPARE(kept->layerDirectoriesRemoved, 0);
    QCOMPARE(kept->cacheEntriesRemoved, 0);

    QVERIFY(m_store->removeReference(QStringLiteral("pruned:1")));
    auto collected = m_store->collectGarbage();
    QVERIFY2(collected, qPrintable(collected ? QString() : collected.error().message));
    QVERIFY(collected->blobsRemoved > 0);
    auto pruned = builder.pruneCaches();
    QVERIFY2(pruned, qPrintable(pruned ? QString() : pruned.error().message));
    QCOMPARE(pruned->layerDirectoriesRemoved, before - 1);
    QVERIFY(pruned->cacheEntriesRemoved >= 2);
    QCOMPARE(layers.entryList(QDir::Dirs | QDir::NoDotAndDotDot), QStringList{baseDir});

    // The next build runs its steps again instead of trusting entries without blobs.
    auto again = builder.build(request);
    QVERIFY2(again, qPrintable(again ? QString() : again.error().message));
    QCOMPARE(again->cachedSteps, 0);
    auto verified = m_store->verify();
    QVERIFY(verified && verified->ok());
}

QTEST_GUILESS_MAIN(TestBuilder)
void TestBuilder::runLayerNotExtractedAgain()
{
    QString reason;
    if (!canRun(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(QStringLiteral("context"));
    QVERIFY(
        writeText(context + QStringLiteral("/Dockerfile"),
                  "FROM busybox:fixture\n"
                  "RUN mkdir /a && echo x > /a/f && rm /bin/true\n"
                  "RUN rm -rf /usr && mkdir /usr && echo y > /usr/z\n"
                  "COPY f /a/\n"
                  "RUN cat /a/f && test ! -e /bin/true && test \"$(ls /usr)\" = z && cat /usr/z > /a/g\n"));
    QVERIFY(writeText(context + QStringLiteral("/f"), "from the context\n"));
    const auto base = m_store->image(QStringLiteral("busybox:fixture"));
    QVERIFY(base);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {QStringLiteral("snapshots:1")};

    // The RUN layers' uppers became their directories: only the base and the COPY
    // layer were extracted.
    Builder builder(*m_store);
    auto built = builder.build(request);
    QVERIFY2(built, qPrintable(built ? QString() : built.error().message));
    const auto image = m_store->image(QStringLiteral("snapshots:1"));
    QVERIFY(image);
    QCOMPARE(image->layers.size(), base->layers.size() + 4);
    QList<Digest> expected;
    for (const ImageLayer &layer : base->layers)
        expected.append(layer.diffId);
    const qsizetype copyIndex = base->layers.size() + 2;
    expected.append(image->layers[copyIndex].diffId);
    QCOMPARE(builder.extractedLayers(), expected);
    QVERIFY(leftovers(*m_store).isEmpty());

    // Each adopted directory is what extracting its blob gives (the whiteout of
    // /bin/true, the opaque /usr), owners, modes and times included.
    for (const qsizetype index : {base->layers.size(), base->layers.size() + 1}) {
        const ImageLayer &layer = image->layers[index];
        auto adopted = builder.layerDirectory(layer.descriptor, layer.diffId);
        QVERIFY(adopted);
        const QStringList form = treeForm(*adopted);
        QVERIFY(!form.isEmpty());
        QVERIFY(QDir().rename(*adopted, *adopted + QStringLiteral(".adopted")));
        auto extracted = builder.layerDirectory(layer.descriptor, layer.diffId);
        QVERIFY(extracted);
        QCOMPARE(*extracted, *adopted);
        QCOMPARE(form, treeForm(*extracted));
        RootDirectory::removeTree(*adopted + QStringLiteral(".adopted"));
    }

    // The same build without the shortcut extracts every layer a step stands on, and
    // the last RUN, which saw the adopted directories as its lower layers, made the same
    // change (times aside: the two builds ran at different times).
    QTemporaryDir other;
    QVERIFY(other.isValid());
    auto otherStore = ImageStore::open(other.filePath(QStringLiteral("store")));
    QVERIFY(otherStore);
    QVERIFY(otherStore->import(dataDir() + QStringLiteral("/base.docker.tar"),
                               QStringLiteral("busybox:fixture")));
    qputenv("STAGECRAFT_NO_SNAPSHOT_REUSE", "1");
    Builder plain(*otherStore);
    auto plainBuilt = plain.build(request);
    qunsetenv("STAGECRAFT_NO_SNAPSHOT_REUSE");
    QVERIFY2(plainBuilt, qPrintable(plainBuilt ? QString() : plainBuilt.error().message));
    const auto plainImage = otherStore->image(QStringLiteral("snapshots:1"));
    QVERIFY(plainImage);
    QCOMPARE(plain.extractedLayers().size(), base->layers.size() + 3);
    const auto entryForm = [](const Image &im, int index) {
        QStringList out;
        for (const LayerEntry &e : layerEntries(im, index))
            out.append(QStringLiteral("%1 %2 %3 %4:%5 %6 %7")
                           .arg(e.path)
                           .arg(int(e.type))
                           .arg(e.mode, 0, 8)
                           .arg(e.uid)
                           .arg(e.gid)
                           .arg(e.size)
                           .arg(e.linkTarget));
        out.sort();
        return out;
    };
    const int last = int(image->layers.size()) - 1;
    QVERIFY(!entryForm(*image, last).isEmpty());
    QCOMPARE(entryForm(*image, last), entryForm(*plainImage, last));
    for (int i = int(base->layers.size()); i < last; ++i)
        QCOMPARE(entryForm(*image, i), entryForm(*plainImage, i));
}

#include "tst_builder.moc"
