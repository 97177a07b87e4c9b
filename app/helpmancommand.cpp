// `stagecraft help-man` (hidden): prints stagecraft(1) in roff, made from the --help
// texts, for the build to install as the manual page.
#include "app/command.h"
#include "app/manualpage.h"

namespace stagecraft::app {

namespace {

int runHelpMan(const QStringList &args)
{
    if (!args.isEmpty()) {
        printErr(
            QStringLiteral("Usage: stagecraft help-man\n\nPrints the manual page stagecraft(1) in roff.\n"));
        return args.first() == QLatin1String("--help") ? 0 : 2;
    }
    printOut(ManualPage::render(QStringLiteral(STAGECRAFT_VERSION), UsageText::parse(programUsage()),
                                CommandHelp::documented()));
    return 0;
}

const CommandRegistration reg{
    {QStringLiteral("help-man"), QStringLiteral("print the manual page in roff"), runHelpMan, true}};

} // namespace

} // namespace stagecraft::app
