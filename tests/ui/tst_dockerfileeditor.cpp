// The editor on its own: colours, underlines, tooltips, completion, stage links, zoom.
#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/stagegraph.h"
#include "ui/dockerfileeditor.h"
#include "ui/dockerfilehighlighter.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

const QString kTwoStages = QStringLiteral("FROM golang:1.21 AS build\n"
                                          "RUN go build -o /app .\n"
                                          "FROM scratch\n"
                                          "COPY --from=build /app /app\n");

void analyse(DockerfileEditor &editor)
{
    const Dockerfile dockerfile = DockerfileParser::parse(editor.toPlainText());
    const StageGraph graph = StageGraph::fromDockerfile(dockerfile);
    editor.setAnalysis(dockerfile, graph, dockerfile.diagnostics + graph.diagnostics);
}

int positionOf(const DockerfileEditor &editor, const QString &needle, int offset = 0)
{
    return int(editor.toPlainText().indexOf(needle)) + offset;
}

bool hasFormatAt(const QTextBlock &block, int start, int length, const QTextCharFormat &format)
{
    for (const QTextLayout::FormatRange &range : block.layout()->formats())
        if (range.start == start && range.length == length &&
            range.format.foreground() == format.foreground())
            return true;
    return false;
}

} // namespace

class TestDockerfileEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void highlightsTokens()
    {
        DockerfileEditor editor;
        editor.setPlainText(kTwoStages);
        DockerfileHighlighter *h = editor.highlighter();
        const QTextBlock first = editor.document()->firstBlock();
        QVERIFY(hasFormatAt(first, 0, 4, h->format(SyntaxTokenKind::Keyword)));
        QVERIFY(hasFormatAt(first, 17, 2, h->format(SyntaxTokenKind::Keyword)));   // AS
        QVERIFY(hasFormatAt(first, 20, 5, h->format(SyntaxTokenKind::StageName))); // build
        const QTextBlock copy = editor.document()->findBlockByNumber(3);
        QVERIFY(hasFormatAt(copy, 5, 7, h->format(SyntaxTokenKind::Flag)));
        QVERIFY(hasFormatAt(copy, 12, 5, h->format(SyntaxTokenKind::StageName)));
    }

    void heredocStateCrossesBlocks()
    {
        DockerfileEditor editor;
        editor.setPlainText(QStringLiteral("COPY <<EOF /a\nFROM x\nEOF\nFROM y"));
        DockerfileHighlighter *h = editor.highlighter();
        QVERIFY(
            hasFormatAt(editor.document()->findBlockByNumber(1), 0, 6, h->format(SyntaxTokenKind::Heredoc)));
        QVERIFY(
            hasFormatAt(editor.document()->findBlockByNumber(3), 0, 4, h->format(SyntaxTokenKind::Keyword)));
        // Closing the heredoc earlier re-colours the following lines.
        QTextCursor cursor(editor.document()->findBlockByNumber(1));
        cursor.insertText(QStringLiteral("EOF\n"));
        QVERIFY(
            hasFormatAt(editor.document()->findBlockByNumber(2), 0, 4, h->format(SyntaxTokenKind::Keyword)));
    }

    void darkPaletteChangesColours()
    {
        DockerfileEditor editor;
        const QColor light = editor.highlighter()->format(SyntaxTokenKind::Keyword).foreground().color();
        QPalette dark = editor.palette();
        dark.setColor(QPalette::Base, Qt::black);
        editor.setPalette(dark);
        QVERIFY(editor.highlighter()->isDark());
        QVERIFY(editor.highlighter()->format(SyntaxTokenKind::Keyword).foreground().color() != light);
    }

    void diagnosticsAreWavyUnderlines()
    {
        DockerfileEditor editor;
        editor.setPlainText(QStringLiteral("FROM alpine\nFORM x\n"));
        analyse(editor);
        QVERIFY(!editor.diagnostics().isEmpty());
        bool found = false;
        for (const QTextEdit::ExtraSelection &s : editor.extraSelections())
            if (s.format.underlineStyle() == QTextCharFormat::WaveUnderline) {
                found = true;
                QCOMPARE(s.cursor.block().blockNumber(), editor.diagnostics().first().range.start.line - 1);
                QVERIFY(s.cursor.hasSelection());
            }
        QVERIFY(found);
        const QString tip = editor.toolTipAt(positionOf(editor, QStringLiteral("FORM"), 1));
        QVERIFY2(tip.contains(editor.diagnostics().first().message.toHtmlEscaped()), qPrintable(tip));
    }

    void hoverDocs()
    {
        DockerfileEditor editor;
        editor.setPlainText(kTwoStages);
        analyse(editor);
        QVERIFY(editor.toolTipAt(positionOf(editor, QStringLiteral("FROM"), 1))
                    .contains(QStringLiteral("AS &lt;name&gt;")));
        QVERIFY(editor.toolTipAt(positionOf(editor, QStringLiteral("COPY"), 2))
                    .contains(QStringLiteral("--from=")));
        QVERIFY(editor.toolTipAt(positionOf(editor, QStringLiteral("--from"), 3))
                    .contains(QStringLiteral("stage")));
        QVERIFY(editor.toolTipAt(positionOf(editor, QStringLiteral("/app /app"), 1)).isEmpty());
    }

    void ctrlClickFollowsStageReference()
    {
        DockerfileEditor editor;
        editor.resize(600, 400);
        editor.setPlainText(kTwoStages + QStringLiteral("FROM build AS again\n"));
        analyse(editor);
        QCOMPARE(editor.stageReferenceAt(positionOf(editor, QStringLiteral("=build"), 3)), 0);
        QCOMPARE(editor.stageReferenceAt(positionOf(editor, QStringLiteral("FROM build"), 7)), 0);
        QCOMPARE(editor.stageReferenceAt(positionOf(editor, QStringLiteral("golang"), 1)), -1);
        QCOMPARE(editor.stageReferenceAt(positionOf(editor, QStringLiteral("scratch"), 1)), -1);

        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        QSignalSpy spy(&editor, &DockerfileEditor::stageLinkActivated);
        QTextCursor at(editor.document());
        at.setPosition(positionOf(editor, QStringLiteral("=build"), 3));
        const QPoint point = editor.cursorRect(at).center();
        QTest::mouseClick(editor.viewport(), Qt::LeftButton, Qt::ControlModifier, point);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.first().first().toInt(), 0);
        QCOMPARE(editor.textCursor().blockNumber(), 0);
    }

    void completesInstructionsFlagsAndStages()
    {
        DockerfileEditor editor;
        editor.resize(600, 400);
        editor.show();
        QVERIFY(QTest::qWaitForWindowExposed(&editor));
        editor.setPlainText(kTwoStages);
        analyse(editor);
        editor.moveCursor(QTextCursor::End);

        QTest::keyClicks(&editor, QStringLiteral("CO"));
        QCompleter *completer = editor.completer();
        QVERIFY(completer->popup()->isVisible());
        QCOMPARE(completer->currentCompletion(), QStringLiteral("COPY"));
        QTest::keyClick(completer->popup(), Qt::Key_Return);
        QCOMPARE(editor.textCursor().block().text(), QStringLiteral("COPY "));

        QTest::keyClicks(&editor, QStringLiteral("--"));
        QVERIFY(completer->popup()->isVisible());
        QStringList offered;
        for (int i = 0; i < completer->completionCount(); ++i) {
            completer->setCurrentRow(i);
            offered << completer->currentCompletion();
        }
        QVERIFY2(offered.contains(QStringLiteral("--from=")), qPrintable(offered.join(QLatin1Char(' '))));

        QTest::keyClicks(&editor, QStringLiteral("from="));
        QVERIFY(completer->popup()->isVisible());
        QCOMPARE(completer->completionCount(), 1);
        QCOMPARE(completer->currentCompletion(), QStringLiteral("build"));
        QTest::keyClick(completer->popup(), Qt::Key_Return);
        QCOMPARE(editor.textCursor().block().text(), QStringLiteral("COPY --from=build"));
    }

    void zoomScalesFont()
    {
        DockerfileEditor editor;
        QFont base = editor.font();
        base.setPointSize(10);
        editor.setEditorFont(base);
        const int gutter = editor.lineNumberAreaWidth();
        editor.setZoomPercent(200);
        QCOMPARE(editor.font().pointSizeF(), 20.0);
        QVERIFY(editor.lineNumberAreaWidth() > gutter);
    }

    void selectLines()
    {
        DockerfileEditor editor;
        editor.setPlainText(kTwoStages);
        editor.selectLines(3, 4);
        const QTextCursor c = editor.textCursor();
        QCOMPARE(c.selectedText(), QStringLiteral("FROM scratch\u2029COPY --from=build /app /app"));
    }
};

QTEST_MAIN(TestDockerfileEditor)
#include "tst_dockerfileeditor.moc"
