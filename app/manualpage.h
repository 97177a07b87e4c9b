// stagecraft(1) in roff (the man(7) macros), made from the program's and every
// command's --help text: a section per command, its synopsis, paragraphs and options.
#pragma once

#include "app/commandhelp.h"

#include <QString>

namespace stagecraft::app {

class ManualPage
{
public:
    static QString render(const QString &version, const UsageText &program,
                          const QList<CommandHelp> &commands);
    // Text made safe for roff: backslashes, hyphens (so options copy and search as
    // typed), a leading dot or quote; `code` in bold.
    static QString escape(const QString &text);
};

} // namespace stagecraft::app
