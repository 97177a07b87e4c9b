// Edits the Preferences: theme, language, editor font and zoom, the build engine (and
// checks whether it can build here); and the registry mirrors and insecure hosts of
// registries.conf, which the command line shares.
#pragma once

#include "ui/preferences.h"

#include <QDialog>

#include <thread>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QPlainTextEdit;
class QFontComboBox;
class QSpinBox;

namespace stagecraft::ui {

class PreferencesDialog : public QDialog
{
    Q_OBJECT

public:
    // `registriesPath`: the registries.conf to edit (empty: RegistrySettings::defaultPath()).
    explicit PreferencesDialog(const Preferences &preferences, QWidget *parent = nullptr,
                               const QString &registriesPath = {});
    ~PreferencesDialog() override; // waits for a running engine check
    Preferences preferences() const;

    // Saves the registry settings when they parse; otherwise says why and stays open.
    void accept() override;

Q_SIGNALS:
    // The engine check ended: `text` says what builds, or why it cannot.
    void engineChecked(bool usable, const QString &text);

private:
    void checkEngine();

    Preferences m_preferences;
    QComboBox *m_theme;
    QComboBox *m_language;
    QFontComboBox *m_font;
    QSpinBox *m_fontSize;
    QSpinBox *m_zoom;
    QString m_registriesPath;
    QPlainTextEdit *m_registries;
    QLabel *m_registriesError;
    QComboBox *m_engine;
    QLineEdit *m_dockerHost;
    QLineEdit *m_dockerBuilder;
    QPushButton *m_checkEngine;
    QLabel *m_engineStatus;
    std::thread m_checker; // asks the engine off the GUI thread (a daemon round trip)
};

} // namespace stagecraft::ui
