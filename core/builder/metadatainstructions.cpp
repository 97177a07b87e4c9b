#include "core/builder/buildrun.h"

#include "core/builder/gotext.h"
#include "core/builder/layertree.h"
#include "core/plan/containerpath.h"
#include "core/plan/goduration.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>

#include <type_traits>

// The instructions that change the image config without a layer (ENV, LABEL, EXPOSE, CMD,
// HEALTHCHECK, …), with the history texts BuildKit writes for them; and WORKDIR, whose
// layer holds the directories it creates. (ARG changes only the scope the stage is read in.)

namespace stagecraft {

namespace {

void setEnv(QStringList &env, const QString &name, const QString &value)
{
    for (QString &e : env) {
        if (envName(e) == name) {
            e = name + QLatin1Char('=') + value;
            return;
        }
    }
    env.append(name + QLatin1Char('=') + value);
}

// HEALTHCHECK's check as Docker writes it in the config, and BuildKit's history text of it
// (the Go form of its struct).
void healthcheckStep(const HealthcheckCommand &c, ContainerConfig &config, QString *createdBy)
{
    QJsonObject check;
    QJsonArray test;
    for (const QString &s : c.test)
        test.append(s);
    const qint64 durations[4] = {c.interval, c.timeout, c.startPeriod, c.startInterval};
    if (!c.disabled) {
        // Docker's options, written as nanoseconds and left out when zero.
        const char *keys[4] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
        for (int i = 0; i < 4; ++i)
            if (durations[i] != 0)
                check.insert(QLatin1String(keys[i]), double(durations[i]));
        if (c.retries != 0)
            check.insert(QStringLiteral("Retries"), double(c.retries));
    }
    check.insert(QStringLiteral("Test"), test);
    config.healthcheck = check;
    *createdBy = QStringLiteral("HEALTHCHECK &{") + goQuoteList(c.test);
    for (const qint64 d : durations)
        *createdBy += QLatin1Char(' ') + goQuote(GoDuration::format(c.disabled ? 0 : d));
    *createdBy += QLatin1Char(' ') + goQuoteRune(c.disabled ? 0 : c.retries) + QLatin1Char('}');
}

QStringList processArgv(const ProcessCommand &c, const ContainerConfig &config)
{
    return c.argv(config.shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                         : config.shell);
}

} // namespace

Expected<void> BuildRun::configStep(const Command &command, StageState &next, bool &cmdSet,
                                    StepWork &work) const
{
    ContainerConfig &config = next.config.config;
    QString &createdBy = work.createdBy;
    std::visit(
        [&](const auto &c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, EnvCommand>) {
                QStringList parts;
                for (const EnvVariable &v : c.variables) {
                    setEnv(config.env, v.name, v.value);
                    parts.append(v.name + QLatin1Char('=') + v.value);
                }
                createdBy = QStringLiteral("ENV ") + parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, LabelCommand>) {
                QStringList parts;
                for (const ImageLabel &l : c.labels) {
                    config.labels.insert(l.key, l.value);
                    parts.append(l.key + QLatin1Char('=') + l.value);
                }
                createdBy = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, MaintainerCommand>) {
                next.config.author = c.author;
                createdBy = QStringLiteral("MAINTAINER ") + c.author;
            } else if constexpr (std::is_same_v<T, ExposeCommand>) {
                QStringList ports;
                for (const ExposedPort &p : c.ports) {
                    ports.append(p.text());
                    if (!config.exposedPorts.contains(p.text()))
                        config.exposedPorts.append(p.text());
                }
                createdBy = QStringLiteral("EXPOSE ") + goList(ports);
            } else if constexpr (std::is_same_v<T, VolumeCommand>) {
                for (const QString &v : c.paths)
                    if (!config.volumes.contains(v))
                        config.volumes.append(v);
                createdBy = QStringLiteral("VOLUME ") + goList(c.paths);
            } else if constexpr (std::is_same_v<T, UserCommand>) {
                config.user = c.text;
                createdBy = QStringLiteral("USER ") + config.user;
            } else if constexpr (std::is_same_v<T, StopsignalCommand>) {
                config.stopSignal = c.signal;
                createdBy = QStringLiteral("STOPSIGNAL ") + config.stopSignal;
            } else if constexpr (std::is_same_v<T, ShellCommand>) {
                config.shell = c.shell;
                createdBy = QStringLiteral("SHELL ") + goList(config.shell);
            } else if constexpr (std::is_same_v<T, CmdCommand>) {
                config.cmd = processArgv(c, config);
                cmdSet = true;
                createdBy = QStringLiteral("CMD ") + goQuoteList(config.cmd);
            } else if constexpr (std::is_same_v<T, EntrypointCommand>) {
                config.entrypoint = processArgv(c, config);
                if (!cmdSet)
                    config.cmd.clear();
                createdBy = QStringLiteral("ENTRYPOINT ") + goQuoteList(config.entrypoint);
            } else if constexpr (std::is_same_v<T, HealthcheckCommand>) {
                healthcheckStep(c, config, &createdBy);
            } else if constexpr (std::is_same_v<T, OnbuildCommand>) {
                config.onBuild.append(c.trigger);
                createdBy = QStringLiteral("ONBUILD ") + c.trigger;
            }
        },
        command);
    if (createdBy.isEmpty())
        return fail(QStringLiteral("unexpected instruction in a stage"));
    return {};
}

Expected<void> BuildRun::workdirStep(const WorkdirCommand &workdir, const StageState &state, StageState &next,
                                     StepWork &work, bool keyOnly) const
{
    ContainerConfig &config = next.config.config;
    const QString current = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    const QString resolved = workdir.resolved.value_or(ContainerPath::resolve(current, workdir.path));
    config.workingDir = resolved;
    work.createdBy = QStringLiteral("WORKDIR ") + workdir.path;
    work.makesLayer = true;
    // The directories to make are not part of the key: found only when the step runs.
    if (keyOnly) {
        work.deferred = true;
        return {};
    }
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    const LayerTree tree(*lowers);
    QString path;
    for (const QString &part : resolved.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        path = path.isEmpty() ? part : path + QLatin1Char('/') + part;
        if (tree.find(path))
            continue;
        LayerSourceEntry entry;
        entry.entry.path = path;
        entry.entry.type = EntryType::Directory;
        entry.entry.mode = 0755;
        entry.entry.mtime = QDateTime::currentSecsSinceEpoch();
        work.entries.append(entry);
    }
    return {};
}

} // namespace stagecraft
