// Build records (BuildRecord) and BuildKit's rawjson progress (SolveStatusStream): a real
// embedded build recorded and reopened to the same state, a failing build's line, and
// records and logs from someone else that are truncated, garbage or too big.
#include "core/builder/builder.h"
#include "core/common/sha256.h"
#include "core/exec/sandbox.h"
#include "core/plan/buildplan.h"
#include "core/progress/buildprogress.h"
#include "core/progress/buildrecord.h"
#include "core/progress/solvestatusstream.h"

#include "buildfixture.h"
#include "busyboxlayout.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace stagecraft;
using namespace Qt::StringLiterals;

namespace {

using Events = QList<BuildEvent>;

QString seedsDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + u"/tests/data/seeds"_s;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

struct Built
{
    Events events;
    QString error;
    QString manifest;
    QStringList tags;
};

// Transcribes our build events into the shape BuildKit's rawjson has: one SolveStatus per
// line, a vertex sent again whenever it changes (started, then completed/cached/error, each
// time with its earlier fields), output as base64 chunks that may end mid-line, vertices
// named "[stage i/n]" counting only the FROM and the layer steps as BuildKit does, and
// "[internal]" vertices and statuses that belong to no step. Written from a real build; it
// is our transcription, not BuildKit's own output.
QByteArray rawjsonFrom(const Events &events, const BuildPlan &plan, const QDateTime &origin)
{
    const QList<Instruction> &instructions = plan.dockerfile().instructions;
    const auto isLayerStep = [&](int instruction) {
        const InstructionKind k = instructions.value(instruction).kind;
        return k == InstructionKind::Run || k == InstructionKind::Copy || k == InstructionKind::Add ||
               k == InstructionKind::Workdir;
    };
    const auto at = [&](qint64 ms) -> QString {
        // BuildKit's nanoseconds.
        return origin.addMSecs(ms).toString(u"yyyy-MM-ddTHH:mm:ss.zzz"_s) + u"123456Z"_s;
    };
    QHash<QString, QJsonObject> vertices;
    QList<QByteArray> lines;
    const auto line = [&](const char *field, const QJsonObject &o) {
        lines << QJsonDocument(QJsonObject{{QString::fromLatin1(field), QJsonArray{o}}})
                     .toJson(QJsonDocument::Compact);
    };
    const QJsonObject internal{{u"digest"_s, QString(u"sha256:"_s + QString(64, u'0'))},
                               {u"name"_s, u"[internal] load build definition from Dockerfile"_s},
                               {u"started"_s, at(0)}};
    line("vertexes", internal);
    line("statuses", QJsonObject{{u"id"_s, u"transferring dockerfile:"_s},
                                 {u"vertex"_s, internal[u"digest"_s]},
                                 {u"current"_s, 120}});
    QJsonObject internalDone = internal;
    internalDone.insert(u"completed"_s, at(0));
    line("vertexes", internalDone);
    QHash<int, int> current; // stage -> step started last
    QHash<QString, QByteArray> pendingOutput;
    for (const BuildEvent &e : events) {
        if (e.stage < 0)
            continue;
        int step = e.step;
        if (e.kind == BuildEventKind::StageFailed)
            step = current.value(e.stage, -1);
        if (step < 0)
            continue;
        const PlanStage &stage = plan.stages()[e.stage];
        QList<int> layerSteps{0};
        int instruction = stage.from.instruction;
        for (const PlanStep &s : stage.steps) {
            if (isLayerStep(s.instruction))
                layerSteps << s.number;
            if (s.number == step)
                instruction = s.instruction;
        }
        const int i = layerSteps.indexOf(step) + 1;
        if (i == 0)
            continue; // ENV, LABEL, USER…: BuildKit makes no vertex for them
        if (i == 1 && stage.from.baseStage >= 0)
            continue; // nor for a FROM naming another stage (it still counts in n)
        const QString digest =
            u"sha256:"_s +
            QString::fromLatin1(Sha256::hash(QByteArray::number(e.stage * 1000 + step)).toHex());
        QString stageToken = stage.name;
        if (stageToken.isEmpty() && plan.stages().size() > 1)
            stageToken = u"stage-%1"_s.arg(e.stage);
        QJsonObject &v = vertices[digest];
        if (v.isEmpty()) {
            v.insert(u"digest"_s, digest);
            v.insert(u"inputs"_s, QJsonArray{internal[u"digest"_s]});
            v.insert(u"name"_s, u"[%1%2/%3] %4"_s.arg(stageToken.isEmpty() ? QString() : stageToken + u' ')
                                    .arg(i)
                                    .arg(layerSteps.size())
                                    .arg(instructions.value(instruction).original.simplified()));
        }
        switch (e.kind) {
        case BuildEventKind::StepStarted:
            current[e.stage] = step;
            v.insert(u"started"_s, at(e.timeMs));
            line("vertexes", v);
            line("vertexes", v); // BuildKit repeats a vertex unchanged; it must count once
            break;
        case BuildEventKind::StepLog: {
            // Output in chunks that split lines: a line's end comes with the next chunk.
            QByteArray &pending = pendingOutput[digest];
            pending += e.text.toUtf8() + '\n';
            const qsizetype cut = pending.size() > 3 ? pending.size() - 3 : pending.size();
            line("logs", QJsonObject{{u"vertex"_s, digest},
                                     {u"stream"_s, 1},
                                     {u"data"_s, QString::fromLatin1(pending.left(cut).toBase64())},
                                     {u"timestamp"_s, at(e.timeMs)}});
            pending.remove(0, cut);
            break;
        }
        case BuildEventKind::StepCached:
        case BuildEventKind::StepDone:
        case BuildEventKind::StageFailed: {
            if (!pendingOutput.value(digest).isEmpty())
                line("logs",
                     QJsonObject{{u"vertex"_s, digest},
                                 {u"stream"_s, 1},
                                 {u"data"_s, QString::fromLatin1(pendingOutput.take(digest).toBase64())},
                                 {u"timestamp"_s, at(e.timeMs)}});
            if (e.kind == BuildEventKind::StageFailed && v.contains(u"completed"_s))
                break;
            v.insert(u"completed"_s, at(e.timeMs));
            if (e.kind == BuildEventKind::StepCached)
                v.insert(u"cached"_s, true);
            if (e.kind == BuildEventKind::StageFailed)
                v.insert(u"error"_s, e.text);
            line("vertexes", v);
            break;
        }
        default: break;
        }
    }
    return lines.join('\n') + '\n';
}

} // namespace

class TestBuildRecord : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void seedBuildRoundTrip();
    void failingBuild();
    void rawjsonOfRealBuild();
    void rawjsonIncrementalUpdates();
    void rawjsonFromBuildx();
    void rawjsonLongLogIsBounded();
    void hostileRecord_data();
    void hostileRecord();
    void hostileFiles();
    void fuzzRecord();
    void hostileRawjson_data();
    void hostileRawjson();

private:
    // Builds `context` (a Dockerfile there, or the text given) into a fresh store.
    bool build(const QString &context, Built &out);
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<ImageStore> m_store;
};

void TestBuildRecord::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store.reset();
}

bool TestBuildRecord::build(const QString &context, Built &out)
{
    if (!m_store) {
        auto store = ImageStore::open(m_dir->filePath(u"store"_s));
        if (!store)
            return false;
        m_store.emplace(std::move(*store));
        // The seed's base: Debian's static busybox as one layer (it has /etc/motd to remove).
        const QString layout = m_dir->filePath(u"base"_s);
        const QString made = test::makeBusyboxLayout(layout, u"fixture"_s);
        if (!made.isEmpty()) {
            qWarning("%s", qPrintable(made));
            return false;
        }
        if (!m_store->import(layout, u"busybox:fixture"_s))
            return false;
    }
    Builder builder(*m_store);
    BuildRequest request;
    request.contextDir = context;
    request.tags = {u"record:test"_s};
    request.network = RunNetwork::None;
    auto built = builder.build(request, [&](const BuildEvent &e) { out.events.append(e); });
    if (built) {
        out.manifest = built->manifest.digest.toString();
        out.tags = built->tags;
    } else {
        out.error = built.error().message;
    }
    return true;
}

void TestBuildRecord::seedBuildRoundTrip()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    const QString context = seedsDir() + u"/busybox"_s;
    Built built;
    QVERIFY(build(context, built));
    QVERIFY2(built.error.isEmpty(), qPrintable(built.error));

    BuildProgress progress;
    progress.replay(built.events);
    QCOMPARE(progress.state(), ProgressState::Done);
    BuildRecord record = BuildRecord::fromProgress(progress);
    record.dockerfileName = u"Dockerfile"_s;
    record.dockerfile = QString::fromUtf8(readAll(context + u"/Dockerfile"_s));
    record.buildArgs.insert(u"GREETING"_s, u"hi"_s);
    record.target = u"1"_s;
    record.resultDigest = built.manifest;
    record.tags = built.tags;
    const QString path = m_dir->filePath(u"seed.stagecraft-build.json"_s);
    QVERIFY(record.write(path));
    QVERIFY(!QFile::exists(path + u".tmp"_s));

    const Expected<BuildRecord> reread = BuildRecord::read(path);
    QVERIFY2(reread, qPrintable(reread ? QString() : reread.error().message));
    QCOMPARE(reread->dockerfile, record.dockerfile);
    QCOMPARE(reread->dockerfileName, u"Dockerfile"_s);
    QCOMPARE(reread->buildArgs, record.buildArgs);
    QCOMPARE(reread->target, u"1"_s);
    QCOMPARE(reread->engine, u"embedded"_s);
    QCOMPARE(reread->resultDigest, built.manifest);
    QCOMPARE(reread->tags, built.tags);

    BuildProgress reopened;
    QVERIFY(reread->load(reopened));
    QCOMPARE(reopened.describe(), progress.describe());
    // Per-step layer sizes are in the record: every WORKDIR, RUN and COPY of the seed made
    // a layer (5 in the first stage, 8 in the second).
    qint64 layers = 0;
    for (int index : reopened.stageIndexes())
        for (const StepProgress &step : reopened.stage(index)->steps)
            if (!step.layerDigest.isEmpty()) {
                QVERIFY(step.layerSize > 0);
                ++layers;
            }
    QCOMPARE(layers, 5 + 8);

    // The window shows a record by replaying the events it gives back: same state again.
    BuildProgress replayed;
    replayed.replay(reopened.toEvents());
    QCOMPARE(replayed.describe(), progress.describe());
}

void TestBuildRecord::failingBuild()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(u"failing"_s);
    QVERIFY(fixtures::writeText(context + u"/Dockerfile"_s, "FROM busybox:fixture AS base\n"
                                                            "RUN echo fine > /fine\n"
                                                            "\n"
                                                            "FROM base\n"
                                                            "ENV STEP=two\n"
                                                            "RUN echo about to fail && exit 3\n"
                                                            "RUN echo never\n"));
    Built built;
    QVERIFY(build(context, built));
    QVERIFY(!built.error.isEmpty());
    BuildProgress progress;
    progress.replay(built.events);
    QCOMPARE(progress.state(), ProgressState::Failed);
    QCOMPARE(progress.failedLine(), 6);

    BuildRecord record = BuildRecord::fromProgress(progress);
    record.dockerfile = QString::fromUtf8(readAll(context + u"/Dockerfile"_s));
    const QString path = m_dir->filePath(u"failed.json"_s);
    QVERIFY(record.write(path));
    const Expected<BuildRecord> reread = BuildRecord::read(path);
    QVERIFY(reread);
    QVERIFY(reread->resultDigest.isEmpty());
    BuildProgress reopened;
    QVERIFY(reread->load(reopened));
    QCOMPARE(reopened.describe(), progress.describe());
    QCOMPARE(reopened.state(), ProgressState::Failed);
    QCOMPARE(reopened.failedLine(), 6);
    QVERIFY2(reopened.error().contains(u"exit"_s), qPrintable(reopened.error()));
    const StepProgress *failed = reopened.step(1, 2);
    QVERIFY(failed);
    QCOMPARE(failed->state, ProgressState::Failed);
    QVERIFY2(failed->log.contains(u"about to fail"_s), qPrintable(failed->log.join(u'|')));
    QCOMPARE(reopened.stage(0)->state, ProgressState::Done);

    BuildProgress replayed;
    replayed.replay(reopened.toEvents());
    QCOMPARE(replayed.describe(), progress.describe());
    QCOMPARE(replayed.failedLine(), 6);
}

void TestBuildRecord::rawjsonOfRealBuild()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    const QString context = seedsDir() + u"/busybox"_s;
    const QString text = QString::fromUtf8(readAll(context + u"/Dockerfile"_s));
    const BuildPlan plan = BuildPlan::fromText(text);
    const QDateTime origin = QDateTime::fromString(u"2026-03-01T10:00:00.000Z"_s, Qt::ISODateWithMs);
    for (int round = 0; round < 2; ++round) {
        Built built;
        QVERIFY(build(context, built));
        QVERIFY2(built.error.isEmpty(), qPrintable(built.error));
        BuildProgress original;
        original.replay(built.events);

        const QByteArray log = rawjsonFrom(built.events, plan, origin);
        Expected<BuildRecord> record = BuildRecord::fromRawJson(log, text, u"Dockerfile"_s);
        QVERIFY2(record, qPrintable(record ? QString() : record.error().message));
        QCOMPARE(record->engine, u"buildkit"_s);
        // The window opens a log saved beside its Dockerfile as it opens a record.
        const QString beside = m_dir->filePath(u"ci"_s);
        QVERIFY(fixtures::writeText(beside + u"/Dockerfile"_s, text.toUtf8()));
        QVERIFY(fixtures::writeText(beside + u"/build.rawjson"_s, log));
        const Expected<BuildRecord> opened = BuildRecord::open(beside + u"/build.rawjson"_s);
        QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
        QCOMPARE(opened->progress, record->progress);
        QCOMPARE(opened->dockerfile, text);
        BuildProgress imported;
        QVERIFY(record->load(imported));
        QCOMPARE(imported.state(), ProgressState::Done);
        QCOMPARE(imported.origin(), origin);
        QCOMPARE(imported.stageIndexes(), original.stageIndexes());
        for (int index : original.stageIndexes()) {
            const StageProgress *want = original.stage(index);
            const StageProgress *got = imported.stage(index);
            QCOMPARE(got->name, want->name);
            QCOMPARE(got->state, want->state);
            QCOMPARE(got->stepCount, want->stepCount);
            for (const StepProgress &step : want->steps) {
                const StepProgress *mine = imported.step(index, step.step);
                const InstructionKind kind = plan.dockerfile().instructions.value(step.instruction).kind;
                const bool hasVertex = step.step == 0 || kind == InstructionKind::Run ||
                                       kind == InstructionKind::Copy || kind == InstructionKind::Workdir;
                QCOMPARE(mine != nullptr, hasVertex);
                if (!mine)
                    continue;
                QCOMPARE(mine->range.start.line, step.range.start.line);
                QCOMPARE(mine->state, step.state);
                QCOMPARE(mine->cached, step.cached);
                QCOMPARE(mine->startedMs, step.startedMs);
                QCOMPARE(mine->completedMs, step.completedMs);
                QCOMPARE(mine->log, step.log);
            }
        }
    }
}

void TestBuildRecord::rawjsonIncrementalUpdates()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    const QString context = m_dir->filePath(u"failing"_s);
    const QByteArray dockerfile = "FROM busybox:fixture AS base\n"
                                  "ENV A=1\n"
                                  "RUN echo one && echo two\n"
                                  "FROM base\n"
                                  "WORKDIR /w\n"
                                  "RUN echo broken >&2 && exit 7\n";
    QVERIFY(fixtures::writeText(context + u"/Dockerfile"_s, dockerfile));
    Built built;
    QVERIFY(build(context, built));
    QVERIFY(!built.error.isEmpty());
    const BuildPlan plan = BuildPlan::fromText(QString::fromUtf8(dockerfile));
    const QByteArray log =
        rawjsonFrom(built.events, plan, QDateTime::fromString(u"2026-03-01T10:00:00Z"_s, Qt::ISODate));

    // Line by line, as a live engine would feed it: a vertex seen again changes only what
    // changed, and the step shows running between its start and its end.
    SolveStatusStream stream(plan);
    BuildProgress progress;
    bool sawRunning = false;
    for (const QByteArray &line : log.split('\n')) {
        Expected<Events> events = stream.feed(line);
        QVERIFY2(events, qPrintable(events ? QString() : events.error().message));
        for (const BuildEvent &e : *events)
            progress.apply(e);
        if (const StepProgress *run = progress.step(1, 2); run && run->state == ProgressState::Running)
            sawRunning = true;
    }
    for (const BuildEvent &e : stream.finish())
        progress.apply(e);
    QVERIFY(sawRunning);
    // The [internal] vertex maps to no step; the first FROM, the RUNs and the WORKDIR do.
    QCOMPARE(stream.vertexCount(), 5);
    QCOMPARE(stream.unmappedVertices(), 1);
    QCOMPARE(progress.state(), ProgressState::Failed);
    QCOMPARE(progress.failedLine(), 6);
    const StepProgress *run = progress.step(0, 2);
    QCOMPARE(run->state, ProgressState::Done);
    // Output split across chunks comes back as whole lines, once each.
    QCOMPARE(run->log, (QStringList{u"one"_s, u"two"_s}));
    QCOMPARE(progress.step(0, 1), nullptr); // ENV has no vertex
    // "[base 2/2]" ended the first stage; "FROM base" has no vertex, "[stage-1 3/3]" failed.
    QCOMPARE(progress.stage(0)->state, ProgressState::Done);
    QCOMPARE(progress.step(1, 0), nullptr);
    QCOMPARE(progress.step(1, 1)->state, ProgressState::Done);
    QCOMPARE(progress.step(1, 2)->state, ProgressState::Failed);
    QVERIFY(progress.step(1, 2)->log.contains(u"broken"_s));
    QCOMPARE(progress.stage(1)->state, ProgressState::Failed);
}

void TestBuildRecord::rawjsonFromBuildx()
{
    // Real buildx output (tests/data/PEER-TESTS.md): an [internal] vertex whose statuses come
    // again and again; it belongs to no step, and its offset times count from its start.
    const QByteArray log = readAll(QFINDTESTDATA("data/records/bake-definition.rawjson"));
    QVERIFY(!log.isEmpty());
    const BuildPlan plan = BuildPlan::fromText(u"FROM busybox\nRUN true\n"_s);
    SolveStatusStream stream(plan);
    for (const QByteArray &line : log.split('\n')) {
        const Expected<Events> events = stream.feed(line);
        QVERIFY2(events, qPrintable(events ? QString() : events.error().message));
        QVERIFY(events->isEmpty());
    }
    QCOMPARE(stream.vertexCount(), 1);
    QCOMPARE(stream.unmappedVertices(), 1);
    QCOMPARE(stream.origin(), QDateTime::fromString(u"2025-03-20T21:53:16.448Z"_s, Qt::ISODateWithMs));
    const Events end = stream.finish();
    QCOMPARE(end.size(), 1);
    QCOMPARE(end.first().kind, BuildEventKind::BuildFailed);
    QVERIFY2(end.first().text.contains(u"names no step"_s), qPrintable(end.first().text));
}

void TestBuildRecord::rawjsonLongLogIsBounded()
{
    // Half a million output lines of one step: the record keeps the model's bounded tail.
    const QByteArray start =
        R"({"vertexes":[{"digest":"sha256:a","name":"[2/2] RUN y","started":"2026-01-01T00:00:00Z"}]})";
    QByteArray output;
    for (int i = 0; i < 500000; ++i)
        output += "line " + QByteArray::number(i) + '\n';
    const QByteArray log = start + "\n{\"logs\":[{\"vertex\":\"sha256:a\",\"data\":\"" + output.toBase64() +
                           "\"}]}\n" + start.chopped(3) + R"(,"completed":"2026-01-01T00:00:02Z"}]})" + '\n';
    const Expected<BuildRecord> record = BuildRecord::fromRawJson(log, u"FROM x\nRUN y\n"_s, u"Dockerfile"_s);
    QVERIFY2(record, qPrintable(record ? QString() : record.error().message));
    BuildProgress progress;
    QVERIFY(record->load(progress));
    const StepProgress *run = progress.step(0, 1);
    QVERIFY(run);
    QCOMPARE(run->state, ProgressState::Done);
    QCOMPARE(run->completedMs, 2000);
    QVERIFY(run->log.size() <= BuildProgress::kMaxLogLines);
    QCOMPARE(run->log.last(), u"line 499999"_s);
    QCOMPARE(run->droppedLines + run->log.size(), 500000);
}

void TestBuildRecord::hostileRecord_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    BuildProgress empty;
    BuildRecord base = BuildRecord::fromProgress(empty);
    const QByteArray valid = base.toJson();
    const auto with = [&](const char *field, const QJsonValue &value) {
        QJsonObject o = QJsonDocument::fromJson(valid).object();
        o.insert(QString::fromLatin1(field), value);
        return QJsonDocument(o).toJson();
    };
    QTest::addRow("empty") << QByteArray() << u"not JSON"_s;
    QTest::addRow("garbage") << QByteArray("\x01\xff{]]", 5) << u"not JSON"_s;
    QTest::addRow("truncated") << valid.left(valid.size() / 2) << u"not JSON"_s;
    QTest::addRow("array") << QByteArray("[]") << u"must be an object"_s;
    QTest::addRow("deep") << QByteArray(100000, '[') << u"not JSON"_s;
    QTest::addRow("other-json") << QByteArray(R"({"vertexes":[]})") << u"not a Stagecraft build record"_s;
    QTest::addRow("version") << with("version", 2) << u"format version 2"_s;
    QTest::addRow("version-text") << with("version", u"1"_s) << u"format version"_s;
    QTest::addRow("dockerfile-not-object") << with("dockerfile", 3) << u"\"dockerfile\" must be an object"_s;
    QTest::addRow("dockerfile-huge") << with("dockerfile",
                                             QJsonObject{{u"text"_s, QString(9 * 1024 * 1024, u'x')}})
                                     << u"more than the"_s;
    QTest::addRow("engine-number") << with("engine", 1) << u"\"engine\" must be a string"_s;
    QTest::addRow("digest") << with("result", QJsonObject{{u"digest"_s, u"sha256:nothex"_s}})
                            << u"not a sha256 digest"_s;
    QTest::addRow("tags") << with("result", QJsonObject{{u"tags"_s, u"a"_s}})
                          << u"\"tags\" must be an array"_s;
    QTest::addRow("tag-number") << with("result", QJsonObject{{u"tags"_s, QJsonArray{1}}}) << u"a tag must"_s;
    QJsonObject manyArgs;
    for (int i = 0; i <= BuildRecord::kMaxBuildArgs; ++i)
        manyArgs.insert(u"A%1"_s.arg(i), u"v"_s);
    QTest::addRow("build-args") << with("buildArgs", manyArgs) << u"build args, more than"_s;
    QTest::addRow("build-arg-type") << with("buildArgs", QJsonObject{{u"A"_s, 1}}) << u"build arg \"A\""_s;
    QTest::addRow("no-status") << with("solveStatus", QJsonValue()) << u"holds no build"_s;
    QTest::addRow("status-array") << with("solveStatus", QJsonArray()) << u"must be an object"_s;
    QTest::addRow("status-foreign") << with("solveStatus", QJsonObject{{u"vertexes"_s, QJsonArray{}}})
                                    << u"no \"stagecraft\" object"_s;
    QTest::addRow("status-vertex")
        << with("solveStatus",
                QJsonObject{{u"vertexes"_s, QJsonArray{1}},
                            {u"stagecraft"_s,
                             QJsonObject{{u"version"_s, 1}, {u"origin"_s, u"2026-01-01T00:00:00Z"_s}}}})
        << u"a vertex must be an object"_s;
}

void TestBuildRecord::hostileRecord()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const Expected<BuildRecord> record = BuildRecord::fromJson(json);
    QVERIFY(!record);
    QVERIFY2(record.error().message.contains(error), qPrintable(record.error().message));
    QVERIFY(record.error().message.startsWith(u"build record: "_s));
}

void TestBuildRecord::hostileFiles()
{
    QVERIFY(!BuildRecord::read(m_dir->filePath(u"missing"_s)));
    // Bigger than a record may be: refused from its size, without reading it.
    const QString huge = m_dir->filePath(u"huge.json"_s);
    {
        QFile f(huge);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.resize(BuildRecord::kMaxFileBytes + 1));
    }
    Expected<BuildRecord> read = BuildRecord::read(huge);
    QVERIFY(!read);
    QVERIFY2(read.error().message.contains(u"more than the"_s), qPrintable(read.error().message));
    // A FIFO would block a reader forever.
    const QString fifo = m_dir->filePath(u"fifo"_s);
    QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    read = BuildRecord::read(fifo);
    QVERIFY(!read);
    QVERIFY2(read.error().message.contains(u"not a regular file"_s), qPrintable(read.error().message));
    QVERIFY(!BuildRecord::read(m_dir->path()));
    // A failed write leaves the old record whole.
    BuildProgress empty;
    const QString path = m_dir->filePath(u"kept.json"_s);
    QVERIFY(BuildRecord::fromProgress(empty).write(path));
    const QByteArray before = readAll(path);
    QVERIFY(!BuildRecord::fromProgress(empty).write(m_dir->filePath(u"no/such/dir/x.json"_s)));
    QCOMPARE(readAll(path), before);
}

void TestBuildRecord::fuzzRecord()
{
    // A small real-shaped record (events of a two-stage build) cut and mangled: every
    // variant reads or is refused with a message; none crashes.
    Events events;
    const auto event = [&](BuildEventKind kind, int stage, int step, qint64 time, const QString &text = {}) {
        BuildEvent e;
        e.kind = kind;
        e.stage = stage;
        e.stageName = stage == 0 ? u"build"_s : u"1"_s;
        e.step = step;
        e.stepCount = 3;
        e.timeMs = time;
        e.text = text;
        e.range.start.line = stage * 4 + step + 1;
        e.instruction = stage * 4 + step;
        if (kind == BuildEventKind::StepDone) {
            e.layerDigest = u"sha256:"_s + QString(64, u'a');
            e.layerSize = 1000 + step;
        }
        events.append(e);
    };
    for (int stage = 0; stage < 2; ++stage) {
        event(BuildEventKind::StageQueued, stage, 0, 0);
        event(BuildEventKind::StageStarted, stage, 0, stage * 10);
        for (int step = 0; step < 3; ++step) {
            event(BuildEventKind::StepStarted, stage, step, stage * 10 + step, u"RUN step"_s);
            event(BuildEventKind::StepLog, stage, step, stage * 10 + step, u"output ünïcode"_s);
            event(step == 1 ? BuildEventKind::StepCached : BuildEventKind::StepDone, stage, step,
                  stage * 10 + step + 1);
        }
        event(BuildEventKind::StageDone, stage, 0, stage * 10 + 5);
    }
    BuildProgress progress;
    progress.replay(events);
    BuildRecord record = BuildRecord::fromProgress(progress);
    record.dockerfile = u"FROM a AS build\nRUN x\n"_s;
    const QByteArray valid = record.toJson();
    QVERIFY(BuildRecord::fromJson(valid));

    int refused = 0;
    for (qsizetype cut = 0; cut < valid.size(); cut += 7)
        refused += BuildRecord::fromJson(valid.left(cut)) ? 0 : 1;
    QVERIFY(refused > 0);
    QRandomGenerator random(14);
    for (int round = 0; round < 2000; ++round) {
        QByteArray mangled = valid;
        const int edits = 1 + random.bounded(4);
        for (int i = 0; i < edits; ++i) {
            const qsizetype at = random.bounded(mangled.size());
            switch (random.bounded(3)) {
            case 0: mangled[at] = char(random.bounded(256)); break;
            case 1: mangled.remove(at, 1 + random.bounded(8)); break;
            default: mangled.insert(at, QByteArray(1 + random.bounded(4), "{[\",:0-9e"[random.bounded(9)]));
            }
        }
        const Expected<BuildRecord> read = BuildRecord::fromJson(mangled);
        if (read) {
            BuildProgress loaded;
            QVERIFY(read->load(loaded));
            // Whatever reads must also give events the window can show.
            BuildProgress replayed;
            replayed.replay(loaded.toEvents());
        } else {
            QVERIFY(!read.error().message.isEmpty());
        }
    }
}

void TestBuildRecord::hostileRawjson_data()
{
    QTest::addColumn<QByteArray>("log");
    QTest::addColumn<QString>("error");
    const QByteArray vertex =
        R"({"vertexes":[{"digest":"sha256:a","name":"[1/2] FROM x","started":"2026-01-01T00:00:00Z"}]})";
    QTest::addRow("empty") << QByteArray() << u"no vertex in the log"_s;
    QTest::addRow("text-only") << QByteArray("#1 [internal] load\n#1 DONE 0.0s\n")
                               << u"no vertex in the log"_s;
    QTest::addRow("truncated") << vertex.left(40) << u"line 1: not JSON"_s;
    QTest::addRow("garbage") << (vertex + "\n{\x01\xfe\n") << u"line 2: not JSON"_s;
    QTest::addRow("deep") << QByteArray("{\"a\":" + QByteArray(5000, '[')) << u"not JSON"_s;
    QTest::addRow("vertexes-object") << QByteArray(R"({"vertexes":{}})")
                                     << u"\"vertexes\" must be an array"_s;
    QTest::addRow("no-digest") << QByteArray(R"({"vertexes":[{"name":"[1/2] FROM x"}]})")
                               << u"needs a digest"_s;
    QTest::addRow("vertex-number") << QByteArray(R"({"vertexes":[7]})") << u"needs a digest"_s;
    QTest::addRow("log-not-base64") << (vertex + "\n" + R"({"logs":[{"vertex":"sha256:a","data":"!!!"}]})")
                                    << u"not base64"_s;
    QByteArray many = R"({"vertexes":[)";
    for (int i = 0; i <= SolveStatusStream::kMaxVertices; ++i)
        many += "{\"digest\":\"d" + QByteArray::number(i) + "\"},";
    many.chop(1);
    many += "]}";
    QTest::addRow("too-many-vertices") << many << u"more than 100000 vertices"_s;
    QTest::addRow("huge-line") << QByteArray("{" + QByteArray(SolveStatusStream::kMaxLineBytes, ' ') + "}")
                               << u"more than the"_s;
}

void TestBuildRecord::hostileRawjson()
{
    QFETCH(QByteArray, log);
    QFETCH(QString, error);
    const Expected<BuildRecord> record = BuildRecord::fromRawJson(log, u"FROM x\nRUN y\n"_s, u"Dockerfile"_s);
    QVERIFY(!record);
    QVERIFY2(record.error().message.contains(error), qPrintable(record.error().message));
}

QTEST_GUILESS_MAIN(TestBuildRecord)
#include "tst_buildrecord.moc"
