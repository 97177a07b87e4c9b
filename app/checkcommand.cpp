// `stagecraft check`: the parser's, the stage graph's and the build checks' diagnostics of a
// Dockerfile, one per line as FILE:LINE:COLUMN, for editors and CI.
#include "app/command.h"
#include "app/dockerfileinput.h"
#include "app/dockerfilereport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft check [-f FILE] [--format text|json]\n"
    "\n"
    "Reports syntax errors, stage graph problems and build-check warnings\n"
    "(the rules of `docker build --check`) of a Dockerfile.\n"
    "\n"
    "Variable expansion is bounded: ${...} nested more than 64 deep, one word\n"
    "substituting more than 1 MiB (1048576 characters), or a whole Dockerfile more\n"
    "than 16 MiB, is an error at the reference's line and column. A NUL character\n"
    "in an instruction is an error too.\n"
    "\n"
    "  -f, --file FILE   the Dockerfile (default ./Dockerfile; - reads standard input)\n"
    "  --format FORMAT   text (default): FILE:LINE:COLUMN: severity: message [Rule]\n"
    "                    json: {file, diagnostics: [{severity, line, column, rule, message}]}\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 an error was found or the file\n"
    "cannot be read, 2 usage error.\n";

int usageError(const QString &message)
{
    printErr(QStringLiteral("stagecraft check: %1\nRun `stagecraft check --help` for the options.\n")
                 .arg(message));
    return 2;
}

QJsonValue positiveOrNull(int value)
{
    return value > 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

int runCheck(const QStringList &args)
{
    QString file = QStringLiteral("Dockerfile");
    QString format = QStringLiteral("text");
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        QString *target = nullptr;
        QString value;
        if (arg == QLatin1String("-f") || arg == QLatin1String("--file") ||
            arg == QLatin1String("--format")) {
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("%1 needs a value").arg(arg));
            target = arg == QLatin1String("--format") ? &format : &file;
            value = args.at(++i);
        } else if (arg.startsWith(QLatin1String("--file="))) {
            target = &file;
            value = arg.mid(7);
        } else if (arg.startsWith(QLatin1String("--format="))) {
            target = &format;
            value = arg.mid(9);
        } else if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-")) {
            return usageError(QStringLiteral("unknown option `%1`").arg(arg));
        } else {
            return usageError(
                QStringLiteral("unexpected argument `%1` (give the Dockerfile with -f %1)").arg(arg));
        }
        *target = value;
    }
    if (format != QLatin1String("text") && format != QLatin1String("json"))
        return usageError(QStringLiteral("unknown format `%1` (use text or json)").arg(format));

    const Expected<DockerfileInput> input = DockerfileInput::read(file);
    if (!input) {
        printErr(QStringLiteral("stagecraft check: %1\n").arg(input.error().message));
        return 1;
    }

    const DockerfileReport report = DockerfileReport::make(input->text);
    const Diagnostics &diagnostics = report.diagnostics;

    if (format == QLatin1String("json")) {
        QJsonArray list;
        for (const Diagnostic &d : std::as_const(diagnostics)) {
            QJsonObject o;
            o.insert(QStringLiteral("severity"), severityName(d.severity));
            o.insert(QStringLiteral("line"), positiveOrNull(d.range.start.line));
            o.insert(QStringLiteral("column"), positiveOrNull(d.range.isValid() ? d.range.start.column : 0));
            o.insert(QStringLiteral("rule"), d.rule.isEmpty() ? QJsonValue() : QJsonValue(d.rule));
            o.insert(QStringLiteral("message"), d.message);
            if (!d.url.isEmpty())
                o.insert(QStringLiteral("url"), d.url);
            list.append(o);
        }
        QJsonObject root;
        root.insert(QStringLiteral("file"), input->displayName);
        root.insert(QStringLiteral("diagnostics"), list);
        printOut(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
    } else {
        printOut(report.text(input->displayName));
    }
    return report.hasErrors() ? 1 : 0;
}

} // namespace

static CommandRegistration reg{
    {QStringLiteral("check"),
     QStringLiteral("report syntax errors, stage graph problems and build-check warnings"), runCheck}};

} // namespace stagecraft::app
