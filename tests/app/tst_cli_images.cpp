#include "core/oci/dockerarchive.h"
#include "core/oci/ocilayout.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

namespace {

QString imagesDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

struct Result
{
    int status = -1;
    QString out;
    QString err;
};

Result runTool(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
            QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

} // namespace

class TestCliImages : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void importListsTagsExports();
    void usageErrors_data();
    void usageErrors();
    void verifyAndGc();
    void storeFromEnvironment();

private:
    Result run(const QStringList &args);
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

void TestCliImages::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = m_dir->filePath(QStringLiteral("store"));
}

Result TestCliImages::run(const QStringList &args)
{
    QStringList all = args;
    all << QStringLiteral("--store") << m_store;
    return runTool(QStringLiteral(STAGECRAFT_BIN), all);
}

void TestCliImages::importListsTagsExports()
{
    Result r = run({QStringLiteral("import"), imagesDir() + QStringLiteral("/build.docker.tar")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("Loaded image: stagecraft-fixture:build\n"));
    r = run({QStringLiteral("import"), imagesDir() + QStringLiteral("/final.oci"), QStringLiteral("-t"),
             QStringLiteral("final:1")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("Loaded image: final:1\n"));

    r = run({QStringLiteral("images")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith(QStringLiteral("REPOSITORY")));
    QVERIFY(lines[0].contains(QStringLiteral("TAG")) && lines[0].contains(QStringLiteral("DIGEST")) &&
            lines[0].endsWith(QStringLiteral("SIZE")));
    QVERIFY2(lines[1].startsWith(QStringLiteral("final ")) && lines[1].endsWith(QStringLiteral(" 1.98MB")),
             qPrintable(lines[1]));
    // 3,096,536 bytes as Docker counts them; the base layer's symlinks make 105 of them.
    QVERIFY2(lines[2].startsWith(QStringLiteral("stagecraft-fixture ")) &&
                 lines[2].contains(QStringLiteral(" build ")) && lines[2].endsWith(QStringLiteral(" 3.1MB")),
             qPrintable(lines[2]));
    QVERIFY(lines[2].contains(QStringLiteral("sha256:")));

    r = run({QStringLiteral("tag"), QStringLiteral("stagecraft-fixture:build"), QStringLiteral("mine")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = run({QStringLiteral("images"), QStringLiteral("-q")});
    QCOMPARE(r.out, QStringLiteral("final:1\nmine:latest\nstagecraft-fixture:build\n"));

    const QString layout = m_dir->filePath(QStringLiteral("layout"));
    r = run({QStringLiteral("export"), QStringLiteral("mine"), QStringLiteral("-o"), layout});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QString tar = m_dir->filePath(QStringLiteral("mine.tar"));
    r = run({QStringLiteral("export"), QStringLiteral("mine"), QStringLiteral("-o"), tar,
             QStringLiteral("--format"), QStringLiteral("docker")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    auto archive = DockerArchive::open(tar);
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    QCOMPARE(archive->images().first().names, QStringList{QStringLiteral("mine:latest")});

    const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
    if (skopeo.isEmpty())
        QSKIP("skopeo is not installed");
    r = runTool(skopeo, {QStringLiteral("inspect"),
                         QStringLiteral("oci:") + layout + QStringLiteral(":mine:latest")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QLatin1String("Layers")).toArray().size(),
             8);
    r = runTool(skopeo,
                {QStringLiteral("copy"), QStringLiteral("docker-archive:") + tar,
                 QStringLiteral("oci:") + m_dir->filePath(QStringLiteral("copied")) + QStringLiteral(":x")});
    QVERIFY2(r.status == 0, qPrintable(r.err));

    const QString umoci = QStandardPaths::findExecutable(QStringLiteral("umoci"));
    if (umoci.isEmpty())
        QSKIP("umoci is not installed");
    const QString bundle = m_dir->filePath(QStringLiteral("bundle"));
    r = runTool(umoci, {QStringLiteral("unpack"), QStringLiteral("--rootless"), QStringLiteral("--image"),
                        layout + QStringLiteral(":mine:latest"), bundle});
    QVERIFY2(r.status == 0, qPrintable(r.err + r.out));
    QVERIFY(QFile::exists(bundle + QStringLiteral("/rootfs/cache/c")));
    QVERIFY(!QFile::exists(bundle + QStringLiteral("/rootfs/out/blob.bin")));

    r = run({QStringLiteral("rmi"), QStringLiteral("mine")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.out.startsWith(QStringLiteral("Untagged: mine:latest\n")));
    r = run({QStringLiteral("rmi"), QStringLiteral("mine")});
    QCOMPARE(r.status, 1);
    QVERIFY(r.err.contains(QStringLiteral("mine:latest")));
}

void TestCliImages::usageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addRow("import-nothing") << QStringList{QStringLiteral("import")};
    QTest::addRow("import-bad-option")
        << QStringList{QStringLiteral("import"), QStringLiteral("--bogus"), QStringLiteral("x")};
    QTest::addRow("tag-one-arg") << QStringList{QStringLiteral("tag"), QStringLiteral("a")};
    QTest::addRow("tag-bad-name") << QStringList{QStringLiteral("tag"), QStringLiteral("a"),
                                                 QStringLiteral("Bad Name")};
    QTest::addRow("export-no-output") << QStringList{QStringLiteral("export"), QStringLiteral("a")};
    QTest::addRow("export-bad-format")
        << QStringList{QStringLiteral("export"), QStringLiteral("a"),        QStringLiteral("-o"),
                       QStringLiteral("x"),      QStringLiteral("--format"), QStringLiteral("zip")};
    QTest::addRow("store-no-action") << QStringList{QStringLiteral("store")};
    QTest::addRow("store-bad-action") << QStringList{QStringLiteral("store"), QStringLiteral("shrink")};
    QTest::addRow("rmi-nothing") << QStringList{QStringLiteral("rmi")};
}

void TestCliImages::usageErrors()
{
    QFETCH(QStringList, args);
    const Result r = run(args);
    QCOMPARE(r.status, 2);
    QVERIFY(!r.err.isEmpty());
}

void TestCliImages::verifyAndGc()
{
    Result r = run({QStringLiteral("import"), imagesDir() + QStringLiteral("/final.docker.tar")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = run({QStringLiteral("store"), QStringLiteral("verify")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral(": ok")));

    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/final.docker.tar"));
    QVERIFY(archive);
    const Digest layer = archive->images().first().layers.first().descriptor.digest;
    QFile f(m_store + QStringLiteral("/blobs/sha256/") + layer.hex());
    QVERIFY(f.open(QIODevice::ReadWrite));
    f.seek(1000);
    const char flipped = char(f.peek(1).at(0) ^ 0x01);
    f.write(&flipped, 1);
    f.close();
    r = run({QStringLiteral("store"), QStringLiteral("verify")});
    QCOMPARE(r.status, 1);
    QVERIFY2(r.err.contains(QStringLiteral("corrupt blob: ") + layer.toString()), qPrintable(r.err));

    r = run({QStringLiteral("store"), QStringLiteral("gc")});
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("deleted 0 blobs")));
    QVERIFY2(r.out.contains(QStringLiteral("removed 0 build cache entries and 0 extracted layers")),
             qPrintable(r.out));
    r = run({QStringLiteral("import"), QStringLiteral("/nonexistent/image.tar")});
    QCOMPARE(r.status, 1);
    QVERIFY(r.err.contains(QStringLiteral("/nonexistent/image.tar")));
}

void TestCliImages::storeFromEnvironment()
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("STAGECRAFT_STORE"), m_store);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STAGECRAFT_BIN),
            {QStringLiteral("import"), imagesDir() + QStringLiteral("/base.docker.tar")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QVERIFY(QFile::exists(m_store + QStringLiteral("/refs.json")));
    p.start(QStringLiteral(STAGECRAFT_BIN), {QStringLiteral("images"), QStringLiteral("-q")});
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), QStringLiteral("busybox:fixture\n"));
}

QTEST_GUILESS_MAIN(TestCliImages)
#include "tst_cli_images.moc"
