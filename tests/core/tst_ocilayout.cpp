#include "core/oci/dockerarchive.h"
#include "core/oci/layerreader.h"
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

bool copyTree(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    for (const QFileInfo &fi :
         QDir(from).entryInfoList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) {
        const QString target = to + QLatin1Char('/') + fi.fileName();
        if (fi.isDir()) {
            if (!copyTree(fi.filePath(), target))
                return false;
        } else if (!QFile::copy(fi.filePath(), target)) {
            return false;
        } else {
            QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        }
    }
    return true;
}

struct Run
{
    int exitCode = -1;
    QString output;
};

Run run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAll())};
}

} // namespace

class TestOciLayout : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsSkopeoLayout();
    void corruptBlobRefused_data();
    void corruptBlobRefused();
    void writeAndValidateWithTools();
    void notALayout();
};

void TestOciLayout::readsSkopeoLayout()
{
    auto layout = OciLayout::open(imagesDir() + QStringLiteral("/build.oci"));
    QVERIFY2(layout, qPrintable(layout ? QString() : layout.error().message));
    QCOMPARE(layout->refNames(), QStringList{QStringLiteral("stagecraft-fixture-build")});
    auto image = layout->image(QStringLiteral("stagecraft-fixture-build"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QCOMPARE(image->layers.size(), 8);
    for (int i = 0; i < image->layers.size(); ++i) {
        auto device = image->openLayer(i);
        QVERIFY(device);
        auto contents = LayerReader::readAll(device->get());
        QVERIFY2(contents, qPrintable(contents ? QString() : contents.error().message));
        QCOMPARE(contents->compression, Compression::Gzip);
        QCOMPARE(contents->diffId, image->layers[i].diffId);
    }
    QVERIFY(!layout->image(QStringLiteral("nope")));
}

void TestOciLayout::corruptBlobRefused_data()
{
    QTest::addColumn<bool>("layer");
    QTest::addRow("layer") << true;
    QTest::addRow("config") << false;
}

void TestOciLayout::corruptBlobRefused()
{
    QFETCH(bool, layer);
    QTemporaryDir dir;
    QVERIFY(copyTree(imagesDir() + QStringLiteral("/final.oci"), dir.path()));
    auto layout = OciLayout::open(dir.path());
    QVERIFY(layout);
    auto image = layout->image();
    QVERIFY(image);
    const Digest victim = layer ? image->layers.last().descriptor.digest : image->manifest.config.digest;
    QFile f(layout->blobs()->blobPath(victim));
    QVERIFY(f.open(QIODevice::ReadWrite));
    QByteArray bytes = f.readAll();
    bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x01);
    f.seek(0);
    f.write(bytes);
    f.close();
    if (layer) {
        auto reread = layout->image();
        QVERIFY(reread);
        auto device = reread->openLayer(reread->layers.size() - 1);
        QVERIFY(device);
        auto contents = LayerReader::readAll(device->get());
        QVERIFY(!contents);
        QVERIFY2(contents.error().message.contains(victim.toString()), qPrintable(contents.error().message));
    } else {
        auto reread = layout->image();
        QVERIFY(!reread);
        QVERIFY2(reread.error().message.contains(victim.toString()), qPrintable(reread.error().message));
    }
}

void TestOciLayout::writeAndValidateWithTools()
{
    auto archive = DockerArchive::open(imagesDir() + QStringLiteral("/build.docker.tar"));
    QVERIFY(archive);
    QTemporaryDir dir;
    const QString layoutDir = dir.filePath(QStringLiteral("layout"));
    auto layout = OciLayout::create(layoutDir);
    QVERIFY2(layout, qPrintable(layout ? QString() : layout.error().message));
    auto added = layout->addImage(archive->images().first(), QStringLiteral("latest"));
    QVERIFY2(added, qPrintable(added ? QString() : added.error().message));

    auto reopened = OciLayout::open(layoutDir);
    QVERIFY(reopened);
    auto image = reopened->image(QStringLiteral("latest"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QCOMPARE(image->layers.size(), 8);

    const QString skopeo = QStandardPaths::findExecutable(QStringLiteral("skopeo"));
    if (skopeo.isEmpty())
        QSKIP("skopeo is not installed");
    const Run inspect = run(
        skopeo, {QStringLiteral("inspect"), QStringLiteral("oci:") + layoutDir + QStringLiteral(":latest")});
    QVERIFY2(inspect.exitCode == 0, qPrintable(inspect.output));
    const QJsonObject info = QJsonDocument::fromJson(inspect.output.toUtf8()).object();
    QCOMPARE(info.value(QLatin1String("Layers")).toArray().size(), 8);

    const QString umoci = QStandardPaths::findExecutable(QStringLiteral("umoci"));
    if (umoci.isEmpty())
        QSKIP("umoci is not installed");
    const QString bundle = dir.filePath(QStringLiteral("bundle"));
    const Run unpack = run(umoci, {QStringLiteral("unpack"), QStringLiteral("--rootless"),
                                   QStringLiteral("--image"), layoutDir + QStringLiteral(":latest"), bundle});
    QVERIFY2(unpack.exitCode == 0, qPrintable(unpack.output));
    QFile app(bundle + QStringLiteral("/rootfs/out/app"));
    QVERIFY(app.open(QIODevice::ReadOnly));
    QCOMPARE(app.readAll(), QByteArray("v2\n"));
    QVERIFY(!QFile::exists(bundle + QStringLiteral("/rootfs/out/blob.bin")));
    QVERIFY(!QFile::exists(bundle + QStringLiteral("/rootfs/cache/a")));
    QVERIFY(QFile::exists(bundle + QStringLiteral("/rootfs/cache/c")));
}

void TestOciLayout::notALayout()
{
    QTemporaryDir dir;
    auto layout = OciLayout::open(dir.path());
    QVERIFY(!layout);
    QVERIFY(layout.error().message.contains(QStringLiteral("oci-layout")));
}

QTEST_GUILESS_MAIN(TestOciLayout)
#include "tst_ocilayout.moc"
