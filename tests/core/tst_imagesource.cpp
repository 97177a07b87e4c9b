#include "core/analysis/analysiscache.h"
#include "core/analysis/imagesource.h"
#include "core/store/imagestore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

namespace {

QString imagesDir()
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR", QStringLiteral("..")) +
           QStringLiteral("/tests/data/images");
}

// Docker's count of the reference `build` image (tests/data/images/README.md).
constexpr qint64 BuildImageSize = 3096536;

QString summary(const ImageAnalysis &a)
{
    QStringList lines{QString::number(a.totalSize()), QString::number(a.wastedBytes()),
                      QString::number(a.efficiency(), 'g', 17)};
    for (const LayerReport &l : a.layers())
        lines.append(QStringLiteral("%1 %2 %3 %4 +%5 ~%6 -%7")
                         .arg(l.digest, l.createdBy)
                         .arg(l.size)
                         .arg(l.compressedSize)
                         .arg(l.changes.added.size())
                         .arg(l.changes.modified.size())
                         .arg(l.changes.removed.size()));
    for (const InefficientFile &f : a.inefficientFiles())
        lines.append(f.path + u' ' + QString::number(f.wastedBytes));
    lines.append(a.finalTree().dump());
    return lines.join(u'\n');
}

} // namespace

class TestImageSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void opensEveryKind();
    void explainsWhatIsMissing();
    void reopensFromTheAnalysisCache();
    void damagedCacheIsRebuilt();
    void cachePerWasteModel();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
};

void TestImageSource::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto store = ImageStore::open(m_dir->filePath(QStringLiteral("store")));
    QVERIFY2(store, store ? "" : qPrintable(store.error().message));
    m_store = std::move(*store);
}

void TestImageSource::opensEveryKind()
{
    auto names =
        m_store->import(imagesDir() + QStringLiteral("/build.docker.tar"), QStringLiteral("build:1"));
    QVERIFY2(names, names ? "" : qPrintable(names.error().message));

    struct Case
    {
        QString argument;
        QString source;
        QString label;
    };
    const QList<Case> cases{
        {imagesDir() + QStringLiteral("/build.docker.tar"), QStringLiteral("docker-archive"),
         QStringLiteral("build.docker.tar")},
        {imagesDir() + QStringLiteral("/build.oci"), QStringLiteral("OCI layout"),
         QStringLiteral("build.oci")},
        {QStringLiteral("build:1"), QStringLiteral("store"), QStringLiteral("build:1")},
    };
    for (const Case &c : cases) {
        auto opened = ImageSource::analyse(c.argument, &*m_store);
        QVERIFY2(opened, opened ? "" : qPrintable(opened.error().message));
        QCOMPARE(opened->source, c.source);
        QCOMPARE(opened->label, c.label);
        QCOMPARE(opened->argument, c.argument);
        QCOMPARE(opened->analysis->totalSize(), BuildImageSize);
        QCOMPARE(opened->analysis->layers().size(), opened->image.layers.size());
        QVERIFY(opened->analysis->finalTree().find(u"out/app") > 0);
    }
    // Without a store, files and directories still open (and nothing is cached).
    auto bare = ImageSource::analyse(imagesDir() + QStringLiteral("/build.oci"), nullptr);
    QVERIFY(bare);
    QCOMPARE(bare->analysis->totalSize(), BuildImageSize);
    QVERIFY(!bare->stats.analysisFromCache);
    // "DIR:name" picks an image of a layout by its name.
    QString source;
    auto named = ImageSource::open(imagesDir() + QStringLiteral("/build.oci:nope"), nullptr, &source);
    QVERIFY(!named);
    QCOMPARE(source, QStringLiteral("OCI layout"));
}

void TestImageSource::explainsWhatIsMissing()
{
    auto none = ImageSource::analyse(QStringLiteral("no-such-image:1"), nullptr);
    QVERIFY(!none);
    QVERIFY2(none.error().message.contains(QLatin1String("no-such-image:1")),
             qPrintable(none.error().message));
    QVERIFY(none.error().message.contains(QLatin1String("no image store")));

    auto notInStore = ImageSource::analyse(QStringLiteral("no-such-image:1"), &*m_store);
    QVERIFY(!notInStore);
    QVERIFY2(notInStore.error().message.contains(QLatin1String("no file or directory of that name")),
             qPrintable(notInStore.error().message));

    const QString text = m_dir->filePath(QStringLiteral("notes.txt"));
    QFile file(text);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("not an image\n");
    file.close();
    auto notArchive = ImageSource::analyse(text, &*m_store);
    QVERIFY(!notArchive);
    QVERIFY2(notArchive.error().message.contains(QLatin1String("neither a docker-archive")),
             qPrintable(notArchive.error().message));
}

void TestImageSource::reopensFromTheAnalysisCache()
{
    const QString layout = imagesDir() + QStringLiteral("/build.oci");
    const QString cacheDir = m_store->cacheDir(QStringLiteral("analysis"));

    // Without the cache nothing is read or written.
    auto uncached = ImageSource::analyse(layout, &*m_store, {}, false);
    QVERIFY(uncached);
    QVERIFY(!uncached->stats.analysisFromCache);
    QVERIFY(QDir(cacheDir).entryList(QDir::Files).isEmpty());

    auto first = ImageSource::analyse(layout, &*m_store);
    QVERIFY(first);
    QVERIFY(!first->stats.analysisFromCache);
    QVERIFY(first->stats.cacheProblems.isEmpty());
    const QStringList files = QDir(cacheDir).entryList(QDir::Files);
    QCOMPARE(files.size(), 1);
    QCOMPARE(AnalysisCache::configDigestOf(files[0]), first->image.manifest.config.digest);
    QCOMPARE(QDir(cacheDir).filePath(files[0]), AnalysisCache(cacheDir).pathFor(first->image, {}));

    auto second = ImageSource::analyse(layout, &*m_store);
    QVERIFY(second);
    QVERIFY(second->stats.analysisFromCache);
    QCOMPARE(second->stats.layersRead, 0);
    QCOMPARE(summary(*second->analysis), summary(*first->analysis));
    QCOMPARE(summary(*second->analysis), summary(*uncached->analysis));

    // The docker-archive of the same image has other layer blobs (uncompressed): its own
    // entry, with its own compressed sizes, not the layout's.
    auto archive = ImageSource::analyse(imagesDir() + QStringLiteral("/build.docker.tar"), &*m_store);
    QVERIFY(archive);
    QVERIFY(!archive->stats.analysisFromCache);
    QCOMPARE(QDir(cacheDir).entryList(QDir::Files).size(), 2);
    QVERIFY(archive->analysis->compressedSize() != first->analysis->compressedSize());
    auto archiveAgain = ImageSource::analyse(imagesDir() + QStringLiteral("/build.docker.tar"), &*m_store);
    QVERIFY(archiveAgain->stats.analysisFromCache);
    QCOMPARE(archiveAgain->analysis->compressedSize(), archive->analysis->compressedSize());
}

void TestImageSource::damagedCacheIsRebuilt()
{
    const QString layout = imagesDir() + QStringLiteral("/build.oci");
    auto first = ImageSource::analyse(layout, &*m_store);
    QVERIFY(first);
    const QString path =
        AnalysisCache(m_store->cacheDir(QStringLiteral("analysis"))).pathFor(first->image, {});
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray good = file.readAll();
    file.close();

    const QList<QByteArray> damaged{good.left(good.size() / 2), good.left(10), QByteArray("garbage"),
                                    [&] {
                                        QByteArray b = good;
                                        b[b.size() - 100] = char(b[b.size() - 100] ^ 0x55);
                                        return b;
                                    }(),
                                    [&] {
                                        QByteArray b = good;
                                        b[8] = char(99); // another format version
                                        return b;
                                    }()};
    for (const QByteArray &bytes : damaged) {
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(bytes);
        file.close();
        auto reopened = ImageSource::analyse(layout, &*m_store);
        QVERIFY(reopened);
        QVERIFY(!reopened->stats.analysisFromCache);
        QCOMPARE(reopened->stats.cacheProblems.size(), 1);
        QVERIFY2(reopened->stats.cacheProblems[0].contains(path),
                 qPrintable(reopened->stats.cacheProblems[0]));
        QCOMPARE(summary(*reopened->analysis), summary(*first->analysis));
        // ... and written again, whole.
        auto again = ImageSource::analyse(layout, &*m_store);
        QVERIFY(again->stats.analysisFromCache);
        QVERIFY(again->stats.cacheProblems.isEmpty());
    }
}

void TestImageSource::cachePerWasteModel()
{
    const QString layout = imagesDir() + QStringLiteral("/build.oci");
    AnalysisOptions dive;
    dive.wasteModel = WasteModel::Dive;
    auto perFile = ImageSource::analyse(layout, &*m_store);
    auto diveFirst = ImageSource::analyse(layout, &*m_store, dive);
    QVERIFY(perFile && diveFirst);
    QVERIFY(!diveFirst->stats.analysisFromCache);
    auto diveAgain = ImageSource::analyse(layout, &*m_store, dive);
    auto perFileAgain = ImageSource::analyse(layout, &*m_store);
    QVERIFY(diveAgain->stats.analysisFromCache && perFileAgain->stats.analysisFromCache);
    QCOMPARE(diveAgain->analysis->wasteModel(), WasteModel::Dive);
    QCOMPARE(perFileAgain->analysis->wasteModel(), WasteModel::PerFile);
    // The two models disagree on this image (the opaque /cache), and each keeps its figure.
    QVERIFY(diveAgain->analysis->wastedBytes() != perFileAgain->analysis->wastedBytes());
    QCOMPARE(diveAgain->analysis->wastedBytes(), diveFirst->analysis->wastedBytes());
    QCOMPARE(perFileAgain->analysis->wastedBytes(), perFile->analysis->wastedBytes());
}

QTEST_GUILESS_MAIN(TestImageSource)

#include "tst_imagesource.moc"
