// `stagecraft graph`: prints the stage graph of a Dockerfile as text, JSON or Graphviz dot.
#include "app/command.h"
#include "app/dockerfileinput.h"
#include "app/dockerfilereport.h"
#include "core/plan/graphformat.h"

#include <QProcessEnvironment>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft graph [-f FILE] [--target STAGE] [--build-arg KEY=VALUE]...\n"
    "                        [--platform OS/ARCH] [--format text|json|dot]\n"
    "\n"
    "Prints the stages of a Dockerfile and how they depend on each other.\n"
    "\n"
    "  -f, --file FILE        the Dockerfile (default ./Dockerfile; - reads standard input)\n"
    "  --target STAGE         the stage to build (default: the last one); stages it does\n"
    "                         not need are marked\n"
    "  --build-arg KEY=VALUE  sets an ARG used in FROM lines (KEY alone takes $KEY)\n"
    "  --platform OS/ARCH     TARGETPLATFORM and BUILDPLATFORM (default linux/amd64)\n"
    "  --format FORMAT        text (default), json or dot (render with `dot -Tsvg`)\n"
    "\n"
    "Exit status: 0 ok, 1 the file has errors (those `stagecraft check` reports; the\n"
    "graph is still printed when it can be) or cannot be read, 2 usage error.\n";

int usageError(const QString &message)
{
    printErr(QStringLiteral("stagecraft graph: %1\nRun `stagecraft graph --help` for the options.\n")
                 .arg(message));
    return 2;
}

// `--name VALUE` or `--name=VALUE`; advances i past what it used.
bool takeValue(const QStringList &args, qsizetype &i, const QString &longName, const QString &shortName,
               QString *value, QString *error)
{
    const QString &arg = args.at(i);
    if (arg == longName || (!shortName.isEmpty() && arg == shortName)) {
        if (i + 1 >= args.size()) {
            *error = QStringLiteral("%1 needs a value").arg(arg);
            return true;
        }
        *value = args.at(++i);
        return true;
    }
    if (arg.startsWith(longName + QLatin1Char('='))) {
        *value = arg.mid(longName.size() + 1);
        return true;
    }
    return false;
}

int runGraph(const QStringList &args)
{
    QString file = QStringLiteral("Dockerfile");
    QString format = QStringLiteral("text");
    PlanOptions options;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        QString value, error;
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        if (takeValue(args, i, QStringLiteral("--file"), QStringLiteral("-f"), &value, &error)) {
            if (!error.isEmpty())
                return usageError(error);
            file = value;
        } else if (takeValue(args, i, QStringLiteral("--target"), QString(), &value, &error)) {
            if (!error.isEmpty())
                return usageError(error);
            options.target = value;
        } else if (takeValue(args, i, QStringLiteral("--platform"), QString(), &value, &error)) {
            if (!error.isEmpty())
                return usageError(error);
            if (value.count(QLatin1Char('/')) < 1 || value.startsWith(QLatin1Char('/')) ||
                value.endsWith(QLatin1Char('/')))
                return usageError(
                    QStringLiteral("--platform %1: expected OS/ARCH[/VARIANT], e.g. linux/arm64").arg(value));
            options.platform = value;
        } else if (takeValue(args, i, QStringLiteral("--build-arg"), QString(), &value, &error)) {
            if (!error.isEmpty())
                return usageError(error);
            const qsizetype eq = value.indexOf(QLatin1Char('='));
            if (eq == 0 || value.isEmpty())
                return usageError(QStringLiteral("--build-arg %1: expected KEY=VALUE").arg(value));
            if (eq < 0) {
                // Like `docker build --build-arg KEY`: the value comes from the environment.
                const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
                if (env.contains(value))
                    options.buildArgs.insert(value, env.value(value));
            } else {
                options.buildArgs.insert(value.left(eq), value.mid(eq + 1));
            }
        } else if (takeValue(args, i, QStringLiteral("--format"), QString(), &value, &error)) {
            if (!error.isEmpty())
                return usageError(error);
            if (value != QLatin1String("text") && value != QLatin1String("json") &&
                value != QLatin1String("dot"))
                return usageError(QStringLiteral("unknown format `%1` (use text, json or dot)").arg(value));
            format = value;
        } else if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-")) {
            return usageError(QStringLiteral("unknown option `%1`").arg(arg));
        } else {
            return usageError(
                QStringLiteral("unexpected argument `%1` (give the Dockerfile with -f %1)").arg(arg));
        }
    }

    const Expected<DockerfileInput> input = DockerfileInput::read(file);
    if (!input) {
        printErr(QStringLiteral("stagecraft graph: %1\n").arg(input.error().message));
        return 1;
    }
    // The graph is computed as `check` computes it, so the exit status agrees with check's.
    const DockerfileReport report = DockerfileReport::make(input->text, options);
    const StageGraph &graph = report.graph;

    if (format == QLatin1String("json"))
        printOut(QString::fromUtf8(GraphFormat::toJson(graph)));
    else if (format == QLatin1String("dot"))
        printOut(GraphFormat::toDot(graph));
    else
        printOut(GraphFormat::toText(graph));

    // Text output already lists the graph's own diagnostics; every other error (and, for
    // json and dot, all of them) goes to standard error so the person sees why it failed.
    QString errors;
    for (const Diagnostic &d : report.diagnostics) {
        if (d.severity != Severity::Error)
            continue;
        if (format == QLatin1String("text") && graph.diagnostics.contains(d))
            continue;
        errors += input->displayName;
        if (d.range.isValid())
            errors += QStringLiteral(":%1:%2").arg(d.range.start.line).arg(d.range.start.column);
        errors += QStringLiteral(": error: %1").arg(d.message);
        if (!d.rule.isEmpty())
            errors += QStringLiteral(" [%1]").arg(d.rule);
        errors += QLatin1Char('\n');
    }
    if (!errors.isEmpty())
        printErr(errors);
    return report.hasErrors() ? 1 : 0;
}

} // namespace

static CommandRegistration reg{{QStringLiteral("graph"),
                                QStringLiteral("print the stage graph of a Dockerfile (text, json, dot)"),
                                runGraph}};

} // namespace stagecraft::app
