// Bytes per package on a real image: the seeds' single-stage Go image (tst_seedbuild tags it
// seed-go:single) in STAGECRAFT_SEED_STORE. Debian's usrmerge layout sends most of the .list
// paths through /bin -> usr/bin style symlinks, which the synthetic tests only sample. Slow:
// it reads the image's layers without the caches (the seed store is only read).
#include "core/analysis/imagesource.h"
#include "core/analysis/packagesizes.h"
#include "core/store/imagestore.h"

#include <QTest>

using namespace stagecraft;

class TestPackageSizesSeed : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goImage();
};

void TestPackageSizesSeed::goImage()
{
    const QString root = qEnvironmentVariable("STAGECRAFT_SEED_STORE");
    if (root.isEmpty())
        QSKIP("STAGECRAFT_SEED_STORE is not set (scripts/test --slow sets it)");
    auto store = ImageStore::open(root);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    if (!store->resolve(QStringLiteral("seed-go:single")))
        QSKIP("the seed store has no seed-go:single yet (tst_seedbuild builds it)");
    auto opened = ImageSource::analyse(QStringLiteral("seed-go:single"), &*store, {}, false);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
    auto report = PackageSizes::ofImage(opened->image, *opened->analysis);
    QVERIFY(report);
    QVERIFY2(report->problems.isEmpty(), qPrintable(report->problems.join(u'\n')));
    QCOMPARE(report->malformed, 0);
    QVERIFY(report->packages.size() > 100);

    // The toolchain is the largest package, installed by the apt-get layer above the base.
    const PackageSize &go = report->packages.first();
    QVERIFY2(go.name.startsWith(u"golang-1."), qPrintable(go.name));
    QVERIFY(go.name.endsWith(u"-go"));
    QVERIFY2(go.bytes > 200'000'000, qPrintable(QString::number(go.bytes)));
    QCOMPARE(go.layer, 1);
    QCOMPARE(go.manager, PackageManager::Dpkg);
    // coreutils comes with the base and lists /bin/… paths that live in /usr/bin.
    const auto coreutils = std::find_if(report->packages.cbegin(), report->packages.cend(),
                                        [](const PackageSize &p) { return p.name == u"coreutils"; });
    QVERIFY(coreutils != report->packages.cend());
    QCOMPARE(coreutils->layer, 0);
    QVERIFY2(coreutils->bytes > 5'000'000, qPrintable(QString::number(coreutils->bytes)));
    QVERIFY(coreutils->missingFiles < coreutils->files / 10);
    // Packages own most of the image; the rest (apt lists, the app, /root/.cache) is named so.
    QVERIFY(report->packageBytes > report->imageBytes / 2);
    QVERIFY(report->packageBytes <= report->imageBytes);
}

QTEST_GUILESS_MAIN(TestPackageSizesSeed)
#include "tst_packagesizes_seed.moc"
