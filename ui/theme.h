// The window's colours: the system's palette, or Stagecraft's own light or dark one
// (Fusion style, so every widget follows the palette).
#pragma once

#include <QPalette>
#include <QString>

namespace stagecraft::ui {

enum class ThemeChoice { System, Light, Dark };

class Theme
{
public:
    static void apply(ThemeChoice choice);
    static bool isDark(const QPalette &palette);
    static QPalette lightPalette();
    static QPalette darkPalette();
    static QString choiceKey(ThemeChoice choice); // "system", "light", "dark" (settings)
    static ThemeChoice choiceFromKey(const QString &key);
};

} // namespace stagecraft::ui
