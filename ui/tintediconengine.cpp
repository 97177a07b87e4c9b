#include "ui/tintediconengine.h"

#include "ui/theme.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QPalette>

namespace stagecraft::ui {

namespace {

// Whether the icon's visible pixels are dark on average (a black glyph, not a coloured picture).
bool isDarkGlyph(const QPixmap &pixmap)
{
    const QImage image = pixmap.toImage().convertToFormat(QImage::Format_ARGB32);
    double lightness = 0;
    double weight = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const double alpha = qAlpha(line[x]) / 255.0;
            lightness += alpha * qGray(line[x]) / 255.0;
            weight += alpha;
        }
    }
    return weight > 0 && lightness / weight < 0.35;
}

} // namespace

TintedIconEngine::TintedIconEngine(QIcon base)
    : m_base(std::move(base))
{}

QIcon TintedIconEngine::readable(const QIcon &icon)
{
    return icon.isNull() ? icon : QIcon(new TintedIconEngine(icon));
}

void TintedIconEngine::paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state)
{
    const qreal ratio = painter->device() ? painter->device()->devicePixelRatioF() : 1.0;
    QPixmap shown = pixmap(rect.size() * ratio, mode, state);
    shown.setDevicePixelRatio(ratio);
    painter->drawPixmap(rect, shown);
}

QPixmap TintedIconEngine::pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state)
{
    QPixmap base = m_base.pixmap(size, mode, state);
    const QPalette palette = QGuiApplication::palette();
    if (base.isNull() || !Theme::isDark(palette) || !isDarkGlyph(base))
        return base;
    QPixmap tinted(base.size());
    tinted.setDevicePixelRatio(base.devicePixelRatio());
    tinted.fill(Qt::transparent);
    QPainter painter(&tinted);
    painter.drawPixmap(0, 0, base);
    painter.setCompositionMode(QPainter::CompositionMode_SourceIn);
    const QPalette::ColorGroup group = mode == QIcon::Disabled ? QPalette::Disabled : QPalette::Active;
    painter.fillRect(tinted.rect(), palette.color(group, QPalette::ButtonText));
    return tinted;
}

QSize TintedIconEngine::actualSize(const QSize &size, QIcon::Mode mode, QIcon::State state)
{
    return m_base.actualSize(size, mode, state);
}

QIconEngine *TintedIconEngine::clone() const
{
    return new TintedIconEngine(m_base);
}

} // namespace stagecraft::ui
