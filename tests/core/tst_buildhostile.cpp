// Builds that try to reach the host: symlinks in stages, in the context and in image
// layers that point at a "host" directory beside the store. Every case checks that the
// host directory is unchanged and that nothing of it reached an image.
#include "core/builder/builder.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerreader.h"
#include "layerfixtures.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "buildfixture.h"
#include "treesnapshot.h"

#include <unistd.h>

using namespace stagecraft;

namespace {

using fixtures::writeText;

QString fingerprint(const QString &dir)
{
    return fixtures::treeSnapshot(dir).join(QLatin1Char('\n'));
}

QString sha256(const QByteArray &bytes)
{
    return QStringLiteral("sha256:") +
           QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// A one-layer OCI layout whose layer is `tar`, written by hand as a hostile source would.
QString writeLayout(const QString &dir, const QByteArray &tar)
{
    const auto put = [&](const QByteArray &bytes) {
        const QString digest = sha256(bytes);
        writeText(dir + QStringLiteral("/blobs/sha256/") + digest.mid(7), bytes);
        return digest;
    };
    const QString layer = put(tar);
    const QByteArray config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                              "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" +
                              layer.toLatin1() + "\"]}}";
    const QString configDigest = put(config);
    const QByteArray manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
        configDigest.toLatin1() + "\",\"size\":" + QByteArray::number(config.size()) +
        "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" +
        layer.toLatin1() + "\",\"size\":" + QByteArray::number(tar.size()) + "}]}";
    const QString manifestDigest = put(manifest);
    writeText(dir + QStringLiteral("/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    writeText(
        dir + QStringLiteral("/index.json"),
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"digest\":\"" +
            manifestDigest.toLatin1() + "\",\"size\":" + QByteArray::number(manifest.size()) + "}]}");
    return dir;
}

} // namespace

class TestBuildHostile : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
    QString m_host;
    QString m_hostBefore;
    QString m_context;

    Expected<BuildResult> build(const QByteArray &dockerfile,
                                const QString &tag = QStringLiteral("hostile:out"))
    {
        writeText(m_context + QStringLiteral("/Dockerfile"), dockerfile);
        Builder builder(*m_store);
        BuildRequest request;
        request.contextDir = m_context;
        request.tags = {tag};
        return builder.build(request);
    }

    // Every file of every layer of `tag`, with its content.
    QByteArray imageContents(const QString &tag)
    {
        QByteArray out;
        auto image = m_store->image(tag);
        if (!image)
            return out;
        for (int i = 0; i < image->layers.size(); ++i) {
            auto blob = image->openLayer(i);
            if (!blob)
                continue;
            LayerReader reader(blob->get());
            while (auto e = reader.next()) {
                if (!*e)
                    break;
                out += (*e)->path.toUtf8() + '\n';
                char buffer[4096];
                qint64 n;
                while ((n = reader.read(buffer, sizeof buffer)) > 0)
                    out.append(buffer, n);
                out += '\n';
            }
        }
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // World-searchable, so that a RUN as another user could reach it if it leaked.
        QFile::setPermissions(m_dir->path(), QFileDevice::Permissions(0x7755));
        m_host = m_dir->filePath(QStringLiteral("host"));
        QVERIFY(writeText(m_host + QStringLiteral("/important"), "host secret 7f3a\n"));
        QVERIFY(writeText(m_host + QStringLiteral("/etc/shadow"), "host shadow 7f3a\n"));
        m_hostBefore = fingerprint(m_host);
        m_context = m_dir->filePath(QStringLiteral("context"));
        QDir().mkpath(m_context);
        auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        m_store = *store;
        auto imported = m_store->import(fixtures::imagesDataDir() + QStringLiteral("/base.docker.tar"),
                                        QStringLiteral("busybox:fixture"));
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }
    void cleanup() { QCOMPARE(fingerprint(m_host), m_hostBefore); }

    // `ln -s / /b && ln -s b/<host>/etc /a`, then COPY --from=s /a/shadow: resolved in
    // the stage, where there is no such file.
    void copyFromTwoHopSymlink()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        const QByteArray df = "FROM busybox:fixture AS s\n"
                              "RUN ln -s / /b && ln -s b" +
                              QFile::encodeName(m_host) +
                              "/etc /a\n"
                              "FROM busybox:fixture\n"
                              "COPY --from=s /a/shadow /leak\n";
        auto result = build(df);
        QVERIFY(!result);
        QVERIFY2(result.error().message.contains(QStringLiteral("not found")),
                 qPrintable(result.error().message));
        QVERIFY(!imageContents(QStringLiteral("hostile:out")).contains("7f3a"));
    }

    // A bind mount whose source is a symlink to "/" made in another stage shows that
    // stage's root, read-only or writable, never the host's.
    void bindFromStageSymlink_data()
    {
        QTest::addColumn<QString>("flags");
        QTest::addRow("read-only") << QString();
        QTest::addRow("rw") << QStringLiteral(",rw");
    }
    void bindFromStageSymlink()
    {
        QFETCH(QString, flags);
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        const QByteArray host = QFile::encodeName(m_host);
        const QByteArray df = "FROM busybox:fixture AS s\n"
                              "RUN ln -s / /abs && echo stage > /marker\n"
                              "FROM busybox:fixture\n"
                              "RUN --mount=type=bind,from=s,source=abs,target=/h" +
                              flags.toUtf8() + " cat /h/marker > /seen && (cat /h" + host +
                              "/important >> /seen 2>/dev/null; "
                              "rm -f /h" +
                              host + "/important; echo x > /h" + host + "/pwned; true)\n";
        auto result = build(df);
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        const QByteArray contents = imageContents(QStringLiteral("hostile:out"));
        QVERIFY2(contents.contains("seen\nstage\n"), contents.right(200).constData());
        QVERIFY(!contents.contains("7f3a"));
        QVERIFY(!QFile::exists(m_host + QStringLiteral("/pwned")));
    }

    // A symlink in the build context leads inside the context, for bind mounts and COPY.
    void contextSymlink()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        QVERIFY(::symlink(QFile::encodeName(m_host).constData(),
                          QFile::encodeName(m_context + QStringLiteral("/link")).constData()) == 0);
        auto bound = build("FROM busybox:fixture\n"
                           "RUN --mount=type=bind,source=link,target=/h cat /h/important > /seen\n");
        QVERIFY(!bound);
        QVERIFY2(bound.error().message.contains(QStringLiteral("not found")),
                 qPrintable(bound.error().message));
        auto copied = build("FROM busybox:fixture\nCOPY link/important /leak\n");
        QVERIFY(!copied);
        QVERIFY(!imageContents(QStringLiteral("hostile:out")).contains("7f3a"));
    }

    // ADD of an archive from the context: a sparse bomb is refused on its header (it
    // would be written out as zeros), and members climbing out of the destination too.
    void addHostileArchive_data()
    {
        QTest::addColumn<QByteArray>("archive");
        QTest::addColumn<QString>("error");
        QTest::addRow("sparse-bomb") << fixtures::makeSparseTar(fixtures::Sparse::Pax10, "big",
                                                                qint64(1) << 30, {{0, QByteArray("x")}})
                                     << QStringLiteral("bomb");
        QTest::addRow("dotdot") << fixtures::makeTar(
                                       {fixtures::TarEntry(QStringLiteral("../../../escape"), 'f', "x")})
                                << QStringLiteral("outside");
        QTest::addRow("hardlink-out")
            << fixtures::makeTar(
                   {fixtures::TarEntry(QStringLiteral("h"), 'h', {}, QStringLiteral("../../etc/passwd"))})
            << QStringLiteral("outside");
    }
    void addHostileArchive()
    {
        QFETCH(QByteArray, archive);
        QFETCH(QString, error);
        QVERIFY(writeText(m_context + QStringLiteral("/a.tar"), archive));
        auto result = build("FROM busybox:fixture\nADD a.tar /x/\n");
        QVERIFY(!result);
        QVERIFY2(result.error().message.contains(error), qPrintable(result.error().message));
        qint64 scratchBytes = 0;
        QDirIterator it(m_dir->filePath(QStringLiteral("store")), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            scratchBytes += it.fileInfo().size();
        }
        QVERIFY2(scratchBytes < (qint64(64) << 20), qPrintable(QString::number(scratchBytes)));
    }

    // A layer holding `evil -> <host>` and then `evil/.wh.important` (or an opaque
    // marker below it): applying it must not delete on the host.
    void whiteoutThroughSymlink_data()
    {
        QTest::addColumn<QString>("marker");
        QTest::addRow("whiteout") << QStringLiteral("evil/.wh.important");
        QTest::addRow("opaque") << QStringLiteral("evil/.wh..wh..opq");
        QTest::addRow("nested-whiteout") << QStringLiteral("evil/etc/.wh.shadow");
    }
    void whiteoutThroughSymlink()
    {
        QFETCH(QString, marker);
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        const QByteArray tar = fixtures::makeTar(
            {fixtures::TarEntry(QStringLiteral("evil"), 'l', {}, m_host), fixtures::TarEntry(marker, 'f')});
        const QString layout = writeLayout(m_dir->filePath(QStringLiteral("layout")), tar);
        auto imported = m_store->import(layout, QStringLiteral("evil:1"));
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
        QVERIFY(writeText(m_context + QStringLiteral("/f"), "f\n"));
        auto result = build("FROM evil:1\nCOPY f /f\n");
        // Refused with the entry named, or built safely: either way the host is unchanged (cleanup()).
        if (!result)
            QVERIFY2(result.error().message.contains(QStringLiteral("evil")),
                     qPrintable(result.error().message));
    }
};

QTEST_GUILESS_MAIN(TestBuildHostile)
#include "tst_buildhostile.moc"
