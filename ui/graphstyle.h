// Fonts, colours and sizes of the stage graph, derived from the widget's palette and font
// so that light and dark themes and the projector zoom all stay readable.
#pragma once

#include "ui/graphlayout.h"
#include "ui/stagestate.h"

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPalette>

namespace stagecraft::ui {

struct GraphStyle
{
    qreal scale = 1.0; // the font scale; sizes and pen widths grow with it
    bool dark = false;
    QFont nameFont;  // stage names
    QFont textFont;  // base image, image references
    QFont smallFont; // step counts, status, edge labels, badges
    QColor background;
    QColor text;
    QColor mutedText;
    QColor nodeFill;
    QColor nodeBorder;
    QColor imageFill;
    QColor imageBorder;
    QColor edgeFrom;
    QColor edgeCopy;
    QColor edgeMount;
    QColor selection;
    QColor target;
    QColor error;
    QColor dropTarget;

    static GraphStyle fromPalette(const QPalette &palette, const QFont &font, qreal scale);

    QColor stateColor(StageState state) const;
    QColor stateFill(StageState state) const;
    LayoutMetrics metrics() const;
    qreal padding() const { return 12 * scale; }
    qreal radius() const { return 10 * scale; }
    qreal labelWidth() const; // the widest an edge label may get
    // The height in scene units (pixels at zoom 1) of the smallest text the graph draws:
    // the view never zooms out so far that it drops below a readable size on screen.
    qreal smallestTextPixels() const;
    static qreal textPixels(const QFont &font);
};

QColor mixColors(const QColor &a, const QColor &b, qreal t); // t = 0 gives a, 1 gives b

// An image reference shortened to `width`: the tag is cut first, then the registry and
// namespace on the left, so "quay.io/minio/minio:RELEASE.2024…" keeps "minio:RELEA…".
QString elideReference(const QString &reference, const QFontMetricsF &metrics, qreal width);

} // namespace stagecraft::ui
