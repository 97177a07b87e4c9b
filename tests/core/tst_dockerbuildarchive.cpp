// BuildKit's own records read without BuildKit: rawjson as buildx printed it (pretty-printed,
// the same vertex again as it completes), the SLSA provenance's source locations placing
// vertices on Dockerfile lines, the protobuf build log of its history, and `.dockerbuild`
// archives, well-formed and hostile.
#include "core/plan/buildplan.h"
#include "core/progress/buildkitprovenance.h"
#include "core/progress/buildkitstatuslog.h"
#include "core/progress/buildprogress.h"
#include "core/progress/buildrecord.h"
#include "core/progress/dockerbuildarchive.h"
#include "core/progress/solvestatusstream.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft;
using namespace Qt::StringLiterals;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// "stage/step state" of every step in the record's stages, in order: what the graph shows.
QString describe(const BuildProgress &progress)
{
    QStringList out;
    for (int index : progress.stageIndexes()) {
        const StageProgress *stage = progress.stage(index);
        for (const StepProgress &step : stage->steps)
            if (step.stage >= 0)
                out << u"%1/%2:L%3 %4"_s.arg(stage->name)
                           .arg(step.step)
                           .arg(step.range.start.line)
                           .arg(progressStateName(step.state).toLower());
    }
    return out.join(u", "_s);
}

const char kRun[] = "sha256:6ebefcdf46d57291371b70b4c09dbd29559df2b73ef100296cffb93ea6b083bb"; // step6
const char kApk[] = "sha256:dc0d490768523aa0ed6c1a7c68c5884e1a18e9b7a8c36a0a983edbe17a9bb89e"; // step3

} // namespace

class TestDockerBuildArchive : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void prettyPrintedRawJsonFromBuildx();
    void objectsOfALog_data();
    void objectsOfALog();
    void provenanceFromBuildKit();
    void provenanceLinesPlaceVertices();
    void statusLogDecodes();
    void statusLogHostile_data();
    void statusLogHostile();
    void archiveReplays();
    void archiveOpensAsRecord();
    void archiveHostile();
};

void TestDockerBuildArchive::prettyPrintedRawJsonFromBuildx()
{
    // docker/buildx#2247 (PEER-TESTS.md): `docker buildx build --progress=rawjson` as pasted,
    // indented, one vertex announced and then sent again with its times.
    const QByteArray log = readAll(QFINDTESTDATA("data/records/buildx-build-load-definition.rawjson"));
    QVERIFY(!log.isEmpty());
    const QList<QByteArrayView> objects = SolveStatusStream::objects(log);
    QCOMPARE(objects.size(), 2);
    const BuildPlan plan = BuildPlan::fromText(u"FROM busybox\nRUN true\n"_s);
    SolveStatusStream stream(plan);
    for (QByteArrayView object : objects) {
        const Expected<QList<BuildEvent>> events = stream.feed(object);
        QVERIFY2(events, qPrintable(events ? QString() : events.error().message));
        QVERIFY(events->isEmpty()); // an [internal] vertex is no step
    }
    QCOMPARE(stream.vertexCount(), 1); // the same digest twice is one vertex
    QCOMPARE(stream.unmappedVertices(), 1);
    QCOMPARE(stream.origin(), QDateTime::fromString(u"2024-02-05T18:37:58.113Z"_s, Qt::ISODateWithMs));
}

void TestDockerBuildArchive::objectsOfALog_data()
{
    QTest::addColumn<QByteArray>("log");
    QTest::addColumn<int>("count");
    QTest::addColumn<QByteArray>("last");
    QTest::newRow("lines") << QByteArray("{\"a\":1}\n{\"b\":2}\n") << 2 << QByteArray("{\"b\":2}");
    QTest::newRow("text between") << QByteArray("{\"a\":1}\nWARNING: x {\n{\"b\":2}") << 2
                                  << QByteArray("{\"b\":2}");
    QTest::newRow("braces in strings")
        << QByteArray("{\"a\":\"}{\\\"}\"}{\"b\":[{}]}") << 2 << QByteArray("{\"b\":[{}]}");
    QTest::newRow("unclosed") << QByteArray("{\"a\":1}\n{\"b\":") << 2 << QByteArray("{\"b\":");
    QTest::newRow("none") << QByteArray("no json here\n\n") << 0 << QByteArray();
}

void TestDockerBuildArchive::objectsOfALog()
{
    QFETCH(QByteArray, log);
    QFETCH(int, count);
    QFETCH(QByteArray, last);
    const QList<QByteArrayView> objects = SolveStatusStream::objects(log);
    QCOMPARE(objects.size(), count);
    if (count > 0)
        QCOMPARE(objects.last().toByteArray(), last);
}

void TestDockerBuildArchive::provenanceFromBuildKit()
{
    // BuildKit's SLSA v1 provenance of a CI build (PEER-TESTS.md), read as the fixture says.
    const Expected<BuildKitProvenance> p = BuildKitProvenance::fromJson(
        readAll(QFINDTESTDATA("data/records/provenance-github-builder-test.json")));
    QVERIFY2(p, qPrintable(p ? QString() : p.error().message));
    QCOMPARE(p->dockerfileName, u"Dockerfile"_s);
    QVERIFY(p->dockerfile.startsWith(u"# syntax=docker/dockerfile:1\n"_s));
    QCOMPARE(p->dockerfile.count(u'\n'), 23);
    QCOMPARE(p->invocationId, u"3lb9gejzb3ondafiy8szq6pza"_s);
    // Nine digests are mapped; step5 (the git context) and step8 (the result) have no line.
    QCOMPARE(p->firstLineByDigest.size(), 7);
    QCOMPARE(p->firstLineByDigest.value(QString::fromLatin1(kRun)), 16);
    QCOMPARE(p->lastLineByDigest.value(QString::fromLatin1(kRun)), 19);
    QCOMPARE(p->firstLineByDigest.value(QString::fromLatin1(kApk)), 10);
    QCOMPARE(p->firstLineByDigest.value(
                 u"sha256:d4b5a8c2437dc07cb5a1884896309711c899ee3557268d10b66818dd93f13784"_s),
             6);

    // The same predicate as `--metadata-file` keeps it (beside the image digest and ref).
    QJsonObject metadata;
    metadata.insert(u"containerimage.digest"_s,
                    u"sha256:4b667c986650394031c49aa325f905d0f9dde27ea57d7b4ab3e43d48f0f9140b"_s);
    metadata.insert(
        u"buildx.build.provenance"_s,
        QJsonDocument::fromJson(readAll(QFINDTESTDATA("data/records/provenance-github-builder-test.json")))
            .object()
            .value(u"predicate"_s));
    const Expected<BuildKitProvenance> m = BuildKitProvenance::fromJson(QJsonDocument(metadata).toJson());
    QVERIFY2(m, qPrintable(m ? QString() : m.error().message));
    QCOMPARE(m->firstLineByDigest, p->firstLineByDigest);
    QCOMPARE(m->dockerfile, p->dockerfile);

    QVERIFY(!BuildKitProvenance::fromJson("{\"predicateType\":\"https://spdx.dev/Document\"}"));
    QVERIFY(!BuildKitProvenance::fromJson("[1,2]"));
    QVERIFY(
        !BuildKitProvenance::fromJson("{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":"
                                      "{\"runDetails\":{\"metadata\":{\"buildkit_metadata\":{\"source\":"
                                      "{\"infos\":[{\"language\":\"Dockerfile\",\"data\":\"@@@\"}]}}}}}}"));
}

void TestDockerBuildArchive::provenanceLinesPlaceVertices()
{
    // Vertices whose names carry no "[stage i/n]" (a frontend of another kind, a renamed
    // step): only the provenance's lines can place them.
    const Expected<BuildKitProvenance> p = BuildKitProvenance::fromJson(
        readAll(QFINDTESTDATA("data/records/provenance-github-builder-test.json")));
    QVERIFY(p);
    const QByteArray log = QByteArray("{\"vertexes\":[{\"digest\":\"") + kApk +
                           "\",\"name\":\"apk add\",\"started\":\"2025-10-22T14:53:43Z\"}]}\n"
                           "{\"vertexes\":[{\"digest\":\"" +
                           kApk +
                           "\",\"name\":\"apk add\",\"started\":\"2025-10-22T14:53:43Z\","
                           "\"completed\":\"2025-10-22T14:53:45Z\"}]}\n"
                           "{\"vertexes\":[{\"digest\":\"" +
                           kRun +
                           "\",\"name\":\"go build\",\"started\":\"2025-10-22T14:53:46Z\","
                           "\"completed\":\"2025-10-22T14:53:50Z\",\"error\":\"exit code: 1\"}]}\n";
    const BuildPlan plan = BuildPlan::fromText(p->dockerfile);

    BuildProgress named;
    QVERIFY(SolveStatusStream::read(log, plan, named));
    QVERIFY2(!describe(named).contains(u"L10 done"_s), qPrintable(describe(named))); // no step by name alone
    QVERIFY(named.failedLine() != 16);
    BuildProgress placed;
    const Expected<void> read = SolveStatusStream::read(log, plan, placed, p->firstLineByDigest);
    QVERIFY2(read, qPrintable(read ? QString() : read.error().message));
    QCOMPARE(placed.state(), ProgressState::Failed);
    QCOMPARE(placed.failedLine(), 16);
    QVERIFY2(describe(placed).contains(u"base/2:L10 done"_s), qPrintable(describe(placed)));
    QVERIFY2(describe(placed).contains(u"build/2:L16 failed"_s), qPrintable(describe(placed)));
}

void TestDockerBuildArchive::statusLogDecodes()
{
    // One StatusResponse: a vertex {digest, name, cached, started}, a log {vertex, msg}.
    QByteArray vertex = "\x0a\x0bsha256:abcd"               // 1: digest
                        "\x1a\x0e[2/2] RUN true"            // 3: name
                        "\x20\x01"                          // 4: cached
                        "\x2a\x06\x08\x80\xe2\xcf\xaa\x06"; // 5: started {seconds}
    QByteArray log = "\x0a\x0bsha256:abcd"                  // 1: vertex
                     "\x18\x01"                             // 3: stream
                     "\x22\x03hi\n";                        // 4: msg
    QByteArray message =
        "\x0a" + QByteArray(1, char(vertex.size())) + vertex + "\x1a" + QByteArray(1, char(log.size())) + log;
    QByteArray blob(4, '\0');
    blob[0] = char(message.size());
    blob += message;
    const Expected<QByteArray> json = BuildKitStatusLog::toRawJson(blob);
    QVERIFY2(json, qPrintable(json ? QString() : json.error().message));
    QCOMPARE(*json,
             QByteArray("{\"logs\":[{\"data\":\"aGkK\",\"stream\":1,\"vertex\":\"sha256:abcd\"}],"
                        "\"vertexes\":[{\"cached\":true,\"digest\":\"sha256:abcd\",\"name\":\"[2/2] RUN "
                        "true\",\"started\":\"2023-11-14T22:13:20.000Z\"}]}\n"));
    QCOMPARE(*BuildKitStatusLog::toRawJson(QByteArray()), QByteArray());
}

void TestDockerBuildArchive::statusLogHostile_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::newRow("cut length") << QByteArray("\x05\x00", 2);
    QTest::newRow("length past the end") << QByteArray("\xff\xff\xff\x00\x0a", 5);
    QTest::newRow("field past the end") << QByteArray("\x03\x00\x00\x00\x0a\x7f\x01", 7);
    QTest::newRow("endless varint") << QByteArray(
        "\x0b\x00\x00\x00\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 15);
    QTest::newRow("group wire type") << QByteArray("\x02\x00\x00\x00\x0b\x00", 6);
    QTest::newRow("bad vertex") << QByteArray("\x04\x00\x00\x00\x0a\x02\x0a\x05", 8);
}

void TestDockerBuildArchive::statusLogHostile()
{
    QFETCH(QByteArray, blob);
    const Expected<QByteArray> json = BuildKitStatusLog::toRawJson(blob);
    QVERIFY(!json);
    QVERIFY2(json.error().message.startsWith(u"build log: message 1"_s), qPrintable(json.error().message));
}

void TestDockerBuildArchive::archiveReplays()
{
    // Laid out as `docker buildx history export` writes (make-dockerbuild.py, PEER-TESTS.md):
    // two builds of the provenance's Dockerfile, the first with its provenance, the second
    // failing without one.
    const Expected<DockerBuildArchive> archive =
        DockerBuildArchive::read(QFINDTESTDATA("data/records/github-builder-test.dockerbuild"));
    QVERIFY2(archive, qPrintable(archive ? QString() : archive.error().message));
    QCOMPARE(archive->builds.size(), 2);
    const DockerBuildArchive::Build &ok = archive->builds[0];
    QCOMPARE(ok.ref, u"3lb9gejzb3ondafiy8szq6pza"_s);
    QCOMPARE(ok.frontend, u"gateway.v0"_s);
    QCOMPARE(ok.dockerfilePath, u"Dockerfile"_s);
    QCOMPARE(ok.buildArgs.value(u"GO_VERSION"_s), u"1.25"_s);
    QCOMPARE(ok.createdAt, u"2025-10-22T14:53:42.000Z"_s);
    QCOMPARE(ok.completedAt, u"2025-10-22T14:54:12.500Z"_s);
    QCOMPARE(ok.totalSteps, 8);
    QCOMPARE(ok.cachedSteps, 2);
    QVERIFY(ok.error.isEmpty());
    QVERIFY(ok.provenance.has_value());
    QCOMPARE(ok.unread, QStringList({u"the OpenTelemetry trace"_s, u"a result descriptor"_s}));
    QCOMPARE(ok.rawjson.count('\n'), 16); // one line a StatusResponse

    const Expected<BuildRecord> record = archive->record(0);
    QVERIFY2(record, qPrintable(record ? QString() : record.error().message));
    QCOMPARE(record->buildArgs.value(u"GO_VERSION"_s), u"1.25"_s);
    QVERIFY(record->engine.contains(u".dockerbuild"_s));
    BuildProgress progress;
    QVERIFY(record->load(progress));
    QCOMPARE(progress.state(), ProgressState::Done);
    QCOMPARE(describe(progress), u"xx/0:L6 cached, base/0:L8 cached, base/1:L9 done, base/2:L10 done, "
                                 "base/4:L12 done, build/2:L16 done, 3/1:L23 done"_s);

    const DockerBuildArchive::Build &failed = archive->builds[1];
    QVERIFY(failed.error.contains(u"exit code: 1"_s));
    QVERIFY(!failed.provenance);
    const Expected<BuildRecord> none = archive->record(1);
    QVERIFY(!none);
    QVERIFY2(none.error().message.contains(u"carries no Dockerfile"_s), qPrintable(none.error().message));
    // Its log replays against the first build's Dockerfile: the failing line and its output.
    const Expected<BuildRecord> replay =
        BuildRecord::fromRawJson(failed.rawjson, ok.provenance->dockerfile, u"Dockerfile"_s);
    QVERIFY2(replay, qPrintable(replay ? QString() : replay.error().message));
    BuildProgress failing;
    QVERIFY(replay->load(failing));
    QCOMPARE(failing.state(), ProgressState::Failed);
    QCOMPARE(failing.failedLine(), 16);
    QVERIFY(failing.error().contains(u"did not complete successfully"_s));
    QVERIFY2(describe(failing).startsWith(u"xx/0:L6 cached, base/0:L8 cached, base/1:L9 cached"_s),
             qPrintable(describe(failing)));
}

void TestDockerBuildArchive::archiveOpensAsRecord()
{
    // File > Open Build Record and `record show` open the archive's first build.
    const Expected<BuildRecord> record =
        BuildRecord::open(QFINDTESTDATA("data/records/github-builder-test.dockerbuild"));
    QVERIFY2(record, qPrintable(record ? QString() : record.error().message));
    QVERIFY(record->dockerfile.contains(u"xx-go build"_s));
}

void TestDockerBuildArchive::archiveHostile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray good = readAll(QFINDTESTDATA("data/records/github-builder-test.dockerbuild"));
    QVERIFY(good.size() > 1000);
    const struct
    {
        const char *name;
        QByteArray bytes;
        const char *expected;
    } cases[] = {
        {"garbage-gzip", QByteArray("\x1f\x8b") + QByteArray(3000, 'x'), "not a .dockerbuild archive"},
        {"cut", good.left(good.size() / 2), "dockerbuild"},
        {"empty-tar", QByteArray(1024, '\0'), "dockerbuild"},
    };
    for (const auto &c : cases) {
        const QString path = dir.filePath(QString::fromLatin1(c.name));
        QVERIFY(writeAll(path, c.bytes));
        const Expected<DockerBuildArchive> archive = DockerBuildArchive::read(path);
        QVERIFY2(!archive, c.name);
        QVERIFY2(archive.error().message.contains(QString::fromLatin1(c.expected)),
                 qPrintable(archive.error().message));
        QVERIFY(!BuildRecord::open(path));
    }
    QVERIFY(!DockerBuildArchive::read(dir.filePath(u"missing"_s)));
}

QTEST_GUILESS_MAIN(TestDockerBuildArchive)
#include "tst_dockerbuildarchive.moc"
