// Builds the seeds' Go examples for real, as a user does with the command line, on the
// debian:bookworm base scripts/make-base-image makes: the single-stage image keeps the
// whole Go toolchain (hundreds of MB), its multi-stage twin only the static binary, and
// both print the same greeting. Slow (apt-get install golang-go from the mirror), so it
// runs only when STAGECRAFT_SEED_STORE names a store holding the base.
#include "core/exec/sandbox.h"
#include "core/oci/layerreader.h"
#include "core/store/imagestore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;

namespace {

const char kBase[] = "debian:bookworm";

QString seedsDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/seeds");
}

struct ProcessResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

ProcessResult runStagecraft(const QStringList &args, int timeoutMs = 1500000)
{
    QProcess p;
    p.start(QStringLiteral(STAGECRAFT_BIN), args);
    ProcessResult result;
    if (!p.waitForStarted()) {
        result.err = p.errorString().toUtf8();
        return result;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        result.err = "timed out";
    }
    result.out = p.readAllStandardOutput();
    result.err += p.readAllStandardError();
    result.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return result;
}

// The last lines of a build log, enough to see why it failed.
QByteArray tail(const QByteArray &text, int lines = 30)
{
    QList<QByteArray> all = text.split('\n');
    return all.mid(qMax(0, all.size() - lines)).join('\n');
}

// The paths of the non-directory entries of one layer.
QStringList layerFiles(const Image &image, int index, QString *error)
{
    auto blob = image.openLayer(index);
    if (!blob) {
        *error = blob.error().message;
        return {};
    }
    auto contents = LayerReader::readAll(blob->get());
    if (!contents) {
        *error = contents.error().message;
        return {};
    }
    QStringList files;
    for (const LayerEntry &e : std::as_const(contents->entries))
        if (e.type != EntryType::Directory)
            files.append(e.path);
    return files;
}

} // namespace

class TestSeedBuild : public QObject
{
    Q_OBJECT

public:
    TestSeedBuild()
    {
        // A cold build downloads and installs the Go toolchain: longer than QtTest's five
        // minutes per test function on a slow mirror or a busy machine.
        if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
            qputenv("QTEST_FUNCTION_TIMEOUT", "1800000");
    }

private Q_SLOTS:
    void initTestCase();
    void goSingleAndMultiStage();
    void goMadeMultiStageByTheFix();
    void goHeredoc();

private:
    QString build(const QString &context, const QString &dockerfile, const QString &tag);
    QString m_store;
};

void TestSeedBuild::initTestCase()
{
    m_store = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SEED_STORE"));
    if (m_store.isEmpty())
        QSKIP("STAGECRAFT_SEED_STORE is not set: make a base with `scripts/make-base-image --store DIR` "
              "and run this with STAGECRAFT_SEED_STORE=DIR (scripts/test --slow does both)");
    auto store = ImageStore::open(m_store);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    if (!store->resolve(QLatin1String(kBase)))
        QSKIP(qPrintable(QStringLiteral("the store %1 has no %2; run scripts/make-base-image --store %1")
                             .arg(m_store, QLatin1String(kBase))));
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(QStringLiteral("the sandbox cannot run here: ") + reason));
}

// Builds with `stagecraft build`; returns an error message, empty on success.
QString TestSeedBuild::build(const QString &context, const QString &dockerfile, const QString &tag)
{
    QElapsedTimer timer;
    timer.start();
    const ProcessResult r =
        runStagecraft({QStringLiteral("build"), QStringLiteral("--store"), m_store, QStringLiteral("-f"),
                       context + u'/' + dockerfile, QStringLiteral("-t"), tag, context});
    if (r.exitCode != 0)
        return QStringLiteral("stagecraft build of %1 failed (exit %2):\n%3")
            .arg(dockerfile)
            .arg(r.exitCode)
            .arg(QString::fromUtf8(tail(r.err + r.out)));
    qInfo("%s: built %s in %.1f s", qPrintable(tag), qPrintable(dockerfile),
          double(timer.elapsed()) / 1000.0);
    return {};
}

void TestSeedBuild::goSingleAndMultiStage()
{
    const QString context = seedsDir() + QStringLiteral("/go-app");
    QString error = build(context, QStringLiteral("Dockerfile"), QStringLiteral("seed-go:single"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = build(context, QStringLiteral("Dockerfile.multi"), QStringLiteral("seed-go:multi"));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    auto store = ImageStore::open(m_store);
    QVERIFY(store);
    auto single = store->image(QStringLiteral("seed-go:single"));
    QVERIFY2(single, qPrintable(single ? QString() : single.error().message));
    auto multi = store->image(QStringLiteral("seed-go:multi"));
    QVERIFY2(multi, qPrintable(multi ? QString() : multi.error().message));
    auto singleSize = store->contentSize(*single);
    QVERIFY(singleSize);
    auto multiSize = store->contentSize(*multi);
    QVERIFY(multiSize);
    qInfo("single-stage image: %.1f MB in %lld layers; multi-stage image: %.2f MB in %lld layer(s)",
          double(*singleSize) / 1e6, qlonglong(single->layers.size()), double(*multiSize) / 1e6,
          qlonglong(multi->layers.size()));

    // The single-stage image keeps Debian and the Go toolchain: hundreds of MB.
    QVERIFY2(*singleSize > 300'000'000, qPrintable(QString::number(*singleSize)));
    QVERIFY2(*singleSize < 5'000'000'000, qPrintable(QString::number(*singleSize)));
    QCOMPARE(single->layers.size(), 4); // base, apt-get install, COPY, go build
    QVERIFY(layerFiles(*single, 3, &error).contains(QStringLiteral("app")));
    QVERIFY2(error.isEmpty(), qPrintable(error));

    // The multi-stage twin is the static binary alone: one layer, a few MB.
    QCOMPARE(multi->layers.size(), 1);
    QCOMPARE(layerFiles(*multi, 0, &error), QStringList{QStringLiteral("app")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(*multiSize > 500'000 && *multiSize < 10'000'000, qPrintable(QString::number(*multiSize)));
    QCOMPARE(multi->config.config.entrypoint, QStringList{QStringLiteral("/app")});

    // Both print the same greeting; the scratch image can only do so if the binary is static.
    const ProcessResult runSingle = runStagecraft(
        {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("seed-go:single")},
        120000);
    QVERIFY2(runSingle.exitCode == 0, runSingle.err.constData());
    const ProcessResult runMulti = runStagecraft(
        {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("seed-go:multi")}, 120000);
    QVERIFY2(runMulti.exitCode == 0, runMulti.err.constData());
    QCOMPARE(runSingle.out, QByteArray("DevOps is the U+1F410\n"));
    QCOMPARE(runMulti.out, runSingle.out);
}

// "Make it multi-stage" on the single-stage seed: the file `check --fix --write` leaves builds,
// prints what the single-stage image prints, and is a small fraction of its size.
void TestSeedBuild::goMadeMultiStageByTheFix()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (const QString &name : {QStringLiteral("Dockerfile"), QStringLiteral("main.go")})
        QVERIFY(QFile::copy(seedsDir() + QStringLiteral("/go-app/") + name, dir.filePath(name)));
    const QString file = dir.filePath(QStringLiteral("Dockerfile"));
    QVERIFY(QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner));
    const ProcessResult fix = runStagecraft({QStringLiteral("check"), QStringLiteral("-f"), file,
                                             QStringLiteral("--fix"), QStringLiteral("--write")});
    QVERIFY2(fix.exitCode == 0, fix.err.constData());
    QFile converted(file);
    QVERIFY(converted.open(QIODevice::ReadOnly));
    const QByteArray text = converted.readAll();
    QVERIFY2(text.contains("FROM scratch") && text.contains("COPY --from="), text.constData());

    QString error = build(dir.path(), QStringLiteral("Dockerfile"), QStringLiteral("seed-go:fixed"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    error = build(seedsDir() + QStringLiteral("/go-app"), QStringLiteral("Dockerfile"),
                  QStringLiteral("seed-go:single"));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto store = ImageStore::open(m_store);
    QVERIFY(store);
    auto single = store->image(QStringLiteral("seed-go:single"));
    QVERIFY(single);
    auto fixed = store->image(QStringLiteral("seed-go:fixed"));
    QVERIFY2(fixed, qPrintable(fixed ? QString() : fixed.error().message));
    auto singleSize = store->contentSize(*single);
    auto fixedSize = store->contentSize(*fixed);
    QVERIFY(singleSize && fixedSize);
    qInfo("single-stage image: %.1f MB; made multi-stage by the fix: %.2f MB", double(*singleSize) / 1e6,
          double(*fixedSize) / 1e6);
    QVERIFY2(*fixedSize * 20 < *singleSize, qPrintable(QString::number(*fixedSize)));
    QCOMPARE(fixed->config.config.user, QStringLiteral("65534:65534"));

    const ProcessResult runSingle = runStagecraft(
        {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("seed-go:single")},
        120000);
    QVERIFY2(runSingle.exitCode == 0, runSingle.err.constData());
    const ProcessResult runFixed = runStagecraft(
        {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("seed-go:fixed")}, 120000);
    QVERIFY2(runFixed.exitCode == 0, runFixed.err.constData());
    QCOMPARE(runFixed.out, runSingle.out);
}

void TestSeedBuild::goHeredoc()
{
    // The toolchain step is the one above, word for word, so it comes from the cache.
    const QString context = seedsDir() + QStringLiteral("/go-heredoc");
    const QString error = build(context, QStringLiteral("Dockerfile"), QStringLiteral("seed-go:heredoc"));
    // An expanded COPY heredoc keeps the quotes of `import "fmt"`, as BuildKit does.
    QVERIFY2(error.isEmpty(), qPrintable(error));
    auto store = ImageStore::open(m_store);
    QVERIFY(store);
    auto image = store->image(QStringLiteral("seed-go:heredoc"));
    QVERIFY2(image, qPrintable(image ? QString() : image.error().message));
    QCOMPARE(image->layers.size(), 1);
    QCOMPARE(image->config.config.cmd, QStringList{QStringLiteral("/bin/hello")});
    const ProcessResult run = runStagecraft(
        {QStringLiteral("run"), QStringLiteral("--store"), m_store, QStringLiteral("seed-go:heredoc")},
        120000);
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray("hello, world\n"));
}

QTEST_GUILESS_MAIN(TestSeedBuild)
#include "tst_seedbuild.moc"
