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

// The image's repository and tag: ("node", "20-alpine") for "docker.io/library/node:20-alpine".
std::pair<QString, QString> repositoryAndTag(const QString &reference)
{
    QString ref = reference.section(QLatin1Char('@'), 0, 0);
    QString tag;
    const qsizetype slash = ref.lastIndexOf(QLatin1Char('/'));
    const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
    if (colon > slash) {
        tag = ref.mid(colon + 1);
        ref.truncate(colon);
    }
    return {ref.mid(slash + 1).toLower(), tag};
}

// The slim variant of an official language image: node:20 → node:20-slim, python:3.12-bookworm →
// python:3.12-slim-bookworm; alpine and slim tags are small already and stay.
QString slimVariant(const QString &repository, const QString &tag)
{
    if (tag.contains(QLatin1String("alpine")) || tag.contains(QLatin1String("slim")))
        return repository + QLatin1Char(':') + tag;
    if (tag.isEmpty() || tag == QLatin1String("latest"))
        return repository + QStringLiteral(":slim");
    static const QStringList kDistributions = {QStringLiteral("bookworm"), QStringLiteral("bullseye"),
                                               QStringLiteral("buster"), QStringLiteral("trixie")};
    for (const QString &d : kDistributions)
        if (tag.endsWith(QLatin1Char('-') + d))
            return repository + QLatin1Char(':') + tag.chopped(d.size() + 1) + QStringLiteral("-slim-") + d;
    return repository + QLatin1Char(':') + tag + QStringLiteral("-slim");
}

// The first word after `program` that is neither an option nor an option's value.
QString firstOperand(const QStringList &words, qsizetype from, const QStringList &optionsWithValue)
{
    for (qsizetype i = from; i < words.size(); ++i) {
        const QString &w = words.at(i);
        if (optionsWithValue.contains(w)) {
            ++i;
            continue;
        }
        if (!w.startsWith(QLatin1Char('-')))
            return w;
    }
    return {};
}

// The words of the command the image starts, exec form or a plain shell line; empty when a
// shell would have to interpret it.
QStringList processWords(const ProcessCommand *p)
{
    if (!p)
        return {};
    if (p->execForm)
        return p->arguments;
    return plainWords(p->arguments.value(0)).value_or(QStringList());
}

// What the build RUNs say, gathered while walking the stage.
struct BuildFacts
{
    int goStep = -1;
    std::optional<QString> goOutput; // go build -o, resolved
    bool cgoOff = false;
    int cargoStep = -1;
    QString cargoDir;       // where cargo build writes: <workdir>/target/[<triple>/]{release,debug}
    bool cargoMusl = false; // --target *-musl: a static binary
    bool cargoInstall = false;
    QString nodeTool; // npm, yarn or pnpm: the one that ran `build`
    bool nodeCi = false;
    QString nodeDir; // WORKDIR of the build
    QString venv;    // python -m venv / virtualenv, resolved
    QStringList devPackages;
};

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
    BuildFacts facts;
    const Instruction *entrypoint = nullptr;
    const Instruction *cmd = nullptr;
    const EntrypointCommand *entrypointCommand = nullptr;
    const CmdCommand *cmdCommand = nullptr;
    QString runtimeWorkdir;
    QList<const Instruction *> moved;  // runtime metadata, in file order
    QList<const Instruction *> copied; // USER: the build keeps it too
    QStringList envPath;               // ENV PATH values, for a virtual environment
    for (const PlanStep &step : stage.steps) {
        if (step.trigger)
            continue;
        const Instruction &ins = df.instructions.at(step.instruction);
        if (const auto *w = std::get_if<WorkdirCommand>(&step.command)) {
            workdir = w->resolved ? *w->resolved : ContainerPath::resolve(workdir, w->path);
        } else if (const auto *env = std::get_if<EnvCommand>(&step.command)) {
            for (const EnvVariable &v : env->variables) {
                if (v.name == QLatin1String("CGO_ENABLED"))
                    facts.cgoOff = v.value == QLatin1String("0");
                if (v.name == QLatin1String("PATH"))
                    envPath.append(v.value);
            }
        } else if (const auto *run = std::get_if<RunCommand>(&step.command)) {
            const QString runText = ImageContentRules::runText(*run);
            const RunScript script = RunScript::parse(runText);
            facts.devPackages += ImageContentRules::toolchainPackages(runText);
            if (const qsizetype at = script.find({QStringLiteral("go")}, QStringLiteral("build")); at >= 0) {
                facts.goStep = step.number;
                const QStringList &words = script.commands().at(at).words;
                facts.goOutput.reset();
                QString written;
                for (qsizetype i = 0; i < words.size(); ++i) {
                    if (words.at(i) == QLatin1String("CGO_ENABLED=0"))
                        facts.cgoOff = true;
                    if (words.at(i) == QLatin1String("-o") && i + 1 < words.size())
                        written = words.at(i + 1);
                    else if (words.at(i).startsWith(QLatin1String("-o=")))
                        written = words.at(i).mid(3);
                }
                if (written.endsWith(QLatin1Char('/')))
                    return fail(
                        QStringLiteral("go build -o names a directory; give the program's file name"));
                if (!written.isEmpty())
                    facts.goOutput = ContainerPath::resolve(workdir, written);
            }
            const qsizetype cargo = script.find({QStringLiteral("cargo")}, QStringLiteral("build"));
            const qsizetype cargoInstall = script.find({QStringLiteral("cargo")}, QStringLiteral("install"));
            if (cargo >= 0 || cargoInstall >= 0) {
                facts.cargoStep = step.number;
                facts.cargoInstall = cargo < 0;
                const QStringList args = script.argumentsAfterVerb(cargo >= 0 ? cargo : cargoInstall,
                                                                   cargo >= 0 ? QStringLiteral("build")
                                                                              : QStringLiteral("install"));
                QString triple;
                bool release = facts.cargoInstall;
                QString targetDir = QStringLiteral("target");
                for (qsizetype i = 0; i < args.size(); ++i) {
                    const QString &a = args.at(i);
                    if (a == QLatin1String("--release") || a == QLatin1String("-r"))
                        release = true;
                    else if (a == QLatin1String("--target") && i + 1 < args.size())
                        triple = args.at(i + 1);
                    else if (a.startsWith(QLatin1String("--target=")))
                        triple = a.mid(9);
                    else if (a == QLatin1String("--target-dir") && i + 1 < args.size())
                        targetDir = args.at(i + 1);
                    else if (a.startsWith(QLatin1String("--target-dir=")))
                        targetDir = a.mid(13);
                }
                facts.cargoMusl = triple.contains(QLatin1String("musl"));
                facts.cargoDir = ContainerPath::resolve(workdir, targetDir) +
                                 (triple.isEmpty() ? QString() : QLatin1Char('/') + triple) +
                                 (release ? QStringLiteral("/release") : QStringLiteral("/debug"));
            }
            const QStringList nodeTools = {QStringLiteral("npm"), QStringLiteral("yarn"),
                                           QStringLiteral("pnpm")};
            for (const QString &tool : nodeTools) {
                const qsizetype viaRun = script.find({tool}, QStringLiteral("run"));
                const bool runsBuild =
                    (viaRun >= 0 && script.argumentsAfterVerb(viaRun, QStringLiteral("run")).value(0) ==
                                        QLatin1String("build")) ||
                    (tool != QLatin1String("npm") && script.contains({tool}, QStringLiteral("build")));
                if (runsBuild) {
                    facts.nodeTool = tool;
                    facts.nodeDir = workdir;
                }
            }
            if (script.contains({QStringLiteral("npm")}, QStringLiteral("ci")))
                facts.nodeCi = true;
            for (const RunScript::Command &c : script.commands()) {
                const qsizetype venv = c.words.indexOf(QStringLiteral("venv"));
                QString dir;
                if (venv > 0 && c.words.at(venv - 1) == QLatin1String("-m"))
                    dir = firstOperand(c.words, venv + 1, {QStringLiteral("--prompt")});
                else if (c.words.value(0) == QLatin1String("virtualenv"))
                    dir = firstOperand(c.words, 1, {QStringLiteral("-p"), QStringLiteral("--python")});
                if (!dir.isEmpty())
                    facts.venv = ContainerPath::resolve(workdir, dir);
            }
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
    const auto [repository, tag] = repositoryAndTag(stage.from.base);
    const bool pythonBase = repository == QLatin1String("python");
    if (facts.goStep < 0 && facts.cargoStep < 0 && facts.nodeTool.isEmpty() &&
        (!pythonBase || facts.venv.isEmpty())) {
        if (pythonBase)
            return fail(QStringLiteral(
                "a Python image runs its sources with the packages pip installed system-wide; without a "
                "virtual environment (python -m venv) to copy, what the program needs cannot be told"));
        return fail(QStringLiteral("no RUN builds a program (go build, cargo build, npm/yarn/pnpm run build) "
                                   "or fills a Python virtual environment, so what the image's result is "
                                   "cannot be told"));
    }
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
    const QString runDir = runtimeWorkdir.isEmpty() ? QStringLiteral("/") : runtimeWorkdir;
    const QString programPath =
        program.contains(QLatin1Char('/')) ? ContainerPath::resolve(runDir, program) : QString();
    const auto mentions = [&](const char *word) {
        return options.contextSourcesMention && options.contextSourcesMention(QLatin1String(word));
    };
    const bool lower = from.keyword == from.keyword.toLower();
    const auto kw = [lower](const char *k) {
        return lower ? QString::fromLatin1(k).toLower() : QString::fromLatin1(k);
    };
    const QString buildName = stage.name.isEmpty() ? QStringLiteral("build") : stage.name;
    const bool alpine = stage.from.base.contains(QLatin1String("alpine"));

    // What each kind of build puts into the final stage before the moved instructions.
    QString runtimeBase;
    QString body;             // the final stage's lines after FROM
    bool scratch = false;     // no shell: commands in JSON form
    bool dropProcess = false; // the runtime image's own command serves the result
    QString defaultUser;      // the non-root USER when the Dockerfile names none
    const auto packagesLine = [&](const QStringList &packages) -> QString {
        return kw("RUN") + QLatin1Char(' ') +
               (alpine ? QStringLiteral("apk add --no-cache ") + packages.join(QLatin1Char(' '))
                       : QStringLiteral("apt-get update && apt-get install -y --no-install-recommends %1 "
                                        "&& rm -rf /var/lib/apt/lists/*")
                             .arg(packages.join(QLatin1Char(' ')))) +
               QLatin1Char('\n');
    };
    if (facts.goStep >= 0 || facts.cargoStep >= 0) {
        const bool go = facts.goStep >= 0 && facts.goStep > facts.cargoStep;
        QString binary;
        QString destination;
        if (go) {
            if (facts.goOutput) {
                binary = *facts.goOutput;
                if (!programPath.isEmpty() && programPath != binary)
                    return fail(
                        QStringLiteral("the image runs %1, but go build writes %2").arg(programPath, binary));
                if (programPath.isEmpty() && program != binary.section(QLatin1Char('/'), -1))
                    return fail(QStringLiteral("the image runs %1, which is not what go build writes (%2)")
                                    .arg(program, binary));
            } else if (!programPath.isEmpty()) {
                binary = programPath;
            } else {
                return fail(
                    QStringLiteral("cannot tell where go build writes the program: give it `-o PATH`"));
            }
            if (binary == QLatin1String("/"))
                return fail(QStringLiteral("go build writes to /"));
            scratch = facts.cgoOff;
        } else if (facts.cargoInstall) {
            // cargo install puts the program into $CARGO_HOME/bin, which the rust image has on PATH.
            if (!programPath.isEmpty() && !programPath.startsWith(QLatin1String("/usr/local/cargo/bin/")))
                return fail(
                    QStringLiteral("the image runs %1, which cargo install does not write (it installs "
                                   "into /usr/local/cargo/bin)")
                        .arg(programPath));
            const QString name = program.section(QLatin1Char('/'), -1);
            binary = QStringLiteral("/usr/local/cargo/bin/") + name;
            destination = QStringLiteral("/usr/local/bin/") + name;
            scratch = facts.cargoMusl;
            if (scratch && programPath.isEmpty())
                return fail(
                    QStringLiteral("scratch has no PATH to find %1 in; run it by its path").arg(name));
        } else {
            if (programPath.isEmpty() || !programPath.startsWith(facts.cargoDir + QLatin1Char('/')) ||
                programPath.mid(facts.cargoDir.size() + 1).contains(QLatin1Char('/')))
                return fail(QStringLiteral("the image runs %1, which is not a program cargo build writes "
                                           "(into %2)")
                                .arg(programPath.isEmpty() ? program : programPath, facts.cargoDir));
            binary = programPath;
            scratch = facts.cargoMusl;
        }
        if (destination.isEmpty())
            destination = binary;
        runtimeBase = scratch  ? QStringLiteral("scratch")
                      : alpine ? QStringLiteral("alpine:3")
                               : QStringLiteral("debian:bookworm-slim");
        const bool tls = go ? (mentions("crypto/tls") || mentions("net/http") || mentions("https://"))
                            : (mentions("reqwest") || mentions("rustls") || mentions("native_tls") ||
                               mentions("openssl") || mentions("hyper_tls") || mentions("https://"));
        const bool zones =
            go ? (mentions("time.LoadLocation") && !mentions("time/tzdata"))
               : (mentions("chrono_tz") || mentions("tzfile") || mentions("/usr/share/zoneinfo"));
        if (scratch) {
            if (tls)
                body += kw("COPY") +
                        QStringLiteral(" --from=%1 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n")
                            .arg(buildName);
            if (zones)
                body += kw("COPY") +
                        QStringLiteral(" --from=%1 /usr/share/zoneinfo /usr/share/zoneinfo\n").arg(buildName);
        } else {
            QStringList packages;
            if (tls)
                packages.append(QStringLiteral("ca-certificates"));
            if (zones)
                packages.append(QStringLiteral("tzdata"));
            if (!packages.isEmpty())
                body += packagesLine(packages);
        }
        body += kw("COPY") + QStringLiteral(" --from=%1 %2 %3\n").arg(buildName, binary, destination);
        defaultUser = QStringLiteral("65534:65534"); // nobody: in every image, even scratch
    } else if (!facts.nodeTool.isEmpty()) {
        const QStringList words = processWords(&process);
        const QString first = words.value(0);
        const bool npx = first == QLatin1String("npx");
        const QString server = npx ? words.value(1) : first.section(QLatin1Char('/'), -1);
        if (server == QLatin1String("serve") || server == QLatin1String("http-server")) {
            // A static site: the build directory is all there is, and a web server serves it.
            const QString dir =
                firstOperand(words, npx ? 2 : 1,
                             {QStringLiteral("-l"), QStringLiteral("--listen"), QStringLiteral("-p"),
                              QStringLiteral("--port"), QStringLiteral("-a"), QStringLiteral("-c")});
            if (dir.isEmpty() || dir == QLatin1String("."))
                return fail(QStringLiteral("%1 serves the working directory, not a build directory: which "
                                           "files the site is cannot be told")
                                .arg(server));
            runtimeBase = QStringLiteral("nginxinc/nginx-unprivileged:alpine");
            body += kw("COPY") + QStringLiteral(" --from=%1 %2 /usr/share/nginx/html\n")
                                     .arg(buildName, ContainerPath::resolve(runDir, dir));
            body += kw("EXPOSE") + QStringLiteral(" 8080\n");
            dropProcess = true; // nginx's own command serves it, as a user of its own
        } else if (first == QLatin1String("node") || first.endsWith(QLatin1String("/node"))) {
            const QString script =
                firstOperand(words, 1, {QStringLiteral("-r"), QStringLiteral("--require")});
            if (script.isEmpty())
                return fail(QStringLiteral("node is started without a script to run"));
            const QString resolved = ContainerPath::resolve(runDir, script);
            const QString relative =
                resolved.startsWith(facts.nodeDir + QLatin1Char('/')) || facts.nodeDir == QLatin1String("/")
                    ? resolved.mid(facts.nodeDir == QLatin1String("/") ? 1 : facts.nodeDir.size() + 1)
                    : QString();
            const QString top = relative.section(QLatin1Char('/'), 0, 0);
            static const QStringList kOutputs = {QStringLiteral("dist"), QStringLiteral("build"),
                                                 QStringLiteral("out"), QStringLiteral("lib")};
            if (!relative.contains(QLatin1Char('/')) || !kOutputs.contains(top))
                return fail(
                    QStringLiteral("the image runs node %1, which is not in a build output directory "
                                   "(dist/, build/, out/ or lib/ beside package.json), so which files "
                                   "the program needs cannot be told")
                        .arg(script));
            if (facts.nodeTool == QLatin1String("pnpm"))
                return fail(QStringLiteral("a production install with pnpm needs pnpm in the runtime image; "
                                           "convert npm or yarn builds only"));
            if (repository != QLatin1String("node"))
                return fail(QStringLiteral("the base image %1 is not the official node image, whose slim "
                                           "variant the final stage would use")
                                .arg(stage.from.base));
            runtimeBase = slimVariant(repository, tag);
            const QString appDir = facts.nodeDir;
            body += kw("ENV") + QStringLiteral(" NODE_ENV=production\n");
            body += kw("WORKDIR") + QLatin1Char(' ') + appDir + QLatin1Char('\n');
            const bool yarn = facts.nodeTool == QLatin1String("yarn");
            body += kw("COPY") +
                    QStringLiteral(" --from=%1 %2/package.json %2/%3 ./\n")
                        .arg(buildName, appDir == QLatin1String("/") ? QString() : appDir,
                             yarn ? QStringLiteral("yarn.lock") : QStringLiteral("package-lock.json*"));
            body += kw("RUN") + QLatin1Char(' ') +
                    (yarn ? QStringLiteral("yarn install --production --frozen-lockfile && yarn cache clean")
                          : (facts.nodeCi
                                 ? QStringLiteral("npm ci --omit=dev && npm cache clean --force")
                                 : QStringLiteral("npm install --omit=dev && npm cache clean --force"))) +
                    QLatin1Char('\n');
            const QString output = ContainerPath::resolve(facts.nodeDir, top);
            body += kw("COPY") + QStringLiteral(" --from=%1 %2 %2\n").arg(buildName, output);
            defaultUser = QStringLiteral("node"); // the official image's unprivileged user
        } else {
            return fail(QStringLiteral("the image runs %1, not node or a static file server, so what the "
                                       "build's result is cannot be told")
                            .arg(first));
        }
    } else {
        if (!facts.devPackages.isEmpty())
            return fail(
                QStringLiteral("the build installs %1; which run-time libraries the compiled packages "
                               "need instead cannot be told")
                    .arg(facts.devPackages.join(QStringLiteral(", "))));
        if (runDir == QLatin1String("/"))
            return fail(
                QStringLiteral("the program runs from /, so which files are its sources cannot be told; "
                               "give it a WORKDIR"));
        runtimeBase = slimVariant(repository, tag);
        body += kw("COPY") + QStringLiteral(" --from=%1 %2 %2\n").arg(buildName, facts.venv);
        bool onPath = false;
        for (const QString &p : std::as_const(envPath))
            onPath = onPath || p.contains(facts.venv + QStringLiteral("/bin"));
        if (onPath)
            body += kw("ENV") + QStringLiteral(" PATH=\"%1/bin:$PATH\"\n").arg(facts.venv);
        body += kw("WORKDIR") + QLatin1Char(' ') + runDir + QLatin1Char('\n');
        if (!facts.venv.startsWith(runDir + QLatin1Char('/')))
            body += kw("COPY") + QStringLiteral(" --from=%1 %2 %2\n").arg(buildName, runDir);
        else
            return fail(QStringLiteral("the virtual environment %1 lies inside the program's directory %2; "
                                       "keep it apart (e.g. /opt/venv) so the sources can be copied alone")
                            .arg(facts.venv, runDir));
        defaultUser = QStringLiteral("65534:65534");
    }

    QString finalStage =
        QStringLiteral("\n") + kw("FROM") + QLatin1Char(' ') + runtimeBase + QLatin1Char('\n') + body;
    if (!dropProcess && !runtimeWorkdir.isEmpty() && runtimeWorkdir != QLatin1String("/") &&
        !body.contains(kw("WORKDIR") + QLatin1Char(' ') + runtimeWorkdir + QLatin1Char('\n')))
        finalStage += kw("WORKDIR") + QLatin1Char(' ') + runtimeWorkdir + QLatin1Char('\n');
    const TextLines lines(text);
    if (!dropProcess) {
        for (const Instruction *user : std::as_const(copied)) {
            const QString who = user->args.value(0).text;
            if (scratch && !isNumericUser(who))
                return fail(
                    QStringLiteral("USER %1 names a user, and scratch has no /etc/passwd to find it in")
                        .arg(who));
            finalStage += text.mid(lines.offset(user->range.start),
                                   lines.offset(user->range.end) - lines.offset(user->range.start))
                              .toString() +
                          QLatin1Char('\n');
        }
        // The program runs as no one in particular unless the Dockerfile says whom.
        if (copied.isEmpty() && !defaultUser.isEmpty())
            finalStage += kw("USER") + QLatin1Char(' ') + defaultUser + QLatin1Char('\n');
    }

    QuickFix fix = QuickFix::titled(
        QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Make it multi-stage (build stage + %1)"), {runtimeBase});
    fix.rule = QStringLiteral("FinalStageToolchain");
    fix.range = from.keywordRange;
    const bool shellEntrypoint = entrypointCommand && !entrypointCommand->execForm;
    for (const Instruction *ins : std::as_const(moved)) {
        QString written = text.mid(lines.offset(ins->range.start),
                                   lines.offset(ins->range.end) - lines.offset(ins->range.start))
                              .toString();
        const bool isEntrypoint = ins == entrypoint;
        const bool isCmd = ins == cmd;
        const bool isExpose = ins->kind == InstructionKind::Expose;
        SourceRange removed = wholeLines(*ins);
        // The blank line above the file's last instruction goes too: the new stage brings its own.
        if (ins == &df.instructions.last() && removed.start.line > 1) {
            const qsizetype above = lines.offset({removed.start.line - 1, 1});
            if (text.mid(above, lines.offset(removed.start) - above).trimmed().isEmpty())
                removed.start.line -= 1;
        }
        if (dropProcess && (isEntrypoint || isCmd || isExpose)) {
            fix.edits.append({removed, QString()});
            continue;
        }
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
