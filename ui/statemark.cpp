#include "ui/statemark.h"

#include <QPainter>
#include <QPainterPath>
#include <QPolygonF>

#include <algorithm>

namespace stagecraft::ui {

void StateMark::draw(QPainter *painter, const QRectF &box, StageState state, const QColor &colour)
{
    if (state == StageState::Idle || box.isEmpty())
        return;
    const qreal side = std::min(box.width(), box.height());
    const QRectF r(box.center().x() - side / 2, box.center().y() - side / 2, side, side);
    const qreal stroke = std::max(1.0, side / 5);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(colour, stroke, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
    switch (state) {
    case StageState::Idle: break;
    case StageState::Queued:
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(r.adjusted(stroke / 2, stroke / 2, -stroke / 2, -stroke / 2));
        break;
    case StageState::Running: {
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        const QPolygonF triangle{{r.left() + side * 0.15, r.top()},
                                 {r.right(), r.center().y()},
                                 {r.left() + side * 0.15, r.bottom()}};
        painter->drawPolygon(triangle);
        break;
    }
    case StageState::Cached: {
        // Three quarters of a circle and an arrowhead at its end: "reused".
        painter->setPen(pen);
        painter->setBrush(Qt::NoBrush);
        const QRectF ring = r.adjusted(stroke, stroke, -stroke, -stroke);
        painter->drawArc(ring, 90 * 16, -270 * 16);
        painter->setPen(Qt::NoPen);
        painter->setBrush(colour);
        const QPointF end(ring.left(), ring.center().y());
        const qreal head = side * 0.32;
        // The arc runs clockwise from the top, so at its left end it heads upwards.
        painter->drawPolygon(QPolygonF{{end.x() - head / 1.4, end.y() + head * 0.1},
                                       {end.x() + head / 1.4, end.y() + head * 0.1},
                                       {end.x(), end.y() - head * 0.8}});
        break;
    }
    case StageState::Done: {
        painter->setPen(pen);
        QPainterPath tick;
        tick.moveTo(r.left() + side * 0.1, r.top() + side * 0.55);
        tick.lineTo(r.left() + side * 0.4, r.top() + side * 0.85);
        tick.lineTo(r.right() - side * 0.05, r.top() + side * 0.15);
        painter->setBrush(Qt::NoBrush);
        painter->drawPath(tick);
        break;
    }
    case StageState::Failed:
        painter->setPen(pen);
        painter->drawLine(r.topLeft() + QPointF(stroke, stroke), r.bottomRight() - QPointF(stroke, stroke));
        painter->drawLine(r.topRight() + QPointF(-stroke, stroke), r.bottomLeft() + QPointF(stroke, -stroke));
        break;
    }
    painter->restore();
}

} // namespace stagecraft::ui
