// The window's engine picker (in the status bar: the toolbar has no room at 1024 pixels in
// German): what the next build runs on, the embedded builder or a
// Docker engine, each listed with whether it can build here and, when it cannot, why and
// what to do (no docker client; the daemon not answering, naming its socket). The docker
// probe is a round trip to the daemon, so it runs on a thread; the choice is remembered in
// the preferences (QSettings).
#pragma once

#include "core/engine/buildengine.h"
#include "ui/preferences.h"

#include <QHash>
#include <QWidget>

#include <thread>

class QComboBox;

namespace stagecraft::ui {

class EnginePicker : public QWidget
{
    Q_OBJECT

public:
    explicit EnginePicker(QWidget *parent = nullptr);
    ~EnginePicker() override;

    // Shows `preferences.engine` and checks both engines with its docker settings.
    void setPreferences(const Preferences &preferences);
    EngineKind engine() const;
    // What the list says of an engine: its summary when usable, else the reason; empty
    // while it is being checked.
    QString availabilityText(EngineKind kind) const;
    bool isUsable(EngineKind kind) const;
    bool isChecking() const { return m_checking; }

Q_SIGNALS:
    // The user picked an engine (already saved to the preferences).
    void engineChosen(stagecraft::EngineKind kind);
    void availabilityChecked();

private:
    void check();
    void show(EngineKind kind, const EngineAvailability &availability);

    QComboBox *m_box;
    Preferences m_preferences;
    QHash<int, EngineAvailability> m_availability;
    bool m_checking = false;
    bool m_updating = false;
    std::thread m_checker;
};

} // namespace stagecraft::ui
