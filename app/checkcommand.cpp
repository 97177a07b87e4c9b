// `stagecraft check`: the parser's, the stage graph's and the build checks' diagnostics of a
// Dockerfile, one per line as FILE:LINE:COLUMN, for editors and CI; `--fix` shows the
// quick-fixes as a unified diff and `--write` applies them.
#include "app/checkcontext.h"
#include "app/checkimage.h"
#include "app/command.h"
#include "app/contextfile.h"
#include "app/dockerfileinput.h"
#include "app/dockerfilereport.h"
#include "core/checks/buildchecks.h"
#include "core/checks/codequalityreport.h"
#include "core/checks/namesuggestions.h"
#include "core/checks/quickfixes.h"
#include "core/checks/sarifreport.h"
#include "core/checks/unifieddiff.h"
#include "core/plan/buildplan.h"
#include "core/store/imagestore.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft check [-f FILE] [--context DIR] [--target STAGE]\n"
    "                        [--format text|json|sarif|codequality] [--fix [--write]]\n"
    "                        [--image REF [--store DIR]]\n"
    "\n"
    "Reports syntax errors, stage graph problems and build-check warnings\n"
    "of a Dockerfile: the rules of `docker build --check` and Stagecraft's own\n"
    "(SC001…: toolchains, caches and secrets in the final image, COPY . without a\n"
    ".dockerignore, unused stages and ARGs; see docs/checks.md).\n"
    "\n"
    "Variable expansion is bounded: ${...} nested more than 64 deep, one word\n"
    "substituting more than 1 MiB (1048576 characters), or a whole Dockerfile more\n"
    "than 16 MiB, is an error at the reference's line and column. A NUL character\n"
    "in an instruction is an error too.\n"
    "\n"
    "  -f, --file FILE   the Dockerfile (default ./Dockerfile; - reads standard input)\n"
    "  --context DIR     the build context (default: the Dockerfile's folder; the\n"
    "                    current folder for standard input)\n"
    "  --format FORMAT   text (default): FILE:LINE:COLUMN: severity: message [Rule]\n"
    "                    json: {file, diagnostics: [{severity, line, column, rule, id, message}]}\n"
    "                    sarif: a SARIF 2.1.0 log for code scanning (GitHub and others):\n"
    "                    every rule's metadata, the file as a path relative to the\n"
    "                    current folder (%SRCROOT%), quick-fixes that edit only it\n"
    "                    codequality: GitLab's Code Quality report (a JSON array of\n"
    "                    issues with a fingerprint each)\n"
    "  --target STAGE    check as `docker build --target STAGE` builds: STAGE is the final\n"
    "                    stage the image rules (SC001, SC004, SC005) look at; an error in a\n"
    "                    stage it does not need is a warning (the build skips that stage)\n"
    "  --image REF       the image the last build of this Dockerfile made (a store\n"
    "                    reference, a `docker save` tarball or an OCI layout): its\n"
    "                    analysis adds WrittenThenDeleted (SC009, bytes written in one\n"
    "                    step and removed or overwritten in a later one) and the bytes\n"
    "                    a package cache takes (SC004). Layers are matched to the steps\n"
    "                    of the final stage by order from the top (docs/checks.md)\n"
    "  --store DIR       the store --image is looked up in (default $STAGECRAFT_STORE,\n"
    "                    else the user's data dir)\n"
    "  --fix             print the quick-fixes as a unified diff (the Dockerfile, and a\n"
    "                    .dockerignore to create or extend); nothing is written\n"
    "  --write           with --fix: apply them (each file replaced at once, never\n"
    "                    half-written), then report what is left\n"
    "\n"
    "Exit status: 0 no errors (warnings allowed), 1 an error was found (after --fix:\n"
    "one the fixes leave) or a file cannot be read or written, 2 usage error.\n";

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

// Replaces `path` with `text` through a temporary file renamed over it, so a reader (or a
// crash) sees the old file or the new one, never half of it.
Expected<void> writeWhole(const QString &path, const QString &text)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("%1: %2").arg(path, f.errorString()));
    const QByteArray bytes = text.toUtf8();
    if (f.write(bytes) != bytes.size() || !f.commit())
        return fail(QStringLiteral("%1: %2").arg(path, f.errorString()));
    return {};
}

// The Dockerfile as code hosts name it: relative to the folder the check runs in (a CI job's
// checkout), "/"-separated. Standard input is taken for the context's Dockerfile.
QString reportPath(const QString &file, const QString &contextDir)
{
    const QString absolute = file == QLatin1String("-")
                                 ? QDir(contextDir).filePath(QStringLiteral("Dockerfile"))
                                 : QFileInfo(file).absoluteFilePath();
    return QDir::fromNativeSeparators(QDir::current().relativeFilePath(absolute));
}

// `--target STAGE` must name a stage of the file: the checks would otherwise look at a final
// stage the build never makes. A near miss is suggested, as `docker build` cannot.
Expected<void> checkTarget(const QString &text, const QString &target)
{
    const BuildPlan plan = BuildPlan::fromText(text);
    const StageGraph &graph = plan.graph();
    if (graph.stageIndex(target) >= 0)
        return {};
    QStringList names;
    for (const Stage &stage : graph.stages)
        if (!stage.name.isEmpty() && !names.contains(stage.name))
            names.append(stage.name);
    QString message = QStringLiteral("--target %1: the Dockerfile has no stage of that name").arg(target);
    NameSuggestions suggestions;
    if (const QString near = suggestions.closest(target.toLower(), names); !near.isEmpty())
        message += QStringLiteral(" (did you mean %1?)").arg(near);
    if (graph.stages.isEmpty())
        message += QStringLiteral("; it has no stages at all");
    else if (names.isEmpty())
        message += QStringLiteral("; its stages have no names: give an index from 0 to %1")
                       .arg(graph.stages.size() - 1);
    else
        message += QStringLiteral("; its named stages are %1").arg(names.join(QStringLiteral(", ")));
    return fail(message);
}

int runFix(const DockerfileInput &input, const QString &file, const QString &contextDir,
           const PlanOptions &planOptions, const BuildCheckOptions &options, bool write)
{
    const QuickFixes::Result fixed = QuickFixes::fixAll(input.text, planOptions, options);
    const QDir context(contextDir);
    if (!write) {
        QString diff = UnifiedDiff::make(input.text, fixed.text, QStringLiteral("a/") + input.displayName,
                                         QStringLiteral("b/") + input.displayName);
        for (const FileWrite &w : fixed.files) {
            const QString before = w.path == QLatin1String(".dockerignore")
                                       ? options.dockerignoreText.value_or(QString())
                                       : QString();
            const bool exists =
                w.path == QLatin1String(".dockerignore") && options.dockerignoreText.has_value();
            const QString shown = QDir::current().relativeFilePath(context.filePath(w.path));
            diff += UnifiedDiff::make(before, w.text,
                                      exists ? QStringLiteral("a/") + shown : QStringLiteral("/dev/null"),
                                      QStringLiteral("b/") + shown);
        }
        printOut(diff);
        for (const QString &title : fixed.applied)
            printErr(QStringLiteral("fix: %1\n").arg(title));
        for (const QString &why : fixed.declined)
            printErr(QStringLiteral("no fix: %1\n").arg(why));
    } else {
        if (fixed.text != input.text) {
            if (const Expected<void> w = writeWhole(file, fixed.text); !w) {
                printErr(QStringLiteral("stagecraft check: %1\n").arg(w.error().message));
                return 1;
            }
        }
        for (const FileWrite &f : fixed.files) {
            // Only files at the context's top: a fix never names a path that climbs out.
            if (f.path.contains(QLatin1Char('/')) || f.path.startsWith(QLatin1String("..")))
                continue;
            if (const Expected<void> w = ContextFile::replace(contextDir, f.path, f.text.toUtf8()); !w) {
                printErr(QStringLiteral("stagecraft check: %1\n").arg(w.error().message));
                return 1;
            }
        }
        for (const QString &why : fixed.declined)
            printErr(QStringLiteral("no fix: %1\n").arg(why));
        printErr(QStringLiteral("stagecraft check: %1 fix%2 applied\n")
                     .arg(fixed.applied.size())
                     .arg(fixed.applied.size() == 1 ? QString() : QStringLiteral("es")));
    }
    // What is left, as `check` would say it.
    BuildCheckOptions after = options;
    if (write) {
        if (Expected<BuildCheckOptions> reread = CheckContext::read(contextDir))
            after = *reread;
    }
    const DockerfileReport report = DockerfileReport::make(fixed.text, planOptions, after);
    if (write)
        printOut(report.text(input.displayName));
    return report.hasErrors() ? 1 : 0;
}

int runCheck(const QStringList &args)
{
    QString file = QStringLiteral("Dockerfile");
    QString format = QStringLiteral("text");
    QString contextDir;
    QString image;
    QString storeDir;
    QString targetStage;
    bool fix = false;
    bool write = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            printOut(QString::fromUtf8(kUsage));
            return 0;
        }
        if (arg == QLatin1String("--fix")) {
            fix = true;
            continue;
        }
        if (arg == QLatin1String("--write")) {
            write = true;
            continue;
        }
        QString *target = nullptr;
        QString value;
        if (arg == QLatin1String("-f") || arg == QLatin1String("--file") ||
            arg == QLatin1String("--format") || arg == QLatin1String("--context") ||
            arg == QLatin1String("--image") || arg == QLatin1String("--store") ||
            arg == QLatin1String("--target")) {
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("%1 needs a value").arg(arg));
            target = arg == QLatin1String("--format")    ? &format
                     : arg == QLatin1String("--context") ? &contextDir
                     : arg == QLatin1String("--image")   ? &image
                     : arg == QLatin1String("--store")   ? &storeDir
                     : arg == QLatin1String("--target")  ? &targetStage
                                                         : &file;
            value = args.at(++i);
        } else if (arg.startsWith(QLatin1String("--image="))) {
            target = &image;
            value = arg.mid(8);
        } else if (arg.startsWith(QLatin1String("--store="))) {
            target = &storeDir;
            value = arg.mid(8);
        } else if (arg.startsWith(QLatin1String("--target="))) {
            target = &targetStage;
            value = arg.mid(9);
        } else if (arg.startsWith(QLatin1String("--file="))) {
            target = &file;
            value = arg.mid(7);
        } else if (arg.startsWith(QLatin1String("--format="))) {
            target = &format;
            value = arg.mid(9);
        } else if (arg.startsWith(QLatin1String("--context="))) {
            target = &contextDir;
            value = arg.mid(10);
        } else if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-")) {
            return usageError(QStringLiteral("unknown option `%1`").arg(arg));
        } else {
            return usageError(
                QStringLiteral("unexpected argument `%1` (give the Dockerfile with -f %1)").arg(arg));
        }
        *target = value;
    }
    static const QStringList kFormats{QStringLiteral("text"), QStringLiteral("json"), QStringLiteral("sarif"),
                                      QStringLiteral("codequality")};
    if (!kFormats.contains(format))
        return usageError(
            QStringLiteral("unknown format `%1` (use %2)").arg(format, kFormats.join(QStringLiteral(", "))));

    if (write && !fix)
        return usageError(QStringLiteral("--write applies the fixes of --fix; give both"));
    if (write && file == QLatin1String("-"))
        return usageError(
            QStringLiteral("--write cannot write back to standard input; print the diff instead"));
    if (!storeDir.isEmpty() && image.isEmpty())
        return usageError(QStringLiteral("--store names where --image is looked up; give --image too"));
    if (fix && format != QLatin1String("text"))
        return usageError(QStringLiteral("--fix prints a diff; leave out --format"));

    const Expected<DockerfileInput> input = DockerfileInput::read(file);
    if (!input) {
        printErr(QStringLiteral("stagecraft check: %1\n").arg(input.error().message));
        return 1;
    }

    PlanOptions planOptions;
    planOptions.target = targetStage;
    if (!targetStage.isEmpty()) {
        if (const Expected<void> known = checkTarget(input->text, targetStage); !known) {
            printErr(QStringLiteral("stagecraft check: %1\n").arg(known.error().message));
            return 2;
        }
    }

    if (contextDir.isEmpty())
        contextDir = file == QLatin1String("-") ? QDir::currentPath() : QFileInfo(file).absolutePath();
    Expected<BuildCheckOptions> options = CheckContext::read(contextDir);
    if (!options) {
        printErr(QStringLiteral("stagecraft check: %1\n").arg(options.error().message));
        return 1;
    }
    if (!image.isEmpty()) {
        // Files and OCI layouts need no store; a reference does, and then its error says so.
        Expected<ImageStore> store = ImageStore::open(ImageStore::defaultRoot(storeDir));
        const Expected<void> added = CheckImage::addTo(*options, image, store ? &*store : nullptr,
                                                       BuildPlan::fromText(input->text, planOptions));
        if (!added) {
            printErr(QStringLiteral("stagecraft check: %1\n").arg(added.error().message));
            return 1;
        }
    }
    if (fix)
        return runFix(*input, file, contextDir, planOptions, *options, write);

    const DockerfileReport report = DockerfileReport::make(input->text, planOptions, *options);
    const Diagnostics &diagnostics = report.diagnostics;

    if (format == QLatin1String("json")) {
        QJsonArray list;
        for (const Diagnostic &d : std::as_const(diagnostics)) {
            QJsonObject o;
            o.insert(QStringLiteral("severity"), severityName(d.severity));
            o.insert(QStringLiteral("line"), positiveOrNull(d.range.start.line));
            o.insert(QStringLiteral("column"), positiveOrNull(d.range.isValid() ? d.range.start.column : 0));
            o.insert(QStringLiteral("rule"), d.rule.isEmpty() ? QJsonValue() : QJsonValue(d.rule));
            if (const std::optional<BuildCheckRule> rule = BuildChecks::rule(d.rule);
                rule && rule->isStagecraft())
                o.insert(QStringLiteral("id"), rule->id);
            o.insert(QStringLiteral("message"), d.message);
            if (!d.url.isEmpty())
                o.insert(QStringLiteral("url"), d.url);
            list.append(o);
        }
        QJsonObject root;
        root.insert(QStringLiteral("file"), input->displayName);
        root.insert(QStringLiteral("diagnostics"), list);
        printOut(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
    } else if (format == QLatin1String("sarif")) {
        const BuildPlan plan = BuildPlan::fromText(input->text, planOptions);
        SarifReport::Input sarif;
        sarif.path = reportPath(file, contextDir);
        sarif.toolVersion = QStringLiteral(STAGECRAFT_VERSION);
        sarif.fixesFor = [&](const Diagnostic &d) {
            return QuickFixes::forDiagnostic(plan, input->text, d, *options);
        };
        printOut(QString::fromUtf8(SarifReport::make(diagnostics, sarif)));
    } else if (format == QLatin1String("codequality")) {
        printOut(QString::fromUtf8(CodeQualityReport::make(diagnostics, reportPath(file, contextDir))));
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
