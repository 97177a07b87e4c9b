#include "ui/stageedgeitem.h"

#include "ui/graphstyle.h"
#include "ui/provenancecolor.h"
#include "ui/stagegraphscene.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPathStroker>

namespace stagecraft::ui {

StageEdgeItem::StageEdgeItem(StageGraphScene *scene, const Edge &edge, int edgeIndex)
    : m_scene(scene)
    , m_edge(edge)
    , m_edgeIndex(edgeIndex)
{
    setZValue(0);
}

void StageEdgeItem::setPoints(const QList<QPointF> &points, bool backward)
{
    m_points = points;
    m_backward = backward;
    rebuild();
}

void StageEdgeItem::setLabel(const QString &label)
{
    m_label = label;
    rebuild();
}

void StageEdgeItem::setNeeded(bool needed)
{
    m_needed = needed;
    update();
}

void StageEdgeItem::setEmphasized(bool emphasized)
{
    if (m_emphasized == emphasized)
        return;
    m_emphasized = emphasized;
    setZValue(m_traced ? 0.8 : (emphasized ? 0.5 : 0));
    update();
}

void StageEdgeItem::setTrace(bool traced, bool dimmed)
{
    if (m_traced == traced && m_dimmed == dimmed)
        return;
    m_traced = traced;
    m_dimmed = dimmed;
    setOpacity(dimmed ? 0.3 : 1.0);
    setZValue(traced ? 0.8 : (m_emphasized ? 0.5 : 0));
    update();
}

void StageEdgeItem::rebuild()
{
    prepareGeometryChange();
    m_path = QPainterPath();
    m_arrow.clear();
    m_labelRect = QRectF();
    if (m_points.size() < 2) {
        m_bounds = QRectF();
        return;
    }
    const GraphStyle &style = m_scene->style();
    const qreal s = style.scale;
    const qreal arrowLength = 11 * s;
    const qreal arrowHalfWidth = 5.5 * s;

    QList<QPointF> pts = m_points;
    const QPointF tip = pts.last();
    // The line stops where the arrowhead starts, so dashes do not poke through it.
    pts.last().rx() -= arrowLength;

    m_path.moveTo(pts.first());
    if (m_backward) {
        // Closes a cycle: loop out to the right, over the top, and into the target's left.
        const QPointF a = pts.first();
        const QPointF b = pts.last();
        const qreal lift = 60 * s + std::abs(a.x() - b.x()) * 0.15;
        const qreal top = std::min(a.y(), b.y()) - lift;
        m_path.cubicTo(QPointF(a.x() + 80 * s, a.y()), QPointF(a.x() + 80 * s, top),
                       QPointF((a.x() + b.x()) / 2, top));
        m_path.cubicTo(QPointF(b.x() - 80 * s, top), QPointF(b.x() - 80 * s, b.y()), b);
    } else {
        for (qsizetype i = 1; i < pts.size(); ++i) {
            const QPointF a = pts[i - 1];
            const QPointF b = pts[i];
            if (std::abs(a.y() - b.y()) < 0.5) {
                m_path.lineTo(b);
            } else {
                const qreal mid = (a.x() + b.x()) / 2;
                m_path.cubicTo(QPointF(mid, a.y()), QPointF(mid, b.y()), b);
            }
        }
    }
    m_arrow << tip << QPointF(tip.x() - arrowLength, tip.y() - arrowHalfWidth)
            << QPointF(tip.x() - arrowLength, tip.y() + arrowHalfWidth);
    m_bounds = m_path.boundingRect().united(m_arrow.boundingRect());

    const QList<QPointF> candidates = labelCandidates();
    if (!m_label.isEmpty() && m_labelPlacement >= 0 && m_labelPlacement < candidates.size()) {
        const QFontMetricsF metrics(style.smallFont);
        m_shownLabel = metrics.elidedText(m_label, Qt::ElideMiddle, style.labelWidth());
        const QSizeF size = labelSize();
        const QPointF centre = candidates[m_labelPlacement];
        m_labelRect = QRectF(centre.x() - size.width() / 2, centre.y() - size.height() / 2, size.width(),
                             size.height());
        m_bounds = m_bounds.united(m_labelRect);
    }
    const qreal pad = 4 * s;
    m_bounds.adjust(-pad, -pad, pad, pad);
}

QList<QPointF> StageEdgeItem::labelCandidates() const
{
    QList<QPointF> gaps;
    QList<QPointF> runs;
    if (m_points.size() < 2)
        return gaps;
    if (m_backward) {
        gaps.append(m_path.pointAtPercent(0.5));
        return gaps;
    }
    // Gaps from the target backwards: a label near its arrowhead reads best.
    for (qsizetype i = m_points.size() - 1; i > 0; --i) {
        const QPointF a = m_points[i - 1];
        const QPointF b = m_points[i];
        if (b.x() - a.x() <= 1)
            continue;
        if (std::abs(a.y() - b.y()) < 0.5 && i != 1 && i != m_points.size() - 1)
            runs.append((a + b) / 2);
        else
            gaps.append((a + b) / 2);
    }
    return gaps + runs;
}

QSizeF StageEdgeItem::labelSize() const
{
    const GraphStyle &style = m_scene->style();
    const QFontMetricsF metrics(style.smallFont);
    const QString shown = metrics.elidedText(m_label, Qt::ElideMiddle, style.labelWidth());
    return QSizeF(metrics.horizontalAdvance(shown) + 10 * style.scale, metrics.height() + 4 * style.scale);
}

void StageEdgeItem::setLabelPlacement(int candidate)
{
    m_labelPlacement = candidate;
    rebuild();
}

QRectF StageEdgeItem::boundingRect() const
{
    return m_bounds;
}

QPainterPath StageEdgeItem::shape() const
{
    QPainterPathStroker stroker;
    stroker.setWidth(8 * m_scene->style().scale);
    QPainterPath shape = stroker.createStroke(m_path);
    shape.addPolygon(m_arrow);
    if (!m_labelRect.isEmpty())
        shape.addRect(m_labelRect);
    return shape;
}

void StageEdgeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *, QWidget *)
{
    if (m_path.isEmpty())
        return;
    const GraphStyle &style = m_scene->style();
    const qreal s = style.scale;
    painter->setRenderHint(QPainter::Antialiasing);

    QColor colour = style.edgeFrom;
    if (m_edge.kind == EdgeKind::Copy)
        colour = style.edgeCopy;
    else if (m_edge.kind == EdgeKind::Mount)
        colour = style.edgeMount;
    if (m_backward)
        colour = style.error;
    if (!m_needed && !m_emphasized)
        colour = mixColors(colour, style.background, 0.55);
    if (m_traced)
        colour = provenanceColor(style.dark);

    QPen pen(colour, (m_traced ? 3.6 : m_emphasized ? 3.2 : 2.0) * s);
    pen.setCapStyle(Qt::FlatCap);
    if (m_edge.kind == EdgeKind::Copy) {
        pen.setDashPattern({4.0, 2.5});
    } else if (m_edge.kind == EdgeKind::Mount) {
        pen.setCapStyle(Qt::RoundCap);
        pen.setDashPattern({0.01, 2.2});
    }
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(m_path);

    painter->setPen(Qt::NoPen);
    painter->setBrush(colour);
    painter->drawPolygon(m_arrow);

    if (!m_labelRect.isEmpty()) {
        QColor fill = style.background;
        fill.setAlphaF(0.92f);
        painter->setPen(QPen(colour, 1.0 * s));
        painter->setBrush(fill);
        painter->drawRoundedRect(m_labelRect, 4 * s, 4 * s);
        painter->setFont(style.smallFont);
        painter->setPen(m_needed ? style.text : style.mutedText);
        painter->drawText(m_labelRect, Qt::AlignCenter, m_shownLabel);
    }
}

} // namespace stagecraft::ui
