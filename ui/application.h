// Starts the window: QApplication, translations, the main window, the event loop.
#pragma once

namespace stagecraft::ui {

int runApplication(int &argc, char **argv);

} // namespace stagecraft::ui
