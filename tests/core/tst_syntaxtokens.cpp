// The editor's syntax tokens, instruction docs and completion proposals, without a window.
#include "core/dockerfile/dockerfilecompletion.h"
#include "core/dockerfile/instructiondocs.h"
#include "core/dockerfile/syntaxtokens.h"

#include <QTest>

using namespace stagecraft;

namespace {

// "keyword:FROM flag:--from= stage:build" for each line, lines joined with " | ".
QString dump(const QString &text)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    const QList<QList<SyntaxToken>> tokens = SyntaxTokenizer::tokenizeText(text);
    QStringList out;
    for (qsizetype l = 0; l < lines.size(); ++l) {
        QStringList parts;
        for (const SyntaxToken &t : tokens.at(l))
            parts.append(syntaxTokenKindName(t.kind) + QLatin1Char(':') + lines.at(l).mid(t.start, t.length));
        out.append(parts.join(QLatin1Char(' ')));
    }
    return out.join(QStringLiteral(" | "));
}

} // namespace

class TestSyntaxTokens : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tokens_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::addRow("from-as") << QStringLiteral("FROM golang:1.21 AS build")
                                 << QStringLiteral("keyword:FROM keyword:AS stage:build");
        QTest::addRow("from-as-lower")
            << QStringLiteral("from alpine as b") << QStringLiteral("keyword:from keyword:as stage:b");
        QTest::addRow("from-platform")
            << QStringLiteral("FROM --platform=$BUILDPLATFORM alpine")
            << QStringLiteral("keyword:FROM flag:--platform= variable:$BUILDPLATFORM");
        QTest::addRow("copy-from") << QStringLiteral("COPY --from=build /app /app")
                                   << QStringLiteral("keyword:COPY flag:--from= stage:build");
        QTest::addRow("copy-from-index") << QStringLiteral("COPY --from=0 /bin/hello /bin/hello")
                                         << QStringLiteral("keyword:COPY flag:--from= stage:0");
        QTest::addRow("run-mount")
            << QStringLiteral("RUN --mount=type=cache,from=deps,target=/x make")
            << QStringLiteral("keyword:RUN flag:--mount=type=cache,from= stage:deps flag:,target=/x");
        QTest::addRow("flag-after-args-is-text")
            << QStringLiteral("RUN echo --from=x") << QStringLiteral("keyword:RUN");
        QTest::addRow("variables") << QStringLiteral("ENV PATH=${GOPATH}/bin:$PATH")
                                   << QStringLiteral("keyword:ENV variable:${GOPATH} variable:$PATH");
        QTest::addRow("strings") << QStringLiteral("ENTRYPOINT [\"/app\", \"-v\"]")
                                 << QStringLiteral("keyword:ENTRYPOINT string:\"/app\" string:\"-v\"");
        QTest::addRow("variable-in-string")
            << QStringLiteral("RUN echo \"a $X b\" '$Y'")
            << QStringLiteral("keyword:RUN string:\"a  variable:$X string: b\" string:'$Y'");
        QTest::addRow("comment") << QStringLiteral("FROM a\n# note: RUN x")
                                 << QStringLiteral("keyword:FROM | comment:# note: RUN x");
        QTest::addRow("directives")
            << QStringLiteral("# syntax=docker/dockerfile:1\n# escape=`\nFROM a\n# escape=\\")
            << QStringLiteral(
                   "directive:# syntax=docker/dockerfile:1 | directive:# escape=` | keyword:FROM | "
                   "comment:# escape=\\");
        QTest::addRow("directive-after-blank")
            << QStringLiteral("\n# syntax=x") << QStringLiteral(" | comment:# syntax=x");
        QTest::addRow("continuation")
            << QStringLiteral("RUN apt-get update && \\\n    apt-get install -y golang-go\nFROM x")
            << QStringLiteral("keyword:RUN escape:\\ |  | keyword:FROM");
        QTest::addRow("continuation-keeps-flags")
            << QStringLiteral("COPY \\\n  --from=build /a /b")
            << QStringLiteral("keyword:COPY escape:\\ | flag:--from= stage:build");
        QTest::addRow("continuation-from-as")
            << QStringLiteral("FROM alpine \\\n  AS runtime")
            << QStringLiteral("keyword:FROM escape:\\ | keyword:AS stage:runtime");
        QTest::addRow("comment-inside-continuation")
            << QStringLiteral("RUN a \\\n# skipped\n  b\nFROM x")
            << QStringLiteral("keyword:RUN escape:\\ | comment:# skipped |  | keyword:FROM");
        QTest::addRow("backtick-escape")
            << QStringLiteral("# escape=`\nRUN dir `\n  c:\\\nFROM x")
            << QStringLiteral("directive:# escape=` | keyword:RUN escape:` |  | keyword:FROM");
        QTest::addRow("heredoc")
            << QStringLiteral("COPY <<EOF ./main.go\npackage main\nFROM not-a-keyword\nEOF\nRUN x")
            << QStringLiteral(
                   "keyword:COPY heredoc:<<EOF | heredoc:package main | heredoc:FROM not-a-keyword | "
                   "heredoc:EOF | keyword:RUN");
        QTest::addRow("heredoc-quoted-chomp")
            << QStringLiteral("RUN <<-'END'\n\techo $X\n\tEND\nCMD y")
            << QStringLiteral(
                   "keyword:RUN heredoc:<<-'END' | heredoc:\techo $X | heredoc:\tEND | keyword:CMD");
        QTest::addRow("two-heredocs")
            << QStringLiteral("RUN <<A <<B\na\nA\nb\nB\nCMD z")
            << QStringLiteral("keyword:RUN heredoc:<<A heredoc:<<B | heredoc:a | heredoc:A | heredoc:b | "
                              "heredoc:B | keyword:CMD");
        QTest::addRow("here-string-is-not-heredoc")
            << QStringLiteral("RUN cat <<<word") << QStringLiteral("keyword:RUN");
        QTest::addRow("onbuild") << QStringLiteral("ONBUILD COPY --from=b . .")
                                 << QStringLiteral("keyword:ONBUILD keyword:COPY flag:--from= stage:b");
        QTest::addRow("unknown-keyword") << QStringLiteral("FORM alpine") << QString();
        QTest::addRow("unterminated-string")
            << QStringLiteral("CMD [\"/app") << QStringLiteral("keyword:CMD string:\"/app");
    }

    void tokens()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(dump(text), expected);
    }

    void stateHashChangesWithMode()
    {
        const SyntaxLine plain = SyntaxTokenizer::tokenizeLine(QStringLiteral("RUN a"));
        const SyntaxLine continued = SyntaxTokenizer::tokenizeLine(QStringLiteral("RUN a \\"));
        QVERIFY(plain.state.hash() >= 0);
        QVERIFY(plain.state.hash() != continued.state.hash());
        QCOMPARE(continued.state.mode, SyntaxState::Mode::Continuation);
    }

    void badInputNeverCrashes()
    {
        for (const QString &line :
             {QStringLiteral("${"), QStringLiteral("$"), QStringLiteral("RUN <<"), QStringLiteral("RUN <<'"),
              QStringLiteral("COPY --"), QStringLiteral("\\"), QStringLiteral("FROM a AS"),
              QStringLiteral("RUN \"\\")}) {
            SyntaxState state;
            for (int i = 0; i < 3; ++i)
                state = SyntaxTokenizer::tokenizeLine(line, state).state;
        }
    }

    void docs()
    {
        QCOMPARE(InstructionDocs::all().size(), 18);
        for (const InstructionDoc &doc : InstructionDocs::all()) {
            QCOMPARE(instructionKeyword(doc.kind), doc.keyword);
            QVERIFY(doc.syntax.startsWith(doc.keyword));
            QVERIFY(doc.summary && *doc.summary);
            for (const FlagDoc &f : doc.flags)
                QVERIFY2(f.help && *f.help, qPrintable(f.name));
        }
        const InstructionDoc *copy = InstructionDocs::find(QStringLiteral("copy"));
        QVERIFY(copy);
        QCOMPARE(copy->kind, InstructionKind::Copy);
        QCOMPARE(copy->flags.first().completion(), QStringLiteral("--from="));
        QVERIFY(!InstructionDocs::find(QStringLiteral("FORM")));
    }

    void completion_data()
    {
        QTest::addColumn<QString>("previousLine"); // empty: the line starts an instruction
        QTest::addColumn<QString>("line");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("mustOffer");
        using K = CompletionProposal::Kind;
        QTest::addRow("instruction") << QString() << QStringLiteral("CO") << int(K::Instruction)
                                     << QStringLiteral("CO") << QStringLiteral("COPY");
        QTest::addRow("instruction-indented") << QString() << QStringLiteral("  r") << int(K::Instruction)
                                              << QStringLiteral("r") << QStringLiteral("RUN");
        QTest::addRow("copy-flags") << QString() << QStringLiteral("COPY --") << int(K::Flag)
                                    << QStringLiteral("--") << QStringLiteral("--from=");
        QTest::addRow("run-flags") << QString() << QStringLiteral("RUN --mo") << int(K::Flag)
                                   << QStringLiteral("--mo") << QStringLiteral("--mount=");
        QTest::addRow("copy-from") << QString() << QStringLiteral("COPY --from=bu") << int(K::Stage)
                                   << QStringLiteral("bu") << QStringLiteral("build");
        QTest::addRow("copy-from-after-flag") << QString() << QStringLiteral("COPY --chown=1 --from=")
                                              << int(K::Stage) << QString() << QStringLiteral("build");
        QTest::addRow("mount-from") << QString() << QStringLiteral("RUN --mount=type=bind,from=b")
                                    << int(K::Stage) << QStringLiteral("b") << QStringLiteral("build");
        QTest::addRow("from-stage-base") << QString() << QStringLiteral("FROM bu") << int(K::Stage)
                                         << QStringLiteral("bu") << QStringLiteral("build");
        QTest::addRow("no-flags-after-args")
            << QString() << QStringLiteral("COPY a --") << int(K::None) << QString() << QString();
        QTest::addRow("comment") << QString() << QStringLiteral("# CO") << int(K::None) << QString()
                                 << QString();
        QTest::addRow("continued-flags")
            << QStringLiteral("COPY \\") << QStringLiteral("  --fr") << int(K::Flag) << QStringLiteral("--fr")
            << QStringLiteral("--from=");
        QTest::addRow("continued-not-keyword")
            << QStringLiteral("RUN a \\") << QStringLiteral("  ap") << int(K::None) << QString() << QString();
        QTest::addRow("heredoc-body")
            << QStringLiteral("RUN <<EOF") << QStringLiteral("CO") << int(K::None) << QString() << QString();
    }

    void completion()
    {
        QFETCH(QString, previousLine);
        QFETCH(QString, line);
        QFETCH(int, kind);
        QFETCH(QString, prefix);
        QFETCH(QString, mustOffer);
        SyntaxState state;
        if (!previousLine.isEmpty())
            state = SyntaxTokenizer::tokenizeLine(previousLine).state;
        const CompletionProposal p =
            DockerfileCompletion::at(line, state, {QStringLiteral("build"), QStringLiteral("0")});
        QCOMPARE(int(p.kind), kind);
        if (p.kind == CompletionProposal::Kind::None)
            return;
        QCOMPARE(p.prefix, prefix);
        QCOMPARE(line.mid(p.replaceStart), prefix);
        QVERIFY2(p.candidates.contains(mustOffer), qPrintable(p.candidates.join(QLatin1Char(','))));
    }
};

QTEST_GUILESS_MAIN(TestSyntaxTokens)
#include "tst_syntaxtokens.moc"
