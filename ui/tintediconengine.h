// The style's fallback icons (black arrows, a black play triangle) vanish on the dark theme.
// This engine draws such an icon as it is on a light palette and, on a dark one, in the
// palette's button text colour when the icon itself is dark; colourful icons stay as they are.
#pragma once

#include <QIcon>
#include <QIconEngine>

namespace stagecraft::ui {

class TintedIconEngine : public QIconEngine
{
public:
    explicit TintedIconEngine(QIcon base);

    // `icon` wrapped so it stays readable on dark palettes.
    static QIcon readable(const QIcon &icon);

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override;
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override;
    QSize actualSize(const QSize &size, QIcon::Mode mode, QIcon::State state) override;
    QIconEngine *clone() const override;

private:
    QIcon m_base;
};

} // namespace stagecraft::ui
