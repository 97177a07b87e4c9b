// Edits the Preferences: theme, language, editor font and zoom.
#pragma once

#include "ui/preferences.h"

#include <QDialog>

class QComboBox;
class QFontComboBox;
class QSpinBox;

namespace stagecraft::ui {

class PreferencesDialog : public QDialog
{
    Q_OBJECT

public:
    explicit PreferencesDialog(const Preferences &preferences, QWidget *parent = nullptr);
    Preferences preferences() const;

private:
    Preferences m_preferences;
    QComboBox *m_theme;
    QComboBox *m_language;
    QFontComboBox *m_font;
    QSpinBox *m_fontSize;
    QSpinBox *m_zoom;
};

} // namespace stagecraft::ui
