// The `docker build --check` rules: for every rule a Dockerfile that fires it (rule and
// line as BuildKit reports them) and one that does not, the `# check=` directive, the
// seed tutorials' Dockerfiles, and a crash-free run over the real-world corpus.
#include "core/checks/buildchecks.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/buildplan.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
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

Diagnostics check(const QString &text, const BuildCheckOptions &options = {}, const PlanOptions &plan = {})
{
    return BuildChecks::run(text, plan, options);
}

// The checks over a Dockerfile a test has parsed itself.
Diagnostics check(const Dockerfile &dockerfile)
{
    return BuildChecks::run(BuildPlan::fromDockerfile(std::make_shared<const Dockerfile>(dockerfile)));
}

// "LINE Rule" per diagnostic, the form the expectations below are written in.
QStringList summary(const Diagnostics &diagnostics)
{
    QStringList out;
    for (const Diagnostic &d : diagnostics)
        out.append(QStringLiteral("%1 %2").arg(d.range.start.line).arg(d.rule));
    return out;
}

QStringList messageList(const Diagnostics &diagnostics)
{
    QStringList out;
    for (const Diagnostic &d : diagnostics)
        out.append(d.message);
    return out;
}

QString lines(std::initializer_list<const char *> l)
{
    QString out;
    for (const char *line : l)
        out += QString::fromUtf8(line) + QLatin1Char('\n');
    return out;
}

} // namespace

class TestBuildChecks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ruleTableMatchesBuildKit();
    void rules_data();
    void rules();
    void messages_data();
    void messages();
    void diagnosticsCarryUrlAndSeverity();
    void directive_data();
    void directive();
    void directiveParsing();
    void buildArgOverridesDirective();
    void stageArgsTakePlanValues();
    void experimentalRules();
    void baseImageEnvironment();
    void seeds_data();
    void seeds();
    void corpusRunsCleanly();
    void expansionLimits_data();
    void expansionLimits();
};

void TestBuildChecks::ruleTableMatchesBuildKit()
{
    QFile file(dataPath(QStringLiteral("dockerfile/checks.json")));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonArray expected = QJsonDocument::fromJson(file.readAll()).array();
    QCOMPARE(expected.size(), 21);
    QCOMPARE(BuildChecks::rules().size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const QJsonObject o = expected.at(i).toObject();
        const BuildCheckRule &r = BuildChecks::rules().at(i);
        QCOMPARE(r.name, o.value(QLatin1String("rule")).toString());
        QCOMPARE(r.description, o.value(QLatin1String("description")).toString());
        QCOMPARE(r.url, o.value(QLatin1String("url")).toString());
        QVERIFY(BuildChecks::rule(r.name).has_value());
    }
    QVERIFY(BuildChecks::rule(QStringLiteral("CopyIgnoredFile"))->experimental);
    QVERIFY(BuildChecks::rule(QStringLiteral("InvalidDefinitionDescription"))->experimental);
    QVERIFY(!BuildChecks::rule(QStringLiteral("FromAsCasing"))->experimental);
    QVERIFY(!BuildChecks::rule(QStringLiteral("NoSuchRule")).has_value());
}

void TestBuildChecks::rules_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QStringList>("expected");

    // Most cases mirror BuildKit's own lint tests, which start with an empty line.
    QTest::addRow("StageNameCasing fires")
        << lines({"", "FROM scratch AS BadStageName"}) << QStringList{QStringLiteral("2 StageNameCasing")};
    QTest::addRow("StageNameCasing quiet") << lines({"FROM scratch AS good_name"}) << QStringList{};

    QTest::addRow("FromAsCasing upper FROM lower as")
        << lines({"", "FROM scratch AS base", "", "FROM scratch as base2"})
        << QStringList{QStringLiteral("4 FromAsCasing")};
    QTest::addRow("FromAsCasing lower from upper AS")
        << lines({"", "from scratch AS base", "", "from scratch as base2"})
        << QStringList{QStringLiteral("2 FromAsCasing")};
    QTest::addRow("FromAsCasing quiet") << lines({"FROM scratch AS base", "from scratch as base2"})
                                        << QStringList{QStringLiteral("2 ConsistentInstructionCasing")};

    QTest::addRow("NoEmptyContinuation fires")
        << lines({"", "FROM scratch", "# warning: empty continuation line", "COPY Dockerfile \\", "", ".",
                  "COPY Dockerfile \\", "."})
        << QStringList{QStringLiteral("6 NoEmptyContinuation")};
    QTest::addRow("NoEmptyContinuation quiet")
        << lines({"FROM scratch", "COPY Dockerfile \\", "  ."}) << QStringList{};

    QTest::addRow("ConsistentInstructionCasing mixed keyword")
        << lines({"", "From scratch as base", "FROM scratch AS base2"})
        << QStringList{QStringLiteral("2 ConsistentInstructionCasing")};
    QTest::addRow("ConsistentInstructionCasing upper majority")
        << lines({"", "FROM scratch", "copy Dockerfile /foo", "COPY Dockerfile /bar"})
        << QStringList{QStringLiteral("3 ConsistentInstructionCasing")};
    QTest::addRow("ConsistentInstructionCasing lower majority")
        << lines({"", "from scratch", "COPY Dockerfile /foo", "copy Dockerfile /bar"})
        << QStringList{QStringLiteral("3 ConsistentInstructionCasing")};
    QTest::addRow("ConsistentInstructionCasing tie is upper")
        << lines({"", "from scratch", "COPY Dockerfile /foo"})
        << QStringList{QStringLiteral("2 ConsistentInstructionCasing")};
    QTest::addRow("ConsistentInstructionCasing ignores ARG before FROM")
        << lines({"arg V=1", "FROM scratch", "COPY a /b"}) << QStringList{};
    QTest::addRow("ConsistentInstructionCasing quiet")
        << lines({"from scratch", "copy Dockerfile /foo", "copy Dockerfile /bar"}) << QStringList{};

    QTest::addRow("DuplicateStageName fires") << lines({"", "FROM scratch AS b", "FROM scratch AS b"})
                                              << QStringList{QStringLiteral("3 DuplicateStageName")};
    QTest::addRow("DuplicateStageName ignores case of the name")
        << lines({"FROM scratch AS b", "FROM scratch AS B"})
        << QStringList{QStringLiteral("2 DuplicateStageName"), QStringLiteral("2 StageNameCasing")};
    QTest::addRow("DuplicateStageName quiet")
        << lines({"FROM scratch AS b1", "FROM scratch AS b2"}) << QStringList{};

    QTest::addRow("ReservedStageName fires")
        << lines({"", "FROM scratch AS scratch", "FROM scratch AS context"})
        << QStringList{QStringLiteral("2 ReservedStageName"), QStringLiteral("3 ReservedStageName")};
    QTest::addRow("ReservedStageName quiet") << lines({"FROM scratch", "FROM scratch AS a"}) << QStringList{};

    QTest::addRow("JSONArgsRecommended CMD") << lines({"", "FROM scratch", "CMD mycommand"})
                                             << QStringList{QStringLiteral("3 JSONArgsRecommended")};
    QTest::addRow("JSONArgsRecommended ENTRYPOINT") << lines({"", "FROM scratch", "ENTRYPOINT mycommand"})
                                                    << QStringList{QStringLiteral("3 JSONArgsRecommended")};
    QTest::addRow("JSONArgsRecommended quiet with SHELL")
        << lines({"FROM scratch", "SHELL [\"/usr/bin/customshell\"]", "CMD mycommand"}) << QStringList{};
    QTest::addRow("JSONArgsRecommended quiet with inherited SHELL")
        << lines({"FROM scratch AS base", "SHELL [\"/usr/bin/customshell\"]", "", "FROM base",
                  "ENTRYPOINT mycommand"})
        << QStringList{};
    QTest::addRow("JSONArgsRecommended quiet for JSON")
        << lines({"FROM scratch", "CMD [\"/app\"]"}) << QStringList{};

    QTest::addRow("MaintainerDeprecated fires") << lines({"", "FROM scratch", "MAINTAINER me@example.org"})
                                                << QStringList{QStringLiteral("3 MaintainerDeprecated")};
    QTest::addRow("MaintainerDeprecated quiet")
        << lines({"FROM scratch", "LABEL org.opencontainers.image.authors=\"me@example.org\""})
        << QStringList{};

    QTest::addRow("UndefinedArgInFrom typo in platform")
        << lines({"", "FROM --platform=$BULIDPLATFORM scratch", "COPY Dockerfile ."})
        << QStringList{QStringLiteral("2 UndefinedArgInFrom")};
    QTest::addRow("UndefinedArgInFrom in image name")
        << lines({"", "ARG tag=latest", "FROM busybox:${tag}${version} AS b", "COPY Dockerfile ."})
        << QStringList{QStringLiteral("3 UndefinedArgInFrom")};
    QTest::addRow("UndefinedArgInFrom quiet for declared ARG")
        << lines({"", "ARG base=scratch", "FROM $base", "COPY Dockerfile ."}) << QStringList{};
    QTest::addRow("UndefinedArgInFrom quiet for automatic platform ARG")
        << lines({"", "FROM --platform=$BUILDPLATFORM scratch", "COPY Dockerfile ."}) << QStringList{};

    QTest::addRow("WorkdirRelativePath fires") << lines({"", "FROM scratch", "WORKDIR app/"})
                                               << QStringList{QStringLiteral("3 WorkdirRelativePath")};
    QTest::addRow("WorkdirRelativePath only first WORKDIR")
        << lines({"FROM scratch", "WORKDIR app/", "WORKDIR sub/"})
        << QStringList{QStringLiteral("2 WorkdirRelativePath")};
    QTest::addRow("WorkdirRelativePath quiet after absolute in parent stage")
        << lines({"", "FROM scratch AS a", "WORKDIR /app", "", "FROM a AS b", "WORKDIR subdir/"})
        << QStringList{};

    QTest::addRow("UndefinedVar in every stage")
        << lines({"", "FROM scratch AS first", "COPY $foo .", "", "FROM scratch AS second", "COPY $bar ."})
        << QStringList{QStringLiteral("3 UndefinedVar"), QStringLiteral("6 UndefinedVar")};
    QTest::addRow("UndefinedVar before its ARG")
        << lines({"", "FROM alpine", "COPY $foo .", "ARG foo=bar", "RUN echo $foo"})
        << QStringList{QStringLiteral("3 UndefinedVar")};
    QTest::addRow("UndefinedVar global ARG not redeclared")
        << lines({"ARG VERSION=1", "FROM alpine", "COPY app-$VERSION /"})
        << QStringList{QStringLiteral("3 UndefinedVar")};
    QTest::addRow("UndefinedVar in ENV value")
        << lines({"FROM alpine", "ENV PATH=$PAHT:/tmp/bin"}) << QStringList{QStringLiteral("2 UndefinedVar")};
    QTest::addRow("UndefinedVar quiet for bare ARG")
        << lines({"", "FROM scratch", "ARG foo", "COPY Dockerfile${foo} ."}) << QStringList{};
    QTest::addRow("UndefinedVar quiet for ARG of the parent stage")
        << lines({"", "FROM alpine AS base", "ARG foo=Dockerfile", "", "FROM base", "COPY $foo ."})
        << QStringList{};
    QTest::addRow("UndefinedVar quiet in shell-form RUN")
        << lines({"FROM alpine", "RUN echo $PATH $NOPE"}) << QStringList{};
    QTest::addRow("UndefinedVar quiet for earlier ENV")
        << lines({"FROM alpine", "ENV DIR=/app", "WORKDIR $DIR", "COPY . ${DIR}/"}) << QStringList{};

    QTest::addRow("UndefinedVar in an expanded COPY heredoc")
        << lines({"FROM alpine", "COPY <<EOF /a", "$NOPE", "EOF"})
        << QStringList{QStringLiteral("2 UndefinedVar")};
    QTest::addRow("UndefinedVar quiet in a quoted COPY heredoc")
        << lines({"FROM alpine", "COPY <<'EOF' /a", "$NOPE", "EOF"}) << QStringList{};
    QTest::addRow("UndefinedVar quiet in a RUN heredoc")
        << lines({"FROM alpine", "RUN <<EOF", "echo $NOPE", "EOF"}) << QStringList{};
    QTest::addRow("UndefinedVar in COPY --chown") << lines({"FROM alpine", "COPY --chown=$USERNAME a /b"})
                                                  << QStringList{QStringLiteral("2 UndefinedVar")};

    QTest::addRow("MultipleInstructionsDisallowed fires")
        << lines({"", "FROM scratch", "ENTRYPOINT [\"/myapp\"]", "ENTRYPOINT [\"/myotherapp\"]",
                  "CMD [\"/myapp\"]", "CMD [\"/myotherapp\"]", "HEALTHCHECK CMD [\"/myapp\"]",
                  "HEALTHCHECK CMD [\"/myotherapp\"]"})
        << QStringList{QStringLiteral("3 MultipleInstructionsDisallowed"),
                       QStringLiteral("5 MultipleInstructionsDisallowed"),
                       QStringLiteral("7 MultipleInstructionsDisallowed")};
    QTest::addRow("MultipleInstructionsDisallowed across a heredoc")
        << lines({"", "FROM scratch", "ENTRYPOINT [\"/myapp\"]", "CMD [\"/myapp\"]",
                  "HEALTHCHECK CMD [\"/myapp\"]", "COPY <<EOF /a.txt", "Hello, World!", "EOF",
                  "ENTRYPOINT [\"/myotherapp\"]", "CMD [\"/myotherapp\"]",
                  "HEALTHCHECK CMD [\"/myotherapp\"]"})
        << QStringList{QStringLiteral("3 MultipleInstructionsDisallowed"),
                       QStringLiteral("4 MultipleInstructionsDisallowed"),
                       QStringLiteral("5 MultipleInstructionsDisallowed")};
    QTest::addRow("MultipleInstructionsDisallowed quiet across stages")
        << lines({"FROM scratch AS a", "ENTRYPOINT [\"/myapp\"]", "CMD [\"/myapp\"]", "", "FROM a AS b",
                  "ENTRYPOINT [\"/myotherapp\"]", "CMD [\"/myotherapp\"]"})
        << QStringList{};

    QTest::addRow("LegacyKeyValueFormat fires")
        << lines({"", "FROM scratch", "ENV testkey value", "LABEL key value"})
        << QStringList{QStringLiteral("3 LegacyKeyValueFormat"), QStringLiteral("4 LegacyKeyValueFormat")};
    QTest::addRow("LegacyKeyValueFormat quiet")
        << lines({"FROM scratch", "ENV testkey=value", "LABEL key=value"}) << QStringList{};

    QTest::addRow("RedundantTargetPlatform fires")
        << lines({"", "FROM --platform=$TARGETPLATFORM scratch"})
        << QStringList{QStringLiteral("2 RedundantTargetPlatform")};
    QTest::addRow("RedundantTargetPlatform braces")
        << lines({"FROM --platform=${TARGETPLATFORM} scratch"})
        << QStringList{QStringLiteral("1 RedundantTargetPlatform")};
    QTest::addRow("RedundantTargetPlatform quiet")
        << lines({"FROM --platform=$BUILDPLATFORM scratch"}) << QStringList{};

    QTest::addRow("SecretsUsedInArgOrEnv fires")
        << lines({"", "FROM scratch", "ARG SECRET_PASSPHRASE", "ENV SUPER_Secret=foo",
                  "ENV password=bar secret=baz", "ARG super_duper_secret_token=foo auth=bar",
                  "ENV apikey=bar sunflower=foo", "ENV git_key="})
        << QStringList{QStringLiteral("3 SecretsUsedInArgOrEnv"), QStringLiteral("4 SecretsUsedInArgOrEnv"),
                       QStringLiteral("5 SecretsUsedInArgOrEnv"), QStringLiteral("5 SecretsUsedInArgOrEnv"),
                       QStringLiteral("6 SecretsUsedInArgOrEnv"), QStringLiteral("6 SecretsUsedInArgOrEnv"),
                       QStringLiteral("7 SecretsUsedInArgOrEnv"), QStringLiteral("8 SecretsUsedInArgOrEnv")};
    QTest::addRow("SecretsUsedInArgOrEnv quiet")
        << lines({"FROM scratch", "ENV public_key=abc keyboard=us", "ARG tokenizer=x"}) << QStringList{};

    QTest::addRow("InvalidDefaultArgInFrom empty tag")
        << lines({"", "ARG VERSION", "FROM busybox:$VERSION"})
        << QStringList{QStringLiteral("3 InvalidDefaultArgInFrom")};
    QTest::addRow("InvalidDefaultArgInFrom empty image")
        << lines({"", "ARG IMAGE", "FROM $IMAGE"})
        << QStringList{QStringLiteral("3 InvalidDefaultArgInFrom")};
    QTest::addRow("InvalidDefaultArgInFrom trailing colon")
        << lines({"", "ARG SFX=\"box:\"", "FROM busy${SFX}"})
        << QStringList{QStringLiteral("3 InvalidDefaultArgInFrom")};
    QTest::addRow("InvalidDefaultArgInFrom quiet")
        << lines(
               {"ARG VERSION=\"latest\"", "ARG V=\"\"", "FROM busybox:${VERSION}", "FROM busybox:stable${V}"})
        << QStringList{};

    QTest::addRow("FromPlatformFlagConstDisallowed fires")
        << lines({"", "FROM --platform=linux/amd64 scratch"})
        << QStringList{QStringLiteral("2 FromPlatformFlagConstDisallowed")};
    QTest::addRow("FromPlatformFlagConstDisallowed quiet for named stage")
        << lines({"FROM --platform=linux/amd64 scratch AS my_amd64_stage",
                  "FROM --platform=linux/arm64 scratch AS linux"})
        << QStringList{};

    QTest::addRow("ExposeProtoCasing fires") << lines({"FROM scratch", "EXPOSE 80/TCP 53/udp"})
                                             << QStringList{QStringLiteral("2 ExposeProtoCasing")};
    QTest::addRow("ExposeProtoCasing quiet") << lines({"FROM scratch", "EXPOSE 80/tcp 443"}) << QStringList{};
    QTest::addRow("ExposeInvalidFormat fires")
        << lines({"FROM scratch", "EXPOSE 127.0.0.1:80:80", "EXPOSE 80:80"})
        << QStringList{QStringLiteral("2 ExposeInvalidFormat"), QStringLiteral("3 ExposeInvalidFormat")};
    QTest::addRow("ExposeInvalidFormat quiet")
        << lines({"FROM scratch", "ARG P=8080", "EXPOSE $P 80"}) << QStringList{};

    QTest::addRow("ONBUILD triggers are checked in the child stage")
        << lines({"FROM alpine AS base", "ONBUILD ENV color blue", "ONBUILD COPY $NOPE /", "", "FROM base"})
        << QStringList{QStringLiteral("5 LegacyKeyValueFormat"), QStringLiteral("5 UndefinedVar")};
    QTest::addRow("ONBUILD triggers are quiet in their own stage")
        << lines({"FROM alpine", "ONBUILD ENV color blue"}) << QStringList{};
    QTest::addRow("experimental rules are off by default")
        << lines({"FROM scratch", "# the base", "ARG foo=1"}) << QStringList{};
}

void TestBuildChecks::rules()
{
    QFETCH(QString, dockerfile);
    QFETCH(QStringList, expected);
    const Dockerfile df = DockerfileParser::parse(dockerfile);
    QVERIFY2(!hasErrors(df.diagnostics), qPrintable(df.diagnostics.value(0).message));
    const Diagnostics d = check(df);
    QStringList actual = summary(d);
    actual.sort();
    expected.sort();
    QCOMPARE(actual, expected);
}

void TestBuildChecks::messages_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("FromAsCasing") << lines({"FROM golang:1.21 as build"})
                                  << QStringList{
                                         QStringLiteral("'as' and 'FROM' keywords' casing do not match")};
    QTest::addRow("FromAsCasing lower")
        << lines({"from scratch AS base"})
        << QStringList{QStringLiteral("'AS' and 'from' keywords' casing do not match")};
    QTest::addRow("StageNameCasing") << lines({"FROM scratch AS Build"})
                                     << QStringList{QStringLiteral("Stage name 'Build' should be lowercase")};
    QTest::addRow("ConsistentInstructionCasing")
        << lines({"FROM scratch", "copy a /b", "COPY c /d"})
        << QStringList{
               QStringLiteral("Command 'copy' should match the case of the command majority (uppercase)")};
    QTest::addRow("DuplicateStageName")
        << lines({"FROM scratch AS b", "FROM scratch AS b"})
        << QStringList{QStringLiteral("Duplicate stage name \"b\", stage names should be unique")};
    QTest::addRow("ReservedStageName")
        << lines({"FROM scratch AS scratch"})
        << QStringList{
               QStringLiteral("Stage name should not use the same name as reserved stage \"scratch\"")};
    QTest::addRow("JSONArgsRecommended")
        << lines({"FROM scratch", "ENTRYPOINT my app"})
        << QStringList{QStringLiteral("JSON arguments recommended for ENTRYPOINT to prevent unintended "
                                      "behavior related to OS signals")};
    QTest::addRow("MaintainerDeprecated")
        << lines({"FROM scratch", "MAINTAINER me"})
        << QStringList{QStringLiteral("Maintainer instruction is deprecated in favor of using label")};
    QTest::addRow("UndefinedArgInFrom suggestion")
        << lines({"", "FROM --platform=$BULIDPLATFORM scratch"})
        << QStringList{
               QStringLiteral("FROM argument 'BULIDPLATFORM' is not declared (did you mean BUILDPLATFORM?)")};
    QTest::addRow("UndefinedArgInFrom similar meta ARG")
        << lines({"ARG MY_OS=linux", "ARG MY_ARCH=amd64", "FROM --platform=linux/${MYARCH} busybox"})
        << QStringList{QStringLiteral("FROM argument 'MYARCH' is not declared (did you mean MY_ARCH?)")};
    QTest::addRow("WorkdirRelativePath")
        << lines({"FROM scratch", "WORKDIR app/"})
        << QStringList{QStringLiteral(
               "Relative workdir \"app/\" can have unexpected results if the base image changes")};
    QTest::addRow("UndefinedVar") << lines({"FROM scratch", "COPY $foo ."})
                                  << QStringList{QStringLiteral("Usage of undefined variable '$foo'")};
    QTest::addRow("UndefinedVar suggestion from ARG")
        << lines({"FROM alpine", "ARG DIR_BINARIES=binaries/", "ARG DIR_ASSETS=assets/",
                  "ARG DIR_CONFIG=config/", "COPY $DIR_ASSET ."})
        << QStringList{
               QStringLiteral("Usage of undefined variable '$DIR_ASSET' (did you mean $DIR_ASSETS?)")};
    QTest::addRow("UndefinedVar suggestion PATH")
        << lines({"FROM alpine", "ENV PATH=$PAHT:/tmp/bin"})
        << QStringList{QStringLiteral("Usage of undefined variable '$PAHT' (did you mean $PATH?)")};
    QTest::addRow("MultipleInstructionsDisallowed")
        << lines({"FROM scratch", "CMD [\"a\"]", "CMD [\"b\"]"})
        << QStringList{QStringLiteral("Multiple CMD instructions should not be used in the same stage "
                                      "because only the last one will be used")};
    QTest::addRow("LegacyKeyValueFormat")
        << lines({"FROM scratch", "ENV testkey value"})
        << QStringList{
               QStringLiteral("\"ENV key=value\" should be used instead of legacy \"ENV key value\" format")};
    QTest::addRow("RedundantTargetPlatform")
        << lines({"FROM --platform=${TARGETPLATFORM} scratch"})
        << QStringList{QStringLiteral("Setting platform to predefined ${TARGETPLATFORM} in FROM is redundant "
                                      "as this is the default behavior")};
    QTest::addRow("SecretsUsedInArgOrEnv")
        << lines({"FROM scratch", "ENV SUPER_Secret=foo"})
        << QStringList{QStringLiteral(
               "Do not use ARG or ENV instructions for sensitive data (ENV \"SUPER_Secret\")")};
    QTest::addRow("InvalidDefaultArgInFrom")
        << lines({"ARG VERSION", "FROM busybox:$VERSION"})
        << QStringList{QStringLiteral(
               "Default value for ARG busybox:$VERSION results in empty or invalid base image name")};
    QTest::addRow("FromPlatformFlagConstDisallowed")
        << lines({"FROM --platform=linux/amd64 scratch"})
        << QStringList{QStringLiteral("FROM --platform flag should not use constant value \"linux/amd64\"")};
    QTest::addRow("ExposeProtoCasing")
        << lines({"FROM scratch", "EXPOSE 80/TCP"})
        << QStringList{QStringLiteral("Defined protocol '80/TCP' in EXPOSE instruction should be lowercase")};
    QTest::addRow("ExposeInvalidFormat")
        << lines({"FROM scratch", "EXPOSE 127.0.0.1:80:80"})
        << QStringList{QStringLiteral("EXPOSE instruction should not define an IP address or host-port "
                                      "mapping, found '127.0.0.1:80:80'")};
    QTest::addRow("NoEmptyContinuation") << lines({"FROM scratch", "RUN a \\", "", "  b"})
                                         << QStringList{QStringLiteral("Empty continuation line")};
}

void TestBuildChecks::messages()
{
    QFETCH(QString, dockerfile);
    QFETCH(QStringList, expected);
    QCOMPARE(messageList(check(dockerfile)), expected);
}

void TestBuildChecks::diagnosticsCarryUrlAndSeverity()
{
    const Diagnostics d = check(lines({"FROM golang:1.21 as build", "WORKDIR src", "CMD go run ."}));
    QCOMPARE(summary(d),
             (QStringList{QStringLiteral("1 FromAsCasing"), QStringLiteral("2 WorkdirRelativePath"),
                          QStringLiteral("3 JSONArgsRecommended")}));
    for (const Diagnostic &diag : d) {
        QCOMPARE(diag.severity, Severity::Warning);
        QCOMPARE(diag.url, BuildChecks::rule(diag.rule)->url);
        QVERIFY(diag.range.isValid());
        QCOMPARE(diag.range.start.line, diag.range.end.line);
    }
    // The narrow ranges point at the offending word.
    QCOMPARE(d.at(0).range.start.column, 18); // "as"
    QCOMPARE(d.at(1).range.start.column, 9);  // "src"
}

void TestBuildChecks::directive_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QStringList>("expected");
    QTest::addColumn<bool>("errors");

    const char *body[] = {"FROM scratch as base", "copy Dockerfile ."};
    const auto withDirective = [&](const char *directive) { return lines({directive, body[0], body[1]}); };

    QTest::addRow("no directive") << lines({body[0], body[1]})
                                  << QStringList{QStringLiteral("1 FromAsCasing"),
                                                 QStringLiteral("2 ConsistentInstructionCasing")}
                                  << false;
    QTest::addRow("skip=all") << withDirective("#check=skip=all") << QStringList{} << false;
    QTest::addRow("skip=all;error=true")
        << withDirective("#check=skip=all;error=true") << QStringList{} << false;
    QTest::addRow("skip two") << withDirective("#check=skip=ConsistentInstructionCasing,FromAsCasing")
                              << QStringList{} << false;
    QTest::addRow("skip one") << withDirective("#check=skip=ConsistentInstructionCasing")
                              << QStringList{QStringLiteral("2 FromAsCasing")} << false;
    QTest::addRow("skip one, error") << withDirective("# check=skip=ConsistentInstructionCasing;error=true")
                                     << QStringList{QStringLiteral("2 FromAsCasing")} << true;
    QTest::addRow("error only") << withDirective("# check=error=true")
                                << QStringList{QStringLiteral("2 FromAsCasing"),
                                               QStringLiteral("3 ConsistentInstructionCasing")}
                                << true;
    QTest::addRow("spaces in list") << withDirective(
                                           "# check = skip = FromAsCasing , ConsistentInstructionCasing")
                                    << QStringList{} << false;
}

void TestBuildChecks::directive()
{
    QFETCH(QString, dockerfile);
    QFETCH(QStringList, expected);
    QFETCH(bool, errors);
    const Diagnostics d = check(dockerfile);
    QCOMPARE(summary(d), expected);
    for (const Diagnostic &diag : d)
        QCOMPARE(diag.severity, errors ? Severity::Error : Severity::Warning);
}

void TestBuildChecks::directiveParsing()
{
    CheckDirective d = CheckDirective::parse(QStringLiteral("skip=A, B;error=true;experimental=all"));
    QVERIFY(d.problem.isEmpty());
    QCOMPARE(d.skip, (QStringList{QStringLiteral("A"), QStringLiteral("B")}));
    QVERIFY(d.error);
    QVERIFY(d.experimentalAll);
    QVERIFY(!d.enables(QStringLiteral("A"), false));
    QVERIFY(d.enables(QStringLiteral("C"), false));
    QVERIFY(d.enables(QStringLiteral("CopyIgnoredFile"), true));

    d = CheckDirective::parse(QStringLiteral("skip=all;experimental=CopyIgnoredFile"));
    QVERIFY(!d.enables(QStringLiteral("FromAsCasing"), false));
    QVERIFY(d.enables(QStringLiteral("CopyIgnoredFile"), true));
    QVERIFY(!d.enables(QStringLiteral("InvalidDefinitionDescription"), true));

    QVERIFY(!CheckDirective::parse(QStringLiteral("error=maybe")).problem.isEmpty());
    QVERIFY(!CheckDirective::parse(QStringLiteral("skip")).problem.isEmpty());
    QVERIFY(!CheckDirective::parse(QStringLiteral("color=red")).problem.isEmpty());
    QVERIFY(CheckDirective::parse(QString()).problem.isEmpty());

    // An invalid directive fails the check as a whole, as BuildKit refuses to build.
    const Diagnostics diags = check(lines({"# check=colour=red", "FROM scratch as base"}));
    QCOMPARE(diags.size(), 1);
    QCOMPARE(diags.first().severity, Severity::Error);
    QVERIFY(diags.first().rule.isEmpty());
    QVERIFY2(diags.first().message.contains(QLatin1String("invalid check option")),
             qPrintable(diags.first().message));
}

void TestBuildChecks::buildArgOverridesDirective()
{
    PlanOptions options;
    options.buildArgs.insert(QStringLiteral("BUILDKIT_DOCKERFILE_CHECK"),
                             QStringLiteral("skip=ConsistentInstructionCasing;error=true"));
    const Diagnostics d =
        check(lines({"#check=skip=all", "FROM scratch as base", "copy Dockerfile ."}), {}, options);
    QCOMPARE(summary(d), QStringList{QStringLiteral("2 FromAsCasing")});
    QCOMPARE(d.first().severity, Severity::Error);

    // A build argument also gives an ARG its value.
    PlanOptions withVersion;
    withVersion.buildArgs.insert(QStringLiteral("VERSION"), QStringLiteral("latest"));
    QCOMPARE(summary(check(lines({"ARG VERSION", "FROM busybox:$VERSION"}), {}, withVersion)),
             QStringList{QStringLiteral("2 InvalidDefaultArgInFrom")}); // defaults only, as BuildKit checks
}

// A stage's `ARG NAME` takes the plan's value: the --build-arg, else the meta ARG's.
void TestBuildChecks::stageArgsTakePlanValues()
{
    const QString bare = lines({"FROM scratch", "ARG DIR", "WORKDIR $DIR"});
    QCOMPARE(messageList(check(bare)),
             QStringList{QStringLiteral(
                 "Relative workdir \"\" can have unexpected results if the base image changes")});
    PlanOptions relative;
    relative.buildArgs.insert(QStringLiteral("DIR"), QStringLiteral("rel"));
    QCOMPARE(messageList(check(bare, {}, relative)),
             QStringList{QStringLiteral(
                 "Relative workdir \"rel\" can have unexpected results if the base image changes")});
    QCOMPARE(summary(check(lines({"ARG DIR=/srv", "FROM scratch", "ARG DIR", "WORKDIR $DIR"}))),
             QStringList{});
    PlanOptions absolute;
    absolute.buildArgs.insert(QStringLiteral("DIR"), QStringLiteral("/abs"));
    QCOMPARE(summary(check(lines({"ARG DIR=rel", "FROM scratch", "ARG DIR", "WORKDIR $DIR"}), {}, absolute)),
             QStringList{});
}

void TestBuildChecks::experimentalRules()
{
    BuildCheckOptions options;
    options.isIgnoredByDockerignore = [](const QString &path) { return path == QLatin1String("Dockerfile"); };
    const QString copies = lines({"FROM scratch", "COPY Dockerfile .", "ADD Dockerfile /windy"});

    QCOMPARE(summary(check(copies, options)), QStringList{});
    Diagnostics d = check(QStringLiteral("# check=experimental=CopyIgnoredFile\n") + copies, options);
    QCOMPARE(summary(d),
             (QStringList{QStringLiteral("3 CopyIgnoredFile"), QStringLiteral("4 CopyIgnoredFile")}));
    QCOMPARE(messageList(d),
             (QStringList{
                 QStringLiteral("Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore"),
                 QStringLiteral("Attempting to Add file \"Dockerfile\" that is excluded by .dockerignore")}));
    d = check(QStringLiteral("# check=skip=all;experimental=CopyIgnoredFile\n") + copies, options);
    QCOMPARE(d.size(), 2);
    d = check(lines({"# check=experimental=CopyIgnoredFile", "FROM scratch AS base",
                     "COPY Dockerfile /foobar", "FROM base", "COPY --from=base /foobar /Dockerfile"}),
              options);
    QCOMPARE(summary(d), QStringList{QStringLiteral("3 CopyIgnoredFile")});
    // The source is matched and named cleaned, as BuildKit's filepath.Clean leaves it.
    d = check(lines({"# check=experimental=CopyIgnoredFile", "FROM scratch", "COPY ./Dockerfile ./x/../y /"}),
              options);
    QCOMPARE(messageList(d),
             QStringList{
                 QStringLiteral("Attempting to Copy file \"Dockerfile\" that is excluded by .dockerignore")});
    // A .dockerignore with `!` exceptions turns the rule off.
    BuildCheckOptions withExceptions = options;
    withExceptions.dockerignoreHasExceptions = true;
    QVERIFY(
        check(QStringLiteral("# check=experimental=CopyIgnoredFile\n") + copies, withExceptions).isEmpty());

    const QString described =
        lines({"# check=experimental=InvalidDefinitionDescription", "# foo this is the foo", "ARG foo=bar",
               "", "# base this is the base image", "FROM scratch AS base", "", "# this is not a description",
               "ARG bar=baz", "", "# base2 this is the base2 image", "FROM scratch AS base2", "",
               "# this is the base3 image", "FROM scratch AS base3"});
    d = check(described);
    QCOMPARE(summary(d), (QStringList{QStringLiteral("9 InvalidDefinitionDescription"),
                                      QStringLiteral("15 InvalidDefinitionDescription")}));
    QCOMPARE(messageList(d),
             (QStringList{QStringLiteral("Comment for ARG should follow the format: `# bar <description>`"),
                          QStringLiteral("Comment for FROM should follow the format: `# base3 "
                                         "<description>`")}));
    QCOMPARE(summary(check(QString(described).remove(0, described.indexOf(QLatin1Char('\n')) + 1))),
             QStringList{});

    // The stage name is compared lower-cased, so a capitalised description does not match.
    d = check(lines({"# check=experimental=InvalidDefinitionDescription", "# bar this is the bar",
                     "ARG foo=bar", "# BasE this is the BasE image", "FROM scratch AS base"}));
    QCOMPARE(summary(d), (QStringList{QStringLiteral("3 InvalidDefinitionDescription"),
                                      QStringLiteral("5 InvalidDefinitionDescription")}));

    // BuildKit forgets a comment block at an empty line: that is how a plain comment above an
    // ARG or FROM is kept from being read as its description.
    d = check(lines({"# check=experimental=InvalidDefinitionDescription", "# definitely a bad comment", "",
                     "ARG version=latest"}));
    QEXPECT_FAIL("", "DockerfileParser does not yet reset Instruction::comments at an empty line", Continue);
    QCOMPARE(summary(d), QStringList{});
}

void TestBuildChecks::baseImageEnvironment()
{
    const QString text = lines({"FROM golang:1.21", "ENV PATH=$GOPATH/bin:$PATH"});
    QCOMPARE(summary(check(text)), QStringList{QStringLiteral("2 UndefinedVar")});

    BuildCheckOptions options;
    options.baseImageEnv = [](const QString &ref) -> std::optional<QHash<QString, QString>> {
        if (ref != QLatin1String("golang:1.21"))
            return std::nullopt;
        return QHash<QString, QString>{
            {QStringLiteral("GOPATH"), QStringLiteral("/go")},
            {QStringLiteral("PATH"), QStringLiteral("/usr/local/go/bin:/usr/bin")}};
    };
    QCOMPARE(summary(check(text, options)), QStringList{});
}

void TestBuildChecks::seeds_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QStringList>("expected");

    // The Dockerfiles of the multi-stage tutorials the project started from, with what
    // `docker build --check` says about each.
    QTest::addRow("ubuntu single stage")
        << lines({"# BASE IMAGE BUILD", "FROM ubuntu AS build",
                  "RUN apt-get update && apt-get install golang-go -y", "ENV GO111MODULE=off", "COPY . .",
                  "RUN CGO_ENABLED=0 go build -o /app .", "ENTRYPOINT [ \"/app\" ]"})
        << QStringList{};
    QTest::addRow("ubuntu to scratch")
        << lines({"# BASE IMAGE BUILD", "FROM ubuntu AS build",
                  "RUN apt-get update && apt-get install golang-go -y", "ENV GO111MODULE=off", "COPY . .",
                  "RUN CGO_ENABLED=0 go build -o /app .", "", "# MULTI STAGE BUILD", "FROM scratch",
                  "# COPY THE COMPILED BINARY FROM BUILD STAGE", "COPY --from=build /app /app",
                  "# SET ENTRYPOINT FOR CONTAINER TO RUN", "ENTRYPOINT [ \"/app\" ]"})
        << QStringList{};
    QTest::addRow("golang heredoc, stage by index")
        << lines({"FROM golang:1.21", "WORKDIR /src", "COPY <<EOF ./main.go", "package main",
                  "import \"fmt\"", "func main() {", "  fmt.Println(\"hello, world\")", "}", "EOF",
                  "RUN go build -o /bin/hello ./main.go", "FROM scratch",
                  "COPY --from=0 /bin/hello /bin/hello", "CMD [\"/bin/hello\"]"})
        << QStringList{};
    QTest::addRow("golang named stage, lower-case as")
        << lines({"FROM golang:1.21 as build", "WORKDIR /src", "COPY <<EOF /src/main.go", "package main",
                  "import \"fmt\"", "func main() {", "  fmt.Println(\"hello, world\")", "}", "EOF",
                  "RUN go build -o /bin/hello ./main.go", "FROM scratch",
                  "COPY --from=build /bin/hello /bin/hello", "CMD [\"/bin/hello\"]"})
        << QStringList{QStringLiteral("1 FromAsCasing")};
    QTest::addRow("golang alpine")
        << lines({"# First Stage", "FROM golang:1.6-alpine", "", "RUN mkdir /app", "ADD . /app/",
                  "WORKDIR /app", "RUN CGO_ENABLED=0 GOOS=linux go build -a -installsuffix cgo -o main .", "",
                  "# Second Stage", "FROM alpine", "EXPOSE 80", "CMD [\"/app\"]", "",
                  "# Copy from first stage", "COPY --from=0 /app/main /app"})
        << QStringList{};
    QTest::addRow("golang shell-form entrypoint")
        << lines({"FROM golang:1.12.0", "ADD . /app", "WORKDIR /app", "RUN go build", "ENTRYPOINT /app/app",
                  "CMD ./app"})
        << QStringList{QStringLiteral("5 JSONArgsRecommended"), QStringLiteral("6 JSONArgsRecommended")};
    QTest::addRow("golang to alpine")
        << lines({"#First step", "FROM golang:1.12.0 as build", "ADD . /app", "WORKDIR /app", "RUN go build",
                  "ENTRYPOINT /app/app", "#Second step", "FROM alpine:latest",
                  "RUN apk --no-cache add ca-certificates", "WORKDIR /root/", "COPY --from=build /app/app .",
                  "RUN chmod +x /root/app", "CMD ./app"})
        << QStringList{QStringLiteral("2 FromAsCasing"), QStringLiteral("6 JSONArgsRecommended"),
                       QStringLiteral("13 JSONArgsRecommended")};
    QTest::addRow("commented ubuntu to scratch")
        << lines({"###########################################",
                  "# BASE IMAGE (Build Stage)",
                  "###########################################",
                  "",
                  "FROM ubuntu AS build",
                  "",
                  "RUN apt-get update && apt-get install -y golang-go",
                  "",
                  "ENV GO111MODULE=off",
                  "",
                  "COPY . .",
                  "",
                  "RUN CGO_ENABLED=0 go build -o /app .",
                  "",
                  "############################################",
                  "# FINAL STAGE (Minimal Runtime)",
                  "############################################",
                  "",
                  "FROM scratch",
                  "",
                  "COPY --from=build /app /app",
                  "",
                  "ENTRYPOINT [\"/app\"]"})
        << QStringList{};
}

void TestBuildChecks::seeds()
{
    QFETCH(QString, dockerfile);
    QFETCH(QStringList, expected);
    const Dockerfile df = DockerfileParser::parse(dockerfile);
    QVERIFY(!hasErrors(df.diagnostics));
    QCOMPARE(summary(check(df)), expected);
}

void TestBuildChecks::corpusRunsCleanly()
{
    const QDir dir(dataPath(QStringLiteral("corpus")));
    const QStringList files = dir.entryList(QDir::Files);
    QVERIFY2(files.size() >= 100, qPrintable(dir.path()));
    int warnings = 0;
    for (const QString &name : files) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Diagnostics d = check(QString::fromUtf8(f.readAll()));
        for (const Diagnostic &diag : d) {
            QVERIFY2(BuildChecks::rule(diag.rule).has_value(),
                     qPrintable(name + QLatin1String(": ") + diag.message));
            QVERIFY2(diag.range.isValid(), qPrintable(name));
            QCOMPARE(diag.severity, Severity::Warning);
            ++warnings;
        }
    }
    QVERIFY(warnings > 0); // real Dockerfiles do trip some rules (e.g. LegacyKeyValueFormat)

    // Files the parser rejects (empty, only comments, bad JSON) still get checked without harm.
    for (const char *set : {"dockerfile/testfiles-negative", "dockerfile/testfiles"}) {
        const QDir cases(dataPath(QString::fromLatin1(set)));
        const QStringList names = cases.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(!names.isEmpty(), qPrintable(cases.path()));
        for (const QString &name : names) {
            QFile f(cases.filePath(name + QLatin1String("/Dockerfile")));
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
            for (const Diagnostic &diag : check(QString::fromUtf8(f.readAll())))
                QVERIFY2(BuildChecks::rule(diag.rule).has_value(), qPrintable(name));
        }
    }
}

namespace {

// `${a:-${a:-…x…}}`, `depth` levels deep.
QString nested(int depth)
{
    return QStringLiteral("${a:-").repeated(depth) + QStringLiteral("x") +
           QStringLiteral("}").repeated(depth);
}

// `KEYWORD p0=x`, `KEYWORD p1=$p0$p0`, …: each value twice the one before.
QString doubling(const char *keyword, const char *prefix, int count)
{
    QString out = QLatin1String(keyword) + QLatin1Char(' ') + QLatin1String(prefix) + QStringLiteral("0=x\n");
    for (int i = 1; i < count; ++i)
        out += QStringLiteral("%1 %2%3=$%2%4$%2%4\n")
                   .arg(QLatin1String(keyword), QLatin1String(prefix))
                   .arg(i)
                   .arg(i - 1);
    return out;
}

} // namespace

void TestBuildChecks::expansionLimits_data()
{
    QTest::addColumn<QString>("dockerfile");
    QTest::addColumn<QString>("where");   // LINE:COLUMN of the one error
    QTest::addColumn<QString>("message"); // a part of its message

    const QString depth = QStringLiteral("64 levels");
    const QString size = QStringLiteral("more than 1048576 characters");
    // 5 characters a level: the 65th `${` is 320 characters into the value.
    QTest::addRow("ENV nested 10000 deep")
        << QStringLiteral("FROM scratch\nENV x=") + nested(10000) + QLatin1Char('\n')
        << QStringLiteral("2:327") << depth;
    QTest::addRow("LABEL nested 10000 deep")
        << QStringLiteral("FROM scratch\nLABEL x=") + nested(10000) + QLatin1Char('\n')
        << QStringLiteral("2:329") << depth;
    QTest::addRow("FROM nested 10000 deep")
        << QStringLiteral("FROM ") + nested(10000) + QLatin1Char('\n') << QStringLiteral("1:326") << depth;
    QTest::addRow("WORKDIR nested 10000 deep")
        << QStringLiteral("FROM scratch\nWORKDIR ") + nested(10000) + QLatin1Char('\n')
        << QStringLiteral("2:329") << depth;
    // a20 is 2^20 characters, exactly the limit; a21 passes it at its second reference.
    QTest::addRow("40 doubling meta ARGs")
        << doubling("ARG", "a", 40) + QStringLiteral("FROM scratch\n") << QStringLiteral("22:13") << size;
    QTest::addRow("40 doubling stage ARGs")
        << QStringLiteral("FROM scratch\n") + doubling("ARG", "a", 40) << QStringLiteral("23:13") << size;
    QTest::addRow("40 doubling ENVs")
        << QStringLiteral("FROM scratch\n") + doubling("ENV", "e", 40) << QStringLiteral("23:13") << size;
    // Each copy of the 1 MiB value is within the word limit; together they spend the
    // 16 MiB budget (2 MiB for e1…e20, then 14 copies) and the 15th copy is refused, once.
    QString copies = QStringLiteral("FROM scratch\n") + doubling("ENV", "e", 21);
    for (int i = 1; i <= 40; ++i)
        copies += QStringLiteral("ENV b%1=$e20\n").arg(i);
    QTest::addRow("many copies spend the budget")
        << copies << QStringLiteral("37:9") << QStringLiteral("budget of 16777216");
}

void TestBuildChecks::expansionLimits()
{
    QFETCH(QString, dockerfile);
    QFETCH(QString, where);
    QFETCH(QString, message);

    Diagnostics errors;
    for (const Diagnostic &d : check(dockerfile))
        if (d.severity == Severity::Error)
            errors.append(d);
    QCOMPARE(errors.size(), 1);
    const Diagnostic &d = errors.first();
    QCOMPARE(QStringLiteral("%1:%2").arg(d.range.start.line).arg(d.range.start.column), where);
    QVERIFY2(d.message.contains(message), qPrintable(d.message));
    QVERIFY(d.rule.isEmpty()); // a refusal, not a lint rule: `# check=skip=all` cannot hide it
    QVERIFY2(d.message.size() < 300, qPrintable(d.message.left(400)));

    // Skipping every rule leaves the limit error in place.
    Diagnostics skipped = check(QStringLiteral("# check=skip=all\n") + dockerfile);
    QCOMPARE(skipped.size(), 1);
    QCOMPARE(skipped.first().range.start.line, d.range.start.line + 1);
}

QTEST_GUILESS_MAIN(TestBuildChecks)
#include "tst_buildchecks.moc"
