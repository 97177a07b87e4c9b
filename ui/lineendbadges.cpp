#include "ui/lineendbadges.h"

#include "ui/dockerfileeditor.h"
#include "ui/theme.h"

#include <QEvent>
#include <QFontMetrics>
#include <QPainter>
#include <QTextBlock>

#include <algorithm>

namespace stagecraft::ui {

LineEndBadges::LineEndBadges(DockerfileEditor *editor)
    : QWidget(editor)
    , m_editor(editor)
{
    // A sibling above the viewport rather than its child: the viewport scrolls its
    // children with its contents, and the badges are placed afresh on every paint.
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setFocusPolicy(Qt::NoFocus);
    setGeometry(editor->viewport()->geometry());
    m_viewport = editor->viewport();
    m_viewport->installEventFilter(this);
    // Only what the editor repaints (a blinking cursor is one line), everything on a scroll.
    connect(editor, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
        if (dy != 0)
            update();
        else
            update(QRect(0, rect.top(), width(), rect.height()));
    });
    raise();
}

bool LineEndBadges::eventFilter(QObject *watched, QEvent *event)
{
    // The viewport kept at construction, not asked of the editor: while the window closes the
    // viewport's events still come when the editor is half destroyed.
    if ((event->type() == QEvent::Resize || event->type() == QEvent::Move) && watched == m_viewport)
        setGeometry(m_viewport->geometry());
    return QWidget::eventFilter(watched, event);
}

void LineEndBadges::paintEvent(QPaintEvent *)
{
    m_drawn = 0;
    if (!m_editor->hasLayerBadges())
        return;
    QPainter painter(this);
    const QPalette pal = m_editor->palette();
    const bool dark = Theme::isDark(pal);
    // The gutter's badge colours and size: the same badge, moved.
    const QColor addedColor = dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0x9a, 0x67, 0x00);
    const QColor cachedColor = dark ? QColor(0x56, 0xd3, 0x64) : QColor(0x1a, 0x7f, 0x37);
    QColor dim = pal.color(QPalette::WindowText);
    dim.setAlphaF(0.55f);
    QFont small = m_editor->font();
    small.setPointSizeF(std::max(4.0, m_editor->font().pointSizeF() * 0.8));
    painter.setFont(small);
    const QFontMetrics metrics(small);
    const int gap = QFontMetrics(m_editor->font()).horizontalAdvance(QLatin1Char(' '));
    const int right = width() - gap / 2;

    QTextBlock block = m_editor->cursorForPosition(QPoint(0, 0)).block();
    for (; block.isValid(); block = block.next()) {
        QTextCursor end(block);
        end.movePosition(QTextCursor::EndOfBlock);
        const QRect caret = m_editor->cursorRect(end);
        if (caret.top() > height())
            break;
        const LayerBadge badge = m_editor->layerBadge(block.blockNumber() + 1);
        if (badge.text.isEmpty() || !block.isVisible())
            continue;
        const int badgeWidth = metrics.horizontalAdvance(badge.text);
        if (caret.right() + gap > right - badgeWidth)
            continue; // it would cover code
        painter.setPen(badge.kind == LayerBadge::Kind::Added    ? addedColor
                       : badge.kind == LayerBadge::Kind::Cached ? cachedColor
                                                                : dim);
        painter.drawText(QRect(right - badgeWidth, caret.top(), badgeWidth, caret.height()),
                         Qt::AlignRight | Qt::AlignVCenter, badge.text);
        ++m_drawn;
    }
}

} // namespace stagecraft::ui
