#include "core/checks/multistageconversion.h"

#include "core/checks/imagecontentrules.h"
#include "core/checks/runscript.h"
#include "core/plan/containerpath.h"

#include <QRegularExpression>

namespace stagecraft {

namespace {

// A command line that means the same in exec form: plain words, nothing for a shell to do.
std::optional<QStringList> plainWords(const QString &commandLine)
{
    static const QRegularExpression kShellSyntax(QStringLiteral("[$`\"'\\\\|&;<>(){}*?~#!\\[\\]]"));
    if (kShellSyntax.match(commandLine).hasMatch())
        return std::nullopt;
    const QStringList words =
        commandLine.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (words.isEmpty())
        return std::nullopt;
    return words;
}

QString jsonArray(const QStringList &words)
{
    QStringList quoted;
    for (const QString &w : words) {
        QString e = w;
        e.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
        quoted.append(QLatin1Char('"') + e + QLatin1Char('"'));
    }
    return QLatin1Char('[') + quoted.join(QStringLiteral(", ")) + QLatin1Char(']');
}

SourceRange wholeLines(const Instruction &ins)
{
    return {{ins.range.start.line, 1}, {ins.range.end.line + 1, 1}};
}

bool isNumericUser(const QString &user)
{
    static const QRegularExpression kNumeric(QStringLiteral("^[0-9]+(:[0-9]+)?$"));
    return kNumeric.match(user).hasMatch();
}

} // namespace

Expected<QuickFix> MultiStageConversion::convert(const BuildPlan &plan, QStringView text,
                                                 const BuildCheckOptions &options)
{
    if (plan.hasErrors())
        return fail(QStringLiteral("the Dockerfile has errors; fix them first"));
    if (plan.stages().size() != 1)
        return fail(QStringLiteral("the Dockerfile has %1 stages already").arg(plan.stages().size()));
    const PlanStage &stage = plan.stages().first();
    if (stage.isScratch())
        return fail(QStringLiteral("the stage starts from scratch: there is no toolchain to leave behind"));
    const Dockerfile &df = plan.dockerfile();
    const Instruction &from = df.instructions.at(stage.from.instruction);

    // Walk the stage: where the build runs, what it writes, what describes the running program.
    QString workdir = QStringLiteral("/");
    bool cgoOff = false;
    std::optional<QString> output; // go build -o, resolved
    QString buildDir;              // WORKDIR of the build RUN
    int buildStep = -1;
    const Instruction *entrypoint = nullptr;
    const Instruction *cmd = nullptr;
    const EntrypointCommand *entrypointCommand = nullptr;
    const CmdCommand *cmdCommand = nullptr;
    QString runtimeWorkdir;
    QList<const Instruction *> moved;  // runtime metadata, in file order
    QList<const Instruction *> copied; // USER: the build keeps it too
    for (const PlanStep &step : stage.steps) {
        if (step.trigger)
            continue;
        const Instruction &ins = df.instructions.at(step.instruction);
        if (const auto *w = std::get_if<WorkdirCommand>(&step.command)) {
            workdir = w->resolved ? *w->resolved : ContainerPath::resolve(workdir, w->path);
        } else if (const auto *env = std::get_if<EnvCommand>(&step.command)) {
            for (const EnvVariable &v : env->variables)
                if (v.name == QLatin1String("CGO_ENABLED"))
                    cgoOff = v.value == QLatin1String("0");
        } else if (const auto *run = std::get_if<RunCommand>(&step.command)) {
            const RunScript script = RunScript::parse(ImageContentRules::runText(*run));
            const qsizetype at = script.find({QStringLiteral("go")}, QStringLiteral("build"));
            if (at < 0)
                continue;
            buildStep = step.number;
            buildDir = workdir;
            const QStringList &words = script.commands().at(at).words;
            output.reset();
            QString written;
            for (qsizetype i = 0; i < words.size(); ++i) {
                if (words.at(i) == QLatin1String("CGO_ENABLED=0"))
                    cgoOff = true;
                if (words.at(i) == QLatin1String("-o") && i + 1 < words.size())
                    written = words.at(i + 1);
                else if (words.at(i).startsWith(QLatin1String("-o=")))
                    written = words.at(i).mid(3);
            }
            if (written.endsWith(QLatin1Char('/')))
                return fail(QStringLiteral("go build -o names a directory; give the program's file name"));
            if (!written.isEmpty())
                output = ContainerPath::resolve(workdir, written);
        } else if (const auto *e = std::get_if<EntrypointCommand>(&step.command)) {
            entrypoint = &ins;
            entrypointCommand = e;
            runtimeWorkdir = workdir;
            moved.append(&ins);
        } else if (const auto *c = std::get_if<CmdCommand>(&step.command)) {
            cmd = &ins;
            cmdCommand = c;
            if (!entrypoint)
                runtimeWorkdir = workdir;
            moved.append(&ins);
        } else if (std::holds_alternative<ExposeCommand>(step.command) ||
                   std::holds_alternative<HealthcheckCommand>(step.command) ||
                   std::holds_alternative<StopsignalCommand>(step.command) ||
                   std::holds_alternative<VolumeCommand>(step.command) ||
                   std::holds_alternative<LabelCommand>(step.command)) {
            moved.append(&ins);
        } else if (std::holds_alternative<UserCommand>(step.command)) {
            copied.append(&ins);
        } else if (std::holds_alternative<OnbuildCommand>(step.command)) {
            return fail(QStringLiteral("the stage has ONBUILD triggers, which belong to the image it makes"));
        }
    }
    if (buildStep < 0)
        return fail(
            QStringLiteral("no RUN builds a program with `go build`; only Go builds are converted so far, "
                           "so what the image's result is cannot be told"));
    if (!entrypoint && !cmd)
        return fail(QStringLiteral("no ENTRYPOINT or CMD says which program the image runs"));

    // The program the image starts, as a path in the container.
    const ProcessCommand &process = entrypoint ? static_cast<const ProcessCommand &>(*entrypointCommand)
                                               : static_cast<const ProcessCommand &>(*cmdCommand);
    QString program;
    if (process.execForm) {
        program = process.arguments.value(0);
    } else {
        const std::optional<QStringList> words = plainWords(process.arguments.value(0));
        program = words ? words->first() : QString();
    }
    if (program.isEmpty())
        return fail(
            QStringLiteral("the ENTRYPOINT/CMD is a shell command line whose program cannot be told"));
    const QString programPath =
        program.contains(QLatin1Char('/'))
            ? ContainerPath::resolve(runtimeWorkdir.isEmpty() ? QStringLiteral("/") : runtimeWorkdir, program)
            : QString();
    QString binary;
    if (output) {
        binary = *output;
        if (!programPath.isEmpty() && programPath != binary)
            return fail(QStringLiteral("the image runs %1, but go build writes %2").arg(programPath, binary));
        if (programPath.isEmpty() && program != binary.section(QLatin1Char('/'), -1))
            return fail(QStringLiteral("the image runs %1, which is not what go build writes (%2)")
                            .arg(program, binary));
    } else if (!programPath.isEmpty()) {
        binary = programPath;
    } else {
        return fail(QStringLiteral("cannot tell where go build writes the program: give it `-o PATH`"));
    }
    if (binary == QLatin1String("/"))
        return fail(QStringLiteral("go build writes to /"));

    // The final stage's base and what it needs at run time.
    const bool scratch = cgoOff;
    const bool alpine = stage.from.base.contains(QLatin1String("alpine"));
    const QString runtimeBase =
        scratch ? QStringLiteral("scratch")
                : (alpine ? QStringLiteral("alpine:3") : QStringLiteral("debian:bookworm-slim"));
    const auto mentions = [&](const char *word) {
        return options.contextSourcesMention && options.contextSourcesMention(QLatin1String(word));
    };
    const bool tls = mentions("crypto/tls") || mentions("net/http") || mentions("https://");
    const bool zones = mentions("time.LoadLocation") && !mentions("time/tzdata");

    const bool lower = from.keyword == from.keyword.toLower();
    const auto kw = [lower](const char *k) {
        return lower ? QString::fromLatin1(k).toLower() : QString::fromLatin1(k);
    };
    const QString buildName = stage.name.isEmpty() ? QStringLiteral("build") : stage.name;

    QString finalStage =
        QStringLiteral("\n") + kw("FROM") + QLatin1Char(' ') + runtimeBase + QLatin1Char('\n');
    if (scratch) {
        if (tls)
            finalStage +=
                kw("COPY") + QStringLiteral(" --from=%1 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n")
                                 .arg(buildName);
        if (zones)
            finalStage +=
                kw("COPY") +
                QStringLiteral(" --from=%1 /usr/share/zoneinfo /usr/share/zoneinfo\n").arg(buildName);
    } else {
        QStringList packages;
        if (tls)
            packages.append(QStringLiteral("ca-certificates"));
        if (zones)
            packages.append(QStringLiteral("tzdata"));
        if (!packages.isEmpty()) {
            finalStage +=
                kw("RUN") + QLatin1Char(' ') +
                (alpine ? QStringLiteral("apk add --no-cache ") + packages.join(QLatin1Char(' '))
                        : QStringLiteral("apt-get update && apt-get install -y --no-install-recommends %1 "
                                         "&& rm -rf /var/lib/apt/lists/*")
                              .arg(packages.join(QLatin1Char(' ')))) +
                QLatin1Char('\n');
        }
    }
    finalStage += kw("COPY") + QStringLiteral(" --from=%1 %2 %2\n").arg(buildName, binary);
    if (!runtimeWorkdir.isEmpty() && runtimeWorkdir != QLatin1String("/"))
        finalStage += kw("WORKDIR") + QLatin1Char(' ') + runtimeWorkdir + QLatin1Char('\n');
    for (const Instruction *user : std::as_const(copied)) {
        const QString who = user->args.value(0).text;
        if (scratch && !isNumericUser(who))
            return fail(QStringLiteral("USER %1 names a user, and scratch has no /etc/passwd to find it in")
                            .arg(who));
        finalStage +=
            text.mid(TextLines(text).offset(user->range.start),
                     TextLines(text).offset(user->range.end) - TextLines(text).offset(user->range.start))
                .toString() +
            QLatin1Char('\n');
    }

    QuickFix fix;
    fix.title = QStringLiteral("Make it multi-stage (build stage + %1)").arg(runtimeBase);
    fix.rule = QStringLiteral("FinalStageToolchain");
    fix.range = from.keywordRange;
    const TextLines lines(text);
    const bool shellEntrypoint = entrypointCommand && !entrypointCommand->execForm;
    for (const Instruction *ins : std::as_const(moved)) {
        QString written = text.mid(lines.offset(ins->range.start),
                                   lines.offset(ins->range.end) - lines.offset(ins->range.start))
                              .toString();
        const bool isEntrypoint = ins == entrypoint;
        const bool isCmd = ins == cmd;
        if ((isEntrypoint || isCmd) && scratch) {
            const ProcessCommand &p = isEntrypoint ? static_cast<const ProcessCommand &>(*entrypointCommand)
                                                   : static_cast<const ProcessCommand &>(*cmdCommand);
            // A shell-form ENTRYPOINT ignores CMD; in exec form CMD would become its arguments.
            if (isCmd && shellEntrypoint) {
                fix.edits.append({wholeLines(*ins), QString()});
                continue;
            }
            if (!p.execForm) {
                const std::optional<QStringList> words = plainWords(p.arguments.value(0));
                if (!words)
                    return fail(
                        QStringLiteral("%1 needs a shell, which scratch does not have").arg(ins->keyword));
                written = ins->keyword + QLatin1Char(' ') + jsonArray(*words);
            }
        }
        SourceRange removed = wholeLines(*ins);
        // The blank line above the file's last instruction goes too: the new stage brings its own.
        if (ins == &df.instructions.last() && removed.start.line > 1) {
            const qsizetype above = lines.offset({removed.start.line - 1, 1});
            if (text.mid(above, lines.offset(removed.start) - above).trimmed().isEmpty())
                removed.start.line -= 1;
        }
        fix.edits.append({removed, QString()});
        finalStage += written + QLatin1Char('\n');
    }
    if (stage.name.isEmpty())
        fix.edits.append(
            {{from.range.end, from.range.end}, QLatin1Char(' ') + kw("AS") + QLatin1Char(' ') + buildName});
    const QString separator =
        text.endsWith(QLatin1Char('\n')) || text.isEmpty() ? QString() : QStringLiteral("\n");
    const SourcePosition end = lines.position(text.size());
    fix.edits.append({{end, end}, separator + finalStage});
    return fix;
}

} // namespace stagecraft
