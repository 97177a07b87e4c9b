// `stagecraft completion bash|zsh|fish` (hidden): prints the shell's completion script,
// made from the --help texts; the build installs them where each shell looks.
#include "app/command.h"
#include "app/shellcompletion.h"

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft completion bash|zsh|fish\n"
                      "\n"
                      "Prints the shell's completion script for stagecraft.\n";

int runCompletion(const QStringList &args)
{
    if (args.size() == 1 &&
        (args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h"))) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    const QString shell = args.size() == 1 ? args.first() : QString();
    ShellCompletion::Shell kind;
    if (shell == QLatin1String("bash"))
        kind = ShellCompletion::Shell::Bash;
    else if (shell == QLatin1String("zsh"))
        kind = ShellCompletion::Shell::Zsh;
    else if (shell == QLatin1String("fish"))
        kind = ShellCompletion::Shell::Fish;
    else {
        printErr(QString::fromLatin1(kUsage));
        return 2;
    }
    printOut(ShellCompletion::script(kind, UsageText::parse(programUsage()), CommandHelp::documented()));
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("completion"), QStringLiteral("print a shell completion script"), runCompletion, true}};

} // namespace

} // namespace stagecraft::app
