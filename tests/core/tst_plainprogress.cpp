// PlainProgressParser: BuildKit's plain progress captured from a real Docker engine
// (tests/data/engine, see its README) gives the BuildProgress a Docker build should show;
// small pieces of the format check one rule each (a repeated header, parallel vertices,
// CACHED, ERROR, the error block and its Dockerfile excerpt, hostile input).
#include "core/dockerfile/dockerfileparser.h"
#include "core/engine/plainprogressparser.h"
#include "core/progress/buildprogress.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTest>

using namespace stagecraft;
using namespace Qt::StringLiterals;

namespace {

using Outcome = PlainProgressParser::Outcome;

struct Parsed
{
    QList<BuildEvent> events;
    QString progress; // BuildProgress::describe() after the events
    QString errorMessage;
    int errorLine = 0;
    int steps = 0;
    int cachedSteps = 0;
};

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Feeds `output` in pieces of `chunk` bytes (0: at once), then finishes with `outcome`.
Parsed parse(const QString &dockerfileText, const QByteArray &output, Outcome outcome, qsizetype chunk = 0)
{
    auto dockerfile = std::make_shared<const Dockerfile>(DockerfileParser::parse(dockerfileText));
    StageGraph graph = StageGraph::fromDockerfile(*dockerfile);
    Parsed parsed;
    PlainProgressParser parser(dockerfile, graph, [&](const BuildEvent &e) { parsed.events.append(e); });
    parser.begin();
    if (chunk <= 0) {
        parser.feed(output);
    } else {
        for (qsizetype i = 0; i < output.size(); i += chunk)
            parser.feed(QByteArrayView(output).sliced(i, std::min(chunk, output.size() - i)));
    }
    parser.finish(outcome, u"exit status 1"_s);
    BuildProgress progress;
    progress.replay(parsed.events);
    parsed.progress = progress.describe();
    parsed.errorMessage = parser.errorMessage();
    parsed.errorLine = parser.errorLine();
    parsed.steps = parser.steps();
    parsed.cachedSteps = parser.cachedSteps();
    return parsed;
}

QList<BuildEvent> ofKind(const QList<BuildEvent> &events, BuildEventKind kind)
{
    QList<BuildEvent> found;
    for (const BuildEvent &e : events)
        if (e.kind == kind)
            found.append(e);
    return found;
}

// Events as "kind stage/step" lines, for comparing two parses.
QStringList outline(const QList<BuildEvent> &events)
{
    QStringList lines;
    for (const BuildEvent &e : events)
        lines << u"%1 %2/%3 %4"_s.arg(buildEventKindName(e.kind)).arg(e.stage).arg(e.step).arg(e.text);
    return lines;
}

const QString kTwoStages = u"FROM busybox:fixture AS left\n"
                           "RUN echo left\n"
                           "FROM busybox:fixture AS right\n"
                           "ENV X=1\n"
                           "RUN echo right\n"
                           "FROM busybox:fixture\n"
                           "COPY --from=left /a /a\n"
                           "COPY --from=right /b /b\n"_s;

} // namespace

class PlainProgressTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void capturedOutput_data();
    void capturedOutput();
    void capturedOutputInPieces();
    void repeatedHeaderIsOneStep();
    void parallelVerticesKeepTheirLines();
    void cachedSteps();
    void errorLineFailsTheStep();
    void errorBlockAndExcerptGiveTheLine();
    void platformPrefixAndPadding();
    void singleStageHasNoName();
    void scratchIsNoVertex();
    void unknownNamesAreIgnored();
    void cancelledBuild();
    void longLinesAreBounded();
    void garbageIsIgnored();
};

// Output of `DOCKER_BUILDKIT=1 docker build --progress=plain` from Docker 20.10.24's
// engine, captured as tests/data/engine/README.md says; the row gives the BuildProgress
// the events must make. Docker prints the stage's FROM once for both stages that share
// it, and no vertex for ENV, LABEL, USER, EXPOSE, …: those steps are still all there.
void PlainProgressTest::capturedOutput_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("output");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("progress");
    QTest::addColumn<int>("steps");
    QTest::addColumn<int>("cachedSteps");

    QTest::addRow("seed-cold")
        << u"data/seeds/busybox/Dockerfile"_s << u"data/engine/seed-cold.plain"_s << int(Outcome::Succeeded)
        << u"running @0-; "
           "stage 0 build done 7/7 @0-0 [0:done L4 @0-0, 1:done L5 @0-0, 2:done L6 @0-0, 3:done L7 @0-0, "
           "4:done L17 @0-0, 5:done L18 @0-0, 6:done L19 @0-0]; "
           "stage 1 1 done 17/17 @0-0 [0:done L21 @0-0, 1:done L22 @0-0, 2:done L23 @0-0, 3:done L24 @0-0, 4:done L25 @0-0, 5:done L26 @0-0, 6:done L27 @0-0, 7:done L28 @0-0, 8:done L29 @0-0, 9:done L30 @0-0, 10:done L31 @0-0, 11:done L32 @0-0, 12:done L33 @0-0, 13:done L34 @0-0, 14:done L35 @0-0, 15:done L36 @0-0, 16:done L37 @0-0]"_s
        << 24 << 0;
    QTest::addRow("seed-cached")
        << u"data/seeds/busybox/Dockerfile"_s << u"data/engine/seed-cached.plain"_s << int(Outcome::Succeeded)
        << u"running @0-; "
           "stage 0 build cached 7/7 @0-0 [0:done L4 @0-0, 1:done L5 @0-0, 2:cached L6 @0-0, 3:cached L7 "
           "@0-0, 4:cached L17 @0-0, 5:cached L18 @0-0, 6:cached L19 @0-0]; "
           "stage 1 1 cached 17/17 @0-0 [0:done L21 @0-0, 1:done L22 @0-0, 2:cached L23 @0-0, 3:cached L24 @0-0, 4:cached L25 @0-0, 5:cached L26 @0-0, 6:cached L27 @0-0, 7:cached L28 @0-0, 8:cached L29 @0-0, 9:cached L30 @0-0, 10:cached L31 @0-0, 11:cached L32 @0-0, 12:cached L33 @0-0, 13:cached L34 @0-0, 14:cached L35 @0-0, 15:cached L36 @0-0, 16:cached L37 @0-0]"_s
        << 24 << 20;
    QTest::addRow("parallel-fail")
        << u"data/engine/parallel-fail/Dockerfile"_s << u"data/engine/parallel-fail.plain"_s
        << int(Outcome::Failed)
        << u"failed @0-0 failed at line 7: executor failed running [/bin/sh -c for i in 1 2 3; "
           "do echo \"right $i\"; "
           "sleep 0.3; "
           "done  && echo \"right gives up\" && exit 3]: exit code: 3; "
           "stage 0 left cancelled 1/2 @0-0 [0:done L2 @0-0, 1:cancelled L3 @0- log 3 \"left 3\"]; "
           "stage 1 right failed 2/3 @0-0 [0:cached L5 @0-0, 1:done L6 @0-0, 2:failed L7 @0-0 log 4 \"right "
           "gives up\"]; "
           "stage 2 2 queued 0/3"_s
        << 5 << 1;
}

void PlainProgressTest::capturedOutput()
{
    QFETCH(QString, dockerfile);
    QFETCH(QString, output);
    QFETCH(int, outcome);
    QFETCH(QString, progress);
    QFETCH(int, steps);
    QFETCH(int, cachedSteps);
    const QByteArray text = readFile(QFINDTESTDATA(dockerfile));
    const QByteArray plain = readFile(QFINDTESTDATA(output));
    QVERIFY(!text.isEmpty());
    QVERIFY(!plain.isEmpty());
    const Parsed parsed = parse(QString::fromUtf8(text), plain, Outcome(outcome));
    QCOMPARE(parsed.progress, progress);
    QCOMPARE(parsed.steps, steps);
    QCOMPARE(parsed.cachedSteps, cachedSteps);
}

// Pipes deliver output in pieces that cut lines anywhere: the events do not change.
void PlainProgressTest::capturedOutputInPieces()
{
    const QString text = QString::fromUtf8(readFile(QFINDTESTDATA("data/engine/parallel-fail/Dockerfile")));
    const QByteArray plain = readFile(QFINDTESTDATA("data/engine/parallel-fail.plain"));
    const Parsed whole = parse(text, plain, Outcome::Failed);
    for (qsizetype chunk : {1, 7, 100})
        QCOMPARE(outline(parse(text, plain, Outcome::Failed, chunk).events), outline(whole.events));
}

void PlainProgressTest::repeatedHeaderIsOneStep()
{
    const QByteArray out = "#5 [left 2/2] RUN echo left\n"
                           "#5 0.100 one\n"
                           "#5 ...\n"
                           "\n"
                           "#6 [right 2/2] RUN echo right\n"
                           "#6 DONE 0.2s\n"
                           "\n"
                           "#5 [left 2/2] RUN echo left\n"
                           "#5 sha256:0f2aa4c3ad836a34509c46a7ebc5207805696386d25f6c2dad75dbdc6781f245\n"
                           "#5 0.300 two\n"
                           "#5 DONE 0.4s\n"
                           "#5 [left 2/2] RUN echo left\n"
                           "#5 DONE 0.4s\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Succeeded);
    int leftRuns = 0;
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepStarted))
        leftRuns += e.stage == 0 && e.step == 1;
    QCOMPARE(leftRuns, 1);
    int leftDone = 0;
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepDone))
        leftDone += e.stage == 0 && e.step == 1;
    QCOMPARE(leftDone, 1);
    QStringList logs;
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepLog))
        logs << e.text;
    QCOMPARE(logs, (QStringList{u"one"_s, u"two"_s}));
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepDone))
        if (e.stage == 1 && e.step == 2)
            QCOMPARE(e.durationMs, 200);
}

void PlainProgressTest::parallelVerticesKeepTheirLines()
{
    const QByteArray out = "#5 [left 2/2] RUN echo left\n"
                           "#6 [right 2/2] RUN echo right\n"
                           "#5 0.1 left a\n"
                           "#6 0.1 right a\n"
                           "#6 0.2 right b\n"
                           "#5 0.3 left b\n"
                           "#6 DONE 0.3s\n"
                           "#5 DONE 0.4s\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Succeeded);
    QStringList left, right;
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepLog)) {
        QCOMPARE(e.step, e.stage == 0 ? 1 : 2);
        (e.stage == 0 ? left : right) << e.text;
        QCOMPARE(e.range.start.line, e.stage == 0 ? 2 : 5);
    }
    QCOMPARE(left, (QStringList{u"left a"_s, u"left b"_s}));
    QCOMPARE(right, (QStringList{u"right a"_s, u"right b"_s}));
    // The right stage's ENV, which has no vertex, is done before its RUN starts.
    const QList<BuildEvent> started = ofKind(parsed.events, BuildEventKind::StepStarted);
    qsizetype env = -1, run = -1;
    for (qsizetype i = 0; i < started.size(); ++i) {
        if (started[i].stage == 1 && started[i].step == 1)
            env = i;
        if (started[i].stage == 1 && started[i].step == 2)
            run = i;
    }
    QVERIFY(env >= 0 && run > env);
}

void PlainProgressTest::cachedSteps()
{
    const QByteArray out = "#4 [left 1/2] FROM docker.io/library/busybox:fixture\n"
                           "#4 CACHED\n"
                           "#5 [left 2/2] RUN echo left\n"
                           "#5 CACHED\n"
                           "#6 [right 2/2] RUN echo right\n"
                           "#6 CACHED\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Succeeded);
    QVERIFY2(parsed.progress.contains(u"stage 0 left cached 2/2"_s), qPrintable(parsed.progress));
    // The right stage's FROM and ENV take the state of the steps around them.
    QVERIFY2(parsed.progress.contains(u"stage 1 right cached 3/3"_s), qPrintable(parsed.progress));
    QCOMPARE(parsed.cachedSteps, 3); // left's FROM and RUN, right's RUN
}

void PlainProgressTest::errorLineFailsTheStep()
{
    const QByteArray out = "#6 [right 2/2] RUN echo right\n"
                           "#6 0.225 right 1\n"
                           "#6 ERROR: executor failed running [/bin/sh -c echo right]: exit code: 3\n"
                           "#5 [left 2/2] RUN echo left\n"
                           "#5 CANCELED\n"
                           "------\n"
                           " > [right 2/2] RUN echo right:\n"
                           "------\n"
                           "executor failed running [/bin/sh -c echo right]: exit code: 3\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Failed);
    const QList<BuildEvent> failed = ofKind(parsed.events, BuildEventKind::StageFailed);
    QCOMPARE(failed.size(), 2);
    QCOMPARE(failed[0].stage, 1);
    QCOMPARE(failed[0].range.start.line, 5);
    QCOMPARE(failed[0].errorKind, ErrorKind::Failed);
    QCOMPARE(
        failed[0].text,
        u"Dockerfile:5: stage \"right\": executor failed running [/bin/sh -c echo right]: exit code: 3"_s);
    QCOMPARE(failed[1].stage, 0);
    QCOMPARE(failed[1].errorKind, ErrorKind::Cancelled);
    const BuildEvent build = ofKind(parsed.events, BuildEventKind::BuildFailed).value(0);
    QCOMPARE(build.text, u"executor failed running [/bin/sh -c echo right]: exit code: 3"_s);
    QVERIFY2(parsed.progress.startsWith(u"failed @0-0 failed at line 5: executor failed"_s),
             qPrintable(parsed.progress));
}

// BuildKit 0.9 and later print the failing instruction's lines after the error block
// (the shape of `docker buildx build` output); no ERROR line names a step here.
void PlainProgressTest::errorBlockAndExcerptGiveTheLine()
{
    const QByteArray out = "#6 [right 2/2] RUN echo right\n"
                           "#6 0.064 BAD_RUN\n"
                           "------\n"
                           " > [right 2/2] RUN echo right:\n"
                           "0.064 BAD_RUN\n"
                           "------\n"
                           "Dockerfile:5\n"
                           "--------------------\n"
                           "   4 |     ENV X=1\n"
                           "   5 | >>> RUN echo right\n"
                           "   6 |     FROM busybox:fixture\n"
                           "--------------------\n"
                           "ERROR: failed to solve: process \"/bin/sh -c echo right\" did not complete "
                           "successfully: exit code: 42\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Failed);
    QCOMPARE(parsed.errorLine, 5);
    QCOMPARE(
        parsed.errorMessage,
        u"failed to solve: process \"/bin/sh -c echo right\" did not complete successfully: exit code: 42"_s);
    const BuildEvent stage = ofKind(parsed.events, BuildEventKind::StageFailed).value(0);
    QCOMPARE(stage.stage, 1);
    QCOMPARE(stage.step, 2);
    const BuildEvent build = ofKind(parsed.events, BuildEventKind::BuildFailed).value(0);
    QVERIFY2(build.text.startsWith(u"Dockerfile:5: failed to solve"_s), qPrintable(build.text));
    QVERIFY2(parsed.progress.contains(u"at line 5"_s), qPrintable(parsed.progress));
    // Excerpt and block lines are no step logs.
    for (const BuildEvent &e : ofKind(parsed.events, BuildEventKind::StepLog))
        QCOMPARE(e.text, u"BAD_RUN"_s);

    // A vertex that is no step fails (a missing base): the excerpt's line still fails a step.
    const QByteArray base = "#3 [internal] load metadata for docker.io/library/busybox:fixture\n"
                            "#3 ERROR: pull access denied\n"
                            "------\n"
                            " > [internal] load metadata for docker.io/library/busybox:fixture:\n"
                            "------\n"
                            "Dockerfile:3\n"
                            "--------------------\n"
                            "   3 | >>> FROM busybox:fixture AS right\n"
                            "--------------------\n"
                            "error: failed to solve: busybox:fixture: pull access denied\n";
    const Parsed missing = parse(kTwoStages, base, Outcome::Failed);
    const BuildEvent from = ofKind(missing.events, BuildEventKind::StageFailed).value(0);
    QCOMPARE(from.stage, 1);
    QCOMPARE(from.step, 0);
    QCOMPARE(missing.errorMessage, u"busybox:fixture: pull access denied"_s.prepend(u"failed to solve: "_s));
}

void PlainProgressTest::platformPrefixAndPadding()
{
    QString dockerfile = u"FROM busybox AS builder\n"_s;
    for (int i = 0; i < 11; ++i)
        dockerfile += u"RUN echo %1\n"_s.arg(i);
    const QByteArray out = "#7 [linux/amd64 builder  4/12] RUN echo 2\n"
                           "#7 0.5 hello\n"
                           "#7 DONE 0.5s\n"
                           "#8 [builder 12/12] RUN echo 10\n"
                           "#8 DONE 0.1s\n";
    const Parsed parsed = parse(dockerfile, out, Outcome::Succeeded);
    const BuildEvent log = ofKind(parsed.events, BuildEventKind::StepLog).value(0);
    QCOMPARE(log.stage, 0);
    QCOMPARE(log.step, 3);
    QCOMPARE(log.range.start.line, 4);
    QVERIFY2(parsed.progress.contains(u"stage 0 builder done 12/12"_s), qPrintable(parsed.progress));
}

void PlainProgressTest::singleStageHasNoName()
{
    const QByteArray out = "#5 [1/3] FROM docker.io/library/busybox\n"
                           "#5 DONE 0.1s\n"
                           "#6 [2/3] RUN true\n"
                           "#6 DONE 0.1s\n"
                           "#7 [3/3] COPY a b\n"
                           "#7 DONE 0.0s\n";
    const Parsed parsed =
        parse(u"FROM busybox\nRUN true\nLABEL a=b\nCOPY a b\nCMD [\"sh\"]\n"_s, out, Outcome::Succeeded);
    QVERIFY2(parsed.progress.contains(u"stage 0 0 done 5/5"_s), qPrintable(parsed.progress));
    const BuildEvent copy = ofKind(parsed.events, BuildEventKind::StepDone).value(3);
    QCOMPARE(copy.step, 3);
    QCOMPARE(copy.range.start.line, 4);
}

// BuildKit counts no vertex for FROM scratch: "[stage-1 1/2]" is the COPY after it.
void PlainProgressTest::scratchIsNoVertex()
{
    const QByteArray out = "#5 [build 2/2] RUN echo built > /out\n"
                           "#5 DONE 0.3s\n"
                           "#6 [stage-1 1/2] COPY --from=build /bin/busybox /bin/busybox\n"
                           "#6 DONE 0.0s\n"
                           "#7 [stage-1 2/2] COPY --from=build /out /out\n"
                           "#7 CACHED\n";
    const Parsed parsed = parse(u"FROM busybox:fixture AS build\nRUN echo built > /out\nFROM scratch\n"
                                "COPY --from=build /bin/busybox /bin/busybox\nCOPY --from=build /out /out\n"
                                "ENV PATH=/bin\n"_s,
                                out, Outcome::Succeeded);
    // The first COPY ran (DONE, no layer digest in plain progress): the stage is done, not cached.
    QVERIFY2(parsed.progress.contains(u"stage 1 1 done 4/4 @0-0 [0:done L3 @0-0, 1:done L4 @0-0, "
                                      "2:cached L5 @0-0, 3:cached L6 @0-0]"_s),
             qPrintable(parsed.progress));
}

void PlainProgressTest::unknownNamesAreIgnored()
{
    const QByteArray out = "#5 [nowhere 2/2] RUN echo left\n"
                           "#5 0.1 lost\n"
                           "#6 [left 9/2] RUN echo left\n"
                           "#7 [left 0/2] RUN echo left\n"
                           "#8 [stage-9 1/1] FROM x\n"
                           "#9 [left 2/99999999] RUN\n"
                           "#10 exporting to image\n"
                           "#10 naming to docker.io/library/x done\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Succeeded);
    QVERIFY(ofKind(parsed.events, BuildEventKind::StepLog).isEmpty());
    // Success completes every needed stage with the steps BuildKit left unnamed.
    QVERIFY2(parsed.progress.contains(u"stage 2 2 done 3/3"_s), qPrintable(parsed.progress));
}

void PlainProgressTest::cancelledBuild()
{
    const QByteArray out = "#5 [left 2/2] RUN sleep 100\n"
                           "#5 0.1 sleeping\n";
    const Parsed parsed = parse(kTwoStages, out, Outcome::Cancelled);
    const BuildEvent build = ofKind(parsed.events, BuildEventKind::BuildFailed).value(0);
    QCOMPARE(build.errorKind, ErrorKind::Cancelled);
    QVERIFY2(parsed.progress.startsWith(u"cancelled"_s), qPrintable(parsed.progress));
    QVERIFY2(parsed.progress.contains(u"stage 0 left cancelled"_s), qPrintable(parsed.progress));
}

void PlainProgressTest::longLinesAreBounded()
{
    QByteArray out = "#5 [left 2/2] RUN echo left\n#5 0.1 ";
    out += QByteArray(3 * 1024 * 1024, 'x');
    out += "\n#5 0.2 after\n#5 DONE 1.0s\n";
    out += "ERROR: " + QByteArray(1024 * 1024, 'e') + '\n';
    const Parsed parsed = parse(kTwoStages, out, Outcome::Failed, 4096);
    const QList<BuildEvent> logs = ofKind(parsed.events, BuildEventKind::StepLog);
    QCOMPARE(logs.size(), 2);
    QVERIFY(logs[0].text.size() <= PlainProgressParser::kMaxLineBytes);
    QVERIFY(logs[0].text.size() > 1000);
    QCOMPARE(logs[1].text, u"after"_s);
    QVERIFY(parsed.errorMessage.size() <= PlainProgressParser::kMaxErrorChars);

    // A line that never ends is held to the bound too.
    auto dockerfile = std::make_shared<const Dockerfile>(DockerfileParser::parse(kTwoStages));
    int events = 0;
    PlainProgressParser endless(dockerfile, StageGraph::fromDockerfile(*dockerfile),
                                [&](const BuildEvent &) { ++events; });
    const QByteArray block(1024 * 1024, 'y');
    for (int i = 0; i < 64; ++i)
        endless.feed(block);
    endless.finish(Outcome::Succeeded);
    QVERIFY(events > 0);
}

void PlainProgressTest::garbageIsIgnored()
{
    QRandomGenerator random(14);
    for (int round = 0; round < 20; ++round) {
        QByteArray out;
        for (int i = 0; i < 2000; ++i) {
            const quint32 pick = random.bounded(8u);
            if (pick == 0)
                out += "#" + QByteArray::number(random.bounded(40u)) + " [left 2/2] RUN echo left\n";
            else if (pick == 1)
                out += "#" + QByteArray::number(random.bounded(40u)) + " DONE 0.1s\n";
            else if (pick == 2)
                out += "------\n";
            else if (pick == 3)
                out += "#" + QByteArray::number(random.bounded(40u)) + " ERROR: x\n";
            else
                out += char(random.bounded(256u));
        }
        const Parsed parsed = parse(kTwoStages, out, round % 2 ? Outcome::Failed : Outcome::Succeeded, 13);
        QVERIFY(!parsed.progress.isEmpty());
    }
}

QTEST_GUILESS_MAIN(PlainProgressTest)
#include "tst_plainprogress.moc"
