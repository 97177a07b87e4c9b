#include "ui/dockerfileeditor.h"

#include "core/dockerfile/dockerfilecompletion.h"
#include "core/dockerfile/instructiondocs.h"
#include "ui/dockerfilehighlighter.h"
#include "ui/linenumberarea.h"
#include "ui/provenancecolor.h"
#include "ui/quickfixmenu.h"
#include "ui/theme.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QCoreApplication>
#include <QHelpEvent>
#include <QPainter>
#include <QScrollBar>
#include <QStringListModel>
#include <QTextBlock>
#include <QToolTip>

#include <cmath>

namespace stagecraft::ui {

namespace {

QColor severityColor(Severity severity, bool dark)
{
    switch (severity) {
    case Severity::Error: return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xcf, 0x22, 0x2e);
    case Severity::Warning: return dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0xbf, 0x87, 0x00);
    case Severity::Info: return dark ? QColor(0x58, 0xa6, 0xff) : QColor(0x09, 0x69, 0xda);
    }
    return {};
}

// A range whose end is unknown covers the rest of its start line.
bool covers(const SourceRange &range, SourcePosition p)
{
    if (!range.isValid())
        return false;
    if (range.end.line <= 0 || range.end <= range.start)
        return p.line == range.start.line && p.column >= std::max(1, range.start.column);
    return range.start <= p && p < range.end;
}

QString severityLabel(Severity severity)
{
    switch (severity) {
    case Severity::Error: return DockerfileEditor::tr("Error");
    case Severity::Warning: return DockerfileEditor::tr("Warning");
    case Severity::Info: return DockerfileEditor::tr("Note");
    }
    return {};
}

QString translatedDoc(const char *text)
{
    return QCoreApplication::translate(InstructionDocs::translationContext(), text);
}

} // namespace

DockerfileEditor::DockerfileEditor(QWidget *parent)
    : QPlainTextEdit(parent)
    , m_lineNumberArea(new LineNumberArea(this))
    , m_highlighter(new DockerfileHighlighter(document()))
    , m_completer(new QCompleter(this))
    , m_completionModel(new QStringListModel(this))
{
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setMouseTracking(true);
    setAccessibleName(tr("Dockerfile editor"));
    m_completer->setModel(m_completionModel);
    m_completer->setWidget(this);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setModelSorting(QCompleter::UnsortedModel);
    m_completer->setFilterMode(Qt::MatchStartsWith);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &DockerfileEditor::insertCompletion);

    connect(this, &QPlainTextEdit::blockCountChanged, this, &DockerfileEditor::updateLineNumberAreaWidth);
    connect(this, &QPlainTextEdit::blockCountChanged, this, [this] {
        if (!m_badges.isEmpty() || m_failureLine > 0) {
            m_badges.clear();
            m_failureLine = 0;
            m_failureMessage.clear();
            updateLineNumberAreaWidth();
            updateExtraSelections();
        }
    });
    connect(this, &QPlainTextEdit::updateRequest, this, &DockerfileEditor::updateLineNumberArea);
    connect(this, &QPlainTextEdit::cursorPositionChanged, this, &DockerfileEditor::updateExtraSelections);
    // Compared only while lines are marked; the highlighter's format changes are no edit.
    connect(this, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_provenance.isEmpty() && toPlainText() != m_provenanceText) {
            clearProvenanceLines();
            Q_EMIT provenanceLinesDismissed();
        }
    });
    setEditorFont(font());
    updateLineNumberAreaWidth();
    updateExtraSelections();
    new QuickFixMenu(this); // the light bulb and Ctrl+.
}

void DockerfileEditor::setAnalysis(const Dockerfile &dockerfile, const StageGraph &plan,
                                   const Diagnostics &diagnostics)
{
    m_dockerfile = dockerfile;
    m_plan = plan;
    m_diagnostics = diagnostics;
    updateExtraSelections();
    m_lineNumberArea->update();
}

void DockerfileEditor::setEditorFont(const QFont &font)
{
    m_baseFont = font;
    setZoomPercent(m_zoomPercent);
}

void DockerfileEditor::setZoomPercent(int percent)
{
    m_zoomPercent = percent;
    QFont f = m_baseFont;
    f.setPointSizeF(std::max(4.0, m_baseFont.pointSizeF() * percent / 100.0));
    f.setStyleHint(QFont::Monospace);
    setFont(f);
    m_lineNumberArea->setFont(f);
    m_completer->popup()->setFont(f);
    setTabStopDistance(QFontMetricsF(f).horizontalAdvance(QLatin1Char(' ')) * 4);
    updateLineNumberAreaWidth();
    updateGeometry(); // minimumSizeHint() counts columns of this font
}

int DockerfileEditor::lineNumberAreaWidth() const
{
    int digits = 2;
    for (int max = std::max(1, blockCount()); max >= 100; max /= 10)
        ++digits;
    if (m_compactGutter) {
        const int digit = QFontMetrics(gutterNumberFont()).horizontalAdvance(QLatin1Char('9'));
        return digit * digits + digit / 2;
    }
    const QFontMetrics metrics(font());
    const int digit = metrics.horizontalAdvance(QLatin1Char('9'));
    return digit * (digits + 2) + badgeColumnWidth();
}

QFont DockerfileEditor::gutterNumberFont() const
{
    // The compact gutter's numbers are smaller than the code: at 20 pt a three-digit line
    // number in the code's size would take a column of the sixty.
    QFont numbers = font();
    if (m_compactGutter)
        numbers.setPointSizeF(std::max(4.0, font().pointSizeF() * 0.7));
    return numbers;
}

void DockerfileEditor::setCompactGutter(bool compact)
{
    m_compactGutter = compact;
    updateLineNumberAreaWidth();
    m_lineNumberArea->update();
}

int DockerfileEditor::badgeColumnWidth() const
{
    if (m_badges.isEmpty())
        return 0;
    QFont small = font();
    small.setPointSizeF(std::max(4.0, font().pointSizeF() * 0.8));
    const QFontMetrics metrics(small);
    int widest = 0;
    for (const LayerBadge &badge : m_badges)
        widest = std::max(widest, metrics.horizontalAdvance(badge.text));
    return widest + metrics.horizontalAdvance(QLatin1Char('9')) * 2;
}

int DockerfileEditor::lineAtGutterY(int y) const
{
    const QTextCursor cursor = cursorForPosition(QPoint(0, y));
    return cursor.isNull() ? 0 : cursor.blockNumber() + 1;
}

QString DockerfileEditor::lineNumberToolTip(int y) const
{
    const int line = lineAtGutterY(y);
    QStringList parts;
    if (line > 0 && line == m_failureLine)
        parts.append(m_failureMessage);
    if (m_badges.contains(line))
        parts.append(m_badges.value(line).toolTip);
    return parts.join(QLatin1Char('\n'));
}

void DockerfileEditor::setLayerBadges(const QHash<int, LayerBadge> &badges)
{
    m_badges = badges;
    updateLineNumberAreaWidth();
    m_lineNumberArea->update();
    viewport()->update(); // the badges at the line ends, while presenting
}

void DockerfileEditor::clearLayerBadges()
{
    m_badges.clear();
    setBuildFailure(0, QString());
    updateLineNumberAreaWidth();
    m_lineNumberArea->update();
    viewport()->update();
}

void DockerfileEditor::setBuildFailure(int line, const QString &message)
{
    m_failureLine = line > 0 && line <= blockCount() ? line : 0;
    m_failureMessage = m_failureLine > 0 ? message : QString();
    if (m_failureLine > 0)
        goTo(m_failureLine, 1);
    updateExtraSelections();
    m_lineNumberArea->update();
}

void DockerfileEditor::updateLineNumberAreaWidth()
{
    const int width = lineNumberAreaWidth();
    if (viewportMargins().left() == width)
        return;
    setViewportMargins(width, 0, 0, 0);
    updateGeometry(); // the gutter is part of the minimum width
}

QSize DockerfileEditor::minimumSizeHint() const
{
    const QFontMetricsF metrics(font());
    const qreal code =
        metrics.horizontalAdvance(QLatin1Char('m')) * kMinimumColumns + 2 * document()->documentMargin();
    int width = lineNumberAreaWidth() + int(std::ceil(code)) + 2 * frameWidth() +
                verticalScrollBar()->sizeHint().width();
    // A projector zoom must not push the window off the screen: at most two thirds of it.
    if (const QWidget *top = window(); top != this && top->width() > 0)
        width = std::min(width, top->width() * 2 / 3);
    return {width, QPlainTextEdit::minimumSizeHint().height()};
}

int DockerfileEditor::visibleColumns() const
{
    const qreal advance = QFontMetricsF(font()).horizontalAdvance(QLatin1Char('m'));
    return int((viewport()->width() - 2 * document()->documentMargin()) / advance);
}

void DockerfileEditor::updateLineNumberArea(const QRect &rect, int dy)
{
    if (dy)
        m_lineNumberArea->scroll(0, dy);
    else
        m_lineNumberArea->update(0, rect.y(), m_lineNumberArea->width(), rect.height());
    if (rect.contains(viewport()->rect()))
        updateLineNumberAreaWidth();
}

void DockerfileEditor::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    const QRect cr = contentsRect();
    m_lineNumberArea->setGeometry(QRect(cr.left(), cr.top(), lineNumberAreaWidth(), cr.height()));
}

void DockerfileEditor::paintLineNumbers(QPaintEvent *event)
{
    QPainter painter(m_lineNumberArea);
    const QPalette pal = palette();
    const bool dark = Theme::isDark(pal);
    painter.fillRect(event->rect(), pal.color(QPalette::Window));
    painter.setPen(pal.color(QPalette::Mid));
    painter.drawLine(m_lineNumberArea->width() - 1, event->rect().top(), m_lineNumberArea->width() - 1,
                     event->rect().bottom());

    // The worst problem on each line colours its number.
    QHash<int, Severity> worst;
    for (const Diagnostic &d : std::as_const(m_diagnostics)) {
        const int line = d.range.start.line;
        if (line > 0 && (!worst.contains(line) || int(d.severity) < int(worst.value(line))))
            worst.insert(line, d.severity);
    }

    const int currentBlock = textCursor().blockNumber();
    QTextBlock block = firstVisibleBlock();
    int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
    int bottom = top + qRound(blockBoundingRect(block).height());
    QFont numberFont = gutterNumberFont();
    const int width =
        m_lineNumberArea->width() -
        QFontMetrics(numberFont).horizontalAdvance(QLatin1Char('9')) / (m_compactGutter ? 4 : 1);
    const int badgeWidth = badgeColumnWidth();
    QFont badgeFont = font();
    badgeFont.setPointSizeF(std::max(4.0, font().pointSizeF() * 0.8));
    const QColor addedColor = dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0x9a, 0x67, 0x00);
    const QColor cachedColor = dark ? QColor(0x56, 0xd3, 0x64) : QColor(0x1a, 0x7f, 0x37);
    QColor dim = pal.color(QPalette::WindowText);
    dim.setAlphaF(0.55f);
    while (block.isValid() && top <= event->rect().bottom()) {
        if (block.isVisible() && bottom >= event->rect().top()) {
            const int line = block.blockNumber() + 1;
            numberFont.setBold(block.blockNumber() == currentBlock);
            painter.setFont(numberFont);
            if (line == m_failureLine)
                painter.setPen(severityColor(Severity::Error, dark));
            else if (worst.contains(line))
                painter.setPen(severityColor(worst.value(line), dark));
            else
                painter.setPen(block.blockNumber() == currentBlock ? pal.color(QPalette::WindowText) : dim);
            // On the code's baseline, also when the numbers are smaller than the code.
            painter.drawText(0, top, width, fontMetrics().ascent() + QFontMetrics(numberFont).descent(),
                             Qt::AlignRight | Qt::AlignBottom, QString::number(line));
            const auto badge = m_badges.constFind(line);
            if (badge != m_badges.constEnd() && !m_compactGutter) {
                painter.setFont(badgeFont);
                painter.setPen(badge->kind == LayerBadge::Kind::Added    ? addedColor
                               : badge->kind == LayerBadge::Kind::Cached ? cachedColor
                                                                         : dim);
                painter.drawText(QRect(2, top, badgeWidth - 4, fontMetrics().height()),
                                 Qt::AlignRight | Qt::AlignVCenter, badge->text);
            }
        }
        block = block.next();
        top = bottom;
        bottom = top + qRound(blockBoundingRect(block).height());
    }
}

QTextCursor DockerfileEditor::cursorFor(SourcePosition position) const
{
    QTextCursor cursor(document());
    const QTextBlock block = document()->findBlockByNumber(std::max(0, position.line - 1));
    if (!block.isValid()) {
        cursor.movePosition(QTextCursor::End);
        return cursor;
    }
    const int column = std::clamp(position.column - 1, 0, std::max(0, block.length() - 1));
    cursor.setPosition(block.position() + column);
    return cursor;
}

SourcePosition DockerfileEditor::sourcePositionOf(int position) const
{
    const QTextBlock block = document()->findBlock(position);
    return {block.blockNumber() + 1, position - block.position() + 1};
}

void DockerfileEditor::updateExtraSelections()
{
    const bool dark = Theme::isDark(palette());
    QList<QTextEdit::ExtraSelection> selections;

    QTextEdit::ExtraSelection current;
    QColor lineColor = palette().color(QPalette::Highlight);
    lineColor.setAlpha(dark ? 40 : 22);
    current.format.setBackground(lineColor);
    current.format.setProperty(QTextFormat::FullWidthSelection, true);
    current.cursor = textCursor();
    current.cursor.clearSelection();
    selections.append(current);

    if (m_failureLine > 0) {
        QTextEdit::ExtraSelection failure;
        QColor failureColor = severityColor(Severity::Error, dark);
        failureColor.setAlpha(dark ? 70 : 45);
        failure.format.setBackground(failureColor);
        failure.format.setProperty(QTextFormat::FullWidthSelection, true);
        failure.cursor = QTextCursor(document()->findBlockByNumber(m_failureLine - 1));
        selections.append(failure);
    }

    for (const auto &[first, last] : std::as_const(m_provenance)) {
        QTextEdit::ExtraSelection traced;
        traced.format.setBackground(provenanceLineColor(dark));
        traced.format.setProperty(QTextFormat::FullWidthSelection, true);
        traced.cursor = QTextCursor(document()->findBlockByNumber(first - 1));
        const QTextBlock end = document()->findBlockByNumber(last - 1);
        if (last > first && end.isValid())
            traced.cursor.setPosition(end.position(), QTextCursor::KeepAnchor);
        selections.append(traced);
    }

    for (const Diagnostic &d : std::as_const(m_diagnostics)) {
        if (!d.range.isValid())
            continue;
        QTextCursor cursor = cursorFor(d.range.start);
        const QTextCursor end = cursorFor(d.range.end);
        if (d.range.end.line > 0 && end.position() > cursor.position()) {
            cursor.setPosition(end.position(), QTextCursor::KeepAnchor);
        } else {
            // No usable end: underline the line from the start to its end (or all of it).
            if (cursor.atBlockEnd())
                cursor.movePosition(QTextCursor::StartOfBlock);
            cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
        }
        QTextEdit::ExtraSelection selection;
        selection.cursor = cursor;
        selection.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        selection.format.setUnderlineColor(severityColor(d.severity, dark));
        selections.append(selection);
    }
    setExtraSelections(selections);
}

void DockerfileEditor::setProvenanceLines(const QList<std::pair<int, int>> &ranges)
{
    m_provenance.clear();
    const int lines = document()->blockCount();
    for (const auto &[first, last] : ranges)
        if (first >= 1 && first <= lines)
            m_provenance.append({first, std::clamp(last, first, lines)});
    m_provenanceText = m_provenance.isEmpty() ? QString() : toPlainText();
    updateExtraSelections();
}

void DockerfileEditor::clearProvenanceLines()
{
    if (m_provenance.isEmpty())
        return;
    m_provenance.clear();
    m_provenanceText.clear();
    updateExtraSelections();
}

QList<int> DockerfileEditor::provenanceLines() const
{
    QList<int> lines;
    for (const auto &[first, last] : m_provenance)
        for (int line = first; line <= last; ++line)
            if (!lines.contains(line))
                lines.append(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

void DockerfileEditor::goTo(int line, int column)
{
    QTextCursor cursor = cursorFor({line, std::max(1, column)});
    setTextCursor(cursor);
    centerCursor();
    setFocus();
}

void DockerfileEditor::selectLines(int firstLine, int lastLine)
{
    const QTextBlock first = document()->findBlockByNumber(std::max(0, firstLine - 1));
    QTextBlock last = document()->findBlockByNumber(std::max(0, lastLine - 1));
    if (!first.isValid())
        return;
    if (!last.isValid())
        last = document()->lastBlock();
    QTextCursor cursor(document());
    // The anchor at the end, the cursor at the start: the view scrolls to the stage's FROM.
    cursor.setPosition(last.position() + last.length() - 1);
    cursor.setPosition(first.position(), QTextCursor::KeepAnchor);
    setTextCursor(cursor);
    ensureCursorVisible();
}

int DockerfileEditor::stageReferenceAt(int position) const
{
    const SourcePosition p = sourcePositionOf(position);
    const int ownStage = m_plan.stageAt(p.line);
    for (const Instruction &instruction : m_dockerfile.instructions) {
        if (!covers(instruction.range, p) && instruction.range.start.line != p.line)
            continue;
        QString name;
        for (const Flag &flag : instruction.flags) {
            if (!covers(flag.range, p))
                continue;
            if (flag.name == QLatin1String("from")) {
                name = flag.value;
            } else if (flag.name == QLatin1String("mount")) {
                for (const QString &option : flag.value.split(QLatin1Char(',')))
                    if (option.startsWith(QLatin1String("from=")))
                        name = option.mid(5);
            }
        }
        if (name.isEmpty() && instruction.kind == InstructionKind::From && !instruction.args.isEmpty() &&
            covers(instruction.args.first().range, p))
            name = instruction.args.first().text;
        if (name.isEmpty())
            continue;
        const int stage = m_plan.stageIndex(name);
        if (stage >= 0 && stage != ownStage)
            return stage;
    }
    return -1;
}

QString DockerfileEditor::toolTipAt(int position) const
{
    const SourcePosition p = sourcePositionOf(position);
    QStringList problems;
    for (const Diagnostic &d : m_diagnostics) {
        if (!covers(d.range, p))
            continue;
        QString line =
            QStringLiteral("<b>%1:</b> %2").arg(severityLabel(d.severity), d.message.toHtmlEscaped());
        if (!d.rule.isEmpty())
            line += QStringLiteral(" <i>(%1)</i>").arg(d.rule.toHtmlEscaped());
        problems.append(line);
    }
    if (!problems.isEmpty())
        return problems.join(QStringLiteral("<br>"));

    for (const Instruction &instruction : m_dockerfile.instructions) {
        if (!covers(instruction.range, p) && instruction.range.start.line != p.line)
            continue;
        const InstructionDoc *doc = InstructionDocs::find(instruction.kind);
        if (!doc)
            continue;
        if (covers(instruction.keywordRange, p)) {
            QString html = QStringLiteral("<p style='white-space:pre'><b>%1</b></p><p>%2</p>")
                               .arg(doc->syntax.toHtmlEscaped(), translatedDoc(doc->summary).toHtmlEscaped());
            if (!doc->flags.isEmpty()) {
                html += QStringLiteral("<table>");
                for (const FlagDoc &f : doc->flags)
                    html +=
                        QStringLiteral("<tr><td style='white-space:pre'><code>%1</code></td><td>%2</td></tr>")
                            .arg(f.completion().toHtmlEscaped(), translatedDoc(f.help).toHtmlEscaped());
                html += QStringLiteral("</table>");
            }
            return html;
        }
        for (const Flag &flag : instruction.flags) {
            if (!covers(flag.range, p))
                continue;
            for (const FlagDoc &f : doc->flags)
                if (f.name == flag.name)
                    return QStringLiteral("<p style='white-space:pre'><b>--%1%2</b></p><p>%3</p>")
                        .arg(f.name.toHtmlEscaped(),
                             f.valueHint.isEmpty() ? QString()
                                                   : QString(QLatin1Char('=') + f.valueHint).toHtmlEscaped(),
                             translatedDoc(f.help).toHtmlEscaped());
        }
    }
    return {};
}

bool DockerfileEditor::viewportEvent(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = toolTipAt(cursorForPosition(help->pos()).position());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QPlainTextEdit::viewportEvent(event);
}

QStringList DockerfileEditor::stageNamesForCompletion(int line) const
{
    // The stage being written is the last one whose FROM is at or above the line (blank
    // lines after a stage still belong to it); only earlier stages can be referenced.
    int current = -1;
    for (const Stage &stage : m_plan.stages)
        if (stage.fromRange.start.line <= line)
            current = stage.index;
    QStringList names;
    for (const Stage &stage : m_plan.stages) {
        if (current >= 0 && stage.index >= current)
            break;
        names.append(stage.displayName());
    }
    return names;
}

bool DockerfileEditor::complete(bool explicitRequest)
{
    QAbstractItemView *popup = m_completer->popup();
    const QTextCursor cursor = textCursor();
    const QTextBlock block = cursor.block();
    const QString before = block.text().left(cursor.positionInBlock());
    const CompletionProposal proposal = DockerfileCompletion::at(
        before, DockerfileHighlighter::stateBefore(block), stageNamesForCompletion(block.blockNumber() + 1));

    bool wanted = proposal.kind != CompletionProposal::Kind::None && !cursor.hasSelection();
    if (wanted && !explicitRequest) {
        // Typing offers keywords only once a letter is there, and stops offering when the
        // word is already complete.
        if (proposal.kind == CompletionProposal::Kind::Instruction && proposal.prefix.isEmpty())
            wanted = false;
        for (const QString &c : proposal.candidates)
            if (c.compare(proposal.prefix, Qt::CaseInsensitive) == 0)
                wanted = false;
    }
    if (!wanted) {
        popup->hide();
        return false;
    }
    m_completionModel->setStringList(proposal.candidates);
    m_completionStart = block.position() + proposal.replaceStart;
    m_completionAddsSpace = proposal.kind == CompletionProposal::Kind::Instruction;
    m_completer->setCompletionPrefix(proposal.prefix);
    if (m_completer->completionCount() == 0) {
        popup->hide();
        return false;
    }
    QRect rect = cursorRect();
    rect.translate(viewportMargins().left(), 0);
    rect.setWidth(popup->sizeHintForColumn(0) + popup->verticalScrollBar()->sizeHint().width() + 8);
    m_completer->complete(rect);
    popup->setCurrentIndex(m_completer->completionModel()->index(0, 0));
    return true;
}

void DockerfileEditor::insertCompletion(const QString &completion)
{
    QTextCursor cursor = textCursor();
    const int end = cursor.position();
    cursor.setPosition(m_completionStart);
    cursor.setPosition(end, QTextCursor::KeepAnchor);
    QString text = completion;
    if (m_completionAddsSpace ||
        (completion.startsWith(QLatin1String("--")) && !completion.endsWith(QLatin1Char('='))))
        text += QLatin1Char(' ');
    cursor.insertText(text);
    setTextCursor(cursor);
}

void DockerfileEditor::keyPressEvent(QKeyEvent *event)
{
    QAbstractItemView *popup = m_completer->popup();
    if (popup->isVisible()) {
        switch (event->key()) {
        case Qt::Key_Enter:
        case Qt::Key_Return:
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
        case Qt::Key_Escape: event->ignore(); return; // the completer takes these
        default: break;
        }
    }
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        complete(true);
        return;
    }
    if (event->key() == Qt::Key_Escape && !m_provenance.isEmpty()) {
        clearProvenanceLines();
        Q_EMIT provenanceLinesDismissed();
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
    const QString text = event->text();
    const bool typed =
        (!text.isEmpty() && text.at(0).isPrint() && !(event->modifiers() & Qt::ControlModifier)) ||
        event->key() == Qt::Key_Backspace;
    if (typed)
        complete(false);
    else if (popup->isVisible() && event->key() != Qt::Key_Shift)
        popup->hide();
}

void DockerfileEditor::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && (event->modifiers() & Qt::ControlModifier)) {
        const int stage = stageReferenceAt(cursorForPosition(event->position().toPoint()).position());
        if (stage >= 0 && stage < m_plan.stages.size()) {
            const SourcePosition from = m_plan.stages.at(stage).fromRange.start;
            goTo(from.line, from.column);
            Q_EMIT stageLinkActivated(stage);
            event->accept();
            return;
        }
    }
    QPlainTextEdit::mousePressEvent(event);
}

void DockerfileEditor::mouseMoveEvent(QMouseEvent *event)
{
    const bool link = (event->modifiers() & Qt::ControlModifier) &&
                      stageReferenceAt(cursorForPosition(event->position().toPoint()).position()) >= 0;
    viewport()->setCursor(link ? Qt::PointingHandCursor : Qt::IBeamCursor);
    QPlainTextEdit::mouseMoveEvent(event);
}

void DockerfileEditor::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setPalette(palette());
        updateExtraSelections();
    }
    QPlainTextEdit::changeEvent(event);
}

} // namespace stagecraft::ui
