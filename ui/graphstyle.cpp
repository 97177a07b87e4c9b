#include "ui/graphstyle.h"

#include <QFontInfo>
#include <QFontMetricsF>

namespace stagecraft::ui {

QColor mixColors(const QColor &a, const QColor &b, qreal t)
{
    const QColor x = a.toRgb();
    const QColor y = b.toRgb();
    return QColor::fromRgbF(
        float(x.redF() + (y.redF() - x.redF()) * t), float(x.greenF() + (y.greenF() - x.greenF()) * t),
        float(x.blueF() + (y.blueF() - x.blueF()) * t), float(x.alphaF() + (y.alphaF() - x.alphaF()) * t));
}

QString elideReference(const QString &reference, const QFontMetricsF &metrics, qreal width)
{
    if (metrics.horizontalAdvance(reference) <= width)
        return reference;
    // The repository ends at the tag's colon (not a registry port's) or at the digest.
    const qsizetype at = reference.indexOf(QLatin1Char('@'));
    const QStringView named = at >= 0 ? QStringView(reference).left(at) : QStringView(reference);
    qsizetype cut = named.lastIndexOf(QLatin1Char(':'));
    if (cut < named.lastIndexOf(QLatin1Char('/')))
        cut = at;
    const QString repository = cut >= 0 ? reference.left(cut) : reference;
    const QString tag = cut >= 0 ? reference.mid(cut) : QString();
    const qreal repositoryWidth = metrics.horizontalAdvance(repository);
    const qreal shortestTag = tag.isEmpty() ? 0 : metrics.horizontalAdvance(tag.left(4) + QChar(0x2026));
    if (repositoryWidth + shortestTag <= width)
        return repository + metrics.elidedText(tag, Qt::ElideRight, width - repositoryWidth);
    const QString shortTag =
        tag.isEmpty()
            ? QString()
            : metrics.elidedText(tag, Qt::ElideRight, std::min(width * 0.4, metrics.horizontalAdvance(tag)));
    return metrics.elidedText(repository, Qt::ElideLeft, width - metrics.horizontalAdvance(shortTag)) +
           shortTag;
}

GraphStyle GraphStyle::fromPalette(const QPalette &palette, const QFont &font, qreal scale)
{
    GraphStyle style;
    style.scale = scale;
    style.background = palette.color(QPalette::Base);
    style.text = palette.color(QPalette::Text);
    style.dark = style.background.lightnessF() < 0.5;
    const bool dark = style.dark;
    style.mutedText = mixColors(style.text, style.background, 0.35);

    const qreal base = font.pointSizeF() > 0 ? font.pointSizeF() : 10.0;
    style.nameFont = font;
    style.nameFont.setPointSizeF(base * 1.3 * scale);
    style.nameFont.setBold(true);
    style.textFont = font;
    style.textFont.setPointSizeF(base * 1.05 * scale);
    style.smallFont = font;
    style.smallFont.setPointSizeF(base * 0.95 * scale);

    // Fixed hues, lightness chosen per theme: the palette's highlight can be anything.
    const QColor blue = dark ? QColor(0x6c, 0xb6, 0xff) : QColor(0x1f, 0x6f, 0xd1);
    style.nodeFill = mixColors(style.background, blue, dark ? 0.16 : 0.07);
    style.nodeBorder = mixColors(style.background, blue, dark ? 0.65 : 0.55);
    style.imageFill = mixColors(style.background, style.text, dark ? 0.10 : 0.06);
    style.imageBorder = mixColors(style.background, style.text, 0.40);
    style.edgeFrom = mixColors(style.background, style.text, dark ? 0.70 : 0.60);
    style.edgeCopy = blue;
    style.edgeMount = dark ? QColor(0xc3, 0x9b, 0xff) : QColor(0x7b, 0x3f, 0xc4);
    style.selection = dark ? QColor(0xff, 0xc8, 0x4d) : QColor(0xe0, 0x8a, 0x00);
    style.target = dark ? QColor(0x3f, 0xd0, 0x8f) : QColor(0x12, 0x8a, 0x4e);
    style.error = dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xd0, 0x21, 0x21);
    style.dropTarget = blue;
    return style;
}

QColor GraphStyle::stateColor(StageState state) const
{
    switch (state) {
    case StageState::Idle: return nodeBorder;
    case StageState::Queued: return dark ? QColor(0x9a, 0xa6, 0xb8) : QColor(0x6b, 0x77, 0x88);
    case StageState::Running: return dark ? QColor(0xff, 0xb3, 0x47) : QColor(0xd9, 0x7a, 0x00);
    case StageState::Cached: return dark ? QColor(0x4d, 0xd0, 0xe1) : QColor(0x00, 0x83, 0x94);
    case StageState::Done: return target;
    case StageState::Failed: return error;
    }
    return nodeBorder;
}

QColor GraphStyle::stateFill(StageState state) const
{
    if (state == StageState::Idle)
        return nodeFill;
    return mixColors(background, stateColor(state), dark ? 0.24 : 0.14);
}

LayoutMetrics GraphStyle::metrics() const
{
    const QFontMetricsF name(nameFont);
    const QFontMetricsF textMetrics(textFont);
    const QFontMetricsF small(smallFont);
    LayoutMetrics m;
    // Fixed node sizes keep columns straight and stop nodes from moving as names are typed;
    // long names are elided. The build status has a line of its own, so it is never cut
    // ("aus dem Cache · 12,3 s · 1,8 MB" does not share a line with "5 Schritte").
    const qreal width = std::max(name.averageCharWidth() * 21, textMetrics.averageCharWidth() * 30);
    m.stageSize = QSizeF(width + 2 * padding(), 2 * padding() + name.height() + textMetrics.height() +
                                                    2 * small.height() + 10 * scale);
    m.imageSize = QSizeF(width + 2 * padding(), textMetrics.height() + 2 * padding());
    m.columnGap = std::max(labelWidth() + 40 * scale, 110 * scale);
    m.rowGap = 26 * scale;
    m.laneGap = 12 * scale;
    m.margin = 28 * scale;
    return m;
}

qreal GraphStyle::textPixels(const QFont &font)
{
    if (font.pixelSize() > 0)
        return font.pixelSize();
    // Points at the screen's logical resolution: what a scene unit is at zoom 1.
    return QFontInfo(font).pointSizeF() * QFontMetricsF(font).fontDpi() / 72.0;
}

qreal GraphStyle::smallestTextPixels() const
{
    return std::min({textPixels(nameFont), textPixels(textFont), textPixels(smallFont)});
}

qreal GraphStyle::labelWidth() const
{
    return QFontMetricsF(smallFont).averageCharWidth() * 18;
}

} // namespace stagecraft::ui
