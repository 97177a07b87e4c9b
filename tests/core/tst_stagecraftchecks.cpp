// Stagecraft's own stage-aware rules (SC001…): one Dockerfile that fires each and one that
// does not, the severity directive, the quick-fixes applied and checked again, "Make it
// multi-stage" on the seeds' single-stage Go example against their multi-stage one, and a
// large generated file to keep the rules linear.
#include "core/checks/buildchecks.h"
#include "core/checks/multistageconversion.h"
#include "core/checks/quickfixes.h"
#include "core/checks/runscript.h"
#include "core/checks/unifieddiff.h"
#include "core/context/dockerignore.h"
#include "core/plan/buildplan.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QTest>

using namespace stagecraft;

namespace {

QString dataPath(const QString &relative)
{
    const QByteArray root = qgetenv("STAGECRAFT_SOURCE_DIR");
    if (!root.isEmpty())
        return QString::fromLocal8Bit(root) + QStringLiteral("/tests/data/") + relative;
    return QStringLiteral("data/") + relative;
}

QString readData(const QString &relative)
{
    QFile f(dataPath(relative));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

enum Context { NoContext, NoDockerignore, IgnoresEverything };

BuildCheckOptions optionsFor(Context context)
{
    BuildCheckOptions o;
    o.stagecraftRules = true;
    if (context == NoContext)
        return o;
    o.contextKnown = true;
    o.contextContains = [](const QString &path) {
        return path == QLatin1String(".git") || path == QLatin1String(".env");
    };
    if (context == IgnoresEverything) {
        o.dockerignoreText = QStringLiteral(".git\n.env\n*.pem\n");
        o.isIgnoredByDockerignore = [](const QString &path) {
            return path == QLatin1String(".git") || path == QLatin1String(".env") ||
                   path.endsWith(QLatin1String(".pem"));
        };
    }
    return o;
}

// "LINE Rule" for each of Stagecraft's findings (BuildKit's rules are tst_buildchecks' business).
QStringList ours(const Diagnostics &diagnostics)
{
    QStringList out;
    for (const Diagnostic &d : diagnostics) {
        const std::optional<BuildCheckRule> rule = BuildChecks::rule(d.rule);
        if (rule && rule->isStagecraft())
            out.append(QStringLiteral("%1 %2").arg(d.range.start.line).arg(d.rule));
    }
    return out;
}

Diagnostics check(const QString &text, Context context = NoContext)
{
    return BuildChecks::run(text, {}, optionsFor(context));
}

QString lines(std::initializer_list<const char *> l)
{
    QString out;
    for (const char *line : l)
        out += QString::fromUtf8(line) + QLatin1Char('\n');
    return out;
}

// A Dockerfile's structure: per stage its base and name, then each instruction as written.
QStringList structure(const QString &text)
{
    const BuildPlan plan = BuildPlan::fromText(text);
    QStringList out;
    for (const Stage &stage : plan.graph().stages) {
        out.append(QStringLiteral("stage %1 from %2").arg(stage.displayName(), stage.base));
        for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction; ++i)
            out.append(plan.dockerfile().instructions.at(i).original.simplified());
    }
    return out;
}

std::optional<QuickFix> firstFix(const QString &text, const QString &rule, Context context = NoContext)
{
    const BuildPlan plan = BuildPlan::fromText(text);
    const BuildCheckOptions options = optionsFor(context);
    for (const Diagnostic &d : BuildChecks::run(plan, options)) {
        if (d.rule != rule)
            continue;
        const QList<QuickFix> fixes = QuickFixes::forDiagnostic(plan, text, d, options);
        if (!fixes.isEmpty())
            return fixes.first();
    }
    return std::nullopt;
}

} // namespace

class TestStagecraftChecks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ruleTable();
    void everyRuleIsDocumented();
    void rules_data();
    void rules();
    void offUnlessAsked();
    void skipAndSeverity();
    void packageCacheCost();
    void writtenThenDeleted();
    void lastBuildLayerMapping();
    void runScript();
    void fixes_data();
    void fixes();
    void dockerignoreFix();
    void fixAllSettles();
    void multiStageGoSeed();
    void multiStageKeepsRuntimeNeeds();
    void multiStageOtherToolchains_data();
    void multiStageOtherToolchains();
    void multiStageDeclines_data();
    void multiStageDeclines();
    void fixAllSaysWhyItDeclined();
    void largeFileStaysLinear();
    void corpus();
    void hostileInputs_data();
    void hostileInputs();
    void unifiedDiff();
    void unifiedDiffIsBounded();
};

void TestStagecraftChecks::ruleTable()
{
    QCOMPARE(BuildChecks::stagecraftRules().size(), 10);
    QSet<QString> ids;
    for (const BuildCheckRule &r : BuildChecks::stagecraftRules()) {
        QVERIFY(r.id.startsWith(QLatin1String("SC")));
        QVERIFY(!ids.contains(r.id));
        ids.insert(r.id);
        QVERIFY2(r.url.startsWith(QLatin1String("docs/checks.md#")), qPrintable(r.url));
        QCOMPARE(BuildChecks::rule(r.id)->name, r.name);
        QCOMPARE(BuildChecks::rule(r.name)->id, r.id);
    }
    QVERIFY(!BuildChecks::rule(QStringLiteral("FromAsCasing"))->isStagecraft());
}

void TestStagecraftChecks::everyRuleIsDocumented()
{
    QFile file(dataPath(QStringLiteral("../../docs/checks.md")));
    if (!file.exists())
        QSKIP("docs/ is not beside tests/ here (a copy of the tests made for another user)");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString docs = QString::fromUtf8(file.readAll());
    // Each rule has its section, whose heading gives the anchor the rule's url names.
    for (const BuildCheckRule &r : BuildChecks::stagecraftRules()) {
        const QString heading = QStringLiteral("## %1 %2").arg(r.id, r.name);
        QVERIFY2(docs.contains(heading), qPrintable(r.id));
        QCOMPARE(r.url.section(QLatin1Char('#'), 1), QStringLiteral("%1-%2").arg(r.id, r.name).toLower());
    }
}

void TestStagecraftChecks::rules_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<int>("context");
    QTest::addColumn<QStringList>("expected");

    const QString goSingle = readData(QStringLiteral("seeds/go-app/Dockerfile"));
    const QString goMulti = readData(QStringLiteral("seeds/go-app/Dockerfile.multi"));
    QTest::addRow("seed single-stage keeps its toolchain")
        << goSingle << int(NoContext)
        << QStringList{QStringLiteral("3 FinalStageToolchain"), QStringLiteral("5 PackageCacheInLayer")};
    QTest::addRow("seed multi-stage is clean") << goMulti << int(NoContext) << QStringList{};
    QTest::addRow("single stage on golang")
        << lines({"FROM golang:1.22", "WORKDIR /src", "COPY main.go .", "RUN go build -o /app",
                  "ENTRYPOINT [\"/app\"]"})
        << int(NoContext) << QStringList{QStringLiteral("1 FinalStageToolchain")};
    QTest::addRow("single stage without a toolchain")
        << lines({"FROM debian:bookworm-slim", "COPY app /app", "ENTRYPOINT [\"/app\"]"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("final stage installs gcc")
        << lines({"FROM golang:1.22 AS build", "RUN go build -o /x", "FROM debian:bookworm-slim",
                  "RUN apt-get update && apt-get install -y gcc libssl-dev && rm -rf /var/lib/apt/lists/*",
                  "COPY --from=build /x /x"})
        << int(NoContext) << QStringList{QStringLiteral("4 FinalStageToolchain")};
    QTest::addRow("final stage on a toolchain image")
        << lines({"FROM alpine AS assets", "RUN echo > /a", "FROM golang:1.22", "COPY --from=assets /a /a"})
        << int(NoContext) << QStringList{QStringLiteral("3 FinalStageToolchain")};
    QTest::addRow("final stage built FROM the build stage")
        << lines({"FROM debian AS build",
                  "RUN apt-get update && apt-get install -y make && rm -rf /var/lib/apt/lists/*",
                  "FROM alpine AS other", "RUN echo > /b", "FROM build", "COPY --from=other /b /b"})
        << int(NoContext) << QStringList{QStringLiteral("2 FinalStageToolchain")};
    QTest::addRow("whole filesystem from a stage")
        << lines({"FROM alpine AS a", "RUN echo", "FROM scratch", "COPY --from=a / /"}) << int(NoContext)
        << QStringList{QStringLiteral("4 CopyWholeFilesystem")};
    QTest::addRow("one directory from a stage")
        << lines({"FROM alpine AS a", "RUN echo", "FROM scratch", "COPY --from=a /out/ /"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("apk add keeps its index") << lines({"FROM alpine", "RUN apk add curl"}) << int(NoContext)
                                             << QStringList{QStringLiteral("2 PackageCacheInLayer")};
    QTest::addRow("apk add --no-cache")
        << lines({"FROM alpine", "RUN apk add --no-cache curl"}) << int(NoContext) << QStringList{};
    QTest::addRow("apk --no-cache add (option before the verb)")
        << lines({"FROM alpine", "RUN apk --no-cache add curl"}) << int(NoContext) << QStringList{};
    QTest::addRow("pip --no-cache-dir install (option before the verb)")
        << lines({"FROM python:3", "RUN pip --no-cache-dir install flask"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("pip install keeps its cache")
        << lines({"FROM python:3", "RUN pip install flask"}) << int(NoContext)
        << QStringList{QStringLiteral("2 PackageCacheInLayer")};
    QTest::addRow("pip install --no-cache-dir")
        << lines({"FROM python:3", "RUN python3 -m pip install --no-cache-dir flask"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("pip with a cache mount")
        << lines({"FROM python:3", "RUN --mount=type=cache,target=/root/.cache pip install flask"})
        << int(NoContext) << QStringList{};
    QTest::addRow("npm ci keeps its cache") << lines({"FROM node:20", "RUN npm ci"}) << int(NoContext)
                                            << QStringList{QStringLiteral("2 PackageCacheInLayer")};
    QTest::addRow("npm ci and cache clean")
        << lines({"FROM node:20", "RUN npm ci && npm cache clean --force"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("apt-get update on its own")
        << lines({"FROM debian", "RUN apt-get update",
                  "RUN apt-get install -y curl && rm -rf /var/lib/apt/lists/*"})
        << int(NoContext) << QStringList{QStringLiteral("2 PackageCacheInLayer")};
    QTest::addRow("apt caches in a build stage do not count")
        << lines({"FROM debian AS build", "RUN apt-get update && apt-get install -y curl", "RUN curl -o /f x",
                  "FROM scratch", "COPY --from=build /f /f"})
        << int(NoContext) << QStringList{};
    QTest::addRow("private key copied into the image")
        << lines({"FROM alpine", "COPY id_rsa /root/.ssh/id_rsa"}) << int(NoContext)
        << QStringList{QStringLiteral("2 SecretInImage")};
    QTest::addRow(".env copied into the image") << lines({"FROM alpine", "COPY .env /app/"}) << int(NoContext)
                                                << QStringList{QStringLiteral("2 SecretInImage")};
    QTest::addRow("public key and example env")
        << lines({"FROM alpine", "COPY id_rsa.pub .env.example ca-cert.pem /app/"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("a key used only by a build stage")
        << lines({"FROM alpine AS build", "COPY deploy.key /k", "RUN echo > /out", "FROM scratch",
                  "COPY --from=build /out /out"})
        << int(NoContext) << QStringList{};
    QTest::addRow("stage nothing uses")
        << lines({"FROM alpine AS test", "RUN echo", "FROM alpine", "RUN echo"}) << int(NoContext)
        << QStringList{QStringLiteral("1 UnusedStage")};
    QTest::addRow("stage picked by platform")
        << lines({"FROM scratch AS bin-linux", "COPY a /a", "FROM scratch AS bin-darwin", "COPY b /b",
                  "FROM bin-$TARGETOS AS bin", "FROM alpine", "COPY --from=bin / /"})
        << int(NoContext) << QStringList{};
    QTest::addRow("whole filesystem of a stage that ran commands, through FROM")
        << lines({"FROM alpine AS tools", "RUN apk add --no-cache git", "FROM tools AS export",
                  "FROM scratch", "COPY --from=export / /"})
        << int(NoContext) << QStringList{QStringLiteral("5 CopyWholeFilesystem")};
    QTest::addRow("build packages removed in the same RUN")
        << lines({"FROM debian",
                  "RUN apt-get update && apt-get install -y gcc && make && apt-get purge -y gcc "
                  "&& rm -rf /var/lib/apt/lists/*"})
        << int(NoContext) << QStringList{};
    QTest::addRow("apt-get dist-clean")
        << lines({"FROM debian", "RUN apt-get update; apt-get install -y curl; apt-get dist-clean"})
        << int(NoContext) << QStringList{};
    QTest::addRow("stage used by COPY --from")
        << lines({"FROM alpine AS assets", "RUN echo > /a", "FROM alpine", "COPY --from=assets /a /a"})
        << int(NoContext) << QStringList{};
    QTest::addRow("meta ARG nothing reads") << lines({"ARG VERSION=1", "FROM alpine"}) << int(NoContext)
                                            << QStringList{QStringLiteral("1 UnusedArg")};
    QTest::addRow("meta ARG in FROM")
        << lines({"ARG VERSION=3", "FROM alpine:${VERSION}"}) << int(NoContext) << QStringList{};
    QTest::addRow("meta ARG declared again")
        << lines({"ARG VERSION=3", "FROM alpine", "ARG VERSION", "RUN echo"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("stage ARG nothing reads") << lines({"FROM alpine", "ARG X=1", "COPY a /a"})
                                             << int(NoContext) << QStringList{QStringLiteral("2 UnusedArg")};
    QTest::addRow("stage ARG before a RUN")
        << lines({"FROM alpine", "ARG X=1", "RUN ./build.sh"}) << int(NoContext) << QStringList{};
    QTest::addRow("stage ARG read by ENV")
        << lines({"FROM alpine", "ARG X=1 Y=$X", "ENV Y=$Y"}) << int(NoContext) << QStringList{};
    QTest::addRow("--from names no stage")
        << lines({"FROM alpine AS builder", "RUN echo", "FROM scratch", "COPY --from=buidler /a /a"})
        << int(NoContext)
        << QStringList{QStringLiteral("1 UnusedStage"), QStringLiteral("4 UnknownStageReference")};
    QTest::addRow("buildpack-deps without compilers")
        << lines({"FROM buildpack-deps:bookworm-scm", "RUN git --version"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("buildpack-deps with compilers")
        << lines({"FROM buildpack-deps:bookworm", "RUN make"}) << int(NoContext)
        << QStringList{QStringLiteral("1 FinalStageToolchain")};
    QTest::addRow("--from names a later stage")
        << lines({"FROM alpine AS app", "COPY --from=assets /a /a", "FROM alpine AS assets", "RUN echo"})
        << int(NoContext)
        << QStringList{QStringLiteral("1 UnusedStage"), QStringLiteral("2 LaterStageReference")};
    QTest::addRow("--from names its own stage")
        << lines({"FROM alpine AS app", "RUN --mount=from=app,target=/x ls /x"}) << int(NoContext)
        << QStringList{QStringLiteral("2 LaterStageReference")};
    QTest::addRow("--from names an earlier stage")
        << lines({"FROM alpine AS assets", "RUN echo", "FROM alpine", "COPY --from=assets /a /a"})
        << int(NoContext) << QStringList{};
    QTest::addRow("--from names an image")
        << lines({"FROM scratch", "COPY --from=alpine:3 /etc/os-release /"}) << int(NoContext)
        << QStringList{};
    QTest::addRow("COPY . without a .dockerignore")
        << lines({"FROM alpine", "COPY . /src"}) << int(NoDockerignore)
        << QStringList{QStringLiteral("2 CopyWholeContext")};
    QTest::addRow("COPY . with a .dockerignore")
        << lines({"FROM alpine", "COPY . /src"}) << int(IgnoresEverything) << QStringList{};
    QTest::addRow("COPY . with the context unknown")
        << lines({"FROM alpine", "COPY . /src"}) << int(NoContext) << QStringList{};
}

void TestStagecraftChecks::rules()
{
    QFETCH(QString, dockerfile);
    QFETCH(int, context);
    QFETCH(QStringList, expected);
    const Diagnostics diagnostics = check(dockerfile, Context(context));
    QCOMPARE(ours(diagnostics), expected);
    for (const Diagnostic &d : diagnostics) {
        const std::optional<BuildCheckRule> rule = BuildChecks::rule(d.rule);
        if (rule && rule->isStagecraft()) {
            QCOMPARE(d.severity, rule->severity);
            QCOMPARE(d.url, rule->url);
            QVERIFY(!d.message.isEmpty());
        }
    }
}

void TestStagecraftChecks::offUnlessAsked()
{
    // Without the option the checks are exactly `docker build --check`.
    const QString text = lines({"FROM golang:1.22", "RUN apk add curl", "COPY id_rsa /k"});
    QVERIFY(ours(BuildChecks::run(text)).isEmpty());
    QCOMPARE(ours(check(text)).size(), 3);
}

void TestStagecraftChecks::skipAndSeverity()
{
    const QString body = lines({"FROM alpine", "RUN apk add curl", "COPY id_rsa /k"});
    QCOMPARE(ours(check(QStringLiteral("# check=skip=SC004\n") + body)),
             QStringList{QStringLiteral("4 SecretInImage")});
    QCOMPARE(ours(check(QStringLiteral("# check=skip=SecretInImage\n") + body)),
             QStringList{QStringLiteral("3 PackageCacheInLayer")});
    QVERIFY(ours(check(QStringLiteral("# check=skip=all\n") + body)).isEmpty());

    const Diagnostics raised =
        check(QStringLiteral("# stagecraft-check=error=SC004;info=SecretInImage\n") + body);
    QCOMPARE(raised.size(), 2);
    QCOMPARE(raised.at(0).severity, Severity::Error);
    QCOMPARE(raised.at(1).severity, Severity::Info);
    QVERIFY(ours(check(QStringLiteral("# stagecraft-check=off=SC004,SC005\n") + body)).isEmpty());
    // BuildKit's error=true raises ours as it raises its own.
    const Diagnostics all = check(QStringLiteral("# check=error=true\n") + body);
    QCOMPARE(all.size(), 2);
    QCOMPARE(all.at(0).severity, Severity::Error);
    // A bad level is said, and the rules keep their defaults.
    const Diagnostics bad = check(QStringLiteral("# stagecraft-check=loud=SC004\n") + body);
    QCOMPARE(bad.size(), 3);
    QVERIFY(bad.first().message.contains(QLatin1String("unknown level")));
    QCOMPARE(bad.at(1).severity, Severity::Warning);
}

void TestStagecraftChecks::packageCacheCost()
{
    BuildCheckOptions o = optionsFor(NoContext);
    o.lastBuildBytesUnder = [](int instruction, const QString &path) -> std::optional<qint64> {
        if (instruction == 1 && path == QLatin1String("/var/lib/apt/lists"))
            return qint64(19) * 1024 * 1024;
        return std::nullopt;
    };
    const Diagnostics d =
        BuildChecks::run(lines({"FROM debian", "RUN apt-get update && apt-get install -y curl"}), {}, o);
    QCOMPARE(d.size(), 1);
    QVERIFY2(d.first().message.contains(QLatin1String("19.0 MiB in this layer of the last build")),
             qPrintable(d.first().message));
}

void TestStagecraftChecks::writtenThenDeleted()
{
    const QString text = lines({"FROM busybox", "RUN head -c 1048576 /dev/urandom > /blob && echo v1 > /app",
                                "ENV A=1", "RUN rm /blob && echo v2 > /app", "RUN rm /etc/motd"});
    BuildCheckOptions o = optionsFor(NoContext);
    // Without the last build's image the rule says nothing.
    QVERIFY(BuildChecks::run(text, {}, o).isEmpty());
    LastBuild last;
    last.image = QStringLiteral("app:latest");
    last.layerCreatedBy = {
        QString(),
        QStringLiteral("RUN /bin/sh -c head -c 1048576 /dev/urandom > /blob && echo v1 > /app # buildkit"),
        QStringLiteral("RUN /bin/sh -c rm /blob && echo v2 > /app # buildkit"),
        QStringLiteral("RUN /bin/sh -c rm /etc/motd # buildkit")};
    last.waste = {{QStringLiteral("/blob"), 1, 2, true, 1048576},
                  {QStringLiteral("/app"), 1, 2, false, 3},
                  {QStringLiteral("/etc/motd"), 0, 3, true, 200},
                  {QStringLiteral("/empty"), 1, 2, true, 0}};
    o.lastBuild = last;
    const Diagnostics d = BuildChecks::run(text, {}, o);
    QCOMPARE(d.size(), 2);
    QCOMPARE(d.at(0).rule, QStringLiteral("WrittenThenDeleted"));
    QCOMPARE(d.at(0).range.start.line, 4);
    QCOMPARE(
        d.at(0).message,
        QStringLiteral("This step removes or overwrites /blob, /app (written by line 2): the earlier layer "
                       "still carries 1.0 MiB in the image (figure from the last build, \"app:latest\"); "
                       "write them once, in their final form, or remove them in the RUN that writes them"));
    QCOMPARE(d.at(1).range.start.line, 5);
    QVERIFY2(d.at(1).message.contains(QLatin1String("/etc/motd (from the base image)")) &&
                 d.at(1).message.contains(QLatin1String("200 bytes")) &&
                 d.at(1).message.contains(QLatin1String("never makes the image smaller")),
             qPrintable(d.at(1).message));
    // The directive turns it off like any other rule.
    const QString off = QStringLiteral("# stagecraft-check=off=SC009\n") + text;
    QVERIFY(BuildChecks::run(off, {}, o).isEmpty());
}

void TestStagecraftChecks::lastBuildLayerMapping()
{
    const BuildPlan plan = BuildPlan::fromText(lines({"FROM alpine AS base", "WORKDIR /src", "RUN make",
                                                      "FROM base", "COPY a /a", "LABEL x=1", "RUN rm /a"}));
    // Instruction indexes: 0 FROM, 1 WORKDIR, 2 RUN, 3 FROM, 4 COPY, 5 LABEL, 6 RUN.
    const QStringList layers = {QString(), QStringLiteral("WORKDIR /src"),
                                QStringLiteral("RUN /bin/sh -c make"), QStringLiteral("COPY a /a # buildkit"),
                                QStringLiteral("RUN /bin/sh -c rm /a")};
    QHash<int, int> expected{{1, 1}, {2, 2}, {4, 3}, {6, 4}};
    QCOMPARE(LastBuild::instructionLayers(plan, layers), expected);
    // A WORKDIR may make no layer.
    QStringList noWorkdir = layers;
    noWorkdir.removeAt(1);
    expected = {{2, 1}, {4, 2}, {6, 3}};
    QCOMPARE(LastBuild::instructionLayers(plan, noWorkdir), expected);
    // Another Dockerfile's image: the mapping stops at the first mismatch from the top.
    QVERIFY(LastBuild::instructionLayers(plan, {QString(), QStringLiteral("COPY x /x")}).isEmpty());
    expected = {{6, 2}};
    QCOMPARE(LastBuild::instructionLayers(
                 plan, {QString(), QStringLiteral("ADD x /x"), QStringLiteral("RUN /bin/sh -c rm /a")}),
             expected);
    QVERIFY(LastBuild::instructionLayers(plan, {}).isEmpty());
    // A RUN edited since the build keeps its layer in the count, but is given no figures.
    const BuildPlan edited = BuildPlan::fromText(lines({"FROM alpine AS base", "WORKDIR /src", "RUN make all",
                                                        "FROM base", "COPY a /a", "LABEL x=1", "RUN rm /a"}));
    QSet<int> stale;
    expected = {{1, 1}, {4, 3}, {6, 4}};
    QCOMPARE(LastBuild::instructionLayers(edited, layers, &stale), expected);
    QCOMPARE(stale, QSet<int>{2});
    // Build arguments and continuation lines do not make a step look edited.
    const BuildPlan continued =
        BuildPlan::fromText(lines({"FROM alpine", "ARG V=1", "RUN echo $V \\", "  && true"}));
    expected = {{2, 1}};
    QCOMPARE(
        LastBuild::instructionLayers(
            continued, {QString(), QStringLiteral("RUN |1 V=1 /bin/sh -c echo $V   && true # buildkit")}),
        expected);
}

void TestStagecraftChecks::runScript()
{
    const RunScript s = RunScript::parse(u"DEBIAN_FRONTEND=noninteractive apt-get -q update && sudo apt-get "
                                         u"install -y 'gcc' \\\n make; echo \"a && b\"");
    QCOMPARE(s.commands().size(), 3);
    QVERIFY(s.contains({QStringLiteral("apt-get")}, QStringLiteral("update")));
    QCOMPARE(s.argumentsAfterVerb(s.find({QStringLiteral("apt-get")}, QStringLiteral("install")),
                                  QStringLiteral("install")),
             (QStringList{QStringLiteral("-y"), QStringLiteral("gcc"), QStringLiteral("make")}));
    QCOMPARE(s.commands().at(2).words, (QStringList{QStringLiteral("echo"), QStringLiteral("a && b")}));
    QVERIFY(!s.contains({QStringLiteral("apt-get")}, QStringLiteral("remove")));
}

void TestStagecraftChecks::fixes_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("after");

    QTest::addRow("instruction casing")
        << lines({"FROM alpine", "run echo hi", "RUN echo"}) << "ConsistentInstructionCasing"
        << lines({"FROM alpine", "RUN echo hi", "RUN echo"});
    QTest::addRow("as casing") << lines({"FROM alpine as base", "RUN echo"}) << "FromAsCasing"
                               << lines({"FROM alpine AS base", "RUN echo"});
    QTest::addRow("stage name casing") << lines({"FROM alpine AS Base", "RUN echo"}) << "StageNameCasing"
                                       << lines({"FROM alpine AS base", "RUN echo"});
    QTest::addRow("legacy ENV") << lines({"FROM alpine", "ENV GREETING hello world"})
                                << "LegacyKeyValueFormat"
                                << lines({"FROM alpine", "ENV GREETING=\"hello world\""});
    QTest::addRow("legacy ENV one word")
        << lines({"FROM alpine", "ENV A b"}) << "LegacyKeyValueFormat" << lines({"FROM alpine", "ENV A=b"});
    QTest::addRow("JSON CMD") << lines({"FROM alpine", "CMD ./app --port 80"}) << "JSONArgsRecommended"
                              << lines({"FROM alpine", "CMD [\"./app\", \"--port\", \"80\"]"});
    QTest::addRow("MAINTAINER")
        << lines({"FROM alpine", "MAINTAINER Ann <ann@example.org>"}) << "MaintainerDeprecated"
        << lines({"FROM alpine", "LABEL org.opencontainers.image.authors=\"Ann <ann@example.org>\""});
    QTest::addRow("apt lists") << lines({"FROM debian", "RUN apt-get update && apt-get install -y curl"})
                               << "PackageCacheInLayer"
                               << lines({"FROM debian", "RUN apt-get update && apt-get install -y curl \\",
                                         "    && rm -rf /var/lib/apt/lists/*"});
    QTest::addRow("apt update and install combined")
        << lines({"FROM debian", "RUN apt-get update", "RUN apt-get install -y curl", "CMD [\"curl\"]"})
        << "PackageCacheInLayer"
        << lines({"FROM debian", "RUN apt-get update && apt-get install -y curl \\",
                  "    && rm -rf /var/lib/apt/lists/*", "CMD [\"curl\"]"});
    QTest::addRow("apk") << lines({"FROM alpine", "RUN apk add curl"}) << "PackageCacheInLayer"
                         << lines({"FROM alpine", "RUN apk add --no-cache curl"});
    QTest::addRow("pip") << lines({"FROM python:3", "RUN pip install flask"}) << "PackageCacheInLayer"
                         << lines({"FROM python:3", "RUN pip install --no-cache-dir flask"});
    QTest::addRow("apt lists with the backtick escape")
        << lines({"# escape=`", "FROM debian", "RUN apt-get update && apt-get install -y curl"})
        << "PackageCacheInLayer"
        << lines({"# escape=`", "FROM debian", "RUN apt-get update && apt-get install -y curl `",
                  "    && rm -rf /var/lib/apt/lists/*"});
    QTest::addRow("npm") << lines({"FROM node:20", "RUN npm ci"}) << "PackageCacheInLayer"
                         << lines({"FROM node:20", "RUN npm ci \\", "    && npm cache clean --force"});
}

void TestStagecraftChecks::fixes()
{
    QFETCH(QString, before);
    QFETCH(QString, rule);
    QFETCH(QString, after);
    const std::optional<QuickFix> fix = firstFix(before, rule);
    QVERIFY2(fix, "no fix offered");
    QCOMPARE(fix->rule, rule);
    QVERIFY(!fix->title.isEmpty());
    const Expected<QString> fixed = QuickFix::apply(before, fix->edits);
    QVERIFY(fixed);
    QCOMPARE(*fixed, after);
    // Checked again: the finding is gone, nothing new came, the stages are the same.
    const Diagnostics beforeDiagnostics = check(before);
    const Diagnostics afterDiagnostics = check(*fixed);
    QVERIFY(!BuildPlan::fromText(*fixed).hasErrors());
    for (const Diagnostic &d : afterDiagnostics)
        QVERIFY2(d.rule != rule, qPrintable(d.message));
    QVERIFY(afterDiagnostics.size() < beforeDiagnostics.size());
    QCOMPARE(BuildPlan::fromText(*fixed).stages().size(), BuildPlan::fromText(before).stages().size());
}

void TestStagecraftChecks::dockerignoreFix()
{
    const QString text = lines({"FROM alpine", "COPY . /src"});
    const std::optional<QuickFix> fix = firstFix(text, QStringLiteral("CopyWholeContext"), NoDockerignore);
    QVERIFY(fix);
    QVERIFY(fix->edits.isEmpty());
    QCOMPARE(fix->files.size(), 1);
    QCOMPARE(fix->files.first().path, QStringLiteral(".dockerignore"));
    const QStringList entries = fix->files.first().text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(entries.contains(QStringLiteral(".git")));
    QVERIFY(entries.contains(QStringLiteral(".env")));
    QVERIFY(entries.contains(QStringLiteral("*.pem")));
    QVERIFY(!entries.contains(QStringLiteral("node_modules"))); // the context has none
}

void TestStagecraftChecks::fixAllSettles()
{
    const QString text = lines({"from debian as Build", "MAINTAINER ann", "ENV A b", "RUN apt-get update",
                                "RUN apt-get install -y curl", "CMD curl --version"});
    const QuickFixes::Result r = QuickFixes::fixAll(text, {}, optionsFor(NoContext));
    QVERIFY2(r.applied.size() >= 5, qPrintable(r.applied.join(QLatin1Char('|'))));
    QVERIFY(!BuildPlan::fromText(r.text).hasErrors());
    QStringList left;
    for (const Diagnostic &d : check(r.text))
        left.append(d.rule);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(',')) + QLatin1Char('\n') + r.text));
}

void TestStagecraftChecks::multiStageGoSeed()
{
    const QString single = readData(QStringLiteral("seeds/go-app/Dockerfile"));
    const QString multi = readData(QStringLiteral("seeds/go-app/Dockerfile.multi"));
    QVERIFY(!single.isEmpty() && !multi.isEmpty());
    const std::optional<QuickFix> fix = firstFix(single, QStringLiteral("FinalStageToolchain"));
    QVERIFY2(fix, "no multi-stage fix");
    QVERIFY(fix->title.contains(QLatin1String("scratch")));
    const Expected<QString> converted = QuickFix::apply(single, fix->edits);
    QVERIFY(converted);
    // The seed's multi-stage file, plus the one line the fix adds on purpose: the final
    // stage runs as nobody, which the seed's scratch stage does not.
    QString expected = multi;
    expected.replace(QStringLiteral("ENTRYPOINT"), QStringLiteral("USER 65534:65534\n\nENTRYPOINT"));
    QVERIFY(expected != multi);
    QCOMPARE(structure(*converted), structure(expected));
    // The result checks clean of the toolchain finding.
    for (const Diagnostic &d : check(*converted))
        QVERIFY2(d.rule != QLatin1String("FinalStageToolchain"), qPrintable(d.message));
}

void TestStagecraftChecks::multiStageKeepsRuntimeNeeds()
{
    // The tutorial's first try: no -o, a shell-form ENTRYPOINT, cgo on, a program that talks TLS.
    const QString text = lines({"FROM golang:1.12.0", "ADD . /app", "WORKDIR /app", "RUN go build",
                                "ENTRYPOINT /app/app", "CMD ./app"});
    BuildCheckOptions o = optionsFor(NoContext);
    o.contextSourcesMention = [](const QString &word) { return word == QLatin1String("net/http"); };
    const Expected<QuickFix> fix = MultiStageConversion::convert(BuildPlan::fromText(text), text, o);
    QVERIFY2(fix, qPrintable(fix ? QString() : fix.error().message));
    const QString converted = *QuickFix::apply(text, fix->edits);
    QCOMPARE(structure(converted),
             (QStringList{QStringLiteral("stage build from golang:1.12.0"), QStringLiteral("ADD . /app"),
                          QStringLiteral("WORKDIR /app"), QStringLiteral("RUN go build"),
                          QStringLiteral("stage 1 from debian:bookworm-slim"),
                          QStringLiteral("RUN apt-get update && apt-get install -y --no-install-recommends "
                                         "ca-certificates && rm -rf /var/lib/apt/lists/*"),
                          QStringLiteral("COPY --from=build /app/app /app/app"),
                          QStringLiteral("WORKDIR /app"), QStringLiteral("USER 65534:65534"),
                          QStringLiteral("ENTRYPOINT /app/app"), QStringLiteral("CMD ./app")}));

    // Static, on scratch: the certificates come from the build stage, the commands in JSON form.
    const QString staticText = lines({"FROM golang:1.22", "WORKDIR /src", "COPY . .",
                                      "RUN CGO_ENABLED=0 go build -o /out/server ./cmd/server", "EXPOSE 8080",
                                      "ENTRYPOINT /out/server"});
    const Expected<QuickFix> staticFix =
        MultiStageConversion::convert(BuildPlan::fromText(staticText), staticText, o);
    QVERIFY2(staticFix, qPrintable(staticFix ? QString() : staticFix.error().message));
    const QString s = *QuickFix::apply(staticText, staticFix->edits);
    const QStringList st = structure(s);
    QVERIFY2(st.contains(QStringLiteral("stage 1 from scratch")), qPrintable(s));
    QVERIFY(
        st.contains(QStringLiteral("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/")));
    QVERIFY(st.contains(QStringLiteral("COPY --from=build /out/server /out/server")));
    QVERIFY(st.contains(QStringLiteral("ENTRYPOINT [\"/out/server\"]")));
    QCOMPARE(st.indexOf(QStringLiteral("EXPOSE 8080")) > st.indexOf(QStringLiteral("stage 1 from scratch")),
             true);
}

void TestStagecraftChecks::multiStageOtherToolchains_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QStringList>("finalStage"); // the new final stage, as structure() gives it
    QTest::addRow("rust, glibc, talks TLS")
        << lines({"FROM rust:1.79", "WORKDIR /src", "COPY . .", "RUN cargo build --release", "EXPOSE 3000",
                  "CMD [\"./target/release/server\"]"})
        << QStringList{
               QStringLiteral("stage 1 from debian:bookworm-slim"),
               QStringLiteral("RUN apt-get update && apt-get install -y --no-install-recommends "
                              "ca-certificates && rm -rf /var/lib/apt/lists/*"),
               QStringLiteral("COPY --from=build /src/target/release/server /src/target/release/server"),
               QStringLiteral("WORKDIR /src"),
               QStringLiteral("USER 65534:65534"),
               QStringLiteral("EXPOSE 3000"),
               QStringLiteral("CMD [\"./target/release/server\"]")};
    QTest::addRow("rust, static musl on scratch")
        << lines({"FROM rust:1.79-alpine", "WORKDIR /src", "COPY . .",
                  "RUN cargo build --release --target x86_64-unknown-linux-musl",
                  "ENTRYPOINT /src/target/x86_64-unknown-linux-musl/release/tool"})
        << QStringList{QStringLiteral("stage 1 from scratch"),
                       QStringLiteral("COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/"),
                       QStringLiteral("COPY --from=build /src/target/x86_64-unknown-linux-musl/release/tool "
                                      "/src/target/x86_64-unknown-linux-musl/release/tool"),
                       QStringLiteral("WORKDIR /src"),
                       QStringLiteral("USER 65534:65534"),
                       QStringLiteral("ENTRYPOINT [\"/src/target/x86_64-unknown-linux-musl/release/tool\"]")};
    QTest::addRow("rust, cargo install")
        << lines({"FROM rust:1.79", "COPY . /src", "RUN cargo install --path /src", "CMD [\"tool\"]"})
        << QStringList{QStringLiteral("stage 1 from debian:bookworm-slim"),
                       QStringLiteral("RUN apt-get update && apt-get install -y --no-install-recommends "
                                      "ca-certificates && rm -rf /var/lib/apt/lists/*"),
                       QStringLiteral("COPY --from=build /usr/local/cargo/bin/tool /usr/local/bin/tool"),
                       QStringLiteral("USER 65534:65534"), QStringLiteral("CMD [\"tool\"]")};
    QTest::addRow("node, static site")
        << lines({"FROM node:20", "WORKDIR /app", "COPY package*.json ./", "RUN npm ci", "COPY . .",
                  "RUN npm run build", "EXPOSE 3000",
                  "CMD [\"npx\", \"serve\", \"-s\", \"dist\", \"-l\", \"3000\"]"})
        << QStringList{QStringLiteral("stage 1 from nginxinc/nginx-unprivileged:alpine"),
                       QStringLiteral("COPY --from=build /app/dist /usr/share/nginx/html"),
                       QStringLiteral("EXPOSE 8080")};
    QTest::addRow("node, server")
        << lines({"FROM node:20-bookworm", "WORKDIR /usr/src/app", "COPY . .", "RUN npm ci && npm run build",
                  "EXPOSE 3000", "CMD [\"node\", \"dist/main.js\"]"})
        << QStringList{QStringLiteral("stage 1 from node:20-slim-bookworm"),
                       QStringLiteral("ENV NODE_ENV=production"),
                       QStringLiteral("WORKDIR /usr/src/app"),
                       QStringLiteral(
                           "COPY --from=build /usr/src/app/package.json /usr/src/app/package-lock.json* ./"),
                       QStringLiteral("RUN npm ci --omit=dev && npm cache clean --force"),
                       QStringLiteral("COPY --from=build /usr/src/app/dist /usr/src/app/dist"),
                       QStringLiteral("USER node"),
                       QStringLiteral("EXPOSE 3000"),
                       QStringLiteral("CMD [\"node\", \"dist/main.js\"]")};
    QTest::addRow("python, virtual environment")
        << lines({"FROM python:3.12", "RUN python -m venv /opt/venv", "ENV PATH=\"/opt/venv/bin:$PATH\"",
                  "WORKDIR /app", "COPY requirements.txt .",
                  "RUN pip install --no-cache-dir -r requirements.txt", "COPY . .",
                  "CMD [\"python\", \"app.py\"]"})
        << QStringList{QStringLiteral("stage 1 from python:3.12-slim"),
                       QStringLiteral("COPY --from=build /opt/venv /opt/venv"),
                       QStringLiteral("ENV PATH=\"/opt/venv/bin:$PATH\""),
                       QStringLiteral("WORKDIR /app"),
                       QStringLiteral("COPY --from=build /app /app"),
                       QStringLiteral("USER 65534:65534"),
                       QStringLiteral("CMD [\"python\", \"app.py\"]")};
}

void TestStagecraftChecks::multiStageOtherToolchains()
{
    QFETCH(QString, dockerfile);
    QFETCH(QStringList, finalStage);
    BuildCheckOptions o = optionsFor(NoContext);
    o.contextSourcesMention = [](const QString &word) {
        return word == QLatin1String("reqwest") || word == QLatin1String("net/http");
    };
    const BuildPlan plan = BuildPlan::fromText(dockerfile);
    const Expected<QuickFix> fix = MultiStageConversion::convert(plan, dockerfile, o);
    QVERIFY2(fix, qPrintable(fix ? QString() : fix.error().message));
    const Expected<QString> converted = QuickFix::apply(dockerfile, fix->edits);
    QVERIFY(converted);
    // It parses, and the graph is the build stage feeding a final stage.
    const BuildPlan after = BuildPlan::fromText(*converted);
    QVERIFY2(!after.hasErrors(), qPrintable(*converted));
    QCOMPARE(after.stages().size(), 2);
    QCOMPARE(after.stages().at(0).name, QStringLiteral("build"));
    QCOMPARE(after.stages().at(1).dependencies, QList<int>{0});
    const QStringList st = structure(*converted);
    const qsizetype at = st.indexOf(finalStage.first());
    QVERIFY2(at > 0, qPrintable(*converted));
    QCOMPARE(st.mid(at), finalStage);
    // The build stage keeps the build; the result checks clean of the toolchain rule.
    QVERIFY2(st.first().startsWith(QLatin1String("stage build from")), qPrintable(st.first()));
    for (const Diagnostic &d : BuildChecks::run(after, o))
        QVERIFY2(d.rule != QLatin1String("FinalStageToolchain"),
                 qPrintable(d.message + QLatin1Char('\n') + *converted));
}

void TestStagecraftChecks::multiStageDeclines_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("reason");
    QTest::addRow("already multi-stage")
        << readData(QStringLiteral("seeds/go-app/Dockerfile.multi")) << "stages already";
    QTest::addRow("builds nothing") << lines({"FROM debian", "COPY . .", "RUN make", "CMD [\"/x\"]"})
                                    << "no RUN builds a program";
    QTest::addRow("node runs a source file")
        << lines({"FROM node:20", "COPY . .", "RUN npm run build", "CMD [\"node\", \"x\"]"})
        << "not in a build output directory";
    QTest::addRow("node started by a script")
        << lines({"FROM node:20", "WORKDIR /app", "COPY . .", "RUN npm ci && npm run build", "CMD npm start"})
        << "not node or a static file server";
    QTest::addRow("serve the working directory") << lines({"FROM node:20", "WORKDIR /app", "COPY . .",
                                                           "RUN npm run build", "CMD [\"npx\", \"serve\"]"})
                                                 << "serves the working directory";
    QTest::addRow("pnpm server") << lines({"FROM node:20", "WORKDIR /app", "COPY . .", "RUN pnpm build",
                                           "CMD [\"node\", \"dist/main.js\"]"})
                                 << "pnpm";
    QTest::addRow("cargo result copied elsewhere")
        << lines({"FROM rust:1.79", "WORKDIR /src", "COPY . .",
                  "RUN cargo build --release && cp target/release/app /usr/bin/app", "CMD [\"app\"]"})
        << "not a program cargo build writes";
    QTest::addRow("python without a virtual environment")
        << lines({"FROM python:3.12", "WORKDIR /app", "COPY . .", "RUN pip install -r requirements.txt",
                  "CMD [\"python\", \"app.py\"]"})
        << "virtual environment";
    QTest::addRow("python with compiled dependencies")
        << lines({"FROM python:3.12", "WORKDIR /app", "RUN apt-get update && apt-get install -y libpq-dev",
                  "RUN python -m venv /opt/venv && /opt/venv/bin/pip install psycopg2", "COPY . .",
                  "CMD [\"/opt/venv/bin/python\", \"app.py\"]"})
        << "run-time libraries";
    QTest::addRow("no program to run")
        << lines({"FROM golang:1.22", "RUN go build -o /x"}) << "ENTRYPOINT or CMD";
    QTest::addRow("runs something else")
        << lines({"FROM golang:1.22", "RUN go build -o /x", "CMD [\"/y\"]"}) << "go build writes";
    QTest::addRow("needs a shell on scratch")
        << lines({"FROM golang:1.22", "RUN CGO_ENABLED=0 go build -o /x", "CMD /x > /log"}) << "shell";
}

void TestStagecraftChecks::multiStageDeclines()
{
    QFETCH(QString, dockerfile);
    QFETCH(QString, reason);
    const Expected<QuickFix> fix = MultiStageConversion::convert(BuildPlan::fromText(dockerfile), dockerfile);
    QVERIFY(!fix);
    QVERIFY2(fix.error().message.contains(reason), qPrintable(fix.error().message));
}

void TestStagecraftChecks::fixAllSaysWhyItDeclined()
{
    // The toolchain is reported, but what CMD runs is not what go build writes: no fix, and
    // check --fix says why instead of saying nothing.
    const QString text = lines({"FROM golang:1.22", "RUN go build -o /x", "CMD [\"/y\"]"});
    const QuickFixes::Result r = QuickFixes::fixAll(text);
    QCOMPARE(r.text, text);
    QCOMPARE(r.declined.size(), 1);
    QVERIFY2(r.declined.first().startsWith(QLatin1String("line 1: ")), qPrintable(r.declined.first()));
    QVERIFY2(r.declined.first().contains(QLatin1String("go build writes")), qPrintable(r.declined.first()));
    // A file the fix converts declines nothing.
    const QString single = readData(QStringLiteral("seeds/go-app/Dockerfile"));
    QVERIFY(QuickFixes::fixAll(single).declined.isEmpty());
}

void TestStagecraftChecks::largeFileStaysLinear()
{
    // 10,000 lines in 10 stages: ARGs, RUNs that install, COPYs and --from references.
    QString text;
    for (int stage = 0; stage < 10; ++stage) {
        text += QStringLiteral("FROM debian AS s%1\n").arg(stage);
        for (int i = 0; i < 333; ++i) {
            text += QStringLiteral("ARG A%1_%2=1\n").arg(stage).arg(i);
            text += QStringLiteral("RUN apt-get update && apt-get install -y gcc pkg%1-dev && echo $A%2_%1\n")
                        .arg(i)
                        .arg(stage);
            text += stage > 0 ? QStringLiteral("COPY --from=s%1 /bin/x%2 /x%2\n").arg(stage - 1).arg(i)
                              : QStringLiteral("COPY id_rsa%1 /k%1\n").arg(i);
        }
    }
    QElapsedTimer timer;
    timer.start();
    const Diagnostics d = check(text, NoDockerignore);
    const qint64 checkMs = timer.elapsed();
    QVERIFY2(d.size() > 600, qPrintable(QString::number(d.size())));
    timer.restart();
    const QuickFixes::Result r = QuickFixes::fixAll(text, {}, optionsFor(NoContext));
    const qint64 fixMs = timer.elapsed();
    QVERIFY(!r.applied.isEmpty());
    qInfo("10k lines: checks %lld ms, fixAll %lld ms", checkMs, fixMs);
    // Generous bounds: a quadratic rule takes minutes here, a linear one well under a second.
    QVERIFY2(checkMs < 20000, qPrintable(QString::number(checkMs)));
    QVERIFY2(fixMs < 60000, qPrintable(QString::number(fixMs)));
}

void TestStagecraftChecks::corpus()
{
    // Every rule and every fix over the real-world corpus: no crash; each quick-fix offered for
    // a finding, applied alone, gives a file that parses with no new errors and has fewer
    // findings of the rule it fixed; "make it multi-stage" converts (the result parses, has two
    // stages and no FinalStageToolchain) or declines with a reason. The table is printed so a
    // change in precision shows.
    const QDir dir(dataPath(QStringLiteral("corpus")));
    const QStringList files = dir.entryList(QDir::Files);
    QVERIFY(files.size() >= 100);
    struct Row
    {
        int findings = 0;
        int files = 0;
        int fixesOffered = 0;
        int fixedClean = 0;
        int noFix = 0;
    };
    QMap<QString, Row> perRule;
    QMap<QString, int> declines; // "make it multi-stage": why it declined
    int converted = 0;
    QMap<QString, int> outcomes;
    const auto countOf = [](const Diagnostics &found, const QString &rule) {
        return std::count_if(found.cbegin(), found.cend(),
                             [&](const Diagnostic &d) { return d.rule == rule; });
    };
    for (const QString &name : files) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        const BuildPlan plan = BuildPlan::fromText(text);
        const BuildCheckOptions options = optionsFor(NoDockerignore);
        const Diagnostics found = BuildChecks::run(plan, options);
        QSet<QString> rulesHere;
        for (const Diagnostic &d : found) {
            const std::optional<BuildCheckRule> rule = BuildChecks::rule(d.rule);
            if (!rule || !rule->isStagecraft())
                continue;
            Row &row = perRule[d.rule];
            ++row.findings;
            rulesHere.insert(d.rule);
            // For judging precision by hand: STAGECRAFT_CORPUS_FINDINGS=1 prints each finding.
            if (qEnvironmentVariableIsSet("STAGECRAFT_CORPUS_FINDINGS"))
                qInfo("%s:%d: %s", qPrintable(name), d.range.start.line, qPrintable(d.message));
            const QList<QuickFix> fixes = QuickFixes::forDiagnostic(plan, text, d, options);
            if (fixes.isEmpty())
                ++row.noFix;
            for (const QuickFix &fix : fixes) {
                ++row.fixesOffered;
                const Expected<QString> after = QuickFix::apply(text, fix.edits);
                QVERIFY2(after, qPrintable(name + QStringLiteral(": ") + fix.title));
                const BuildPlan afterPlan = BuildPlan::fromText(*after);
                QVERIFY2(afterPlan.hasErrors() == plan.hasErrors(),
                         qPrintable(name + QStringLiteral(": ") + fix.title));
                // A fix that writes the .dockerignore is checked against the file it writes.
                BuildCheckOptions afterOptions = options;
                for (const FileWrite &file : fix.files)
                    if (file.path == QLatin1String(".dockerignore")) {
                        afterOptions.dockerignoreText = file.text;
                        const Expected<DockerIgnore> ignore = DockerIgnore::parse(file.text);
                        QVERIFY2(ignore, qPrintable(name));
                        afterOptions.isIgnoredByDockerignore = [ignore = *ignore](const QString &path) {
                            return ignore.isExcluded(path);
                        };
                    }
                const Diagnostics again = BuildChecks::run(afterPlan, afterOptions);
                const bool clean = countOf(again, d.rule) < countOf(found, d.rule);
                QVERIFY2(clean, qPrintable(name + QStringLiteral(": ") + fix.title +
                                           QStringLiteral(" left ") + d.rule));
                ++row.fixedClean;
            }
        }
        for (const QString &rule : std::as_const(rulesHere))
            ++perRule[rule].files;
        const Expected<QuickFix> multi = MultiStageConversion::convert(plan, text, options);
        if (multi) {
            ++converted;
            const Expected<QString> after = QuickFix::apply(text, multi->edits);
            QVERIFY2(after, qPrintable(name));
            const BuildPlan afterPlan = BuildPlan::fromText(*after);
            QVERIFY2(!afterPlan.hasErrors() && afterPlan.stages().size() == 2, qPrintable(name + *after));
            QCOMPARE(countOf(BuildChecks::run(afterPlan, options), QStringLiteral("FinalStageToolchain")), 0);
        } else {
            QVERIFY(!multi.error().message.isEmpty());
            // The reason's kind: its words up to the first detail.
            QString reason = multi.error().message;
            reason = reason.section(QLatin1Char(':'), 0, 0).section(QLatin1Char(';'), 0, 0);
            static const QRegularExpression kDetail(QStringLiteral("\\d+|[/.][^ ]*|node \\S+|runs \\S+"));
            reason.replace(kDetail, QStringLiteral("…"));
            ++declines[reason.left(90)];
        }
        const QuickFixes::Result fixed = QuickFixes::fixAll(text, {}, options);
        if (fixed.text == text) {
            ++outcomes[QStringLiteral("fixAll: nothing to change")];
            continue;
        }
        ++outcomes[QStringLiteral("fixAll: changed")];
        const BuildPlan after = BuildPlan::fromText(fixed.text);
        QVERIFY2(after.hasErrors() == plan.hasErrors(), qPrintable(name));
        QVERIFY2(after.stages().size() == plan.stages().size() ||
                     fixed.applied.join(QLatin1Char('|')).contains(QLatin1String("multi-stage")),
                 qPrintable(name));
    }
    qInfo("%-22s %8s %6s %6s %6s %7s", "rule", "findings", "files", "fixes", "clean", "no-fix");
    for (auto it = perRule.cbegin(); it != perRule.cend(); ++it)
        qInfo("%-22s %8d %6d %6d %6d %7d", qPrintable(it.key()), it->findings, it->files, it->fixesOffered,
              it->fixedClean, it->noFix);
    qInfo("make it multi-stage: %d converted, %d declined", converted, int(files.size()) - converted);
    for (auto it = declines.cbegin(); it != declines.cend(); ++it)
        qInfo("  declined %3d: %s", it.value(), qPrintable(it.key()));
    for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
        qInfo("%s: %d", qPrintable(it.key()), it.value());
}

void TestStagecraftChecks::hostileInputs_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addRow("empty") << QString();
    QTest::addRow("only ARGs") << lines({"ARG A", "ARG B=$A"});
    QTest::addRow("unterminated quotes in RUN") << lines({"FROM debian", "RUN apt-get install \"gcc 'make"});
    QTest::addRow("NUL in a word") << QStringLiteral("FROM alpine\nCOPY a\u0000b /\nCMD x\u0000y\n");
    QTest::addRow("go build -o nothing") << lines({"FROM golang", "RUN go build -o", "CMD [\"/x\"]"});
    QTest::addRow("go build -o a directory")
        << lines({"FROM golang", "RUN go build -o /out/ ./...", "CMD [\"/out/x\"]"});
    QTest::addRow("ENTRYPOINT empty JSON") << lines({"FROM golang", "RUN go build -o /x", "ENTRYPOINT []"});
    QTest::addRow("COPY --from= empty") << lines({"FROM alpine", "COPY --from= / /"});
    QTest::addRow("deep ${}") << QStringLiteral("FROM alpine\nARG X=") +
                                     QString(QStringLiteral("${a:-")).repeated(5000) +
                                     QString(QLatin1Char('}')).repeated(5000) +
                                     QStringLiteral("\nRUN apk add x\n");
    QTest::addRow("onbuild") << lines(
        {"FROM golang AS b", "ONBUILD RUN go build -o /x", "FROM b", "CMD [\"/x\"]"});
}

void TestStagecraftChecks::hostileInputs()
{
    // No crash, fixes that apply cleanly or are not offered, multi-stage that converts or declines.
    QFETCH(QString, dockerfile);
    const BuildPlan plan = BuildPlan::fromText(dockerfile);
    const BuildCheckOptions options = optionsFor(NoDockerignore);
    for (const Diagnostic &d : BuildChecks::run(plan, options))
        for (const QuickFix &fix : QuickFixes::forDiagnostic(plan, dockerfile, d, options))
            QVERIFY2(QuickFix::apply(dockerfile, fix.edits), qPrintable(fix.title));
    const Expected<QuickFix> multi = MultiStageConversion::convert(plan, dockerfile, options);
    if (!multi)
        QVERIFY(!multi.error().message.isEmpty());
    const QuickFixes::Result r = QuickFixes::fixAll(dockerfile, {}, options);
    QVERIFY(r.text.size() < dockerfile.size() + 4096);
}

void TestStagecraftChecks::unifiedDiff()
{
    QCOMPARE(UnifiedDiff::make(QStringLiteral("a\n"), QStringLiteral("a\n"), QStringLiteral("x"),
                               QStringLiteral("y")),
             QString());
    // What GNU diff -u prints for the same pair (headers aside).
    const QString before = lines({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"});
    const QString after = lines({"1", "2", "three", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13"});
    QCOMPARE(UnifiedDiff::make(before, after, QStringLiteral("a/f"), QStringLiteral("b/f")),
             lines({"--- a/f", "+++ b/f", "@@ -1,6 +1,6 @@", " 1", " 2", "-3", "+three", " 4", " 5", " 6",
                    "@@ -10,3 +10,4 @@", " 10", " 11", " 12", "+13"}));
    QCOMPARE(UnifiedDiff::make(QString(), QStringLiteral(".git\n"), QStringLiteral("/dev/null"),
                               QStringLiteral("b/.dockerignore")),
             lines({"--- /dev/null", "+++ b/.dockerignore", "@@ -0,0 +1 @@", "+.git"}));
    QCOMPARE(UnifiedDiff::make(QStringLiteral("a\nb\n"), QStringLiteral("b\n"), QStringLiteral("x"),
                               QStringLiteral("y")),
             lines({"--- x", "+++ y", "@@ -1,2 +1 @@", "-a", " b"}));
}

void TestStagecraftChecks::unifiedDiffIsBounded()
{
    // Every other line of 20,000 changed: past the edit bound the middle becomes one block.
    QString before;
    QString after;
    for (int i = 0; i < 20000; ++i) {
        before += QStringLiteral("line %1\n").arg(i);
        after += (i % 2 ? QStringLiteral("changed %1\n") : QStringLiteral("line %1\n")).arg(i);
    }
    QElapsedTimer timer;
    timer.start();
    const QString diff = UnifiedDiff::make(before, after, QStringLiteral("a"), QStringLiteral("b"));
    QVERIFY2(timer.elapsed() < 20000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(diff.contains(QLatin1String("\n-line 19999\n")));
    QVERIFY(diff.contains(QLatin1String("\n+changed 19999\n")));
}

QTEST_GUILESS_MAIN(TestStagecraftChecks)
#include "tst_stagecraftchecks.moc"
