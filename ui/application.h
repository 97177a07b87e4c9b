// Starts the window: QApplication, translations, theme, the main window and the event
// loop; also the offscreen `--screenshot` mode used for documentation.
#pragma once

#include <QString>

namespace stagecraft::ui {

// `stagecraft [FILE | --example ID | --compare IMAGE…] [--store DIR] [--screenshot PNG [--dark|--light]]`
int runApplication(int &argc, char **argv);

// Installs Stagecraft's and Qt's own translations for `language` ("de", "en"); an empty
// string follows the system locale (LANGUAGE, LC_ALL, LANG). Returns whether Stagecraft's
// own translation was found (English needs none).
bool installTranslations(const QString &language);

} // namespace stagecraft::ui
