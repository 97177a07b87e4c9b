#include "ui/treemaplayout.h"

#include <algorithm>
#include <limits>

namespace stagecraft::ui {

namespace {

// The worst aspect ratio of a row of areas laid along a side of length `side`.
double worst(double sum, double smallest, double largest, double side)
{
    if (sum <= 0 || smallest <= 0)
        return std::numeric_limits<double>::max();
    const double s2 = sum * sum;
    const double w2 = side * side;
    return std::max(w2 * largest / s2, s2 / (w2 * smallest));
}

} // namespace

QList<QRectF> TreemapLayout::squarify(const QList<qint64> &weights, const QRectF &rect)
{
    QList<QRectF> out(weights.size());
    double total = 0;
    for (qint64 w : weights)
        total += double(std::max<qint64>(w, 0));
    if (total <= 0 || rect.isEmpty())
        return out;
    const double scale = rect.width() * rect.height() / total;
    QRectF free = rect;
    qsizetype i = 0;
    while (i < weights.size()) {
        if (weights[i] <= 0) {
            ++i;
            continue;
        }
        const bool horizontal = free.width() >= free.height(); // lay the row along the short side
        const double side = horizontal ? free.height() : free.width();
        // Grow the row while that improves its worst aspect ratio.
        qsizetype end = i;
        double sum = 0, smallest = 0, largest = 0;
        double best = std::numeric_limits<double>::max();
        while (end < weights.size()) {
            const double area = double(std::max<qint64>(weights[end], 0)) * scale;
            if (area <= 0) {
                ++end;
                continue;
            }
            const double s = sum + area;
            const double lo = smallest == 0 ? area : std::min(smallest, area);
            const double hi = std::max(largest, area);
            const double ratio = worst(s, lo, hi, side);
            if (ratio > best)
                break;
            best = ratio;
            sum = s;
            smallest = lo;
            largest = hi;
            ++end;
        }
        const double thickness = side > 0 ? sum / side : 0;
        double offset = 0;
        for (qsizetype k = i; k < end; ++k) {
            const double area = double(std::max<qint64>(weights[k], 0)) * scale;
            if (area <= 0)
                continue;
            const double length = thickness > 0 ? area / thickness : 0;
            out[k] = horizontal ? QRectF(free.left(), free.top() + offset, thickness, length)
                                : QRectF(free.left() + offset, free.top(), length, thickness);
            offset += length;
        }
        if (horizontal)
            free.setLeft(free.left() + thickness);
        else
            free.setTop(free.top() + thickness);
        i = end;
    }
    return out;
}

} // namespace stagecraft::ui
