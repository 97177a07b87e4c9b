#include "ui/linenumberarea.h"

#include "ui/dockerfileeditor.h"

#include <QMouseEvent>

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
