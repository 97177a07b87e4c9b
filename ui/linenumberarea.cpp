#include "ui/linenumberarea.h"

#include "ui/dockerfileeditor.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QToolTip>

namespace stagecraft::ui {

LineNumberArea::LineNumberArea(DockerfileEditor *editor)
    : QWidget(editor)
    , m_editor(editor)
{
    setCursor(Qt::ArrowCursor);
}

QSize LineNumberArea::sizeHint() const
{
    return {m_editor->lineNumberAreaWidth(), 0};
}

bool LineNumberArea::event(QEvent *event)
{
    // Badges and the failure mark explain themselves on hover.
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QString text = m_editor->lineNumberToolTip(help->pos().y());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void LineNumberArea::paintEvent(QPaintEvent *event)
{
    m_editor->paintLineNumbers(event);
}

void LineNumberArea::mousePressEvent(QMouseEvent *event)
{
    // A click on a number selects that line, as in most editors.
    const QTextCursor cursor = m_editor->cursorForPosition(QPoint(0, event->position().toPoint().y()));
    m_editor->selectLines(cursor.blockNumber() + 1, cursor.blockNumber() + 1);
}

} // namespace stagecraft::ui
