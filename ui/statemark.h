// The shape that says a build state without its colour: a projector washes colours out
// and some people do not tell them apart. Queued is an empty ring, running a play
// triangle, cached a circular arrow, done a tick, failed a cross; idle draws nothing.
#pragma once

#include "ui/stagestate.h"

#include <QColor>
#include <QRectF>

class QPainter;

namespace stagecraft::ui {

class StateMark
{
public:
    // Draws the mark for `state` in `colour`, centred in the square that fits `box`.
    static void draw(QPainter *painter, const QRectF &box, StageState state, const QColor &colour);
};

} // namespace stagecraft::ui
