#include "core/plan/commandreader.h"

#include "core/plan/containerpath.h"

namespace stagecraft {

namespace {

QStringList wordTexts(const Instruction &ins)
{
    QStringList out;
    for (const Word &w : ins.args)
        out.append(w.text);
    return out;
}

// One EXPOSE word after expansion: port or range, then an optional protocol (Docker's
// nat.ParsePortSpec without the host part, which EXPOSE cannot publish).
std::optional<ExposedPort> parsePort(const QString &text, QString *error)
{
    const QString ports = text.section(QLatin1Char('/'), 0, 0);
    const QString protocol =
        text.contains(QLatin1Char('/')) ? text.section(QLatin1Char('/'), 1).toLower() : QStringLiteral("tcp");
    if (protocol != QLatin1String("tcp") && protocol != QLatin1String("udp") &&
        protocol != QLatin1String("sctp")) {
        *error = QStringLiteral("invalid proto: %1").arg(protocol);
        return std::nullopt;
    }
    const auto number = [](const QString &s, quint16 *out) {
        bool ok = false;
        const uint v = s.toUInt(&ok);
        if (!ok || v > 65535 || s.isEmpty() || !s.front().isDigit())
            return false;
        *out = quint16(v);
        return true;
    };
    ExposedPort port;
    port.protocol = protocol;
    const QString first = ports.section(QLatin1Char('-'), 0, 0);
    const QString last = ports.contains(QLatin1Char('-')) ? ports.section(QLatin1Char('-'), 1) : first;
    if (!number(first, &port.first) || !number(last, &port.last)) {
        *error = QStringLiteral("invalid containerPort: %1").arg(ports);
        return std::nullopt;
    }
    if (port.last < port.first) {
        *error = QStringLiteral("invalid range specified for container port: %1").arg(ports);
        return std::nullopt;
    }
    return port;
}

} // namespace

CommandReader::CommandReader(const QHash<QString, QString> &buildArgs,
                             const QHash<QString, QString> &metaArgs)
    : m_buildArgs(buildArgs)
    , m_metaArgs(metaArgs)
{}

std::optional<Command> CommandReader::read(const Instruction &ins, int index, StageScope &scope) const
{
    const auto at = [&](auto command) -> Command {
        command.instruction = index;
        command.range = ins.range;
        return command;
    };
    switch (ins.kind) {
    case InstructionKind::From:
    case InstructionKind::Unknown: return std::nullopt;
    case InstructionKind::Run: return RunCommand::read(ins, index, scope);
    case InstructionKind::Copy: return CopyCommand::read(ins, index, scope);
    case InstructionKind::Add: return AddCommand::read(ins, index, scope);
    case InstructionKind::Healthcheck: return HealthcheckCommand::read(ins, index, scope);
    case InstructionKind::Arg: return at(readArg(ins, scope));
    case InstructionKind::Env: return at(readEnv(ins, scope));
    case InstructionKind::Label: return at(readLabel(ins, scope));
    case InstructionKind::Workdir: return at(readWorkdir(ins, scope));
    case InstructionKind::User: return at(readUser(ins, scope));
    case InstructionKind::Expose: return at(readExpose(ins, scope));
    case InstructionKind::Volume: return at(readVolume(ins, scope));
    case InstructionKind::Shell: return at(readShell(ins, scope));
    case InstructionKind::Onbuild: return at(readOnbuild(ins));
    case InstructionKind::Cmd: return at(readProcess<CmdCommand>(ins));
    case InstructionKind::Entrypoint: return at(readProcess<EntrypointCommand>(ins));
    case InstructionKind::Stopsignal: {
        StopsignalCommand stop;
        if (!ins.args.isEmpty())
            stop.signal = scope.expand(ins.args.first().text, ins.args.first().range);
        return at(stop);
    }
    case InstructionKind::Maintainer: {
        MaintainerCommand maintainer;
        maintainer.author = wordTexts(ins).join(QLatin1Char(' '));
        return at(maintainer);
    }
    }
    return std::nullopt;
}

ArgCommand CommandReader::readArg(const Instruction &ins, StageScope &scope) const
{
    ArgCommand arg;
    for (const KeyValue &pair : ins.pairs) {
        ArgDeclaration d;
        d.name = pair.key;
        if (pair.hasEquals)
            d.defaultValue = scope.expand(pair.value, pair.range);
        if (const auto it = m_buildArgs.constFind(pair.key); it != m_buildArgs.constEnd())
            d.value = *it;
        else if (d.defaultValue)
            d.value = d.defaultValue;
        else if (const auto m = m_metaArgs.constFind(pair.key); m != m_metaArgs.constEnd())
            d.value = *m;
        if (d.value)
            scope.setArg(d.name, *d.value);
        arg.declarations.append(d);
    }
    return arg;
}

EnvCommand CommandReader::readEnv(const Instruction &ins, StageScope &scope)
{
    EnvCommand env;
    for (const KeyValue &pair : ins.pairs)
        env.variables.append(EnvVariable{pair.key, scope.expand(pair.value, pair.range)});
    for (const EnvVariable &v : std::as_const(env.variables))
        scope.setEnv(v.name, v.value);
    return env;
}

LabelCommand CommandReader::readLabel(const Instruction &ins, StageScope &scope)
{
    LabelCommand label;
    for (const KeyValue &pair : ins.pairs)
        label.labels.append(
            ImageLabel{scope.expand(pair.key, pair.range), scope.expand(pair.value, pair.range)});
    return label;
}

WorkdirCommand CommandReader::readWorkdir(const Instruction &ins, StageScope &scope)
{
    WorkdirCommand workdir;
    if (ins.args.isEmpty())
        return workdir;
    workdir.path = scope.expand(ins.args.first().text, ins.args.first().range);
    if (workdir.path.startsWith(QLatin1Char('/')))
        workdir.resolved = ContainerPath::clean(workdir.path);
    else if (const auto current = scope.workingDir())
        workdir.resolved = ContainerPath::resolve(*current, workdir.path);
    scope.setWorkingDir(workdir.resolved);
    return workdir;
}

UserCommand CommandReader::readUser(const Instruction &ins, StageScope &scope)
{
    UserCommand user;
    if (ins.args.isEmpty())
        return user;
    user.text = scope.expand(ins.args.first().text, ins.args.first().range);
    user.user = user.text.section(QLatin1Char(':'), 0, 0);
    if (user.text.contains(QLatin1Char(':')))
        user.group = user.text.section(QLatin1Char(':'), 1);
    return user;
}

ExposeCommand CommandReader::readExpose(const Instruction &ins, StageScope &scope)
{
    ExposeCommand expose;
    for (const Word &w : ins.args) {
        const QString text = scope.expand(w.text, w.range);
        QString error;
        if (const auto port = parsePort(text, &error))
            expose.ports.append(*port);
        else
            scope.error(w.range, error);
    }
    return expose;
}

VolumeCommand CommandReader::readVolume(const Instruction &ins, StageScope &scope)
{
    VolumeCommand volume;
    for (const Word &w : ins.args)
        volume.paths.append(scope.expand(w.text, w.range));
    return volume;
}

ShellCommand CommandReader::readShell(const Instruction &ins, StageScope &scope)
{
    ShellCommand shell;
    shell.shell = wordTexts(ins);
    if (!shell.shell.isEmpty())
        scope.setShell(shell.shell);
    return shell;
}

OnbuildCommand CommandReader::readOnbuild(const Instruction &ins)
{
    OnbuildCommand onbuild;
    onbuild.wrapped = ins.onbuild;
    const QString text = ins.original.trimmed();
    const qsizetype space = text.indexOf(QLatin1Char(' '));
    onbuild.trigger = space < 0 ? QString() : text.mid(space + 1).trimmed();
    return onbuild;
}

template <typename T> T CommandReader::readProcess(const Instruction &ins)
{
    T process;
    process.execForm = ins.jsonForm;
    process.arguments = ins.jsonForm ? wordTexts(ins) : QStringList{wordTexts(ins).join(QLatin1Char(' '))};
    return process;
}

} // namespace stagecraft
