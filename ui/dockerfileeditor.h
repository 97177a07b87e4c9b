// The Dockerfile text editor: line numbers, syntax colours, wavy underlines for problems,
// completion of instructions, flags and stage names, hover help, and Ctrl+click from a
// stage reference to the stage's FROM line. It shows what core computed; it parses nothing.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"

#include <QHash>
#include <QPlainTextEdit>

class QCompleter;
class QStringListModel;

namespace stagecraft::ui {

class DockerfileHighlighter;
class LineNumberArea;

// What the last build made of an instruction, drawn in the gutter beside its line.
struct LayerBadge
{
    enum class Kind { Added, Cached, Empty };
    Kind kind = Kind::Added;
    QString text;    // "+4.3 MB", "cached", "0 B"
    QString toolTip; // duration and layer digest
};

class DockerfileEditor : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit DockerfileEditor(QWidget *parent = nullptr);

    // The latest analysis of the text; the editor uses it for underlines, tooltips,
    // completion and stage links.
    void setAnalysis(const Dockerfile &dockerfile, const StageGraph &plan, const Diagnostics &diagnostics);
    const Diagnostics &diagnostics() const { return m_diagnostics; }

    void setEditorFont(const QFont &font); // the font at 100 %
    void setZoomPercent(int percent);

    void goTo(int line, int column);               // 1-based
    void selectLines(int firstLine, int lastLine); // 1-based, inclusive

    // Stage index referenced at a document position (`--from=build`, `FROM build`), or -1.
    int stageReferenceAt(int position) const;
    // Tooltip text at a document position: problems there, else the docs of the keyword or flag.
    QString toolTipAt(int position) const;
    // Opens the completion popup for the cursor position; returns whether it has entries.
    bool complete(bool explicitRequest = true);

    QCompleter *completer() const { return m_completer; }
    DockerfileHighlighter *highlighter() const { return m_highlighter; }

    // The code stays readable beside wide side panes: the editor asks for this many
    // columns of its font next to the gutter (minimumSizeHint()), and panes give way.
    static constexpr int kMinimumColumns = 60;
    QSize minimumSizeHint() const override;
    int visibleColumns() const; // whole characters of the font the viewport shows per line

    int lineNumberAreaWidth() const;
    // While presenting the gutter gives its room to the code: a quarter of a digit either
    // side of the numbers, and the build's badges go to the line ends (LineEndBadges).
    void setCompactGutter(bool compact);
    bool hasCompactGutter() const { return m_compactGutter; }
    void paintLineNumbers(QPaintEvent *event);
    QString lineNumberToolTip(int y) const; // the badge's or failure's text at a gutter height

    // The last build's badges by 1-based line. Adding or removing lines clears them (and the
    // failure mark): they describe the text that was built.
    void setLayerBadges(const QHash<int, LayerBadge> &badges);
    void clearLayerBadges();
    LayerBadge layerBadge(int line) const { return m_badges.value(line); }
    bool hasLayerBadges() const { return !m_badges.isEmpty(); }
    // Marks the instruction a build failed on (1-based line, 0 clears) and moves the
    // cursor there; the message shows as the line's tooltip.
    void setBuildFailure(int line, const QString &message);
    int buildFailureLine() const { return m_failureLine; }
    // The instructions a "Where Did This Come From?" answer points at (1-based, inclusive line
    // ranges), drawn in their own colour until Esc, an edit or clearProvenanceLines().
    void setProvenanceLines(const QList<std::pair<int, int>> &ranges);
    void clearProvenanceLines();
    QList<int> provenanceLines() const; // every line drawn so, ascending

Q_SIGNALS:
    // Ctrl+click on a stage reference moved the cursor to that stage.
    void stageLinkActivated(int stageIndex);
    // Esc or an edit took the provenance lines away (not clearProvenanceLines()).
    void provenanceLinesDismissed();

protected:
    bool viewportEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateLineNumberAreaWidth();
    QFont gutterNumberFont() const; // the line numbers' font (smaller in the compact gutter)
    int badgeColumnWidth() const;
    int lineAtGutterY(int y) const;
    void updateLineNumberArea(const QRect &rect, int dy);
    void updateExtraSelections();
    void insertCompletion(const QString &completion);
    QTextCursor cursorFor(SourcePosition position) const;
    SourcePosition sourcePositionOf(int position) const;
    QStringList stageNamesForCompletion(int line) const;

    LineNumberArea *m_lineNumberArea;
    DockerfileHighlighter *m_highlighter;
    QCompleter *m_completer;
    QStringListModel *m_completionModel;
    int m_completionStart = 0; // document position the accepted completion replaces from
    bool m_completionAddsSpace = false;
    Dockerfile m_dockerfile;
    StageGraph m_plan;
    Diagnostics m_diagnostics;
    QHash<int, LayerBadge> m_badges;
    int m_failureLine = 0;
    bool m_compactGutter = false;
    QString m_failureMessage;
    QList<std::pair<int, int>> m_provenance;
    QString m_provenanceText; // the text they were set on: any change of it dismisses them
    QFont m_baseFont;
    int m_zoomPercent = 100;
};

} // namespace stagecraft::ui
