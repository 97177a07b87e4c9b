// `stagecraft check` with Stagecraft's rules, `--fix` and `--write`, run as a user would: the
// diff applies with patch(1) to the same result `--write` gives, a .dockerignore is created in
// the context, the file is replaced whole (its mode kept), and wrong uses are refused.
#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stagecraft::test;

namespace {

QString seed(const char *name)
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) +
           QStringLiteral("/tests/data/seeds/go-app/") + QLatin1String(name);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

// A context like a developer's checkout: the program, its .git, a .env.
void makeContext(const QTemporaryDir &dir)
{
    QVERIFY(QFile::copy(seed("Dockerfile"), dir.filePath(QStringLiteral("Dockerfile"))));
    QVERIFY(QFile::setPermissions(dir.filePath(QStringLiteral("Dockerfile")),
                                  QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
    QVERIFY(QFile::copy(seed("main.go"), dir.filePath(QStringLiteral("main.go"))));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral(".git")));
    writeAll(dir.filePath(QStringLiteral(".env")), "TOKEN=x\n");
}

} // namespace

class TestCliCheck : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The reference image `build` (tests/data/images) was built from the first stage of
    // context/Dockerfile: its RUN at line 6 removes the 1 MiB blob line 5 wrote and rewrites
    // /out/app, line 8 removes the /cache line 7 filled.
    void imageReportsWrittenThenDeleted()
    {
        const QString images =
            QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images/");
        const QByteArray dockerfile = readAll(images + QStringLiteral("context/Dockerfile"));
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, dockerfile.left(dockerfile.indexOf("\nFROM scratch")));
        writeAll(dir.filePath(QStringLiteral(".dockerignore")), "*\n!hello.txt\n");
        const QString image = images + QStringLiteral("build.docker.tar");
        const QString store = dir.filePath(QStringLiteral("store")); // the analysis caches

        // Without an image the rule has nothing to go on.
        const CliResult plain = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QVERIFY2(!plain.out.contains("WrittenThenDeleted"), plain.out.constData());

        const CliResult r =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--image"),
                               image, QStringLiteral("--store"), store});
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.contains(":6:1: warning: This step removes or overwrites /out/blob.bin, /out/app "
                                "(written by line 5): the earlier layer still carries 1.0 MiB in the image "
                                "(figure from the last build, "),
                 r.out.constData());
        QVERIFY2(r.out.contains(":8:1: warning: This step removes /cache/a, /cache/b (written by line 7): "
                                "the earlier layer still carries 64.0 KiB"),
                 r.out.constData());
        QCOMPARE(r.out.count("[WrittenThenDeleted]"), 2);

        const CliResult json = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                  QStringLiteral("--image"), image, QStringLiteral("--store"),
                                                  store, QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(json.status, 0);
        int found = 0;
        for (const QJsonValue &v :
             QJsonDocument::fromJson(json.out).object().value(QLatin1String("diagnostics")).toArray()) {
            if (v.toObject().value(QLatin1String("id")).toString() == QLatin1String("SC009"))
                ++found;
        }
        QCOMPARE(found, 2);

        // The whole two-stage file: the final stage's COPYs do not match the build stage's
        // layers, so nothing is mapped, and nothing is said, rather than a wrong line.
        writeAll(file, dockerfile);
        const CliResult other =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--image"),
                               image, QStringLiteral("--store"), store});
        QVERIFY2(!other.out.contains("WrittenThenDeleted"), other.out.constData());
    }

    void imageErrors()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM busybox\n");
        const QString store = dir.filePath(QStringLiteral("store"));
        const CliResult missing =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--image"),
                               QStringLiteral("nope:1"), QStringLiteral("--store"), store});
        QCOMPARE(missing.status, 1);
        QVERIFY2(missing.err.startsWith("stagecraft check: nope:1: "), missing.err.constData());
        const CliResult noImage = runStagecraftArgs(
            {QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--store"), store});
        QCOMPARE(noImage.status, 2);
        // A file that is no image is refused with its reason, not crashed on.
        writeAll(dir.filePath(QStringLiteral("junk.tar")), QByteArray(4096, 'x'));
        const CliResult junk =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--image"),
                               dir.filePath(QStringLiteral("junk.tar")), QStringLiteral("--store"), store});
        QCOMPARE(junk.status, 1);
    }

    void reportsStagecraftRules()
    {
        QTemporaryDir dir;
        makeContext(dir);
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(r.status, 0); // warnings only
        QVERIFY2(r.out.contains("[FinalStageToolchain]"), r.out.constData());
        QVERIFY2(r.out.contains("[PackageCacheInLayer]"), r.out.constData());
        QVERIFY2(r.out.contains(
                     ":9:1: warning: COPY copies the whole build context and there is no .dockerignore"),
                 r.out.constData());

        const CliResult json = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                  QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(json.status, 0);
        QStringList ids;
        for (const QJsonValue &v :
             QJsonDocument::fromJson(json.out).object().value(QLatin1String("diagnostics")).toArray())
            ids.append(v.toObject().value(QLatin1String("id")).toString());
        QCOMPARE(ids,
                 (QStringList{QStringLiteral("SC001"), QStringLiteral("SC004"), QStringLiteral("SC002")}));

        // The severity directive makes one an error, and the exit status says so.
        writeAll(file, "# stagecraft-check=error=SC004\n" + readAll(seed("Dockerfile")));
        QCOMPARE(runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file}).status, 1);
    }

    // --target STAGE: the stage `docker build --target` makes is the final one the image rules
    // look at, whichever stage comes last in the file.
    void targetIsTheFinalStage_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QByteArray>("expected");
        QTest::addColumn<QByteArray>("absent");
        // Without a target the last stage (FROM scratch) is final and carries no toolchain.
        QTest::addRow("none") << QString()
                              << QByteArray(":6:1: info: Stage \"test\" is used by no other stage")
                              << QByteArray("[FinalStageToolchain]");
        // The test stage builds on the Go toolchain: as the target it is the image, toolchain
        // and all, and it is no longer a stage nothing uses.
        QTest::addRow("test") << QStringLiteral("test") << QByteArray("[FinalStageToolchain]")
                              << QByteArray("[UnusedStage]");
        QTest::addRow("by index") << QStringLiteral("1") << QByteArray("[FinalStageToolchain]")
                                  << QByteArray("[UnusedStage]");
        QTest::addRow("upper case") << QStringLiteral("TEST") << QByteArray("[FinalStageToolchain]")
                                    << QByteArray("[UnusedStage]");
        // The build stage as the target: the test stage is still one nothing uses.
        QTest::addRow("build") << QStringLiteral("build")
                               << QByteArray(":6:1: info: Stage \"test\" is used by no other stage")
                               << QByteArray("error");
    }

    void targetIsTheFinalStage()
    {
        QFETCH(QString, target);
        QFETCH(QByteArray, expected);
        QFETCH(QByteArray, absent);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM golang:1.22 AS build\n"
                       "WORKDIR /src\n"
                       "COPY main.go go.mod ./\n"
                       "RUN go build -o /out/app .\n"
                       "\n"
                       "FROM build AS test\n"
                       "RUN go test ./...\n"
                       "\n"
                       "FROM scratch\n"
                       "COPY --from=build /out/app /app\n");
        QStringList args{QStringLiteral("check"), QStringLiteral("-f"), file};
        if (!target.isEmpty())
            args << QStringLiteral("--target") << target;
        const CliResult r = runStagecraftArgs(args);
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.contains(expected), r.out.constData());
        QVERIFY2(!r.out.contains(absent), r.out.constData());
    }

    // With --target, a stage the last one needs but the target does not is not "unused", and the
    // last stage keeps its findings out of the report only when the target is another stage.
    void targetLeavesOtherStagesAlone()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM alpine:3.20 AS runtime\n"
                       "COPY app /app\n"
                       "\n"
                       "FROM golang:1.22 AS dev\n"
                       "COPY --from=runtime /app /app\n"
                       "RUN go install golang.org/x/tools/gopls@latest\n");
        const CliResult all = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QVERIFY2(all.out.contains(":4:1: warning: The final image carries a build toolchain"),
                 all.out.constData());
        const CliResult runtime = runStagecraftArgs(
            {QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--target=runtime")});
        QCOMPARE(runtime.status, 0);
        QVERIFY2(!runtime.out.contains("FinalStageToolchain"), runtime.out.constData());
        QVERIFY2(!runtime.out.contains("UnusedStage"), runtime.out.constData());
    }

    // An error in a stage the target does not need stops nothing (the build skips the stage):
    // a warning that says so. The same error in a needed stage, or without a target, fails.
    void errorsInStagesTheTargetSkips()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM alpine AS a\n"
                       "RUN true\n"
                       "\n"
                       "FROM alpine AS b\n"
                       "COPY --from= /x /y\n");
        const CliResult plain = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(plain.status, 1);
        QVERIFY2(plain.out.contains(":5:6: error: --from= names no stage or image\n"), plain.out.constData());
        const CliResult b = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                               QStringLiteral("--target"), QStringLiteral("b")});
        QCOMPARE(b.status, 1);
        const CliResult a = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                               QStringLiteral("--target"), QStringLiteral("a")});
        QCOMPARE(a.status, 0);
        QVERIFY2(
            a.out.contains(":5:6: warning: --from= names no stage or image (stage b is not needed by the "
                           "target, so the build skips it)"),
            a.out.constData());
    }

    void unknownTargetIsRefused()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM alpine AS build\nRUN true\nFROM build AS test\nRUN true\n");
        for (const QString &format : {QStringLiteral("text"), QStringLiteral("sarif")}) {
            const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                   QStringLiteral("--target"), QStringLiteral("tset"),
                                                   QStringLiteral("--format"), format});
            QCOMPARE(r.status, 2);
            QVERIFY(r.out.isEmpty());
            QVERIFY2(r.err.contains("--target tset: the Dockerfile has no stage of that name (did you mean "
                                    "test?); its named stages are build, test"),
                     r.err.constData());
        }
        // A name nothing is near: no guess, the list still.
        const CliResult far = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                 QStringLiteral("--target"), QStringLiteral("production")});
        QCOMPARE(far.status, 2);
        QVERIFY2(!far.err.contains("did you mean") && far.err.contains("its named stages are build, test"),
                 far.err.constData());
    }

    // The formats for code hosts: tests/app/check_reports.py validates them in depth; here, that
    // they come out for a real file and keep the exit status the text format gives.
    void codeHostFormats()
    {
        QTemporaryDir dir;
        makeContext(dir);
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        const CliResult sarif = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                   QStringLiteral("--format"), QStringLiteral("sarif")});
        QCOMPARE(sarif.status, 0);
        const QJsonObject log = QJsonDocument::fromJson(sarif.out).object();
        QCOMPARE(log.value(QLatin1String("version")).toString(), QStringLiteral("2.1.0"));
        const QJsonObject run = log.value(QLatin1String("runs")).toArray().at(0).toObject();
        QStringList ids;
        for (const QJsonValue &v : run.value(QLatin1String("results")).toArray())
            ids.append(v.toObject().value(QLatin1String("ruleId")).toString());
        QCOMPARE(ids,
                 (QStringList{QStringLiteral("SC001"), QStringLiteral("SC004"), QStringLiteral("SC002")}));

        const CliResult quality =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                               QStringLiteral("--format"), QStringLiteral("codequality")});
        QCOMPARE(quality.status, 0);
        QCOMPARE(QJsonDocument::fromJson(quality.out).array().size(), 3);
    }

    void fixPrintsADiffThatPatchApplies()
    {
        QTemporaryDir dir;
        makeContext(dir);
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        const QByteArray before = readAll(file);
        const QFile::Permissions mode = QFile::permissions(file);
        QProcess cli;
        cli.setWorkingDirectory(dir.path());
        cli.start(QStringLiteral(STAGECRAFT_BIN), {QStringLiteral("check"), QStringLiteral("--fix")});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const QByteArray diff = cli.readAllStandardOutput();
        QVERIFY2(diff.startsWith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ "), diff.constData());
        QVERIFY2(diff.contains("\n+FROM scratch\n+COPY --from=build /app /app\n"), diff.constData());
        QVERIFY2(diff.contains("--- /dev/null\n+++ b/.dockerignore\n"), diff.constData());
        QVERIFY(cli.readAllStandardError().contains("fix: Make it multi-stage"));
        // Nothing written.
        QCOMPARE(readAll(file), before);
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral(".dockerignore"))));

        // The diff is one patch(1) applies, and it gives what --write writes.
        if (QStandardPaths::findExecutable(QStringLiteral("patch")).isEmpty())
            QSKIP("patch(1) is not installed");
        QTemporaryDir patched;
        QVERIFY(QFile::copy(file, patched.filePath(QStringLiteral("Dockerfile"))));
        QProcess patch;
        patch.setWorkingDirectory(patched.path());
        patch.start(QStringLiteral("patch"), {QStringLiteral("-p1"), QStringLiteral("--quiet")});
        patch.write(diff);
        patch.closeWriteChannel();
        QVERIFY(patch.waitForFinished(30000));
        QVERIFY2(patch.exitCode() == 0, patch.readAllStandardOutput().constData());

        const CliResult written = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                                     QStringLiteral("--fix"), QStringLiteral("--write")});
        QCOMPARE(written.status, 0);
        QVERIFY2(written.err.contains("3 fixes applied"), written.err.constData());
        QCOMPARE(readAll(file), readAll(patched.filePath(QStringLiteral("Dockerfile"))));
        QCOMPARE(readAll(dir.filePath(QStringLiteral(".dockerignore"))),
                 readAll(patched.filePath(QStringLiteral(".dockerignore"))));
        // Replaced whole, mode kept; what is left is reported, and the seed's multi-stage shape reached.
        QCOMPARE(QFile::permissions(file), mode);
        QVERIFY2(!written.out.contains("FinalStageToolchain") && !written.out.contains("CopyWholeContext"),
                 written.out.constData());
        const QByteArray result = readAll(file);
        QVERIFY(result.contains("FROM debian:bookworm AS build\n"));
        QVERIFY(result.endsWith(
            "FROM scratch\nCOPY --from=build /app /app\nUSER 65534:65534\nENTRYPOINT [\"/app\"]\n"));
        const QByteArray ignore = readAll(dir.filePath(QStringLiteral(".dockerignore")));
        QVERIFY(ignore.contains("\n.git\n") && ignore.contains("\n.env\n"));
        QVERIFY(!ignore.contains("node_modules")); // the context has none

        // A second run has nothing left to fix.
        const CliResult again =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--fix")});
        QCOMPARE(again.status, 0);
        QVERIFY2(again.out.isEmpty(), again.out.constData());
    }

    void fixSaysWhyItDeclined()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "FROM golang:1.22\nRUN go build -o /x\nCMD [\"/y\"]\n");
        const CliResult r =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file, QStringLiteral("--fix")});
        QVERIFY2(r.err.contains("no fix: line 1: ") && r.err.contains("go build writes"), r.err.constData());
        QVERIFY2(r.out.isEmpty(), r.out.constData()); // nothing to change
    }

    void extendsAnExistingDockerignore()
    {
        QTemporaryDir dir;
        makeContext(dir);
        writeAll(dir.filePath(QStringLiteral(".dockerignore")), "# mine\n.git\n");
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QVERIFY2(r.out.contains(".dockerignore lets .env through"), r.out.constData());
        QCOMPARE(runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file,
                                    QStringLiteral("--fix"), QStringLiteral("--write")})
                     .status,
                 0);
        QCOMPARE(readAll(dir.filePath(QStringLiteral(".dockerignore"))),
                 QByteArray("# mine\n.git\n.env\n*.pem\n"));
    }

    void copyIgnoredFileReadsTheContext()
    {
        // BuildKit's experimental CopyIgnoredFile against the context's real .dockerignore.
        QTemporaryDir dir;
        writeAll(dir.filePath(QStringLiteral(".dockerignore")), "secret.txt\n");
        const QString file = dir.filePath(QStringLiteral("Dockerfile"));
        writeAll(file, "# check=experimental=CopyIgnoredFile\nFROM scratch\nCOPY ./secret.txt app.conf /\n");
        const CliResult r = runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file});
        QVERIFY2(r.out.contains(": warning: Attempting to Copy file \"secret.txt\" that is excluded by "
                                ".dockerignore [CopyIgnoredFile]"),
                 r.out.constData());
        QVERIFY2(r.out.contains("/Dockerfile:3:"), r.out.constData());
        QCOMPARE(r.out.count("CopyIgnoredFile"), 1);
        // With an exception in the .dockerignore BuildKit does not judge, nor do we.
        writeAll(dir.filePath(QStringLiteral(".dockerignore")), "secret.txt\n!app.conf\n");
        QVERIFY(!runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), file})
                     .out.contains("CopyIgnoredFile"));
    }

    void refusesWrongUse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("write without fix") << QStringList{QStringLiteral("--write")} << "give both";
        QTest::addRow("write to stdin") << QStringList{QStringLiteral("-f"), QStringLiteral("-"),
                                                       QStringLiteral("--fix"), QStringLiteral("--write")}
                                        << "standard input";
        QTest::addRow("fix with json")
            << QStringList{QStringLiteral("--fix"), QStringLiteral("--format"), QStringLiteral("json")}
            << "leave out --format";
        QTest::addRow("unknown format") << QStringList{QStringLiteral("--format"), QStringLiteral("xml")}
                                        << "use text, json, sarif, codequality";
        QTest::addRow("fix with sarif")
            << QStringList{QStringLiteral("--fix"), QStringLiteral("--format"), QStringLiteral("sarif")}
            << "leave out --format";
        QTest::addRow("target of a file without names")
            << QStringList{QStringLiteral("-f"), QStringLiteral("-"), QStringLiteral("--target"),
                           QStringLiteral("x")}
            << "its stages have no names: give an index from 0 to 0";
    }

    void refusesWrongUse()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliResult r = runStagecraftArgs(QStringList{QStringLiteral("check")} + args, "FROM alpine\n");
        QCOMPARE(r.status, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void missingContext()
    {
        const CliResult r =
            runStagecraftArgs({QStringLiteral("check"), QStringLiteral("-f"), QStringLiteral("-"),
                               QStringLiteral("--context"), QStringLiteral("/nonexistent/ctx")},
                              "FROM alpine\n");
        QCOMPARE(r.status, 1);
        QVERIFY2(r.err.contains("not a directory"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliCheck)
#include "tst_cli_check.moc"
