// BuildProgress: event sequences give the model's one-line description, a record written
// with toJson reads back to the same description, hostile records give errors, and a real
// build's events give every step (all cached the second time).
#include "core/builder/builder.h"
#include "core/exec/sandbox.h"
#include "core/progress/buildprogress.h"

#include "buildfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace stagecraft;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(stagecraft::BuildEvent)

namespace {

using Events = QList<BuildEvent>;

BuildEvent event(BuildEventKind kind, int stage, qint64 t)
{
    BuildEvent e;
    e.kind = kind;
    e.stage = stage;
    e.stageName = stage == 0 ? u"build"_s : QString::number(stage);
    e.stepCount = 3;
    e.timeMs = t;
    return e;
}

BuildEvent queued(int stage, qint64 t)
{
    return event(BuildEventKind::StageQueued, stage, t);
}

BuildEvent started(int stage, qint64 t)
{
    return event(BuildEventKind::StageStarted, stage, t);
}

BuildEvent step(BuildEventKind kind, int stage, int number, int line, qint64 t, const QString &text = {})
{
    BuildEvent e = event(kind, stage, t);
    e.step = number;
    e.instruction = line - 1;
    e.range.start = {line, 1};
    e.range.end = {line, 10};
    e.text = text;
    return e;
}

BuildEvent stepStarted(int stage, int number, int line, qint64 t)
{
    return step(BuildEventKind::StepStarted, stage, number, line, t, u"STEP %1"_s.arg(line));
}

BuildEvent stepLog(int stage, int number, int line, qint64 t, const QString &text)
{
    return step(BuildEventKind::StepLog, stage, number, line, t, text);
}

BuildEvent stepDone(int stage, int number, int line, qint64 t, qint64 layerSize = 0)
{
    BuildEvent e = step(BuildEventKind::StepDone, stage, number, line, t);
    if (layerSize > 0) {
        e.layerDigest = u"sha256:%1"_s.arg(QString(64, QLatin1Char('a' + line % 6)));
        e.layerSize = layerSize;
    }
    return e;
}

BuildEvent stepCached(int stage, int number, int line, qint64 t, qint64 layerSize)
{
    BuildEvent e = stepDone(stage, number, line, t, layerSize);
    e.kind = BuildEventKind::StepCached;
    return e;
}

BuildEvent stageEnded(BuildEventKind kind, int stage, qint64 t, const QString &text = {},
                      ErrorKind errorKind = ErrorKind::Failed)
{
    BuildEvent e = event(kind, stage, t);
    e.text = text;
    e.errorKind = errorKind;
    e.durationMs = t;
    return e;
}

BuildEvent buildEnded(BuildEventKind kind, qint64 t, const QString &text,
                      ErrorKind errorKind = ErrorKind::Failed)
{
    BuildEvent e = event(kind, -1, t);
    e.text = text;
    e.errorKind = errorKind;
    e.durationMs = t;
    return e;
}

BuildEvent warning(int stage, int number, int line, qint64 t, const QString &text)
{
    BuildEvent e = step(BuildEventKind::BuildWarning, stage, number, line, t, text);
    return e;
}

// A two-stage build: stage 0 made a layer and took one from the cache, stage 1 all cached.
Events twoStages()
{
    return {queued(0, 0),
            queued(1, 0),
            started(0, 1),
            stepStarted(0, 0, 1, 1),
            stepDone(0, 0, 1, 2),
            stepStarted(0, 1, 2, 2),
            stepLog(0, 1, 2, 5, u"hello"_s),
            stepDone(0, 1, 2, 9, 300),
            stepStarted(0, 2, 3, 9),
            stepCached(0, 2, 3, 10, 40),
            stageEnded(BuildEventKind::StageDone, 0, 10),
            started(1, 11),
            stepStarted(1, 0, 4, 11),
            stepDone(1, 0, 4, 11),
            stepStarted(1, 1, 5, 12),
            stepCached(1, 1, 5, 12, 7),
            stepStarted(1, 2, 6, 12),
            stepCached(1, 2, 6, 13, 0),
            stageEnded(BuildEventKind::StageDone, 1, 13),
            buildEnded(BuildEventKind::BuildDone, 14, u"sha256:image"_s)};
}

Events failingRun()
{
    return {queued(0, 0),
            started(0, 0),
            stepStarted(0, 0, 1, 0),
            stepDone(0, 0, 1, 1),
            stepStarted(0, 1, 2, 1),
            stepLog(0, 1, 2, 2, u"sh: false: failed"_s),
            stageEnded(BuildEventKind::StageFailed, 0, 3, u"RUN exited with 1"_s),
            buildEnded(BuildEventKind::BuildFailed, 3, u"RUN exited with 1"_s)};
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class TestBuildProgress : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void events_data();
    void events();
    void signalsFollowEvents();
    void hostileRecord_data();
    void hostileRecord();
    void realBuild();
    void cacheReasons();
};

void TestBuildProgress::events_data()
{
    QTest::addColumn<Events>("events");
    QTest::addColumn<QString>("expected");

    QTest::addRow("two-stages-cached-step")
        << twoStages()
        << u"done @0-14; stage 0 build done 3/3 @1-10 340B [0:done L1 @1-2, 1:done L2 @2-9 layer 300B log 1 "
           "\"hello\", 2:cached L3 @9-10 layer 40B]; stage 1 1 cached 3/3 @11-13 7B [0:done L4 @11-11, "
           "1:cached L5 @12-12 layer 7B, 2:cached L6 @12-13]"_s;
    QTest::addRow("failing-run")
        << failingRun()
        << u"failed @0-3 failed at line 2: RUN exited with 1; stage 0 build failed 1/3 @0-3 [0:done L1 @0-1, "
           "1:failed L2 @1-3 log 1 \"sh: false: failed\"]"_s;
    QTest::addRow("cancelled")
        << Events{queued(0, 0),
                  started(0, 0),
                  stepStarted(0, 0, 1, 0),
                  stepDone(0, 0, 1, 1),
                  stepStarted(0, 1, 2, 1),
                  stageEnded(BuildEventKind::StageFailed, 0, 4, u"cancelled"_s, ErrorKind::Cancelled),
                  buildEnded(BuildEventKind::BuildFailed, 4, u"build cancelled"_s, ErrorKind::Cancelled)}
        << u"cancelled @0-4 cancelled at line 0: build cancelled; stage 0 build cancelled 1/3 @0-4 [0:done "
           u"L1 "
           "@0-1, 1:cancelled L2 @1-]"_s;
    // Two stages of one level run at once; their events interleave, and a warning comes once.
    QTest::addRow("parallel-stages")
        << Events{queued(0, 0),
                  queued(1, 0),
                  started(0, 1),
                  started(1, 1),
                  stepStarted(1, 0, 4, 1),
                  stepStarted(0, 0, 1, 2),
                  stepDone(0, 0, 1, 3),
                  stepDone(1, 0, 4, 3),
                  stepStarted(0, 1, 2, 3),
                  stepStarted(1, 1, 5, 4),
                  warning(1, 1, 5, 4, u"no network"_s),
                  stepLog(1, 1, 5, 5, u"b"_s),
                  stepLog(0, 1, 2, 5, u"a"_s),
                  warning(0, 1, 2, 5, u"no network"_s),
                  stepDone(1, 1, 5, 6, 10),
                  stepDone(0, 1, 2, 7, 20),
                  stageEnded(BuildEventKind::StageDone, 1, 7),
                  stageEnded(BuildEventKind::StageDone, 0, 8)}
        << u"running @0-; stage 0 build done 3/3 @1-8 20B [0:done L1 @2-3, 1:done L2 @3-7 layer 20B log 1 "
           "\"a\"]; stage 1 1 done 3/3 @1-7 10B [0:done L4 @1-3, 1:done L5 @4-6 layer 10B log 1 \"b\"]; "
           "warning 1/1 L5: no network"_s;
    // A step's log keeps its last lines and counts the ones it let go.
    Events noisy{queued(0, 0), started(0, 0), stepStarted(0, 0, 1, 0)};
    for (int i = 0; i < BuildProgress::kMaxLogLines + 5; ++i)
        noisy.append(stepLog(0, 0, 1, 1, u"line %1"_s.arg(i)));
    QTest::addRow("log-bounded") << noisy
                                 << u"running @0-; stage 0 build running 0/3 @0- [0:running L1 @0- log 9005 "
                                    "\"line 10004\" dropped 1000]"_s;
    // Events for stages the model cannot hold are ignored, not trusted.
    QTest::addRow("hostile-events") << Events{queued(0, 0), queued(-5, 0),
                                              stepStarted(BuildProgress::kMaxStages, 0, 1, 1),
                                              stepStarted(0, -1, 1, 1),
                                              stepStarted(0, BuildProgress::kMaxStepsPerStage, 1, 1)}
                                    << u"running @0-; stage 0 build queued 0/3"_s;
}

void TestBuildProgress::events()
{
    QFETCH(Events, events);
    QFETCH(QString, expected);

    BuildProgress progress;
    progress.replay(events);
    QCOMPARE(progress.describe(), expected);
    // Whatever the log kept, the first kept line is the right one.
    if (const StepProgress *s = progress.step(0, 0); s && s->droppedLines > 0)
        QCOMPARE(s->log.first(), u"line %1"_s.arg(s->droppedLines));

    // The record reads back to the same model, in another instance.
    const QByteArray record = compact(progress.toJson());
    BuildProgress reread;
    const auto read = reread.fromJson(record);
    QVERIFY2(read, qPrintable(read ? QString() : read.error().message));
    QCOMPARE(reread.describe(), expected);
    QCOMPARE(reread.failedLine(), progress.failedLine());
    QCOMPARE(reread.totalSteps(), progress.totalSteps());
    QCOMPARE(reread.finishedSteps(), progress.finishedSteps());
    QCOMPARE(compact(reread.toJson()), record);
    for (int index : progress.stageIndexes())
        for (const StepProgress &s : progress.stage(index)->steps)
            if (s.stage >= 0)
                QCOMPARE(reread.step(index, s.step)->log, s.log);

    // Replaying again starts from nothing.
    progress.replay(events);
    QCOMPARE(progress.describe(), expected);
}

void TestBuildProgress::signalsFollowEvents()
{
    BuildProgress progress;
    QSignalSpy cleared(&progress, &BuildProgress::cleared);
    QSignalSpy stages(&progress, &BuildProgress::stageChanged);
    QSignalSpy steps(&progress, &BuildProgress::stepChanged);
    QSignalSpy build(&progress, &BuildProgress::buildChanged);
    progress.replay(failingRun());
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(steps.size(), 4);
    QCOMPARE(steps.at(3), (QList<QVariant>{0, 1}));
    QCOMPARE(stages.size(), 7); // every stage event and step event, and none for the build's end
    QCOMPARE(build.size(), 1);
    QCOMPARE(progress.finishedSteps(), 1);
    QCOMPARE(progress.totalSteps(), 3);
}

void TestBuildProgress::hostileRecord_data()
{
    QTest::addColumn<QByteArray>("record");
    QTest::addColumn<QString>("error");

    BuildProgress progress;
    progress.replay(twoStages());
    const QJsonObject valid = progress.toJson();
    const auto edited = [&](const std::function<void(QJsonObject &)> &edit) {
        QJsonObject o = valid;
        edit(o);
        return compact(o);
    };
    const auto editBuild = [&](const std::function<void(QJsonObject &)> &edit) {
        return edited([&](QJsonObject &o) {
            QJsonObject build = o[u"stagecraft"_s].toObject();
            edit(build);
            o[u"stagecraft"_s] = build;
        });
    };
    const auto editVertex = [&](const std::function<void(QJsonObject &)> &edit) {
        return edited([&](QJsonObject &o) {
            QJsonArray vertexes = o[u"vertexes"_s].toArray();
            QJsonObject v = vertexes[1].toObject();
            edit(v);
            vertexes[1] = v;
            o[u"vertexes"_s] = vertexes;
        });
    };

    QTest::addRow("not-json") << QByteArray("{\"vertexes\": [") << u"not JSON"_s;
    QTest::addRow("array") << QByteArray("[]") << u"top level must be an object"_s;
    QTest::addRow("deep-nesting") << QByteArray(100000, '[') + QByteArray(100000, ']') << u"not JSON"_s;
    QByteArray deepObject;
    for (int i = 0; i < 5000; ++i)
        deepObject += "{\"a\":";
    deepObject += "1" + QByteArray(5000, '}');
    QTest::addRow("deep-objects") << deepObject << u"not JSON"_s;
    QTest::addRow("over-64-mib") << QByteArray(BuildProgress::kMaxRecordBytes + 1, ' ') << u"more than the"_s;
    QTest::addRow("no-stagecraft-object")
        << edited([](QJsonObject &o) { o.remove(u"stagecraft"_s); }) << u"no \"stagecraft\" object"_s;
    QTest::addRow("stagecraft-is-string") << edited([](QJsonObject &o) { o[u"stagecraft"_s] = u"x"_s; })
                                          << u"\"stagecraft\" must be an object"_s;
    QTest::addRow("vertexes-is-object") << edited([](QJsonObject &o) { o[u"vertexes"_s] = QJsonObject(); })
                                        << u"\"vertexes\" must be an array"_s;
    QTest::addRow("vertex-is-number") << edited([](QJsonObject &o) { o[u"vertexes"_s] = QJsonArray{1}; })
                                      << u"a vertex must be an object"_s;
    QTest::addRow("too-many-vertices") << edited([](QJsonObject &o) {
        QJsonArray many;
        for (int i = 0; i <= BuildProgress::kMaxVertices; ++i)
            many.append(QJsonObject());
        o[u"vertexes"_s] = many;
    }) << u"more than the 100000"_s;
    QTest::addRow("too-many-stages") << editBuild([](QJsonObject &b) {
        QJsonArray many;
        for (int i = 0; i <= BuildProgress::kMaxStages; ++i)
            many.append(i);
        b[u"stages"_s] = many;
    }) << u"\"stages\" has 10001 entries"_s;
    QTest::addRow("stage-is-string") << editBuild([](QJsonObject &b) { b[u"stages"_s] = QJsonArray{u"s"_s}; })
                                     << u"a stage must be an object"_s;
    QTest::addRow("step-count-huge") << editBuild([](QJsonObject &b) {
        QJsonArray stages = b[u"stages"_s].toArray();
        QJsonObject s = stages[0].toObject();
        s[u"stepCount"_s] = 1e18;
        stages[0] = s;
        b[u"stages"_s] = stages;
    }) << u"\"stepCount\" must be a whole number"_s;
    QTest::addRow("stage-index-negative") << editBuild([](QJsonObject &b) {
        QJsonArray stages = b[u"stages"_s].toArray();
        QJsonObject s = stages[0].toObject();
        s[u"index"_s] = -3;
        stages[0] = s;
        b[u"stages"_s] = stages;
    }) << u"\"index\" must be a whole number"_s;
    QTest::addRow("stage-twice") << editBuild([](QJsonObject &b) {
        QJsonArray stages = b[u"stages"_s].toArray();
        stages.append(stages[0]);
        b[u"stages"_s] = stages;
    }) << u"stage 0 appears twice"_s;
    QTest::addRow("unknown-state") << editBuild([](QJsonObject &b) { b[u"state"_s] = u"exploded"_s; })
                                   << u"unknown state"_s;
    QTest::addRow("bad-origin") << editBuild([](QJsonObject &b) { b[u"origin"_s] = u"yesterday"_s; })
                                << u"\"origin\" is not an RFC 3339 time"_s;
    QTest::addRow("negative-build-time") << editBuild([](QJsonObject &b) { b[u"startedMs"_s] = -7; })
                                         << u"\"startedMs\" must be a whole number"_s;
    QTest::addRow("unknown-stage-index") << editVertex([](QJsonObject &v) {
        QJsonObject extra = v[u"stagecraft"_s].toObject();
        extra[u"stage"_s] = 7;
        v[u"stagecraft"_s] = extra;
    }) << u"names stage 7, which the record does not have"_s;
    QTest::addRow("stage-index-string") << editVertex([](QJsonObject &v) {
        QJsonObject extra = v[u"stagecraft"_s].toObject();
        extra[u"stage"_s] = u"0"_s;
        v[u"stagecraft"_s] = extra;
    }) << u"\"stage\" must be a whole number"_s;
    QTest::addRow("fractional-step") << editVertex([](QJsonObject &v) {
        QJsonObject extra = v[u"stagecraft"_s].toObject();
        extra[u"step"_s] = 1.5;
        v[u"stagecraft"_s] = extra;
    }) << u"\"step\" must be a whole number"_s;
    QTest::addRow("vertex-without-stage")
        << editVertex([](QJsonObject &v) { v.remove(u"stagecraft"_s); }) << u"names no stage"_s;
    QTest::addRow("started-before-origin")
        << editVertex([](QJsonObject &v) { v[u"started"_s] = u"1969-12-31T23:59:59.000Z"_s; })
        << u"lies before the build's start"_s;
    QTest::addRow("started-is-number")
        << editVertex([](QJsonObject &v) { v[u"started"_s] = 12; }) << u"\"started\" must be a string"_s;
    QTest::addRow("cached-is-string") << editVertex([](QJsonObject &v) { v[u"cached"_s] = u"yes"_s; })
                                      << u"\"cached\" must be true or false"_s;
    QTest::addRow("range-short") << editVertex([](QJsonObject &v) {
        QJsonObject extra = v[u"stagecraft"_s].toObject();
        extra[u"range"_s] = QJsonArray{1, 2};
        v[u"stagecraft"_s] = extra;
    }) << u"\"range\" must be four"_s;
    QTest::addRow("layer-size-negative") << editVertex([](QJsonObject &v) {
        QJsonObject extra = v[u"stagecraft"_s].toObject();
        extra[u"layerSize"_s] = -1;
        v[u"stagecraft"_s] = extra;
    }) << u"\"layerSize\" must be a whole number"_s;
    QTest::addRow("log-of-unknown-vertex") << edited([](QJsonObject &o) {
        o[u"logs"_s] = QJsonArray{QJsonObject{{u"vertex"_s, u"sha256:nothing"_s}, {u"data"_s, u"eA=="_s}}};
    }) << u"which the record does not have"_s;
    QTest::addRow("log-not-base64") << edited([](QJsonObject &o) {
        QJsonArray logs = o[u"logs"_s].toArray();
        QJsonObject l = logs[0].toObject();
        l[u"data"_s] = u"***"_s;
        logs[0] = l;
        o[u"logs"_s] = logs;
    }) << u"not base64"_s;
    QTest::addRow("warning-is-array")
        << edited([](QJsonObject &o) { o[u"warnings"_s] = QJsonArray{QJsonArray()}; })
        << u"a warning must be an object"_s;
}

void TestBuildProgress::hostileRecord()
{
    QFETCH(QByteArray, record);
    QFETCH(QString, error);

    BuildProgress progress;
    progress.replay(failingRun());
    const QString before = progress.describe();
    const auto read = progress.fromJson(record);
    QVERIFY(!read);
    QVERIFY2(read.error().message.contains(error), qPrintable(read.error().message));
    // A refused record leaves the model as it was.
    QCOMPARE(progress.describe(), before);
}

void TestBuildProgress::realBuild()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto store = ImageStore::open(dir.filePath(u"store"_s));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    auto imported = store->import(fixtures::imagesDataDir() + u"/base.docker.tar"_s, u"busybox:fixture"_s);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    const QString context = dir.filePath(u"context"_s);
    QVERIFY(fixtures::writeText(context + u"/Dockerfile"_s, "FROM busybox:fixture AS build\n"
                                                            "RUN echo made > /made && echo said\n"
                                                            "FROM busybox:fixture\n"
                                                            "COPY --from=build /made /copied\n"
                                                            "ENV A=b\n"
                                                            "RUN cat /copied\n"));

    for (int round = 0; round < 2; ++round) {
        Events events;
        Builder builder(*store);
        BuildRequest request;
        request.contextDir = context;
        request.tags = {u"progress:test"_s};
        auto built = builder.build(request, [&](const BuildEvent &e) { events.append(e); });
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));

        BuildProgress progress;
        progress.replay(events);
        QCOMPARE(progress.state(), ProgressState::Done);
        QCOMPARE(progress.imageId(), built->imageId.toString());
        QCOMPARE(progress.stageIndexes(), (QList<int>{0, 1}));
        QCOMPARE(progress.totalSteps(), 2 + 4);
        QCOMPARE(progress.finishedSteps(), progress.totalSteps());
        for (int index : progress.stageIndexes()) {
            const StageProgress *stage = progress.stage(index);
            QCOMPARE(stage->steps.size(), stage->stepCount);
            QCOMPARE(stage->state, round == 0 ? ProgressState::Done : ProgressState::Cached);
            QVERIFY(stage->startedMs >= 0 && stage->endedMs >= stage->startedMs);
            for (const StepProgress &s : stage->steps) {
                QVERIFY2(s.stage == index, qPrintable(progress.describe()));
                QVERIFY(s.isFinished());
                QVERIFY(s.range.start.line > 0);
                QVERIFY(s.startedMs >= stage->startedMs && s.completedMs >= s.startedMs);
                QVERIFY(s.completedMs <= progress.toJson()[u"stagecraft"_s][u"endedMs"_s].toInteger());
                // The FROM is never a cached step; every other one is, the second time.
                QCOMPARE(s.cached, round == 1 && s.step > 0);
            }
        }
        const StepProgress *run = progress.step(0, 1);
        QVERIFY(run);
        QCOMPARE(run->range.start.line, 2);
        if (round == 0) {
            QVERIFY2(run->log.contains(u"said"_s), qPrintable(run->log.join(u'|')));
            QVERIFY(!run->layerDigest.isEmpty() && run->layerSize > 0);
        }
        // The record of a real build reads back to the same model.
        BuildProgress reread;
        QVERIFY(reread.fromJson(compact(progress.toJson())));
        QCOMPARE(reread.describe(), progress.describe());
    }
}

void TestBuildProgress::cacheReasons()
{
    // A step that ran says why the cache did not have it, in its JSON event, the model, the
    // record (a "stagecraft" field BuildKit's readers skip) and the events a record replays.
    Events events = twoStages();
    for (BuildEvent &e : events)
        if (e.kind == BuildEventKind::StepDone && e.stage == 0 && e.step == 1)
            e.cacheReason = u"main.go modified"_s;
    BuildEvent longer = stepDone(1, 0, 4, 12);
    longer.cacheReason = QString(BuildProgress::kMaxCacheReason + 100, u'x');
    events.insert(events.size() - 1, longer);
    for (const BuildEvent &e : std::as_const(events))
        if (e.kind == BuildEventKind::StepDone && e.stage == 0 && e.step == 1)
            QCOMPARE(e.toJson()[u"cacheReason"_s].toString(), u"main.go modified"_s);
    BuildProgress progress;
    progress.replay(events);
    QCOMPARE(progress.step(0, 1)->cacheReason, u"main.go modified"_s);
    QCOMPARE(progress.step(0, 2)->cacheReason, QString()); // cached
    QCOMPARE(progress.step(1, 0)->cacheReason.size(), BuildProgress::kMaxCacheReason);

    const QJsonObject record = progress.toJson();
    const QJsonArray vertexes = record[u"vertexes"_s].toArray();
    QCOMPARE(vertexes.at(1).toObject()[u"stagecraft"_s].toObject()[u"cacheReason"_s].toString(),
             u"main.go modified"_s);
    BuildProgress reread;
    QVERIFY(reread.fromJson(compact(record)));
    QCOMPARE(reread.step(0, 1)->cacheReason, u"main.go modified"_s);
    QCOMPARE(reread.step(1, 0)->cacheReason.size(), BuildProgress::kMaxCacheReason);
    bool replayed = false;
    for (const BuildEvent &e : reread.toEvents())
        replayed |= e.kind == BuildEventKind::StepDone && e.cacheReason == u"main.go modified"_s;
    QVERIFY(replayed);

    // A reason that is not text is refused like any other malformed field.
    QJsonObject hostile = record;
    QJsonArray edited = vertexes;
    QJsonObject vertex = edited.at(1).toObject();
    QJsonObject extra = vertex[u"stagecraft"_s].toObject();
    extra[u"cacheReason"_s] = QJsonArray{1, 2};
    vertex[u"stagecraft"_s] = extra;
    edited[1] = vertex;
    hostile[u"vertexes"_s] = edited;
    BuildProgress refused;
    QVERIFY(!refused.fromJson(compact(hostile)));
}

QTEST_GUILESS_MAIN(TestBuildProgress)
#include "tst_buildprogress.moc"
