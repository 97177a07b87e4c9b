// The squarified treemap layout (Bruls, Huizing and van Wijk): rectangles whose areas are
// proportional to their weights and whose sides stay close to square, computed without
// painting so the view only draws and the tests check geometry.
#pragma once

#include <QList>
#include <QRectF>

namespace stagecraft::ui {

class TreemapLayout
{
public:
    // One rectangle per weight, in the order given, tiling `rect`. Weights should come
    // largest first (squarifying relies on it); zero and negative weights get empty
    // rectangles.
    static QList<QRectF> squarify(const QList<qint64> &weights, const QRectF &rect);
};

} // namespace stagecraft::ui
