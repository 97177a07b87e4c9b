// The COPY --from line a drop produces: where it goes in the target stage, how the stage
// and paths are written, and which drops are refused.
#include "core/dockerfile/copyinsertion.h"
#include "core/dockerfile/dockerfileparser.h"

#include <QTest>

using namespace stagecraft;
using namespace Qt::StringLiterals;

class TestCopyInsertion : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void insertion_data();
    void insertion();
    void refused_data();
    void refused();
    void resultLineIsTheNewInstruction();
    void insertedLineParsesAsCopyFromTheSource();
    void stageAtLine();
};

namespace {
QString lines(std::initializer_list<const char *> list)
{
    QString out;
    for (const char *l : list)
        out += QString::fromUtf8(l) + QLatin1Char('\n');
    return out;
}
} // namespace

void TestCopyInsertion::insertion_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("sourceStage");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("target");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("expected");

    const QString twoStages = lines({"FROM golang:1.22 AS build", "RUN go build -o /out/app .", "",
                                     "FROM alpine:3.19", "RUN apk add ca-certificates", "CMD [\"/app\"]"});
    QTest::newRow("before CMD at the end")
        << twoStages << u"build"_s << u"/out/app"_s << 1 << QString()
        << lines({"FROM golang:1.22 AS build", "RUN go build -o /out/app .", "", "FROM alpine:3.19",
                  "RUN apk add ca-certificates", "COPY --from=build /out/app /out/app", "CMD [\"/app\"]"});
    QTest::newRow("own destination") << twoStages << u"build"_s << u"/out/app"_s << 1
                                     << u"/usr/local/bin/app"_s
                                     << lines({"FROM golang:1.22 AS build", "RUN go build -o /out/app .", "",
                                               "FROM alpine:3.19", "RUN apk add ca-certificates",
                                               "COPY --from=build /out/app /usr/local/bin/app",
                                               "CMD [\"/app\"]"});

    QTest::newRow("after the last COPY --from")
        << lines({"FROM busybox AS a", "FROM busybox AS b", "FROM busybox AS final", "COPY --from=a /x /x",
                  "ADD --from=b /y /y", "RUN true", "COPY local /z", "CMD sh"})
        << u"b"_s << u"/etc/hosts"_s << 2 << QString()
        << lines({"FROM busybox AS a", "FROM busybox AS b", "FROM busybox AS final", "COPY --from=a /x /x",
                  "ADD --from=b /y /y", "COPY --from=b /etc/hosts /etc/hosts", "RUN true", "COPY local /z",
                  "CMD sh"});

    QTest::newRow("unnamed stage by index")
        << lines({"FROM busybox", "RUN echo hi > /hello", "FROM busybox", "RUN true"}) << u"0"_s
        << u"/hello"_s << 1 << QString()
        << lines({"FROM busybox", "RUN echo hi > /hello", "FROM busybox", "RUN true",
                  "COPY --from=0 /hello /hello"});
    QTest::newRow("named stage given by index is written by name")
        << lines({"FROM busybox AS Tools", "FROM busybox"}) << u"0"_s << u"/bin/sh"_s << 1 << QString()
        << lines({"FROM busybox AS Tools", "FROM busybox", "COPY --from=tools /bin/sh /bin/sh"});
    QTest::newRow("name matched case-insensitively")
        << lines({"FROM busybox AS tools", "FROM busybox"}) << u"TOOLS"_s << u"/bin"_s << 1 << QString()
        << lines({"FROM busybox AS tools", "FROM busybox", "COPY --from=tools /bin /bin"});

    QTest::newRow("path with spaces: JSON form")
        << lines({"FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/data/My Files/read me.txt"_s << 1
        << QString()
        << lines({"FROM busybox AS a", "FROM scratch",
                  "COPY --from=a [\"/data/My Files/read me.txt\", \"/data/My Files/read me.txt\"]"});
    QTest::newRow("quotes escaped in JSON form")
        << lines({"FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/a\"b"_s << 1 << QString()
        << lines({"FROM busybox AS a", "FROM scratch", "COPY --from=a [\"/a\\\"b\", \"/a\\\"b\"]"});
    QTest::newRow("glob characters escaped in the source only")
        << lines({"FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/weird*name"_s << 1 << QString()
        << lines(
               {"FROM busybox AS a", "FROM scratch", "COPY --from=a [\"/weird\\\\*name\", \"/weird*name\"]"});
    QTest::newRow("non-ASCII name in JSON form")
        << lines({"FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/données"_s << 1 << QString()
        << lines({"FROM busybox AS a", "FROM scratch", "COPY --from=a [\"/données\", \"/données\"]"});

    QTest::newRow("into the last stage without a trailing newline")
        << u"FROM busybox AS a\nFROM busybox\nRUN true"_s << u"a"_s << u"/bin/sh"_s << 1 << QString()
        << u"FROM busybox AS a\nFROM busybox\nRUN true\nCOPY --from=a /bin/sh /bin/sh"_s;
    QTest::newRow("into a middle stage, not the next one")
        << lines({"FROM busybox AS a", "RUN true", "", "FROM busybox AS b", "RUN true", "",
                  "FROM busybox AS c"})
        << u"a"_s << u"/x"_s << 1 << QString()
        << lines({"FROM busybox AS a", "RUN true", "", "FROM busybox AS b", "RUN true", "COPY --from=a /x /x",
                  "", "FROM busybox AS c"});
    QTest::newRow("before trailing USER, EXPOSE, ENTRYPOINT and their comments")
        << lines({"FROM busybox AS a", "FROM busybox", "RUN adduser -D app", "# run as app", "USER app",
                  "EXPOSE 8080", "ENTRYPOINT [\"/app\"]"})
        << u"a"_s << u"/app"_s << 1 << QString()
        << lines({"FROM busybox AS a", "FROM busybox", "RUN adduser -D app", "COPY --from=a /app /app",
                  "# run as app", "USER app", "EXPOSE 8080", "ENTRYPOINT [\"/app\"]"});
    QTest::newRow("stage with only FROM and CMD")
        << lines({"FROM busybox AS a", "FROM scratch", "CMD [\"/app\"]"}) << u"a"_s << u"/app"_s << 1
        << QString()
        << lines({"FROM busybox AS a", "FROM scratch", "COPY --from=a /app /app", "CMD [\"/app\"]"});
    QTest::newRow("after a continued COPY --from")
        << lines({"FROM busybox AS a", "FROM busybox", "COPY --from=a \\", "    /x /x", "RUN true"}) << u"a"_s
        << u"/y"_s << 1 << QString()
        << lines({"FROM busybox AS a", "FROM busybox", "COPY --from=a \\", "    /x /x", "COPY --from=a /y /y",
                  "RUN true"});
    QTest::newRow("lower-case Dockerfile, indentation kept")
        << lines({"from busybox as a", "from busybox", "  run true"}) << u"a"_s << u"/y"_s << 1 << QString()
        << lines({"from busybox as a", "from busybox", "  run true", "  copy --from=a /y /y"});
    QTest::newRow("directory, root") << lines({"FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/"_s << 1
                                     << QString()
                                     << lines({"FROM busybox AS a", "FROM scratch", "COPY --from=a / /"});
    QTest::newRow("duplicated name: the last such stage above")
        << lines({"FROM busybox AS a", "FROM busybox AS a", "FROM scratch"}) << u"a"_s << u"/x"_s << 2
        << QString()
        << lines({"FROM busybox AS a", "FROM busybox AS a", "FROM scratch", "COPY --from=a /x /x"});
}

void TestCopyInsertion::insertion()
{
    QFETCH(QString, text);
    QFETCH(QString, sourceStage);
    QFETCH(QString, path);
    QFETCH(int, target);
    QFETCH(QString, destination);
    QFETCH(QString, expected);

    const CopyInsertion::Result result =
        CopyInsertion::compute(text, {sourceStage, path, false, target, destination});
    QVERIFY2(result.ok, qPrintable(result.error));
    QCOMPARE(CopyInsertion::apply(text, result), expected);
}

void TestCopyInsertion::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("sourceStage");
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("target");
    QTest::addColumn<QString>("destination");
    QTest::addColumn<QString>("errorContains");

    const QString three = lines({"FROM busybox AS a", "FROM busybox AS b", "FROM busybox"});
    QTest::newRow("self") << three << u"b"_s << u"/x"_s << 1 << QString() << u"from itself"_s;
    QTest::newRow("self by index") << three << u"2"_s << u"/x"_s << 2 << QString() << u"from itself"_s;
    QTest::newRow("into an earlier stage (cycle)")
        << three << u"b"_s << u"/x"_s << 0 << QString() << u"cycle"_s;
    QTest::newRow("unknown stage") << three << u"gone"_s << u"/x"_s << 2 << QString() << u"no stage “gone”"_s;
    QTest::newRow("index out of range") << three << u"7"_s << u"/x"_s << 2 << QString() << u"no stage “7”"_s;
    QTest::newRow("no source stage") << three << QString() << u"/x"_s << 2 << QString() << u"which stage"_s;
    QTest::newRow("bad target") << three << u"a"_s << u"/x"_s << 3 << QString() << u"no stage 3"_s;
    QTest::newRow("no stages") << u"# nothing\n"_s << u"a"_s << u"/x"_s << 0 << QString() << u"FROM"_s;
    QTest::newRow("relative path") << three << u"a"_s << u"x"_s << 2 << QString() << u"not absolute"_s;
    QTest::newRow("relative destination")
        << three << u"a"_s << u"/x"_s << 2 << u"dest"_s << u"not absolute"_s;
    QTest::newRow("empty path") << three << u"a"_s << QString() << 2 << QString() << u"empty"_s;
    QTest::newRow("newline in path") << three << u"a"_s << u"/a\nb"_s << 2 << QString() << u"line break"_s;
    QTest::newRow("dollar in path") << three << u"a"_s << u"/a$HOME"_s << 2 << QString() << u"variable"_s;
}

void TestCopyInsertion::refused()
{
    QFETCH(QString, text);
    QFETCH(QString, sourceStage);
    QFETCH(QString, path);
    QFETCH(int, target);
    QFETCH(QString, destination);
    QFETCH(QString, errorContains);

    const CopyInsertion::Result result =
        CopyInsertion::compute(text, {sourceStage, path, false, target, destination});
    QVERIFY(!result.ok);
    QVERIFY2(result.error.contains(errorContains), qPrintable(result.error));
    QVERIFY(result.error.endsWith(QLatin1Char('.')));
    QCOMPARE(CopyInsertion::apply(text, result), text);
}

void TestCopyInsertion::resultLineIsTheNewInstruction()
{
    const QString text = lines({"FROM busybox AS a", "FROM busybox", "RUN true", "", "# start", "CMD sh"});
    const CopyInsertion::Result result = CopyInsertion::compute(text, {u"a"_s, u"/x"_s, true, 1, {}});
    QVERIFY(result.ok);
    const QStringList after = CopyInsertion::apply(text, result).split(QLatin1Char('\n'));
    QCOMPARE(after.at(result.line - 1), result.instruction);
    QCOMPARE(result.line, 5);
}

void TestCopyInsertion::insertedLineParsesAsCopyFromTheSource()
{
    const QString text = lines({"FROM busybox AS build", "FROM busybox", "CMD sh"});
    for (const QString &path : {u"/plain"_s, u"/with space"_s, u"/q\"uote"_s, u"/back\\slash"_s}) {
        const CopyInsertion::Result result = CopyInsertion::compute(text, {u"build"_s, path, false, 1, {}});
        QVERIFY2(result.ok, qPrintable(result.error));
        const Dockerfile parsed = DockerfileParser::parse(CopyInsertion::apply(text, result));
        QVERIFY(parsed.diagnostics.isEmpty());
        QCOMPARE(parsed.instructions.size(), 4);
        const Instruction &copy = parsed.instructions.at(2);
        QCOMPARE(copy.kind, InstructionKind::Copy);
        QCOMPARE(copy.flagValue(u"from"_s), u"build"_s);
        QCOMPARE(copy.args.size(), 2);
        QCOMPARE(copy.args.at(1).text, path); // the destination word is the path as it is
    }
}

void TestCopyInsertion::stageAtLine()
{
    const Dockerfile d =
        DockerfileParser::parse(lines({"# c", "FROM a AS x", "RUN 1", "", "FROM b", "RUN 2"}));
    QCOMPARE(CopyInsertion::stageAtLine(d, 1), -1);
    QCOMPARE(CopyInsertion::stageAtLine(d, 2), 0);
    QCOMPARE(CopyInsertion::stageAtLine(d, 4), 0);
    QCOMPARE(CopyInsertion::stageAtLine(d, 5), 1);
    QCOMPARE(CopyInsertion::stageAtLine(d, 99), 1);
}

QTEST_APPLESS_MAIN(TestCopyInsertion)
#include "tst_copyinsertion.moc"
