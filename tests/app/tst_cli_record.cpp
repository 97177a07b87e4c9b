// `stagecraft build --record FILE` for a build that fails and one that succeeds, then
// `stagecraft record show` on those records, on records that are not records, and on
// rawjson logs given without their Dockerfile or with garbage in them.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft::test;
using namespace Qt::StringLiterals;

class TestCliRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void failedBuildRecorded();
    void successfulBuildRecorded();
    void notARecord();
    void rawjsonErrors();
    void dockerbuildArchive();

private:
    QString writeContext(const QString &name, const QByteArray &dockerfile);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_store;
};

void TestCliRecord::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = m_dir->filePath(u"store"_s);
    const QString base =
        QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + u"/tests/data/images/base.docker.tar"_s;
    const CliResult imported = runStagecraft(m_store, {u"import"_s, u"-t"_s, u"busybox:fixture"_s, base});
    QVERIFY2(imported.status == 0, imported.err.constData());
}

QString TestCliRecord::writeContext(const QString &name, const QByteArray &dockerfile)
{
    const QString context = m_dir->filePath(name);
    QDir().mkpath(context);
    QFile f(context + u"/Dockerfile"_s);
    if (!f.open(QIODevice::WriteOnly) || f.write(dockerfile) != dockerfile.size())
        return {};
    return context;
}

void TestCliRecord::failedBuildRecorded()
{
    const QString context = writeContext(u"failing"_s, "FROM busybox:fixture AS base\n"
                                                       "RUN echo hello > /h\n"
                                                       "FROM base\n"
                                                       "ENV X=1\n"
                                                       "RUN echo about to fail && exit 3\n");
    const QString record = m_dir->filePath(u"failed.json"_s);
    const CliResult built =
        runStagecraft(m_store, {u"build"_s, u"--network"_s, u"none"_s, u"--record"_s, record, context});
    QCOMPARE(built.status, 1);
    QVERIFY2(QFile::exists(record), built.err.constData());

    const CliResult shown = runStagecraftArgs({u"record"_s, u"show"_s, record});
    QVERIFY2(shown.status == 0, shown.err.constData());
    const QByteArray &out = shown.out;
    QVERIFY2(out.contains("Outcome: failed"), out.constData());
    QVERIFY2(out.contains("stage 0 base: done, 2/2 steps, 0 cached"), out.constData());
    QVERIFY2(out.contains("[2/2] line 2  done       RUN echo hello > /h"), out.constData());
    QVERIFY2(out.contains("layer "), out.constData());
    QVERIFY2(out.contains("[3/3] line 5  failed     RUN echo about to fail && exit 3"), out.constData());
    QVERIFY2(out.contains("Failed at line 5: RUN echo about to fail && exit 3"), out.constData());
    QVERIFY2(out.contains("exit code: 3"), out.constData());
    QVERIFY2(out.contains("| about to fail"), out.constData());
    QVERIFY(!out.contains("Result: "));

    // The same build again: the first stage comes from the cache, and the record says so.
    const CliResult again =
        runStagecraft(m_store, {u"build"_s, u"--network"_s, u"none"_s, u"--record"_s, record, context});
    QCOMPARE(again.status, 1);
    const CliResult cached = runStagecraftArgs({u"record"_s, u"show"_s, record});
    QVERIFY2(cached.out.contains("stage 0 base: cached, 2/2 steps, 1 cached"), cached.out.constData());
    QVERIFY2(cached.out.contains("line 2  cached"), cached.out.constData());
}

void TestCliRecord::successfulBuildRecorded()
{
    const QString context = writeContext(u"ok"_s, "FROM busybox:fixture\n"
                                                  "ARG WHO\n"
                                                  "RUN echo \"hello $WHO\" > /greeting\n");
    const QString record = m_dir->filePath(u"ok.json"_s);
    const CliResult built =
        runStagecraft(m_store, {u"build"_s, u"--network"_s, u"none"_s, u"-t"_s, u"ok:1"_s, u"--build-arg"_s,
                                u"WHO=class"_s, u"--record"_s, record, context});
    QVERIFY2(built.status == 0, built.err.constData());
    const CliResult images = runStagecraft(m_store, {u"images"_s, u"--no-trunc"_s});
    const CliResult shown = runStagecraftArgs({u"record"_s, u"show"_s, record});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("Outcome: done"), shown.out.constData());
    QVERIFY2(shown.out.contains("Build args: WHO=class"), shown.out.constData());
    QVERIFY2(shown.out.contains("(ok:1)"), shown.out.constData());
    const qsizetype at = shown.out.indexOf("Result: sha256:");
    QVERIFY(at >= 0);
    const QByteArray digest = shown.out.mid(at + 8, 71);
    QVERIFY2(images.out.contains(digest.mid(7, 12)) || images.out.contains(digest), images.out.constData());
    QVERIFY2(shown.out.contains("[3/3] line 3  done       RUN echo \"hello $WHO\" > /greeting"),
             shown.out.constData());
    QVERIFY(!shown.out.contains("Failed"));
}

void TestCliRecord::notARecord()
{
    const QString garbage = m_dir->filePath(u"garbage.json"_s);
    QFile f(garbage);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"format\":\"stagecraft-build-record\",\"version\":1,\"solveStatus\":");
    f.close();
    CliResult shown = runStagecraftArgs({u"record"_s, u"show"_s, garbage});
    QCOMPARE(shown.status, 1);
    QVERIFY2(shown.err.contains("build record: not JSON"), shown.err.constData());
    shown = runStagecraftArgs({u"record"_s, u"show"_s, m_dir->filePath(u"missing.json"_s)});
    QCOMPARE(shown.status, 1);
    QVERIFY2(shown.err.contains("no such file"), shown.err.constData());
    shown = runStagecraftArgs({u"record"_s, u"show"_s});
    QCOMPARE(shown.status, 2);
    shown = runStagecraftArgs({u"record"_s, u"bogus"_s});
    QCOMPARE(shown.status, 2);
}

void TestCliRecord::rawjsonErrors()
{
    const QString context = writeContext(u"raw"_s, "FROM busybox:fixture\nRUN true\n");
    const QString log = m_dir->filePath(u"build.log"_s);
    QFile f(log);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"vertexes\":[{\"digest\":\"sha256:a\",\"name\":\"[1/2] FROM x\"}]}\n{\"logs\":[\n");
    f.close();
    CliResult shown = runStagecraftArgs({u"record"_s, u"show"_s, u"--rawjson"_s, log});
    QCOMPARE(shown.status, 2);
    QVERIFY2(shown.err.contains("--file DOCKERFILE"), shown.err.constData());
    shown = runStagecraftArgs(
        {u"record"_s, u"show"_s, u"--rawjson"_s, log, u"--file"_s, context + u"/Dockerfile"_s});
    QCOMPARE(shown.status, 1);
    QVERIFY2(shown.err.contains("line 2: not JSON"), shown.err.constData());
    // Real buildx output that names no step of the Dockerfile: read, and said so.
    const QString bake = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                         u"/tests/data/records/bake-definition.rawjson"_s;
    shown = runStagecraftArgs(
        {u"record"_s, u"show"_s, u"--rawjson"_s, bake, u"--file"_s, context + u"/Dockerfile"_s});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("(engine buildkit"), shown.out.constData());
    QVERIFY2(shown.out.contains("Outcome: failed"), shown.out.constData());
    QVERIFY2(shown.out.contains("the log names no step of this Dockerfile"), shown.out.constData());
    const QString imported = m_dir->filePath(u"bake.json"_s);
    shown = runStagecraftArgs({u"record"_s, u"import"_s, u"--rawjson"_s, bake, u"--file"_s,
                               context + u"/Dockerfile"_s, u"-o"_s, imported});
    QVERIFY2(shown.status == 0, shown.err.constData());
    shown = runStagecraftArgs({u"record"_s, u"show"_s, imported});
    QVERIFY2(shown.out.contains("recorded "), shown.out.constData());
    QVERIFY2(shown.out.contains("Outcome: failed"), shown.out.constData());

    shown = runStagecraftArgs({u"record"_s, u"import"_s, u"--rawjson"_s, log, u"--file"_s,
                               context + u"/Dockerfile"_s, u"-o"_s, m_dir->filePath(u"out.json"_s)});
    QCOMPARE(shown.status, 1);
    QVERIFY(!QFile::exists(m_dir->filePath(u"out.json"_s)));
}

void TestCliRecord::dockerbuildArchive()
{
    // tests/data/records/make-dockerbuild.py: two builds, the first with BuildKit's provenance
    // (the Dockerfile and its lines), the second failing without one.
    const QString archive = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                            u"/tests/data/records/github-builder-test.dockerbuild"_s;
    CliResult shown = runStagecraftArgs({u"record"_s, u"show"_s, archive});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("Build 1 of 2: 3lb9gejzb3ondafiy8szq6pza (completed)"),
             shown.out.constData());
    QVERIFY2(shown.out.contains("Steps: 8 of 8 completed, 2 cached"), shown.out.constData());
    QVERIFY2(shown.out.contains("[3/4] line 16  done"), shown.out.constData());
    QVERIFY2(shown.out.contains(
                 "Cannot replay: build q2m8c0kd3r1w6x0a9b7n5s4te: the archive carries no Dockerfile"),
             shown.out.constData());

    // The Dockerfile given for the build that has none: its failing line and output.
    const QString dockerfile = m_dir->filePath(u"Dockerfile"_s);
    QFile f(dockerfile);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        "# syntax=docker/dockerfile:1\n\nARG GO_VERSION=\"1.25\"\n\n# xx is a helper for cross-compilation\n"
        "FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.7.0 AS xx\n\n"
        "FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS base\nCOPY --from=xx / /\n"
        "RUN apk add --no-cache file git\nENV CGO_ENABLED=0\nWORKDIR /src\n\nFROM base AS build\n"
        "ARG TARGETPLATFORM\nRUN --mount=type=bind,target=. \\\n    --mount=target=/root/.cache,type=cache "
        "\\\n"
        "  xx-go build -trimpath -o /out/myapp . \\\n  && xx-verify --static /out/myapp\n"
        "ARG BUILDKIT_SBOM_SCAN_STAGE=true\n\nFROM scratch\nCOPY --from=build /out /\n");
    f.close();
    shown = runStagecraftArgs({u"record"_s, u"show"_s, archive, u"--file"_s, dockerfile});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("Failed at line 16: RUN --mount=type=bind,target=."), shown.out.constData());
    QVERIFY2(shown.out.contains("| ./main.go:6:6: undefined: fmt.Printn"), shown.out.constData());

    // A rawjson log whose vertex names say nothing, placed by the provenance's lines.
    const QString log = m_dir->filePath(u"unnamed.rawjson"_s);
    QFile l(log);
    QVERIFY(l.open(QIODevice::WriteOnly));
    l.write(
        "{\"vertexes\":[{\"digest\":\"sha256:"
        "6ebefcdf46d57291371b70b4c09dbd29559df2b73ef100296cffb93ea6b083bb\","
        "\"name\":\"go build\",\"started\":\"2025-10-22T14:53:46Z\",\"completed\":\"2025-10-22T14:53:50Z\","
        "\"error\":\"exit code: 1\"}]}\n");
    l.close();
    const QString provenance = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
                               u"/tests/data/records/provenance-github-builder-test.json"_s;
    shown = runStagecraftArgs({u"record"_s, u"show"_s, u"--rawjson"_s, log, u"--file"_s, dockerfile,
                               u"--provenance"_s, provenance});
    QVERIFY2(shown.status == 0, shown.err.constData());
    QVERIFY2(shown.out.contains("Failed at line 16"), shown.out.constData());

    const QString garbage = m_dir->filePath(u"garbage.dockerbuild"_s);
    QFile g(garbage);
    QVERIFY(g.open(QIODevice::WriteOnly));
    g.write(QByteArray("\x1f\x8b") + QByteArray(5000, 'z'));
    g.close();
    shown = runStagecraftArgs({u"record"_s, u"show"_s, garbage});
    QCOMPARE(shown.status, 1);
    QVERIFY2(shown.err.contains("not a .dockerbuild archive"), shown.err.constData());
}

QTEST_GUILESS_MAIN(TestCliRecord)
#include "tst_cli_record.moc"
