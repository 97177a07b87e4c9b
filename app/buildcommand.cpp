// `stagecraft build`: builds a Dockerfile into the local store with the embedded builder
// or a Docker engine, printing progress as BuildKit's plain output or as JSON lines.
#include "app/cacheoption.h"
#include "app/command.h"
#include "app/dockerfileinput.h"
#include "app/dockerfilereport.h"
#include "app/storearguments.h"
#include "core/builder/builder.h"
#include "core/builder/debugshell.h"
#include "core/engine/buildengine.h"
#include "core/exec/pseudoterminal.h"
#include "core/progress/buildrecord.h"
#include "core/registry/registryclient.h"
#include "core/registry/registryprogressprinter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>

#include <csignal>
#include <mutex>

#include <unistd.h>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft build [-f FILE] [-t NAME:TAG]... [--target STAGE] [--build-arg K=V]...\n"
    "                        [--no-cache] [--network private|host|none] [--debug-shell]\n"
    "                        [--progress plain|json] [--record FILE]\n"
    "                        [--output type=oci,dest=DIR|type=docker,dest=FILE]\n"
    "                        [--cache-to type=local,dest=DIR|type=registry,ref=REF]\n"
    "                        [--cache-from type=local,src=DIR|type=registry,ref=REF]...\n"
    "                        [--mirror REGISTRY=URL]... [--insecure HOST]... [--store DIR]\n"
    "                        [--engine embedded|docker [--docker-host H] [--builder NAME]] CONTEXT\n"
    "\n"
    "Builds the Dockerfile (default CONTEXT/Dockerfile) without a daemon and tags the\n"
    "result in the store. A base image the store lacks is pulled from its registry (or\n"
    "the mirror set for it). Ctrl-C cancels cleanly.\n"
    "\n"
    "--engine docker builds on a Docker engine through the `docker` command line instead\n"
    "(DOCKER_HOST, `docker context` and the client's settings apply; STAGECRAFT_DOCKER names\n"
    "another client program) and imports the result into the store with `docker save`.\n"
    "--docker-host H talks to H (unix://PATH, tcp://HOST:PORT, ssh://USER@HOST); --builder\n"
    "NAME builds on that buildx builder (needs the buildx plugin). The base images are\n"
    "the engine's; --debug-shell and --mirror/--insecure do not apply.\n"
    "\n"
    "A Dockerfile that `stagecraft check` reports errors for is not built (exit 1):\n"
    "among them variable expansion past its limits (${...} nested more than 64 deep,\n"
    "more than 1 MiB substituted in one word or 16 MiB in the file) and NUL characters.\n"
    "Names from the Dockerfile, the context and images resolve inside their own root\n"
    "(symlinks as the stage sees them); an ADD archive or a base layer past the archive\n"
    "bounds of `stagecraft import --help` is refused. See docs/security.md.\n"
    "\n"
    "--network: the network of RUN steps that do not set `RUN --network` themselves:\n"
    "private (the default: a user-mode network through slirp4netns, as `run` has; Docker's\n"
    "word `default` means the same), host (the machine's) or none (loopback only).\n"
    "Steps built with the network are found in the cache by a build with none (a cached\n"
    "step does not run); host has cache keys of its own (docs/cache-format.md).\n"
    "\n"
    "--debug-shell: when a RUN command fails, opens a shell (/bin/sh, or the stage's\n"
    "SHELL) in that step's filesystem: the layers below, what the command wrote before it\n"
    "failed, its ENV, ARGs, WORKDIR, USER, mounts and the same sandbox. Retry the command,\n"
    "look around, then `exit`: the build still fails, and nothing done in the shell is\n"
    "kept (no image, no cache entry). Needs plain progress. When stdin is not a terminal,\n"
    "the shell reads its commands from stdin.\n"
    "\n"
    "--cache-to: after the build, exports the step cache of every step it ran or reused\n"
    "(an OCI layout, docs/cache-format.md). --cache-from: a step the store has no result\n"
    "for is taken from that cache when it holds the step's key (verified first; said as\n"
    "\"CACHED from ...\"); a damaged cache is refused.\n"
    "\n"
    "--record FILE: writes the build's record, whether it succeeded or failed: the\n"
    "Dockerfile, build args, target, the events in BuildKit's SolveStatus form, each step's\n"
    "layer size and the result's digest (`stagecraft record show FILE`, File > Open Build\n"
    "Record).\n";

CancellationToken g_cancel;

void onInterrupt(int)
{
    g_cancel.cancel();
}

QString formatSeconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 1) + QLatin1Char('s');
}

// --debug-shell: a shell in the failed step's filesystem on the user's terminal or,
// when stdin is no terminal (scripts, tests), a shell reading its commands from stdin.
void openDebugShell(const FailedStep &failed, const CancellationToken &cancel)
{
    const bool interactive = ::isatty(STDIN_FILENO);
    printErr(QStringLiteral("\n%1:%2: step %3/%4 of stage %5 failed (exit code %6): %7\n")
                 .arg(QFileInfo(failed.dockerfile).fileName())
                 .arg(failed.range.start.line)
                 .arg(failed.step + 1)
                 .arg(failed.stepCount)
                 .arg(failed.stageName)
                 .arg(failed.exitCode)
                 .arg(failed.instruction.simplified()));
    const QString shell = DebugShell::shellProgram(failed);
    if (!shell.isEmpty())
        printErr(QStringLiteral("debug shell %1 in %2 as the command left it%3; nothing done here is kept, "
                                "`exit` ends the build\n")
                     .arg(shell, failed.spec.workingDir,
                          interactive ? QString() : QStringLiteral(" (commands from stdin)")));
    std::unique_ptr<PseudoTerminal> terminal;
    if (interactive) {
        Expected<std::unique_ptr<PseudoTerminal>> opened = PseudoTerminal::open(STDIN_FILENO);
        if (!opened) {
            printErr(QStringLiteral("cannot open a debug shell: %1\n").arg(opened.error().message));
            return;
        }
        terminal = std::move(*opened);
        terminal->startRelay(STDIN_FILENO, STDOUT_FILENO, true);
    }
    SandboxCallbacks callbacks;
    callbacks.log = [](const QString &line) { printOut(line + u'\n'); };
    callbacks.notice = [](const QString &text) { printErr(QStringLiteral("debug shell: %1\n").arg(text)); };
    const Expected<int> ran =
        DebugShell::run(failed, terminal ? terminal->slaveFd() : STDIN_FILENO, cancel, callbacks);
    if (terminal)
        terminal->stop();
    if (!ran)
        printErr(QStringLiteral("cannot open a debug shell: %1\n").arg(ran.error().message));
    else
        printErr(QStringLiteral("debug shell exited (%1); the build fails as before\n").arg(*ran));
}

int runBuild(const QStringList &commandLine)
{
    const QString name = QStringLiteral("build");
    auto registrySettings = RegistrySettings::load();
    if (!registrySettings)
        return commandError(name, registrySettings.error().message);
    const auto remaining = registrySettings->takeCommandLineOptions(commandLine);
    if (!remaining)
        return usageError(name, remaining.error().message);
    const QStringList &args = *remaining;
    BuildRequest request;
    QString storeOption;
    QString progress = QStringLiteral("plain");
    QString output;
    QString recordPath;
    bool debugShell = false;
    EngineKind engineKind = EngineKind::Embedded;
    DockerEngineOptions dockerOptions;
    QStringList positional;
    std::optional<CacheOption> cacheTo;
    QList<CacheOption> cacheFrom;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const auto value = [&](const QString &option) -> std::optional<QString> {
            if (a.startsWith(option + QLatin1Char('=')))
                return a.mid(option.size() + 1);
            if (a == option && i + 1 < args.size())
                return args[++i];
            return std::nullopt;
        };
        if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            printOut(QString::fromLatin1(kUsage));
            return 0;
        }
        if (a == QLatin1String("--no-cache")) {
            request.noCache = true;
        } else if (a == QLatin1String("--debug-shell")) {
            debugShell = true;
        } else if (auto v = value(QStringLiteral("-f"));
                   v && (a == QLatin1String("-f") || a.startsWith(QStringLiteral("-f=")))) {
            request.dockerfile = *v;
        } else if (auto f = value(QStringLiteral("--file"))) {
            request.dockerfile = *f;
        } else if (auto t = value(QStringLiteral("-t"))) {
            request.tags.append(*t);
        } else if (auto tag = value(QStringLiteral("--tag"))) {
            request.tags.append(*tag);
        } else if (auto target = value(QStringLiteral("--target"))) {
            request.target = *target;
        } else if (auto buildArg = value(QStringLiteral("--build-arg"))) {
            const qsizetype eq = buildArg->indexOf(QLatin1Char('='));
            if (eq <= 0)
                return usageError(name,
                                  QStringLiteral("--build-arg needs KEY=VALUE, got \"%1\"").arg(*buildArg));
            request.buildArgs.insert(buildArg->left(eq), buildArg->mid(eq + 1));
        } else if (auto network = value(QStringLiteral("--network"))) {
            if (*network == QLatin1String("private") || *network == QLatin1String("default"))
                request.network = RunNetwork::Default;
            else if (*network == QLatin1String("host"))
                request.network = RunNetwork::Host;
            else if (*network == QLatin1String("none"))
                request.network = RunNetwork::None;
            else
                return usageError(
                    name, QStringLiteral("--network is private, host or none, got \"%1\"").arg(*network));
        } else if (auto p = value(QStringLiteral("--progress"))) {
            progress = *p;
            if (progress != QLatin1String("plain") && progress != QLatin1String("json"))
                return usageError(name, QStringLiteral("--progress is plain or json"));
        } else if (auto r = value(QStringLiteral("--record"))) {
            recordPath = *r;
        } else if (auto o = value(QStringLiteral("--output"))) {
            output = *o;
        } else if (auto engine = value(QStringLiteral("--engine"))) {
            const auto kind = engineKindFromName(*engine);
            if (!kind)
                return usageError(name,
                                  QStringLiteral("--engine is embedded or docker, got \"%1\"").arg(*engine));
            engineKind = *kind;
        } else if (auto host = value(QStringLiteral("--docker-host"))) {
            dockerOptions.host = *host;
        } else if (auto builder = value(QStringLiteral("--builder"))) {
            dockerOptions.builder = *builder;
        } else if (auto to = value(QStringLiteral("--cache-to"))) {
            auto parsed = CacheOption::parse(*to, true);
            if (!parsed)
                return usageError(name, parsed.error().message);
            cacheTo = *parsed;
        } else if (auto from = value(QStringLiteral("--cache-from"))) {
            auto parsed = CacheOption::parse(*from, false);
            if (!parsed)
                return usageError(name, parsed.error().message);
            cacheFrom.append(*parsed);
        } else if (auto s = value(QStringLiteral("--store"))) {
            storeOption = *s;
        } else if (a.startsWith(QLatin1Char('-')) && a != QLatin1String("-")) {
            return usageError(name, QStringLiteral("unknown option %1").arg(a));
        } else {
            positional.append(a);
        }
    }
    if (positional.size() != 1)
        return usageError(name, QStringLiteral("give one CONTEXT directory"));
    if (engineKind != EngineKind::Docker &&
        (!dockerOptions.host.isEmpty() || !dockerOptions.builder.isEmpty()))
        return usageError(name, QStringLiteral("--docker-host and --builder need --engine docker"));
    if (engineKind == EngineKind::Docker && (cacheTo || !cacheFrom.isEmpty()))
        return usageError(name,
                          QStringLiteral("--cache-to and --cache-from work with the embedded engine only"));
    if (engineKind == EngineKind::Docker && debugShell)
        return usageError(name, QStringLiteral("--debug-shell works with the embedded engine only"));
    if (debugShell && progress == QLatin1String("json"))
        return usageError(name, QStringLiteral("--debug-shell needs plain progress: the shell's terminal "
                                               "would mix with the JSON lines"));
    request.contextDir = QDir(positional.first()).absolutePath();
    if (!QFileInfo(request.contextDir).isDir())
        return commandError(name, QStringLiteral("%1 is not a directory").arg(positional.first()));
    if (!request.dockerfile.isEmpty())
        request.dockerfile = QFileInfo(request.dockerfile).absoluteFilePath();

    QString outputType, outputDest;
    if (!output.isEmpty()) {
        for (const QString &part : output.split(QLatin1Char(','))) {
            if (part.startsWith(QStringLiteral("type=")))
                outputType = part.mid(5);
            else if (part.startsWith(QStringLiteral("dest=")))
                outputDest = part.mid(5);
        }
        if ((outputType != QLatin1String("oci") && outputType != QLatin1String("docker")) ||
            outputDest.isEmpty())
            return usageError(name,
                              QStringLiteral("--output takes type=oci,dest=DIR or type=docker,dest=FILE"));
    }

    // What a Docker engine builds (the text checked here) and what a record keeps.
    QString dockerfileText, dockerfileName;
    // Refuse what `stagecraft check` rejects, with check's messages, before touching the
    // store: the builder stops at parse and graph errors only, and would otherwise build a
    // file whose expansion limits or `# check=error=true` warnings check reports as errors.
    {
        const QString path = request.dockerfile.isEmpty() ? request.contextDir + QStringLiteral("/Dockerfile")
                                                          : request.dockerfile;
        const Expected<DockerfileInput> input = DockerfileInput::read(path);
        if (!input)
            return commandError(name, input.error().message);
        PlanOptions planOptions;
        planOptions.target = request.target;
        planOptions.buildArgs = request.buildArgs;
        planOptions.platform = request.platform;
        dockerfileText = input->text;
        dockerfileName = input->displayName;
        const DockerfileReport report = DockerfileReport::make(input->text, planOptions);
        if (report.hasErrors()) {
            printErr(report.text(input->displayName, true));
            return 1;
        }
        // The builder plans the text read here: the file is read and parsed once.
        request.parsed = std::make_shared<const Dockerfile>(report.dockerfile);
        dockerfileText = input->text;
    }

    auto store = ImageStore::open(ImageStore::defaultRoot(storeOption));
    if (!store)
        return commandError(name, store.error().message);

    // A cache is opened (and refused when damaged) before anything is built.
    for (const CacheOption &option : std::as_const(cacheFrom)) {
        auto source = option.open(*store, *registrySettings);
        if (!source)
            return commandError(name, source.error().message);
        request.cacheFrom.append(*source);
    }

    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);

    // Plain output numbers steps as BuildKit does: one "#N" per step in start order.
    QHash<QString, int> numbers;
    int nextNumber = 1;
    const bool json = progress == QLatin1String("json");
    const auto stepId = [&](const BuildEvent &e) {
        const QString id = QString::number(e.stage) + QLatin1Char('/') + QString::number(e.step);
        if (!numbers.contains(id))
            numbers.insert(id, nextNumber++);
        return numbers.value(id);
    };
    // The builder calls the sink from one thread at a time, so the model needs no lock.
    BuildProgress recorded;
    const auto sink = [&](const BuildEvent &e) {
        if (!recordPath.isEmpty())
            recorded.apply(e);
        if (json) {
            printOut(QString::fromUtf8(QJsonDocument(e.toJson()).toJson(QJsonDocument::Compact)) +
                     QLatin1Char('\n'));
            return;
        }
        const QString label = QStringLiteral("[%1 %2/%3] ").arg(e.stageName).arg(e.step + 1).arg(e.stepCount);
        switch (e.kind) {
        case BuildEventKind::StepStarted:
            printOut(QStringLiteral("#%1 %2%3\n").arg(stepId(e)).arg(label, e.text.simplified()));
            break;
        case BuildEventKind::StepLog: printOut(QStringLiteral("#%1 %2\n").arg(stepId(e)).arg(e.text)); break;
        case BuildEventKind::StepCached:
            printOut(e.cacheSource.isEmpty()
                         ? QStringLiteral("#%1 CACHED\n").arg(stepId(e))
                         : QStringLiteral("#%1 CACHED %2\n").arg(stepId(e)).arg(e.cacheSource));
            break;
        case BuildEventKind::StepDone:
            if (!e.cacheReason.isEmpty())
                printOut(QStringLiteral("#%1 not cached: %2\n").arg(stepId(e)).arg(e.cacheReason));
            printOut(QStringLiteral("#%1 DONE %2\n").arg(stepId(e)).arg(formatSeconds(e.durationMs)));
            break;
        case BuildEventKind::StageFailed:
            printOut(QStringLiteral("#%1 ERROR: %2\n").arg(stepId(e)).arg(e.text));
            break;
        case BuildEventKind::BuildDone:
            printOut(QStringLiteral("writing image %1 DONE %2\n").arg(e.text, formatSeconds(e.durationMs)));
            break;
        case BuildEventKind::BuildWarning: printErr(QStringLiteral("WARNING: %1\n").arg(e.text)); break;
        default: break;
        }
    };
    // The builder asks from one of its worker threads; a registry client belongs to the
    // thread that uses it, so each pull makes its own.
    std::mutex printMutex;
    request.pullMissingImage = [&](const QString &reference,
                                   const CancellationToken &cancel) -> Expected<void> {
        auto credentials = RegistryCredentials::load();
        if (!credentials)
            return std::unexpected(credentials.error());
        RegistryClient client(*registrySettings, std::move(*credentials));
        PullOptions options;
        if (auto platform = Platform::parse(request.platform))
            options.platform = *platform;
        RegistryProgressPrinter printer(false, [&](const QString &line) {
            if (!json)
                printOut(line);
        });
        auto pulled = client.pullInto(
            *store, reference, options,
            [&](const RegistryProgress &p) {
                std::lock_guard lock(printMutex);
                printer.report(p);
            },
            cancel);
        printer.finish();
        if (!pulled)
            return std::unexpected(pulled.error());
        return {};
    };
    if (debugShell)
        request.onFailedStep = [&](const FailedStep &failed, const CancellationToken &cancel) {
            openDebugShell(failed, cancel);
        };
    EngineRequest engineRequest;
    engineRequest.build = request;
    engineRequest.dockerfileText = dockerfileText;
    const std::unique_ptr<BuildEngine> engine = BuildEngine::create(engineKind, *store, dockerOptions);
    auto result = engine->build(engineRequest, sink, g_cancel);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!recordPath.isEmpty()) {
        BuildRecord record = BuildRecord::fromProgress(recorded);
        record.dockerfile = dockerfileText;
        record.dockerfileName = QFileInfo(dockerfileName).fileName();
        for (auto it = request.buildArgs.cbegin(); it != request.buildArgs.cend(); ++it)
            record.buildArgs.insert(it.key(), it.value());
        record.target = request.target;
        record.engine = engineKindName(engineKind);
        if (result) {
            record.resultDigest = result->manifest.digest.toString();
            record.tags = result->tags;
        }
        if (Expected<void> written = record.write(recordPath); !written)
            printErr(QStringLiteral("build: %1\n").arg(written.error().message));
    }
    if (!result)
        return commandError(name, result.error().message);
    if (!json)
        for (const QString &tag : result->tags)
            printOut(QStringLiteral("naming to %1 done\n").arg(tag));
    for (const auto &source : std::as_const(request.cacheFrom))
        if (const QString fetched = CacheOption::fetchSummary(*source); !fetched.isEmpty() && !json)
            printOut(fetched + u'\n');
    if (cacheTo) {
        auto exported = cacheTo->write(*store, result->cacheKeys, *registrySettings);
        if (!exported)
            return commandError(name, exported.error().message);
        if (!json)
            printOut(*exported + u'\n');
    }
    if (!outputType.isEmpty()) {
        const QString reference = result->manifest.digest.toString();
        auto exported = store->exportImage(
            result->tags.isEmpty() ? reference : result->tags.first(), outputDest,
            outputType == QLatin1String("oci") ? ExportFormat::Oci : ExportFormat::DockerArchive);
        if (!exported)
            return commandError(name, exported.error().message);
    }
    return 0;
}

const CommandRegistration reg{{QStringLiteral("build"),
                               QStringLiteral("build a Dockerfile into the store (no daemon needed)"),
                               runBuild}};

} // namespace

} // namespace stagecraft::app
