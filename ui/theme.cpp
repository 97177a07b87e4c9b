#include "ui/theme.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace stagecraft::ui {

namespace {

// The style the application started with, so "system" can go back to it.
QString &startupStyleName()
{
    static QString name;
    return name;
}

} // namespace

QPalette Theme::lightPalette()
{
    QPalette p;
    const QColor window(0xf3, 0xf4, 0xf6);
    const QColor text(0x1f, 0x23, 0x28);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xfd, 0xe7));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x6e, 0x77, 0x81));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0xea, 0xec, 0xef));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::red);
    p.setColor(QPalette::Light, Qt::white);
    p.setColor(QPalette::Midlight, QColor(0xe1, 0xe4, 0xe8));
    p.setColor(QPalette::Mid, QColor(0xc6, 0xcb, 0xd1));
    p.setColor(QPalette::Dark, QColor(0x9a, 0xa1, 0xa9));
    p.setColor(QPalette::Shadow, QColor(0x57, 0x60, 0x6a));
    p.setColor(QPalette::Highlight, QColor(0x21, 0x6e, 0xd9));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x09, 0x69, 0xda));
    p.setColor(QPalette::LinkVisited, QColor(0x82, 0x50, 0xdf));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x8c, 0x95, 0x9f));
    return p;
}

QPalette Theme::darkPalette()
{
    QPalette p;
    const QColor window(0x1e, 0x22, 0x27);
    const QColor text(0xe6, 0xe8, 0xeb);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, QColor(0x16, 0x19, 0x1d));
    p.setColor(QPalette::AlternateBase, QColor(0x22, 0x27, 0x2e));
    p.setColor(QPalette::ToolTipBase, QColor(0x2d, 0x33, 0x3b));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8b, 0x94, 0x9e));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2b, 0x30, 0x37));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x7b, 0x72));
    p.setColor(QPalette::Light, QColor(0x3d, 0x44, 0x4d));
    p.setColor(QPalette::Midlight, QColor(0x33, 0x39, 0x41));
    p.setColor(QPalette::Mid, QColor(0x2a, 0x2f, 0x36));
    p.setColor(QPalette::Dark, QColor(0x12, 0x14, 0x17));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x81, 0xf7));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x58, 0xa6, 0xff));
    p.setColor(QPalette::LinkVisited, QColor(0xbc, 0x8c, 0xff));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, QColor(0x6e, 0x76, 0x81));
    return p;
}

void Theme::apply(ThemeChoice choice)
{
    if (startupStyleName().isEmpty() && QApplication::style())
        startupStyleName() = QApplication::style()->name();
    if (choice == ThemeChoice::System) {
        if (QStyle *style = QStyleFactory::create(startupStyleName())) {
            QApplication::setStyle(style);
            QApplication::setPalette(style->standardPalette());
        }
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(choice == ThemeChoice::Dark ? darkPalette() : lightPalette());
}

bool Theme::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QString Theme::choiceKey(ThemeChoice choice)
{
    switch (choice) {
    case ThemeChoice::System: return QStringLiteral("system");
    case ThemeChoice::Light: return QStringLiteral("light");
    case ThemeChoice::Dark: return QStringLiteral("dark");
    }
    return QStringLiteral("system");
}

ThemeChoice Theme::choiceFromKey(const QString &key)
{
    if (key == QLatin1String("light"))
        return ThemeChoice::Light;
    if (key == QLatin1String("dark"))
        return ThemeChoice::Dark;
    return ThemeChoice::System;
}

} // namespace stagecraft::ui
