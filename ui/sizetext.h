// Byte sizes as the window shows them: core's figure ("1.8 MB", rounded as the command
// line rounds it) written with the locale's decimal separator ("1,8 MB" in German).
#pragma once

#include <QString>

namespace stagecraft::ui {

QString sizeText(qint64 bytes);

} // namespace stagecraft::ui
