// The stage graph of seed, corpus, hand-written and generated Dockerfiles, compared as a
// compact text dump: stages, edges, levels, target and diagnostics.
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/graphformat.h"
#include "core/plan/stagegraph.h"
#include "tests/bench/largedockerfile.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <algorithm>

using namespace stagecraft;

namespace {

QString dataDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data");
}

QString readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

// "0:build=ubuntu 1=scratch! | ubuntu>0:from 0>1:copy | 0/1 | target 1": stages as
// index[:name]=base[@platform] (! when not needed), edges, levels, target.
QString describe(const StageGraph &graph)
{
    QStringList stages;
    for (const Stage &s : graph.stages) {
        QString d = QString::number(s.index);
        if (!s.name.isEmpty())
            d += QLatin1Char(':') + s.name;
        d += QLatin1Char('=') + s.base;
        if (!s.platform.isEmpty())
            d += QLatin1Char('@') + s.platform;
        if (!s.needed)
            d += QLatin1Char('!');
        stages.append(d);
    }
    QStringList edges;
    for (const Edge &e : graph.edges)
        edges.append((e.isExternal() ? e.fromImage : QString::number(e.fromStage)) + QLatin1Char('>') +
                     QString::number(e.toStage) + QLatin1Char(':') + GraphFormat::edgeKindName(e.kind));
    QStringList levels;
    for (const QList<int> &level : graph.levels) {
        QStringList l;
        for (int s : level)
            l.append(QString::number(s));
        levels.append(l.join(QLatin1Char(',')));
    }
    auto orDash = [](const QString &s) { return s.isEmpty() ? QStringLiteral("-") : s; };
    return orDash(stages.join(QLatin1Char(' '))) + QStringLiteral(" | ") +
           orDash(edges.join(QLatin1Char(' '))) + QStringLiteral(" | ") +
           orDash(levels.join(QLatin1Char('/'))) + QStringLiteral(" | target ") +
           QString::number(graph.target);
}

// "error@3" or "warning@5" per diagnostic, in order.
QStringList diagnosticSummary(const Diagnostics &diagnostics)
{
    QStringList out;
    for (const Diagnostic &d : diagnostics)
        out.append(severityName(d.severity) + QLatin1Char('@') + QString::number(d.range.start.line));
    return out;
}

// Space-separated words as a list (QT_NO_CAST_FROM_ASCII forbids QStringList{"…"}).
QStringList expect(const char *words)
{
    return QString::fromUtf8(words).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

PlanOptions options(const QString &target, const QString &buildArgs = {})
{
    PlanOptions o;
    o.target = target;
    for (const QString &pair : buildArgs.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qsizetype eq = pair.indexOf(QLatin1Char('='));
        o.buildArgs.insert(pair.left(eq), pair.mid(eq + 1));
    }
    return o;
}

StageGraph graphOf(const QString &text, const PlanOptions &o = {})
{
    return StageGraph::fromDockerfile(DockerfileParser::parse(text), o);
}

} // namespace

class TestStageGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QDir(dataDir()).exists(), "STAGECRAFT_SOURCE_DIR must point at the repository");
    }

    void seeds_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::addRow("seed000-single") << "seed000-single.Dockerfile"
                                        << "0:build=ubuntu | ubuntu>0:from | 0 | target 0";
        QTest::addRow("seed000-multi")
            << "seed000-multi.Dockerfile"
            << "0:build=ubuntu 1=scratch | ubuntu>0:from 0>1:copy | 0/1 | target 1";
        QTest::addRow("seed001-index")
            << "seed001-index.Dockerfile"
            << "0=golang:1.21 1=scratch | golang:1.21>0:from 0>1:copy | 0/1 | target 1";
        QTest::addRow("seed001-named")
            << "seed001-named.Dockerfile"
            << "0:build=golang:1.21 1=scratch | golang:1.21>0:from 0>1:copy | 0/1 | target 1";
        QTest::addRow("seed002-multi") << "seed002-multi.Dockerfile"
                                       << "0=golang:1.6-alpine 1=alpine | golang:1.6-alpine>0:from "
                                          "alpine>1:from 0>1:copy | 0/1 | target 1";
        QTest::addRow("seed003-single") << "seed003-single.Dockerfile"
                                        << "0=golang:1.12.0 | golang:1.12.0>0:from | 0 | target 0";
        QTest::addRow("seed003-multi") << "seed003-multi.Dockerfile"
                                       << "0:build=golang:1.12.0 1=alpine:latest | golang:1.12.0>0:from "
                                          "alpine:latest>1:from 0>1:copy | 0/1 | "
                                          "target 1";
        QTest::addRow("seed004-multi")
            << "seed004-multi.Dockerfile"
            << "0:build=ubuntu 1=scratch | ubuntu>0:from 0>1:copy | 0/1 | target 1";
    }

    void seeds()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const QString text = readFile(dataDir() + QStringLiteral("/plan/") + file);
        QVERIFY(!text.isEmpty());
        const Dockerfile dockerfile = DockerfileParser::parse(text);
        QVERIFY2(!hasErrors(dockerfile.diagnostics), qPrintable(file));
        const StageGraph graph = StageGraph::fromDockerfile(dockerfile);
        QCOMPARE(describe(graph), expected);
        QCOMPARE(diagnosticSummary(graph.diagnostics), QStringList());
        QVERIFY(!graph.externalImages.contains(QStringLiteral("scratch")));
    }

    void graph_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("buildArgs");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QStringList>("diagnostics");

        QTest::addRow("copy-from-cycle")
            << "FROM alpine AS a\nCOPY --from=1 /x /x\nFROM alpine AS b\nCOPY --from=0 /y /y\n"
            << ""
            << ""
            << "0:a=alpine 1:b=alpine | alpine>0:from 1>0:copy alpine>1:from 0>1:copy | 0,1 | target 1"
            << expect("error@2");
        QTest::addRow("copy-from-self-index")
            << "FROM alpine\nCOPY --from=0 /x /y\n"
            << ""
            << ""
            << "0=alpine | alpine>0:from 0>0:copy | 0 | target 0" << expect("error@2");
        QTest::addRow("forward-reference")
            << "FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\n"
            << "a"
            << ""
            << "0:a=alpine 1:b=alpine! | alpine>0:from b>0:copy alpine>1:from | 0 | target 0"
            << expect("warning@2");
        QTest::addRow("from-index") << "FROM golang AS build\nRUN make\nFROM scratch\nCOPY --from=0 /a /a\n"
                                    << ""
                                    << ""
                                    << "0:build=golang 1=scratch | golang>0:from 0>1:copy | 0/1 | target 1"
                                    << expect("");
        QTest::addRow("from-index-out-of-range")
            << "FROM alpine\nCOPY --from=3 /a /a\n"
            << ""
            << ""
            << "0=alpine | alpine>0:from | 0 | target 0" << expect("error@2");
        QTest::addRow("copy-from-image")
            << "FROM alpine\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n"
            << ""
            << ""
            << "0=alpine | alpine>0:from nginx:1.25>0:copy | 0 | target 0" << expect("");
        QTest::addRow("add-from-stage")
            << "FROM alpine AS a\nFROM alpine\nADD --from=a /x /x\n"
            << ""
            << ""
            << "0:a=alpine 1=alpine | alpine>0:from alpine>1:from 0>1:copy | 0/1 | target 1" << expect("");
        QTest::addRow("mount-from-stage")
            << "FROM golang AS deps\nRUN go mod download\nFROM golang\n"
               "RUN --mount=type=cache,target=/go/pkg,from=deps,source=/go/pkg go build\n"
            << ""
            << ""
            << "0:deps=golang 1=golang | golang>0:from golang>1:from 0>1:mount | 0/1 | target 1"
            << expect("");
        QTest::addRow("mount-from-image")
            << "FROM alpine\nRUN --mount=from=busybox:1.36,target=/bb ls /bb\n"
            << ""
            << ""
            << "0=alpine | alpine>0:from busybox:1.36>0:mount | 0 | target 0" << expect("");
        QTest::addRow("mount-without-from") << "FROM alpine\nRUN --mount=type=cache,target=/c ls\n"
                                            << ""
                                            << ""
                                            << "0=alpine | alpine>0:from | 0 | target 0" << expect("");
        QTest::addRow("unknown-target")
            << "FROM alpine AS a\nFROM alpine AS b\n"
            << "nope"
            << ""
            << "0:a=alpine! 1:b=alpine | alpine>0:from alpine>1:from | 1 | target 1" << expect("error@0");
        QTest::addRow("target-pruning") << "FROM golang AS build\nFROM build AS test\nRUN go test\nFROM "
                                           "scratch AS final\nCOPY --from=build /a /a\n"
                                        << "final"
                                        << ""
                                        << "0:build=golang 1:test=build! 2:final=scratch | golang>0:from "
                                           "0>1:from 0>2:copy | 0/2 | target 2"
                                        << expect("");
        QTest::addRow("target-by-index")
            << "FROM alpine\nFROM busybox\n"
            << "0"
            << ""
            << "0=alpine 1=busybox! | alpine>0:from busybox>1:from | 0 | target 0" << expect("");
        QTest::addRow("target-case-insensitive")
            << "FROM alpine AS Base\nFROM busybox\n"
            << "BASE"
            << ""
            << "0:base=alpine 1=busybox! | alpine>0:from busybox>1:from | 0 | target 0" << expect("");
        QTest::addRow("diamond")
            << "FROM alpine AS base\nFROM base AS left\nFROM base AS right\nFROM scratch AS out\n"
               "COPY --from=left /l /l\nCOPY --from=right /r /r\n"
            << ""
            << ""
            << "0:base=alpine 1:left=base 2:right=base 3:out=scratch | alpine>0:from 0>1:from 0>2:from "
               "1>3:copy "
               "2>3:copy | 0/1,2/3 | target 3"
            << expect("");
        QTest::addRow("arg-defaults") << "ARG GO=1.22\nARG IMAGE=golang:${GO}-alpine\nFROM ${IMAGE} AS "
                                         "build\nFROM alpine:${ALPINE:-3.20}\n"
                                      << ""
                                      << ""
                                      << "0:build=golang:1.22-alpine! 1=alpine:3.20 | "
                                         "golang:1.22-alpine>0:from alpine:3.20>1:from | 1 | "
                                         "target 1"
                                      << expect("");
        QTest::addRow("arg-build-arg")
            << "ARG GO=1.22\nARG IMAGE=golang:${GO}-alpine\nFROM ${IMAGE} AS build\n"
            << ""
            << "GO=1.23"
            << "0:build=golang:1.23-alpine | golang:1.23-alpine>0:from | 0 | target 0" << expect("");
        QTest::addRow("arg-build-arg-overrides-default")
            << "ARG IMAGE=alpine\nFROM $IMAGE\n"
            << ""
            << "IMAGE=busybox"
            << "0=busybox | busybox>0:from | 0 | target 0" << expect("");
        QTest::addRow("arg-without-default") << "ARG IMAGE\nFROM $IMAGE\n"
                                             << ""
                                             << "IMAGE=debian:12"
                                             << "0=debian:12 | debian:12>0:from | 0 | target 0" << expect("");
        QTest::addRow("arg-unset-gives-blank") << "ARG IMAGE\nFROM $IMAGE\n"
                                               << ""
                                               << ""
                                               << "0= | - | 0 | target 0" << expect("error@2");
        QTest::addRow("predefined-platform-args") << "FROM --platform=$BUILDPLATFORM golang AS build\nFROM "
                                                     "scratch AS bin-linux\nFROM bin-$TARGETOS\n"
                                                  << ""
                                                  << ""
                                                  << "0:build=golang@linux/amd64! 1:bin-linux=scratch "
                                                     "2=bin-linux | golang>0:from 1>2:from | 1/2 | target 2"
                                                  << expect("");
        QTest::addRow("scratch-is-not-an-image") << "FROM scratch\nCOPY a /a\n"
                                                 << ""
                                                 << ""
                                                 << "0=scratch | - | 0 | target 0" << expect("");
        QTest::addRow("duplicate-stage-name")
            << "FROM alpine AS a\nFROM a AS b\nFROM busybox AS a\nFROM a\nCOPY --from=b /x /x\n"
            << ""
            << ""
            << "0:a=alpine 1:b=a 2:a=busybox 3=a | alpine>0:from 0>1:from busybox>2:from 2>3:from 1>3:copy | "
               "0,2/1/3 | target 3"
            << expect("warning@3");
        QTest::addRow("duplicate-stage-name-target")
            << "FROM alpine AS a\nFROM busybox AS a\nFROM scratch\n"
            << "a"
            << ""
            << "0:a=alpine! 1:a=busybox 2=scratch! | alpine>0:from busybox>1:from | 1 | target 1"
            << expect("warning@2");
        QTest::addRow("from-earlier-stage-by-name-case")
            << "FROM alpine AS Build\nFROM scratch\nCOPY --from=BUILD /a /a\n"
            << ""
            << ""
            << "0:build=alpine 1=scratch | alpine>0:from 0>1:copy | 0/1 | target 1" << expect("");
        QTest::addRow("no-from") << "ARG A=1\n"
                                 << ""
                                 << ""
                                 << "- | - | - | target -1" << expect("error@1");
        QTest::addRow("instruction-before-from")
            << "RUN echo hi\nFROM alpine\n"
            << ""
            << ""
            << "0=alpine | alpine>0:from | 0 | target 0" << expect("error@1");
        QTest::addRow("invalid-stage-name")
            << "FROM alpine AS 1st\n"
            << ""
            << ""
            << "0:1st=alpine | alpine>0:from | 0 | target 0" << expect("error@1");
        QTest::addRow("copy-from-arg-in-stage")
            << "ARG SRC=build\nFROM alpine AS build\nFROM scratch\nARG SRC\nCOPY --from=$SRC /a /a\n"
            << ""
            << ""
            << "0:build=alpine 1=scratch | alpine>0:from 0>1:copy | 0/1 | target 1" << expect("");
    }

    void graph()
    {
        QFETCH(QString, dockerfile);
        QFETCH(QString, target);
        QFETCH(QString, buildArgs);
        QFETCH(QString, expected);
        QFETCH(QStringList, diagnostics);
        const StageGraph g = graphOf(dockerfile, options(target, buildArgs));
        QCOMPARE(describe(g), expected);
        QCOMPARE(diagnosticSummary(g.diagnostics), diagnostics);
    }

    void messages()
    {
        const StageGraph unknown =
            graphOf(QStringLiteral("FROM alpine AS a\n"), options(QStringLiteral("x")));
        QCOMPARE(unknown.diagnostics.size(), 1);
        QCOMPARE(unknown.diagnostics.first().message,
                 QStringLiteral("target stage \"x\" could not be found"));

        const StageGraph forward =
            graphOf(QStringLiteral("FROM alpine AS a\nCOPY --from=later /x /x\nFROM alpine AS later\n"));
        QCOMPARE(forward.diagnostics.size(), 1);
        const Diagnostic &w = forward.diagnostics.first();
        QCOMPARE(w.severity, Severity::Warning);
        QVERIFY2(w.message.contains(QLatin1String("earlier stages")), qPrintable(w.message));
        QVERIFY2(w.message.contains(QLatin1String("image")), qPrintable(w.message));
        QCOMPARE(w.range.start.line, 2);
        QVERIFY(w.range.start.column > 1); // the flag, not the keyword
        QCOMPARE(forward.externalImages, QStringList({QStringLiteral("alpine"), QStringLiteral("later")}));

        const StageGraph cycle = graphOf(QStringLiteral("FROM alpine AS a\nCOPY --from=1 /x /x\n"
                                                        "FROM alpine AS b\nCOPY --from=0 /y /y\n"));
        QCOMPARE(cycle.diagnostics.size(), 1);
        QVERIFY2(cycle.diagnostics.first().message.startsWith(QLatin1String("circular dependency")),
                 qPrintable(cycle.diagnostics.first().message));

        const StageGraph range = graphOf(QStringLiteral("FROM alpine\nCOPY --from=7 /a /a\n"));
        QVERIFY2(range.diagnostics.first().message.contains(QLatin1String("invalid stage index 7")),
                 qPrintable(range.diagnostics.first().message));
    }

    void notNeededReason()
    {
        const StageGraph g = graphOf(QStringLiteral("FROM golang AS build\nFROM build AS test\n"
                                                    "FROM scratch AS final\nCOPY --from=build /a /a\n"),
                                     options(QStringLiteral("final")));
        QCOMPARE(g.stages.at(1).needed, false);
        QCOMPARE(g.stages.at(1).notNeededReason, QStringLiteral("not needed by target `final`"));
        QCOMPARE(g.stages.at(0).notNeededReason, QString());

        const StageGraph unnamed = graphOf(QStringLiteral("FROM alpine\nFROM busybox\n"));
        QCOMPARE(unnamed.stages.at(0).notNeededReason, QStringLiteral("not needed by target `1`"));
    }

    void lookups()
    {
        const QString text = QStringLiteral("ARG X=1\n"          // 1
                                            "FROM alpine AS a\n" // 2
                                            "RUN one \\\n"       // 3
                                            "  two\n"            // 4
                                            "\n"                 // 5
                                            "# next\n"           // 6
                                            "FROM busybox\n"     // 7
                                            "RUN three\n");      // 8
        const StageGraph g = graphOf(text);
        QCOMPARE(g.stageAt(1), -1);
        QCOMPARE(g.stageAt(2), 0);
        QCOMPARE(g.stageAt(4), 0);
        QCOMPARE(g.stageAt(6), 0);
        QCOMPARE(g.stageAt(7), 1);
        QCOMPARE(g.stageAt(8), 1);
        QCOMPARE(g.stageAt(9), -1);
        QCOMPARE(g.stageIndex(QStringLiteral("a")), 0);
        QCOMPARE(g.stageIndex(QStringLiteral("A")), 0);
        QCOMPARE(g.stageIndex(QStringLiteral("1")), 1);
        QCOMPARE(g.stageIndex(QStringLiteral("2")), -1);
        QCOMPARE(g.stageIndex(QStringLiteral("b")), -1);
        QCOMPARE(g.stages.at(0).stepCount, 1);
        QCOMPARE(g.stages.at(0).fromInstruction, 1);
        QCOMPARE(g.stages.at(0).lastInstruction, 2);
        QCOMPARE(g.stages.at(0).range.start.line, 2);
        QCOMPARE(g.stages.at(1).range.start.line, 7);
    }

    void corpus_data()
    {
        QTest::addColumn<QString>("path");
        const QDir dir(dataDir() + QStringLiteral("/corpus"));
        const QStringList files = dir.entryList(QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 100);
        for (const QString &f : files)
            QTest::addRow("%s", qPrintable(f)) << dir.filePath(f);
    }

    void corpus()
    {
        QFETCH(QString, path);
        const Dockerfile dockerfile = DockerfileParser::parse(readFile(path));
        const StageGraph g = StageGraph::fromDockerfile(dockerfile);
        const bool hasFrom =
            std::any_of(dockerfile.instructions.cbegin(), dockerfile.instructions.cend(),
                        [](const Instruction &i) { return i.kind == InstructionKind::From; });
        if (!hasFrom) {
            // BuildKit's parser cases (JSON forms, empty and comment-only files) have no FROM:
            // nothing to build, and the graph says exactly that.
            QCOMPARE(g.stages.size(), 0);
            QCOMPARE(g.diagnostics.size(), 1);
            QVERIFY(g.diagnostics.first().message.contains(QLatin1String("no FROM")));
            return;
        }
        QVERIFY(g.stages.size() >= 1);
        for (const Diagnostic &d : g.diagnostics)
            QVERIFY2(d.severity != Severity::Error,
                     qPrintable(QStringLiteral("line %1: %2").arg(d.range.start.line).arg(d.message)));
        QVERIFY(g.target >= 0);
        QVERIFY(!g.levels.isEmpty());
    }

    // BuildKit's own Dockerfile: 49 stages, meta ARGs in FROM, FROM binaries-$TARGETOS,
    // RUN --mount=from=, COPY --from of stages and of a pinned image.
    void buildkitDockerfile()
    {
        const StageGraph g =
            graphOf(readFile(dataDir() + QStringLiteral("/corpus/moby__buildkit__Dockerfile")));
        QCOMPARE(g.stages.size(), 49);
        QCOMPARE(hasErrors(g.diagnostics), false);
        auto has = [&](const QString &from, const QString &to, EdgeKind kind) {
            const int t = g.stageIndex(to);
            for (const Edge &e : g.edges) {
                if (e.toStage != t || e.kind != kind)
                    continue;
                if (e.isExternal() ? e.fromImage == from : g.stages.at(e.fromStage).name == from)
                    return true;
            }
            return false;
        };
        QVERIFY(has(QStringLiteral("golatest"), QStringLiteral("gobuild-base"), EdgeKind::From));
        QVERIFY(has(QStringLiteral("xx"), QStringLiteral("gobuild-base"), EdgeKind::Copy));
        QVERIFY(has(QStringLiteral("binaries-linux"), QStringLiteral("binaries"), EdgeKind::From));
        QVERIFY(has(QStringLiteral("buildkit-version"), QStringLiteral("buildctl"), EdgeKind::Mount));
        QVERIFY(has(QStringLiteral("binaries"), QStringLiteral("releaser"), EdgeKind::Mount));
        QVERIFY(
            has(QStringLiteral("buildkit-export-alpine"), QStringLiteral("buildkit-export"), EdgeKind::From));
        QVERIFY(has(QStringLiteral("cni-plugins"), QStringLiteral("cni-plugins-export"), EdgeKind::Copy));
        const Stage &xx = g.stages.at(g.stageIndex(QStringLiteral("xx")));
        QVERIFY2(xx.base.startsWith(QLatin1String("tonistiigi/xx:")), qPrintable(xx.base));
        QVERIFY(!xx.base.contains(QLatin1Char('$')));
        QCOMPARE(xx.platform, QStringLiteral("linux/amd64"));
        for (const QString &image : g.externalImages)
            QVERIFY2(!image.contains(QLatin1Char('$')), qPrintable(image));
        bool pinned = false;
        for (const QString &image : g.externalImages)
            pinned |= image.startsWith(QLatin1String("tonistiigi/binfmt:"));
        QVERIFY(pinned);
        // The default target is the last stage; levels cover exactly the needed stages.
        QCOMPARE(g.target, 48);
        int inLevels = 0, needed = 0;
        for (const QList<int> &level : g.levels)
            inLevels += int(level.size());
        for (const Stage &s : g.stages)
            needed += s.needed ? 1 : 0;
        QCOMPARE(inLevels, needed);
        // Each stage's dependencies sit on earlier levels.
        QHash<int, int> levelOf;
        for (int l = 0; l < g.levels.size(); ++l)
            for (int s : g.levels.at(l))
                levelOf.insert(s, l);
        for (const Edge &e : g.edges)
            if (!e.isExternal() && g.stages.at(e.toStage).needed)
                QVERIFY(levelOf.value(e.fromStage) < levelOf.value(e.toStage));
    }

    void largeGenerated()
    {
        const QString text = bench::largeDockerfile(500);
        QCOMPARE(text.count(QLatin1Char('\n')), 5004);
        const Dockerfile dockerfile = DockerfileParser::parse(text);
        QVERIFY(!hasErrors(dockerfile.diagnostics));
        const StageGraph g = StageGraph::fromDockerfile(dockerfile);
        QCOMPARE(g.stages.size(), 500);
        QVERIFY(g.diagnostics.isEmpty());
        QCOMPARE(g.stages.at(0).base, QStringLiteral("alpine:3.20"));
        QCOMPARE(g.stages.at(25).base, QStringLiteral("golang:1.22-alpine"));
        int copies = 0, mounts = 0;
        for (const Edge &e : g.edges) {
            copies += e.kind == EdgeKind::Copy && !e.isExternal();
            mounts += e.kind == EdgeKind::Mount;
        }
        QCOMPARE(copies, 495);
        QCOMPARE(mounts, 490);
        QCOMPARE(g.stageAt(5004), 499);
        QCOMPARE(g.stageAt(5 + 10 * 42), 42);
        QCOMPARE(g.stageIndex(QStringLiteral("s499")), 499);
    }

    void expansionLimits_data()
    {
        QTest::addColumn<QString>("dockerfile");
        QTest::addColumn<QString>("where"); // LINE:COLUMN of the one error

        const QString nested = QStringLiteral("${a:-").repeated(10000) + QStringLiteral("x") +
                               QStringLiteral("}").repeated(10000);
        // The 65th `${` is 320 characters into the word.
        QTest::addRow("FROM nested 10000 deep")
            << QStringLiteral("FROM ") + nested + QStringLiteral(" AS a\n") << QStringLiteral("1:326");
        QTest::addRow("--platform nested 10000 deep")
            << QStringLiteral("FROM --platform=") + nested + QStringLiteral(" scratch\n")
            << QStringLiteral("1:337");
        QTest::addRow("COPY --from nested 10000 deep")
            << QStringLiteral("FROM scratch\nARG s=x\nCOPY --from=") + nested + QStringLiteral(" /a /b\n")
            << QStringLiteral("3:6");
        // Unused by any FROM, yet the build would evaluate them: the graph must refuse.
        QString doubling = QStringLiteral("ARG a0=x\n");
        for (int i = 1; i < 40; ++i)
            doubling += QStringLiteral("ARG a%1=$a%2$a%2\n").arg(i).arg(i - 1);
        QTest::addRow("40 doubling meta ARGs")
            << doubling + QStringLiteral("FROM scratch\n") << QStringLiteral("22:13");
    }

    void expansionLimits()
    {
        QFETCH(QString, dockerfile);
        QFETCH(QString, where);
        const StageGraph g = StageGraph::fromDockerfile(DockerfileParser::parse(dockerfile));
        QStringList errors;
        for (const Diagnostic &d : g.diagnostics)
            if (d.severity == Severity::Error)
                errors.append(QStringLiteral("%1:%2").arg(d.range.start.line).arg(d.range.start.column));
        QCOMPARE(errors, QStringList{where});
    }

    // 50,000 stages chained by index references, closed into one cycle: found without
    // recursing once per stage (which overflowed the stack).
    void longCycle()
    {
        const int n = 50000;
        QString text;
        text.reserve(n * 40);
        for (int i = 0; i < n; ++i)
            text += QStringLiteral("FROM scratch AS s%1\nCOPY --from=%2 /a /a\n").arg(i).arg((i + 1) % n);
        const StageGraph g = StageGraph::fromDockerfile(DockerfileParser::parse(text));
        QCOMPARE(g.stages.size(), n);
        qsizetype cycles = 0;
        for (const Diagnostic &d : g.diagnostics)
            cycles += d.message.startsWith(QLatin1String("circular dependency")) ? 1 : 0;
        QCOMPARE(cycles, qsizetype(1));
    }
};

QTEST_GUILESS_MAIN(TestStageGraph)
#include "tst_stagegraph.moc"
