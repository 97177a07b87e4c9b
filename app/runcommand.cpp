// `stagecraft run`: runs an image from the store like `docker run`, in the builder's
// sandbox on a throwaway writable layer, with the private network and published ports;
// `-d` leaves it running under a supervising `stagecraft` process (see `ps`, `stop`, `logs`,
// `rm`); `-i` passes our stdin on, `-t` gives it a pseudo-terminal.
#include "app/command.h"
#include "app/storearguments.h"
#include "core/builder/containerrecord.h"
#include "core/builder/containerrun.h"
#include "core/exec/pseudoterminal.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace stagecraft::app {

namespace {

const char kUsage[] =
    "Usage: stagecraft run [OPTIONS] IMAGE [--] [COMMAND [ARGS...]]\n"
    "\n"
    "Runs the image's entrypoint and command (COMMAND replaces the command) with its\n"
    "environment, working directory and user; changes are thrown away. Exits with the\n"
    "command's exit status (125 when the container could not start).\n"
    "\n"
    "  -d, --detach              run in the background; print the container id\n"
    "  -i, --interactive         pass stdin on to the command\n"
    "  -t, --tty, -it            give the command a terminal (-it: with your keyboard); with -d\n"
    "                            its output goes to the log\n"
    "  -e, --env KEY=VALUE       set an environment variable\n"
    "      --entrypoint CMD      replace the image's entrypoint (and its command)\n"
    "  -w, --workdir DIR         working directory inside the container\n"
    "  -u, --user USER[:GROUP]   user to run as\n"
    "  -p, --publish [IP:]HOST_PORT:CONTAINER_PORT[/udp]\n"
    "                            publish a port on the host (127.0.0.1 unless IP is given)\n"
    "  -v, --volume HOST:CONTAINER[:ro]  mount a host directory\n"
    "      --network private|host|none   the network (default: private, through slirp4netns)\n"
    "      --hostname NAME       the container's host name\n"
    "      --rm                  forget a detached container when it ends (always so in the foreground)\n"
    "      --store DIR           the image store\n";

CancellationToken g_runCancel;
volatile sig_atomic_t g_terminated = 0;

void onRunInterrupt(int signal)
{
    if (signal == SIGTERM)
        g_terminated = 1;
    g_runCancel.cancel();
}

struct RunArguments
{
    QString store;
    ContainerOptions options;
    bool detach = false;
    bool remove = false;
    bool interactive = false;
    bool tty = false;
    QString containerId;   // the supervisor of a detached container (internal)
    QStringList forwarded; // the arguments a detached supervisor gets again
};

// Docker's options, before the image; everything after the image is the command.
Expected<RunArguments> parseArguments(const QStringList &args, bool *help)
{
    RunArguments parsed;
    const QStringList valueOptions{
        QStringLiteral("--store"),      QStringLiteral("-e"),         QStringLiteral("--env"),
        QStringLiteral("--entrypoint"), QStringLiteral("-w"),         QStringLiteral("--workdir"),
        QStringLiteral("-u"),           QStringLiteral("--user"),     QStringLiteral("-p"),
        QStringLiteral("--publish"),    QStringLiteral("-v"),         QStringLiteral("--volume"),
        QStringLiteral("--network"),    QStringLiteral("--hostname"), QStringLiteral("--container")};
    qsizetype i = 0;
    for (; i < args.size(); ++i) {
        QString a = args[i];
        if (!a.startsWith(u'-') || a == u"-")
            break;
        if (a == u"--") {
            ++i;
            break;
        }
        if (a == u"-h" || a == u"--help") {
            *help = true;
            return parsed;
        }
        QString value;
        bool hasValue = false;
        if (a.startsWith(QStringLiteral("--")) && a.contains(u'=')) {
            value = a.section(u'=', 1);
            a = a.section(u'=', 0, 0);
            hasValue = true;
        }
        if (valueOptions.contains(a)) {
            if (!hasValue) {
                if (i + 1 >= args.size())
                    return fail(QStringLiteral("%1 needs a value").arg(a));
                value = args[++i];
            }
            if (a != u"--container" && a != u"--store")
                parsed.forwarded << a << value;
        } else if (hasValue) {
            return fail(QStringLiteral("%1 takes no value").arg(a));
        }
        if (a == u"--store")
            parsed.store = value;
        else if (a == u"--container")
            parsed.containerId = value;
        else if (a == u"-e" || a == u"--env")
            parsed.options.env.append(
                value.contains(u'=') ? value : value + u'=' + qEnvironmentVariable(qPrintable(value)));
        else if (a == u"--entrypoint")
            parsed.options.entrypoint = value;
        else if (a == u"-w" || a == u"--workdir")
            parsed.options.workingDir = value;
        else if (a == u"-u" || a == u"--user")
            parsed.options.user = value;
        else if (a == u"--hostname")
            parsed.options.hostname = value;
        else if (a == u"-p" || a == u"--publish") {
            Expected<PortForward> forward = PortForward::parse(value);
            if (!forward)
                return fail(forward.error().message);
            parsed.options.ports.append(*forward);
        } else if (a == u"-v" || a == u"--volume") {
            Expected<VolumeMount> volume = VolumeMount::parse(value);
            if (!volume)
                return fail(volume.error().message);
            parsed.options.volumes.append(*volume);
        } else if (a == u"--network" || a == u"--net") {
            if (value == u"host")
                parsed.options.network = NetworkMode::Host;
            else if (value == u"none")
                parsed.options.network = NetworkMode::None;
            else if (value == u"private" || value == u"default" || value == u"bridge" ||
                     value == u"slirp4netns")
                parsed.options.network = NetworkMode::Private;
            else
                return fail(QStringLiteral("unknown network %1 (private, host or none)").arg(value));
        } else if (a == u"-d" || a == u"--detach")
            parsed.detach = true;
        else if (a == u"--rm") {
            parsed.remove = true;
            parsed.forwarded << a;
        } else if (a == u"-i" || a == u"--interactive")
            parsed.interactive = true;
        else if (a == u"-t" || a == u"--tty") {
            parsed.tty = true;
            parsed.forwarded << a;
        } else if (a == u"-it" || a == u"-ti") {
            parsed.interactive = true;
            parsed.tty = true;
            parsed.forwarded << QStringLiteral("-t");
        } else
            return fail(QStringLiteral("unknown option %1").arg(a));
    }
    if (i >= args.size())
        return fail(QStringLiteral("give the image to run"));
    parsed.options.image = args[i];
    QStringList command = args.mid(i + 1);
    if (!command.isEmpty() && command.first() == u"--")
        command.removeFirst();
    parsed.options.command = command;
    parsed.forwarded << QStringLiteral("--") << args.mid(i);
    return parsed;
}

// Docker's status when the container could not start.
int startError(const QString &message)
{
    commandError(QStringLiteral("run"), message);
    return 125;
}

void installSignalHandlers()
{
    std::signal(SIGINT, onRunInterrupt);
    std::signal(SIGTERM, onRunInterrupt);
}

// The process that runs a detached container to its end and records how it ended.
int supervise(const ImageStore &store, RunArguments &parsed)
{
    const QString name = QStringLiteral("run");
    Expected<ContainerRecord> record = ContainerRecord::find(store, parsed.containerId);
    if (!record)
        return commandError(name, record.error().message);
    record->pid = QCoreApplication::applicationPid();
    if (auto saved = record->save(); !saved)
        return commandError(name, saved.error().message);
    installSignalHandlers();
    // The writable layer stays with the record, so that `rm` finds what a killed
    // supervisor left.
    parsed.options.scratchDir = record->scratchDir();
    // -t: the pty's output goes to the log.
    std::unique_ptr<PseudoTerminal> terminal;
    if (parsed.tty) {
        Expected<std::unique_ptr<PseudoTerminal>> opened = PseudoTerminal::openForLog();
        if (!opened)
            return commandError(name, opened.error().message);
        terminal = std::move(*opened);
        parsed.options.terminalFd = terminal->slaveFd();
        terminal->startRelay(-1, STDOUT_FILENO, false);
    }
    const QString readyPath = record->directory() + QStringLiteral("/ready");
    SandboxCallbacks callbacks;
    callbacks.log = [](const QString &line) { printOut(line + u'\n'); };
    callbacks.notice = [](const QString &text) {
        printErr(QStringLiteral("stagecraft run: %1\n").arg(text));
    };
    callbacks.ready = [readyPath] { QFile(readyPath).open(QIODevice::WriteOnly); };
    Expected<ContainerExit> ran = ContainerRun::run(store, parsed.options, g_runCancel, callbacks);
    if (terminal)
        terminal->stop();
    int exitCode = 125;
    if (ran)
        exitCode = g_terminated ? 128 + SIGTERM : ran->exitCode;
    else
        printErr(QStringLiteral("stagecraft run: %1\n").arg(ran.error().message));
    record->exitCode = exitCode;
    if (record->removeWhenDone)
        (void)record->remove();
    else
        (void)record->save();
    return exitCode;
}

// Starts the supervisor in its own session, its output in the container's log, and
// returns once the container runs (its ports published) or failed to start.
int detach(const ImageStore &store, const RunArguments &parsed)
{
    const QString name = QStringLiteral("run");
    Expected<Image> image = store.image(parsed.options.image);
    if (!image)
        return startError(image.error().message);
    Expected<RunSpec> spec =
        ContainerRun::runSpec(parsed.options, image->config.config, image->id().shortHex());
    if (!spec)
        return startError(spec.error().message);
    Expected<ContainerRecord> record = ContainerRecord::create(store);
    if (!record)
        return startError(record.error().message);
    record->image = parsed.options.image;
    record->command = spec->args;
    for (const PortForward &p : parsed.options.ports)
        record->ports.append(p.toString());
    record->removeWhenDone = parsed.remove;
    if (auto saved = record->save(); !saved)
        return startError(saved.error().message);

    QStringList argv{
        QCoreApplication::applicationFilePath(), name,      QStringLiteral("--store"), store.root(),
        QStringLiteral("--container"),           record->id};
    argv += parsed.forwarded;
    std::vector<QByteArray> storage;
    for (const QString &a : argv)
        storage.push_back(QFile::encodeName(a));
    std::vector<char *> cargv;
    for (QByteArray &a : storage)
        cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const QByteArray logPath = QFile::encodeName(record->logPath());
    const pid_t child = ::fork();
    if (child < 0)
        return startError(QStringLiteral("cannot start the container's supervisor"));
    if (child == 0) {
        ::setsid();
        const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        const int log = ::open(logPath.constData(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (devNull < 0 || log < 0)
            ::_exit(125);
        ::dup2(devNull, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    const QString readyPath = record->directory() + QStringLiteral("/ready");
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired()) {
        if (QFile::exists(readyPath)) {
            printOut(record->id + u'\n');
            return 0;
        }
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) {
            QFile log(record->logPath());
            printErr(log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()) : QString());
            if (!parsed.remove)
                printErr(QStringLiteral("stagecraft run: the container %1 ended at once\n")
                             .arg(record->id.left(12)));
            return WIFEXITED(status) && WEXITSTATUS(status) != 0 ? WEXITSTATUS(status) : 125;
        }
        QThread::msleep(20);
    }
    return startError(
        QStringLiteral("the container %1 did not start within a minute; see `stagecraft logs %2`")
            .arg(record->id.left(12), record->id.left(12)));
}

int runRun(const QStringList &args)
{
    const QString name = QStringLiteral("run");
    bool help = false;
    Expected<RunArguments> parsed = parseArguments(args, &help);
    if (help) {
        printOut(QString::fromLatin1(kUsage));
        return 0;
    }
    if (!parsed) {
        usageError(name, parsed.error().message);
        return 125;
    }
    auto store = ImageStore::open(ImageStore::defaultRoot(parsed->store));
    if (!store)
        return startError(store.error().message);
    if (!parsed->containerId.isEmpty())
        return supervise(*store, *parsed);
    if (parsed->detach)
        return detach(*store, *parsed);

    // -t: the command's terminal is a pty relayed to ours (-i: our keys go to it).
    std::unique_ptr<PseudoTerminal> terminal;
    if (parsed->tty) {
        if (parsed->interactive && !::isatty(STDIN_FILENO))
            return startError(
                QStringLiteral("the input device is not a terminal (drop -i, or run from one)"));
        Expected<std::unique_ptr<PseudoTerminal>> opened = PseudoTerminal::open(STDIN_FILENO);
        if (!opened)
            return startError(opened.error().message);
        terminal = std::move(*opened);
        parsed->options.terminalFd = terminal->slaveFd();
        std::fflush(stdout);
        terminal->startRelay(STDIN_FILENO, STDOUT_FILENO, parsed->interactive);
    } else if (parsed->interactive) {
        parsed->options.inputFd = STDIN_FILENO;
    }
    installSignalHandlers();
    SandboxCallbacks callbacks;
    callbacks.log = [](const QString &line) { printOut(line + u'\n'); };
    callbacks.notice = [&name](const QString &text) {
        printErr(QStringLiteral("stagecraft %1: %2\n").arg(name, text));
    };
    Expected<ContainerExit> ran = ContainerRun::run(*store, parsed->options, g_runCancel, callbacks);
    if (terminal)
        terminal->stop();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (!ran)
        return startError(ran.error().message);
    return ran->exitCode;
}

const CommandRegistration reg{
    {QStringLiteral("run"), QStringLiteral("run an image from the store (like docker run)"), runRun}};

} // namespace

} // namespace stagecraft::app
