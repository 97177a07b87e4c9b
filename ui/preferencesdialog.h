// Edits the Preferences: theme, language, editor font and zoom; and the registry mirrors
// and insecure hosts of registries.conf, which the command line shares.
#pragma once

#include "ui/preferences.h"

#include <QDialog>

class QComboBox;
class QLabel;
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
    Preferences preferences() const;

    // Saves the registry settings when they parse; otherwise says why and stays open.
    void accept() override;

private:
    Preferences m_preferences;
    QComboBox *m_theme;
    QComboBox *m_language;
    QFontComboBox *m_font;
    QSpinBox *m_fontSize;
    QSpinBox *m_zoom;
    QString m_registriesPath;
    QPlainTextEdit *m_registries;
    QLabel *m_registriesError;
};

} // namespace stagecraft::ui
