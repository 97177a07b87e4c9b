// Completion scripts for bash, zsh and fish, made from the --help texts: the commands,
// each command's options, the values an option takes (files, directories, the words of
// "text|json|dot"), stage names for --target from the Dockerfile on the line and image
// references from the store, both through `stagecraft __complete`.
#pragma once

#include "app/commandhelp.h"

#include <QString>

namespace stagecraft::app {

class ShellCompletion
{
public:
    enum class Shell { Bash, Zsh, Fish };

    // `program` is the top-level --help (the window's options).
    static QString script(Shell shell, const UsageText &program, const QList<CommandHelp> &commands);
};

} // namespace stagecraft::app
