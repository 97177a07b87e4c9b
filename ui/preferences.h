// The user's choices that outlive a run (theme, language, editor font, zoom), read from
// and written to QSettings.
#pragma once

#include "ui/theme.h"

#include <QFont>
#include <QString>

namespace stagecraft::ui {

struct Preferences
{
    ThemeChoice theme = ThemeChoice::System;
    QString language; // "" follows the system, otherwise "en" or "de"
    QFont editorFont; // family and point size at 100 % zoom
    int zoomPercent = 100;

    static Preferences load();
    void save() const;
    static QFont defaultEditorFont();

    static constexpr int kMinZoom = 50;
    static constexpr int kMaxZoom = 400;
};

} // namespace stagecraft::ui
