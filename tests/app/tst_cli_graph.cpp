// Runs the built `stagecraft graph` and `stagecraft check` as a user would: JSON parsed and
// checked, dot rendered by Graphviz, exit statuses and FILE:LINE:COLUMN messages.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run stagecraft(const QStringList &args, const QString &workingDir = {}, const QByteArray &input = {})
{
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    p.start(QStringLiteral(STAGECRAFT_BIN), args);
    if (!p.waitForStarted())
        return {};
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(30000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
{
    QFile f(dir.filePath(name));
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(content);
    return f.fileName();
}

const QByteArray kMultiStage = "ARG GO=1.22\n"
                               "FROM golang:${GO} AS build\n"
                               "RUN go build -o /app .\n"
                               "FROM build AS test\n"
                               "RUN go test ./...\n"
                               "FROM scratch AS final\n"
                               "COPY --from=build /app /app\n"
                               "RUN --mount=from=busybox:1.36,target=/bb /bb/true\n";

} // namespace

class TestCliGraph : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void graphJson()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("Dockerfile"), kMultiStage);
        const Run r =
            stagecraft({QStringLiteral("graph"), QStringLiteral("-f"), file, QStringLiteral("--format"),
                        QStringLiteral("json"), QStringLiteral("--build-arg"), QStringLiteral("GO=1.23")});
        QCOMPARE(r.exitCode, 0);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject root = doc.object();

        const QJsonArray stages = root.value(QLatin1String("stages")).toArray();
        QCOMPARE(stages.size(), 3);
        const QJsonObject build = stages.at(0).toObject();
        QCOMPARE(build.value(QLatin1String("index")).toInt(), 0);
        QCOMPARE(build.value(QLatin1String("name")).toString(), QStringLiteral("build"));
        QCOMPARE(build.value(QLatin1String("base")).toString(), QStringLiteral("golang:1.23"));
        QVERIFY(build.value(QLatin1String("platform")).isNull());
        QCOMPARE(build.value(QLatin1String("line")).toInt(), 2);
        QCOMPARE(build.value(QLatin1String("needed")).toBool(), true);
        QCOMPARE(stages.at(1).toObject().value(QLatin1String("needed")).toBool(), false);

        QCOMPARE(root.value(QLatin1String("target")).toInt(), 2);
        QCOMPARE(root.value(QLatin1String("levels")).toArray(),
                 QJsonArray({QJsonArray({0}), QJsonArray({2})}));
        QVERIFY(root.value(QLatin1String("diagnostics")).toArray().isEmpty());

        QStringList edges;
        for (const QJsonValue &v : root.value(QLatin1String("edges")).toArray()) {
            const QJsonObject e = v.toObject();
            const QJsonValue from = e.value(QLatin1String("from"));
            edges.append((from.isString() ? from.toString() : QString::number(from.toInt())) +
                         QLatin1Char('>') + QString::number(e.value(QLatin1String("to")).toInt()) +
                         QLatin1Char(':') + e.value(QLatin1String("kind")).toString());
        }
        QCOMPARE(edges, QStringList({QStringLiteral("golang:1.23>0:from"), QStringLiteral("0>1:from"),
                                     QStringLiteral("0>2:copy"), QStringLiteral("busybox:1.36>2:mount")}));
    }

    void graphTargetAndStdin()
    {
        const Run r =
            stagecraft({QStringLiteral("graph"), QStringLiteral("-f"), QStringLiteral("-"),
                        QStringLiteral("--target"), QStringLiteral("test"), QStringLiteral("--format=json")},
                       {}, kMultiStage);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject root = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(root.value(QLatin1String("target")).toInt(), 1);
        QCOMPARE(root.value(QLatin1String("stages"))
                     .toArray()
                     .at(2)
                     .toObject()
                     .value(QLatin1String("needed"))
                     .toBool(),
                 false);
    }

    void graphUnknownTarget()
    {
        const Run r = stagecraft({QStringLiteral("graph"), QStringLiteral("-f"), QStringLiteral("-"),
                                  QStringLiteral("--target"), QStringLiteral("nope"),
                                  QStringLiteral("--format"), QStringLiteral("json")},
                                 {}, kMultiStage);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("target stage \"nope\" could not be found"), r.err.constData());
        const QJsonArray diagnostics =
            QJsonDocument::fromJson(r.out).object().value(QLatin1String("diagnostics")).toArray();
        QCOMPARE(diagnostics.size(), 1);
        QCOMPARE(diagnostics.at(0).toObject().value(QLatin1String("severity")).toString(),
                 QStringLiteral("error"));
    }

    void graphText()
    {
        QTemporaryDir dir;
        writeFile(dir, QStringLiteral("Dockerfile"), kMultiStage);
        const Run r = stagecraft({QStringLiteral("graph")}, dir.path()); // ./Dockerfile by default
        QCOMPARE(r.exitCode, 0);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(text.contains(QLatin1String("stage 0 \"build\" FROM golang:1.22")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("not needed by target `final`")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("copy from build: /app")), qPrintable(text));
    }

    void graphDot()
    {
        QTemporaryDir dir;
        const QString file =
            writeFile(dir, QStringLiteral("Dockerfile"), kMultiStage + "FROM \"quoted\\\\image\" AS odd\n");
        const Run r = stagecraft({QStringLiteral("graph"), QStringLiteral("-f"), file,
                                  QStringLiteral("--format"), QStringLiteral("dot")});
        QVERIFY2(r.out.startsWith("digraph stages {"), r.out.constData());
        QVERIFY(r.out.contains("stage0 -> stage2"));
        const QString dot = QStandardPaths::findExecutable(QStringLiteral("dot"));
        if (dot.isEmpty())
            QSKIP("Graphviz `dot` is not installed (apt-get install graphviz)");
        QProcess p;
        p.start(dot, {QStringLiteral("-Tsvg")});
        QVERIFY(p.waitForStarted());
        p.write(r.out);
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(30000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QByteArray svg = p.readAllStandardOutput();
        QVERIFY(svg.contains("<svg"));
        QVERIFY(svg.contains("golang:1.22"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("graph bad format") << words("graph --format svg") << 2 << "unknown format `svg`";
        QTest::addRow("graph bad option")
            << words("graph --frobnicate") << 2 << "unknown option `--frobnicate`";
        QTest::addRow("graph missing value") << words("graph --target") << 2 << "--target needs a value";
        QTest::addRow("graph missing file")
            << words("graph -f /nonexistent/Dockerfile") << 1 << "/nonexistent/Dockerfile: no such file";
        QTest::addRow("check bad format") << words("check --format dot") << 2 << "unknown format `dot`";
        QTest::addRow("check missing file")
            << words("check -f /nonexistent/Dockerfile") << 1 << "/nonexistent/Dockerfile: no such file";
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QFETCH(QString, message);
        const Run r = stagecraft(args);
        QCOMPARE(r.exitCode, status);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void checkClean()
    {
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("Dockerfile"), kMultiStage);
        const Run r = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(r.exitCode, 0);
    }

    void checkWarningsOnly()
    {
        QTemporaryDir dir;
        // `as` and `FROM` casing differ (FromAsCasing), a forward --from name: warnings only.
        const QString file = writeFile(dir, QStringLiteral("Dockerfile"),
                                       "FROM alpine as a\nCOPY --from=b /x /x\nFROM alpine AS b\n");
        const Run r = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(r.exitCode, 0);
        const QStringList lines = QString::fromUtf8(r.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(!lines.isEmpty(), r.out.constData());
        const QRegularExpression format(QStringLiteral("^(.+):(\\d+):(\\d+): (error|warning|info): .+$"));
        for (const QString &line : lines)
            QVERIFY2(format.match(line).hasMatch(), qPrintable(line));
        // Stagecraft's UnusedStage (stage a) shares line 1; FromAsCasing is there too.
        QVERIFY2(lines.first().startsWith(file + QStringLiteral(":1:")), qPrintable(lines.first()));
        QVERIFY2(
            lines.filter(QStringLiteral("[FromAsCasing]")).value(0).startsWith(file + QStringLiteral(":1:")),
            r.out.constData());
        bool forward = false;
        for (const QString &line : lines)
            forward |=
                line.startsWith(file + QStringLiteral(":2:")) && line.contains(QLatin1String("warning"));
        QVERIFY2(forward, r.out.constData());
    }

    void checkErrors()
    {
        QTemporaryDir dir;
        const QString file =
            writeFile(dir, QStringLiteral("Dockerfile"), "FROM alpine\nCOPY --from=4 /x /x\n");
        const Run r = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith(QByteArray(file.toUtf8() + ":2:")), r.out.constData());
        QVERIFY2(r.out.contains(": error: "), r.out.constData());

        const Run json = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), file,
                                     QStringLiteral("--format"), QStringLiteral("json")});
        QCOMPARE(json.exitCode, 1);
        const QJsonArray list =
            QJsonDocument::fromJson(json.out).object().value(QLatin1String("diagnostics")).toArray();
        QVERIFY(!list.isEmpty());
        const QJsonObject first = list.at(0).toObject();
        QCOMPARE(first.value(QLatin1String("line")).toInt(), 2);
        QVERIFY(first.value(QLatin1String("column")).toInt() >= 1);
        QCOMPARE(first.value(QLatin1String("severity")).toString(), QStringLiteral("error"));
    }

    void checkSyntaxError()
    {
        // A parser error (an unknown instruction) is reported with its place too.
        const Run r = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), QStringLiteral("-")}, {},
                                 "FROM alpine\nFROBNICATE x\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.out.startsWith("<stdin>:"), r.out.constData());
    }

    // `graph` fails exactly when `check` does, and names the same first error.
    void graphExitAgreesWithCheck_data()
    {
        QTest::addColumn<QByteArray>("dockerfile");
        QTest::addColumn<int>("exitCode");

        QByteArray nested = "FROM scratch\nENV x=";
        nested += QByteArray("${a:-").repeated(10000) + "x" + QByteArray("}").repeated(10000) + "\n";
        QByteArray doubling = "FROM scratch\nARG a0=x\n";
        for (int i = 1; i < 40; ++i)
            doubling += QStringLiteral("ARG a%1=$a%2$a%2\n").arg(i).arg(i - 1).toUtf8();

        QTest::addRow("clean") << kMultiStage << 0;
        QTest::addRow("warnings only") << QByteArray("FROM alpine as build\nFROM build\n") << 0;
        QTest::addRow("graph error") << QByteArray("FROM alpine\nCOPY --from=4 /x /x\n") << 1;
        QTest::addRow("parser error") << QByteArray("FROM alpine\nFROBNICATE x\n") << 1;
        QTest::addRow("warnings made errors")
            << QByteArray("# check=error=true\nFROM alpine as build\n") << 1;
        QTest::addRow("NUL in RUN") << QByteArray("FROM alpine\nRUN echo a\0b\n", 25) << 1;
        QTest::addRow("nested 10000 deep") << nested << 1;
        QTest::addRow("40 doubling ARGs") << doubling << 1;
    }

    void graphExitAgreesWithCheck()
    {
        QFETCH(QByteArray, dockerfile);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        const QString file = writeFile(dir, QStringLiteral("Dockerfile"), dockerfile);
        const Run check = stagecraft({QStringLiteral("check"), QStringLiteral("-f"), file});
        QCOMPARE(check.exitCode, exitCode);
        for (const char *format : {"text", "json", "dot"}) {
            const Run graph = stagecraft({QStringLiteral("graph"), QStringLiteral("-f"), file,
                                          QStringLiteral("--format"), QLatin1String(format)});
            QCOMPARE(graph.exitCode, exitCode);
            QVERIFY2(!graph.out.isEmpty(), format); // the graph is still printed
            if (exitCode == 0)
                continue;
            // The first error check reports is among those graph reports: on standard error
            // with its place, or (text format, the graph's own errors) in the printed graph.
            const qsizetype at = check.out.indexOf(": error: ");
            QVERIFY(at > 0);
            const QByteArray line = check.out.mid(at).split('\n').first();
            const QByteArray place = check.out.left(at).split('\n').last();
            const QByteArray expected = place + line;
            const bool shown = graph.err.contains(expected) ||
                               (qstrcmp(format, "text") == 0 && graph.out.contains(line.mid(9)));
            QVERIFY2(shown, QByteArray(expected + " | " + graph.err.left(300)).constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestCliGraph)
#include "tst_cli_graph.moc"
