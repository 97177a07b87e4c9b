// `stagecraft parse --dump FILE`: prints BuildKit's parse-tree dump of a Dockerfile, so the
// parser can be compared with `buildkit`'s own test cases and debugged from a shell.
#include "app/command.h"
#include "core/dockerfile/dockerfileparser.h"
#include "core/dockerfile/parsedump.h"

#include <QFile>

namespace stagecraft::app {

namespace {

const char kUsage[] = "Usage: stagecraft parse [--dump] FILE\n"
                      "\n"
                      "Prints the parse tree of a Dockerfile in BuildKit's dump format, one\n"
                      "instruction a line: (copy [\"--from=build\"] \"/app\" \"/app\").\n"
                      "FILE - reads standard input. Problems go to standard error as\n"
                      "FILE:LINE:COLUMN: error|warning: message.\n"
                      "\n"
                      "Exit status: 0 parsed without errors, 1 errors or the file cannot be read,\n"
                      "2 usage error.\n";

int usageError(const QString &message)
{
    printErr(QStringLiteral("stagecraft parse: %1\n%2").arg(message, QString::fromLatin1(kUsage)));
    return 2;
}

int runParse(const QStringList &args)
{
    QString path;
    for (const QString &arg : args) {
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        if (arg == QLatin1String("--dump"))
            continue; // the only output there is; accepted so scripts can say what they want
        if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-"))
            return usageError(QStringLiteral("unknown option %1").arg(arg));
        if (!path.isEmpty())
            return usageError(QStringLiteral("only one FILE can be given"));
        path = arg;
    }
    if (path.isEmpty())
        return usageError(QStringLiteral("no FILE given"));

    QFile file;
    const bool opened = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                   : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    const QString name = path == QLatin1String("-") ? QStringLiteral("<stdin>") : path;
    if (!opened) {
        printErr(QStringLiteral("stagecraft parse: cannot read %1: %2\n").arg(name, file.errorString()));
        return 1;
    }
    const QString text = QString::fromUtf8(file.readAll());
    const Dockerfile dockerfile = DockerfileParser::parse(text);
    printOut(ParseDump::dump(dockerfile));
    QString problems;
    for (const Diagnostic &d : dockerfile.diagnostics)
        problems += QStringLiteral("%1:%2:%3: %4: %5\n")
                        .arg(name)
                        .arg(d.range.start.line)
                        .arg(d.range.start.column)
                        .arg(severityName(d.severity), d.message);
    if (!problems.isEmpty())
        printErr(problems);
    return hasErrors(dockerfile.diagnostics) ? 1 : 0;
}

const CommandRegistration registration{
    Command{QStringLiteral("parse"), QStringLiteral("print a Dockerfile's parse tree (BuildKit's dump)"),
            runParse, true}};

} // namespace

} // namespace stagecraft::app
