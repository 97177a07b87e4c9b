// `stagecraft`: with no subcommand it opens the window; `stagecraft <command> …` runs
// the same core headless.
#include "app/command.h"
#include "ui/application.h"

#include <QCoreApplication>

using namespace stagecraft;

namespace {

int printUsage()
{
    app::printOut(app::programUsage());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList args;
    for (int i = 1; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);

    if (!args.isEmpty()) {
        if (args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h") ||
            args.first() == QLatin1String("help"))
            return printUsage();
        if (args.first() == QLatin1String("--version")) {
            app::printOut(QStringLiteral("stagecraft %1\n").arg(QStringLiteral(STAGECRAFT_VERSION)));
            return 0;
        }
        if (const app::Command *command = app::findCommand(args.first())) {
            QCoreApplication application(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("stagecraft"));
            QCoreApplication::setOrganizationName(QStringLiteral("stagecraft"));
            return command->run(args.mid(1));
        }
        if (!args.first().startsWith(QLatin1Char('-')) && args.size() == 1 &&
            !args.first().contains(QLatin1Char('.')) && !args.first().contains(QLatin1Char('/')) &&
            args.first() != QLatin1String("Dockerfile")) {
            app::printErr(QStringLiteral("stagecraft: unknown command `%1` (see `stagecraft --help`)\n")
                              .arg(args.first()));
            return 2;
        }
    }
    return ui::runApplication(argc, argv);
}
