#include "ui/stageedgeitem.h"

#include "ui/graphstyle.h"
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
    setZValue(emphasized ? 0.5 : 0);
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

    if (!m_label.isEmpty()) {
        // In the gap before the target, where no node is: the middle of the last curve.
        QPointF a = m_points[m_points.size() - 2];
        QPointF b = m_points.last();
        for (qsizetype i = m_points.size() - 1; i > 0; --i) {
            if (m_points[i].x() - m_points[i - 1].x() > 1) {
                a = m_points[i - 1];
                b = m_points[i];
                break;
            }
        }
        const QPointF centre = m_backward ? m_path.pointAtPercent(0.5) : (a + b) / 2;
        const QFontMetricsF metrics(style.smallFont);
        m_shownLabel = metrics.elidedText(m_label, Qt::ElideMiddle, style.labelWidth());
        const qreal w = metrics.horizontalAdvance(m_shownLabel) + 10 * s;
        const qreal h = metrics.height() + 4 * s;
        m_labelRect = QRectF(centre.x() - w / 2, centre.y() - h / 2, w, h);
        m_bounds = m_bounds.united(m_labelRect);
    }
    const qreal pad = 4 * s;
    m_bounds.adjust(-pad, -pad, pad, pad);
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

    QPen pen(colour, (m_emphasized ? 3.2 : 2.0) * s);
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
