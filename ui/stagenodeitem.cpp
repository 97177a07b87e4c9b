#include "ui/stagenodeitem.h"

#include "ui/graphstyle.h"
#include "ui/provenancecolor.h"
#include "ui/stagegraphscene.h"
#include "ui/statemark.h"

#include <QCoreApplication>
#include <QCursor>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

namespace stagecraft::ui {

namespace {

// The base as the FROM line reads: "FROM golang:1.21", "FROM build", "FROM scratch".
QString fromText(const Stage &stage)
{
    if (stage.base.isEmpty())
        return QStringLiteral("FROM");
    return QStringLiteral("FROM ") + stage.base;
}

} // namespace

StageNodeItem::StageNodeItem(StageGraphScene *scene, const LayoutNode &node, const Stage &stage)
    : m_scene(scene)
    , m_node(node)
    , m_stage(stage)
{
    setAcceptHoverEvents(true);
    setPos(node.rect.topLeft());
    setZValue(1);
    if (isStage())
        setCursor(Qt::PointingHandCursor);
    updateToolTip();
}

void StageNodeItem::setLayoutNode(const LayoutNode &node)
{
    prepareGeometryChange();
    m_node = node;
}

void StageNodeItem::setStage(const Stage &stage)
{
    m_stage = stage;
    updateToolTip();
}

QRectF StageNodeItem::boundingRect() const
{
    // Room for the selection and provenance rings and the error marker outside the body.
    const qreal out = 9 * m_scene->style().scale;
    return QRectF(QPointF(0, 0), size()).adjusted(-out, -out, out, out);
}

QPainterPath StageNodeItem::shape() const
{
    QPainterPath path;
    const QRectF body(QPointF(0, 0), size());
    const qreal r = isStage() ? m_scene->style().radius() : body.height() / 2;
    path.addRoundedRect(body, r, r);
    return path;
}

void StageNodeItem::setTarget(bool target)
{
    if (m_target == target)
        return;
    m_target = target;
    update();
}

void StageNodeItem::setSelected(bool selected)
{
    if (m_selected == selected)
        return;
    m_selected = selected;
    setZValue(selected ? 2 : 1);
    update();
}

void StageNodeItem::setHovered(bool hovered)
{
    if (m_hovered == hovered)
        return;
    m_hovered = hovered;
    update();
}

void StageNodeItem::setDropHighlighted(bool highlighted)
{
    if (m_dropHighlighted == highlighted)
        return;
    m_dropHighlighted = highlighted;
    update();
}

void StageNodeItem::setTrace(bool traced, bool dimmed)
{
    if (m_traced == traced && m_dimmed == dimmed)
        return;
    m_traced = traced;
    m_dimmed = dimmed; // the scene sets the opacity, which also says whether the stage is needed
    update();
}

void StageNodeItem::setErrors(const QStringList &messages)
{
    m_errors = messages;
    updateToolTip();
    update();
}

void StageNodeItem::setCacheReasons(const QStringList &reasons)
{
    if (m_cacheReasons == reasons)
        return;
    m_cacheReasons = reasons;
    updateToolTip();
}

void StageNodeItem::setState(StageState state, const QString &detail)
{
    if (m_state == state && m_detail == detail)
        return;
    m_state = state;
    m_detail = detail;
    updateToolTip();
    update();
}

QColor StageNodeItem::fillColor() const
{
    const GraphStyle &style = m_scene->style();
    if (!isStage())
        return style.imageFill;
    QColor fill = style.stateFill(m_state);
    if (m_dropHighlighted)
        fill = mixColors(fill, style.dropTarget, 0.25);
    else if (m_hovered)
        fill = mixColors(fill, style.text, 0.04);
    return fill;
}

QString StageNodeItem::stateText() const
{
    QString text;
    switch (m_state) {
    case StageState::Idle: return m_detail;
    case StageState::Queued: text = tr("queued"); break;
    case StageState::Running: text = tr("running"); break;
    case StageState::Cached: text = tr("cached"); break;
    case StageState::Done: text = tr("done"); break;
    case StageState::Failed: text = tr("failed"); break;
    }
    if (!m_detail.isEmpty())
        text += QStringLiteral(" · ") + m_detail;
    return text;
}

void StageNodeItem::updateToolTip()
{
    QStringList lines;
    if (!isStage()) {
        lines << tr("External image %1").arg(m_node.image);
    } else {
        lines << (m_stage.name.isEmpty() ? tr("Stage %1").arg(m_stage.index)
                                         : tr("Stage %1 (%2)").arg(m_stage.name).arg(m_stage.index));
        lines << fromText(m_stage);
        if (!m_stage.platform.isEmpty())
            lines << tr("Platform %1").arg(m_stage.platform);
        if (m_stage.range.isValid())
            lines << tr("Lines %1–%2").arg(m_stage.range.start.line).arg(m_stage.range.end.line);
        if (!m_stage.needed && !m_stage.notNeededReason.isEmpty())
            lines << m_stage.notNeededReason;
        if (m_state != StageState::Idle)
            lines << stateText();
        if (!m_cacheReasons.isEmpty()) {
            lines << tr("Not cached:");
            for (const QString &reason : m_cacheReasons)
                lines << QStringLiteral("  ") + reason;
        }
        lines << m_errors;
    }
    setToolTip(lines.join(QLatin1Char('\n')));
}

void StageNodeItem::hoverEnterEvent(QGraphicsSceneHoverEvent *)
{
    m_scene->setHoveredNode(this);
}

void StageNodeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent *)
{
    m_scene->setHoveredNode(nullptr);
}

void StageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);
    if (m_traced) {
        // Outside the selection's ring, so a traced stage can be the selected one too.
        const qreal s = m_scene->style().scale;
        const qreal gap = 6.5 * s;
        const qreal radius = m_scene->style().radius();
        painter->setPen(QPen(provenanceColor(m_scene->style().dark), 3 * s));
        painter->setBrush(Qt::NoBrush);
        painter->drawRoundedRect(QRectF(QPointF(0, 0), size()).adjusted(-gap, -gap, gap, gap), radius + gap,
                                 radius + gap);
    }
    if (isStage())
        paintStage(painter);
    else
        paintImage(painter);
}

void StageNodeItem::paintStage(QPainter *painter)
{
    const GraphStyle &style = m_scene->style();
    const qreal s = style.scale;
    const qreal pad = style.padding();
    const qreal radius = style.radius();
    const QRectF body(QPointF(0, 0), size());

    if (m_selected || m_dropHighlighted) {
        QPen ring(m_dropHighlighted ? style.dropTarget : style.selection, 3 * s);
        if (m_dropHighlighted)
            ring.setStyle(Qt::DashLine);
        painter->setPen(ring);
        painter->setBrush(Qt::NoBrush);
        const qreal gap = 4.5 * s;
        painter->drawRoundedRect(body.adjusted(-gap, -gap, gap, gap), radius + gap, radius + gap);
    }

    QColor border = m_state == StageState::Idle ? style.nodeBorder : style.stateColor(m_state);
    qreal borderWidth = 1.5 * s;
    if (m_target) {
        borderWidth = 3 * s;
        if (m_state == StageState::Idle)
            border = style.target;
    }
    painter->setPen(QPen(border, borderWidth));
    painter->setBrush(fillColor());
    const qreal inset = borderWidth / 2;
    painter->drawRoundedRect(body.adjusted(inset, inset, -inset, -inset), radius, radius);

    const QFontMetricsF nameMetrics(style.nameFont);
    const QFontMetricsF textMetrics(style.textFont);
    const QFontMetricsF smallMetrics(style.smallFont);
    const qreal innerWidth = body.width() - 2 * pad;
    qreal y = pad;

    // Name, with a "target" badge on the right.
    qreal nameWidth = innerWidth;
    if (m_target) {
        const QString badge = tr("target");
        const qreal bw = smallMetrics.horizontalAdvance(badge) + 12 * s;
        const qreal bh = smallMetrics.height() + 2 * s;
        const QRectF badgeRect(body.width() - pad - bw, y + (nameMetrics.height() - bh) / 2, bw, bh);
        painter->setPen(Qt::NoPen);
        painter->setBrush(style.target);
        painter->drawRoundedRect(badgeRect, bh / 2, bh / 2);
        painter->setPen(style.dark ? QColor(0x10, 0x20, 0x18) : QColor(Qt::white));
        painter->setFont(style.smallFont);
        painter->drawText(badgeRect, Qt::AlignCenter, badge);
        nameWidth -= bw + 8 * s;
    }
    const QString name = m_stage.name.isEmpty() ? tr("stage %1").arg(m_stage.index) : m_stage.name;
    painter->setFont(style.nameFont);
    painter->setPen(style.text);
    painter->drawText(QRectF(pad, y, nameWidth, nameMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      nameMetrics.elidedText(name, Qt::ElideRight, nameWidth));
    y += nameMetrics.height() + 4 * s;

    // The base: "FROM" muted, the reference in the text colour.
    painter->setFont(style.textFont);
    const QString keyword = QStringLiteral("FROM ");
    const qreal keywordWidth = textMetrics.horizontalAdvance(keyword);
    painter->setPen(style.mutedText);
    painter->drawText(QRectF(pad, y, keywordWidth, textMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      keyword);
    painter->setPen(style.text);
    const QString base = m_stage.base.isEmpty() ? QStringLiteral("?") : m_stage.base;
    painter->drawText(QRectF(pad + keywordWidth, y, innerWidth - keywordWidth, textMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      elideReference(base, textMetrics, innerWidth - keywordWidth));
    y += textMetrics.height() + 4 * s;

    // Step count, then the build status on a line of its own: neither is ever cut.
    painter->setFont(style.smallFont);
    // Counted as the build counts them ("step 2 of 3", BuildKit's [2/3]): the FROM is step 1.
    const int stepCount = m_stage.stepCount + 1;
    const QString steps = stepCount == 1 ? tr("1 step") : tr("%1 steps").arg(stepCount);
    painter->setPen(style.mutedText);
    painter->drawText(QRectF(pad, y, innerWidth, smallMetrics.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      steps);
    y += smallMetrics.height() + 2 * s;
    const QString status = stateText();
    if (!status.isEmpty()) {
        const qreal dot = m_state == StageState::Idle ? 0 : std::max(8 * s, smallMetrics.height() * 0.7);
        const qreal textLeft = pad + (dot > 0 ? dot + 6 * s : 0);
        // The node's width is fixed; a status a little longer than the line (a long
        // translation) is drawn slightly narrower rather than cut; only a runaway one is elided.
        QFont font = style.smallFont;
        const qreal available = innerWidth - (textLeft - pad);
        const qreal natural = smallMetrics.horizontalAdvance(status);
        if (natural > available)
            font.setStretch(std::max(80, int(100 * available / natural)));
        painter->setFont(font);
        painter->setPen(m_state == StageState::Idle ? style.mutedText : style.text);
        painter->drawText(QRectF(textLeft, y, available, smallMetrics.height()),
                          Qt::AlignLeft | Qt::AlignVCenter,
                          QFontMetricsF(font).elidedText(status, Qt::ElideRight, available));
        if (dot > 0) { // a StateMark: a shape as well as a colour, for washed-out projectors
            StateMark::draw(painter, QRectF(pad, y + (smallMetrics.height() - dot) / 2, dot, dot), m_state,
                            style.stateColor(m_state));
        }
    }

    // Errors: a red marker on the top-left corner.
    if (!m_errors.isEmpty()) {
        const qreal d = 18 * s;
        const QRectF marker(-d / 3, -d / 3, d, d);
        painter->setPen(QPen(style.background, 2 * s));
        painter->setBrush(style.error);
        painter->drawEllipse(marker);
        QFont bold = style.smallFont;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(Qt::white);
        painter->drawText(marker, Qt::AlignCenter, QStringLiteral("!"));
    }
}

void StageNodeItem::paintImage(QPainter *painter)
{
    const GraphStyle &style = m_scene->style();
    const qreal s = style.scale;
    const QRectF body(QPointF(0, 0), size());
    const qreal r = body.height() / 2;

    QPen pen(m_hovered ? style.text : style.imageBorder, 1.5 * s);
    painter->setPen(pen);
    painter->setBrush(style.imageFill);
    painter->drawRoundedRect(body.adjusted(0.75 * s, 0.75 * s, -0.75 * s, -0.75 * s), r, r);

    // A shipping container: a box with ribs.
    const QFontMetricsF metrics(style.textFont);
    const qreal iconH = metrics.height() * 0.8;
    const qreal iconW = iconH * 1.5;
    const QRectF icon(r * 0.7, (body.height() - iconH) / 2, iconW, iconH);
    painter->setPen(QPen(style.mutedText, 1.4 * s));
    painter->setBrush(mixColors(style.imageFill, style.mutedText, 0.25));
    painter->drawRoundedRect(icon, 2 * s, 2 * s);
    for (int i = 1; i < 4; ++i) {
        const qreal x = icon.left() + icon.width() * i / 4;
        painter->drawLine(QPointF(x, icon.top() + iconH * 0.22), QPointF(x, icon.bottom() - iconH * 0.22));
    }

    const qreal textLeft = icon.right() + 8 * s;
    const qreal textWidth = body.width() - textLeft - r * 0.7;
    painter->setFont(style.textFont);
    painter->setPen(style.text);
    painter->drawText(QRectF(textLeft, 0, textWidth, body.height()), Qt::AlignLeft | Qt::AlignVCenter,
                      elideReference(m_node.image, metrics, textWidth));
}

} // namespace stagecraft::ui
