// The user's choices that outlive a run (theme, language, editor font, zoom, the build
// engine), read from and written to QSettings.
#pragma once

#include "core/engine/buildengine.h"
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
    // What Build builds with; the docker engine's host and buildx builder (empty: what the
    // docker command line itself would use).
    EngineKind engine = EngineKind::Embedded;
    QString dockerHost;
    QString dockerBuilder;

    DockerEngineOptions dockerOptions() const;

    static Preferences load();
    void save() const;
    static QFont defaultEditorFont();

    static constexpr int kMinZoom = 50;
    static constexpr int kMaxZoom = 400;
};

} // namespace stagecraft::ui
