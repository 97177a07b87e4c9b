#include "core/builder/buildrun.h"

#include "core/builder/gotext.h"
#include "core/builder/layertree.h"
#include "core/plan/goduration.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonObject>

// ARG, and the instructions that change the image config without a layer (ENV, LABEL,
// EXPOSE, CMD, HEALTHCHECK, …), with the history texts BuildKit writes for them; and
// WORKDIR, whose layer holds the directories it creates.

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
Expected<void> healthcheckStep(const Instruction &ins, ContainerConfig &config, QString *createdBy)
{
    const QStringList w = argTexts(ins);
    QJsonObject check;
    QJsonArray test;
    qint64 durations[4] = {0, 0, 0, 0};
    qint64 retries = 0;
    if (!w.isEmpty() && w.first().compare(QLatin1String("NONE"), Qt::CaseInsensitive) == 0) {
        test.append(QStringLiteral("NONE"));
    } else {
        const QStringList rest = w.mid(1);
        if (ins.jsonForm) {
            test.append(QStringLiteral("CMD"));
            for (const QString &s : rest)
                test.append(s);
        } else {
            test.append(QStringLiteral("CMD-SHELL"));
            test.append(rest.join(QLatin1Char(' ')));
        }
        // Docker's options, written as nanoseconds and left out when zero.
        const char *names[4] = {"interval", "timeout", "start-period", "start-interval"};
        const char *keys[4] = {"Interval", "Timeout", "StartPeriod", "StartInterval"};
        for (int i = 0; i < 4; ++i) {
            const QString name = QLatin1String(names[i]);
            const QString text = ins.flagValue(name);
            if (text.isEmpty())
                continue;
            const auto ns = GoDuration::parse(text);
            if (!ns)
                return fail(QStringLiteral("HEALTHCHECK --%1=%2: give a duration such as 30s, 1m30s or 500ms")
                                .arg(name, text));
            if (*ns < 0)
                return fail(
                    QStringLiteral("HEALTHCHECK --%1=%2: a duration cannot be negative").arg(name, text));
            if (*ns != 0 && *ns < 1000000)
                return fail(QStringLiteral("HEALTHCHECK --%1=%2: a duration cannot be less than 1ms")
                                .arg(name, text));
            durations[i] = *ns;
            if (*ns != 0)
                check.insert(QLatin1String(keys[i]), double(*ns));
        }
        const QString retriesText = ins.flagValue(QStringLiteral("retries"));
        if (!retriesText.isEmpty()) {
            bool ok = false;
            retries = retriesText.toLongLong(&ok);
            if (!ok)
                return fail(QStringLiteral("HEALTHCHECK --retries=%1: give a whole number").arg(retriesText));
            if (retries < 0)
                return fail(QStringLiteral("HEALTHCHECK --retries=%1: the count cannot be negative")
                                .arg(retriesText));
            if (retries != 0)
                check.insert(QStringLiteral("Retries"), double(retries));
        }
    }
    check.insert(QStringLiteral("Test"), test);
    config.healthcheck = check;
    QStringList testList;
    for (const QJsonValue &v : test)
        testList.append(v.toString());
    *createdBy = QStringLiteral("HEALTHCHECK &{") + goQuoteList(testList);
    for (const qint64 d : durations)
        *createdBy += QLatin1Char(' ') + goQuote(GoDuration::format(d));
    *createdBy += QLatin1Char(' ') + goQuoteRune(retries) + QLatin1Char('}');
    return {};
}

} // namespace

Expected<void> BuildRun::declareArgs(const Instruction &ins, const QHash<QString, QString> &env,
                                     QHash<QString, QString> &args, QStringList &argOrder) const
{
    QString error;
    for (const KeyValue &kv : ins.pairs) {
        std::optional<QString> value;
        if (m_request.buildArgs.contains(kv.key))
            value = m_request.buildArgs.value(kv.key);
        else if (kv.hasEquals)
            value = expand(kv.value, env, &error);
        else if (m_metaEnv.contains(kv.key))
            value = m_metaEnv.value(kv.key);
        if (value) {
            args.insert(kv.key, *value);
            if (!argOrder.contains(kv.key))
                argOrder.append(kv.key);
        }
    }
    if (!error.isEmpty())
        return fail(error);
    return {};
}

Expected<void> BuildRun::configStep(const Instruction &ins, const QHash<QString, QString> &env,
                                    StageState &next, bool &cmdSet, StepWork &work) const
{
    QString error;
    ContainerConfig &config = next.config.config;
    QString &createdBy = work.createdBy;
    const auto words = [&] { return argTexts(ins); };
    switch (ins.kind) {
    case InstructionKind::Env: {
        QStringList parts;
        QHash<QString, QString> running = env;
        for (const KeyValue &kv : ins.pairs) {
            const QString value = expand(kv.value, running, &error);
            setEnv(config.env, kv.key, value);
            running.insert(kv.key, value);
            parts.append(kv.key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("ENV ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Label: {
        QStringList parts;
        for (const KeyValue &kv : ins.pairs) {
            const QString key = expand(kv.key, env, &error);
            const QString value = expand(kv.value, env, &error);
            config.labels.insert(key, value);
            parts.append(key + QLatin1Char('=') + value);
        }
        createdBy = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
        break;
    }
    case InstructionKind::Maintainer:
        next.config.author = words().join(QLatin1Char(' '));
        createdBy = QStringLiteral("MAINTAINER ") + next.config.author;
        break;
    case InstructionKind::Expose: {
        QStringList ports;
        for (const QString &w : words()) {
            QString port = expand(w, env, &error);
            if (!port.contains(QLatin1Char('/')))
                port += QStringLiteral("/tcp");
            ports.append(port);
            if (!config.exposedPorts.contains(port))
                config.exposedPorts.append(port);
        }
        createdBy = QStringLiteral("EXPOSE ") + goList(ports);
        break;
    }
    case InstructionKind::Volume: {
        QStringList volumes;
        for (const QString &w : words()) {
            const QString v = expand(w, env, &error);
            volumes.append(v);
            if (!config.volumes.contains(v))
                config.volumes.append(v);
        }
        createdBy = QStringLiteral("VOLUME ") + goList(volumes);
        break;
    }
    case InstructionKind::User:
        config.user = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("USER ") + config.user;
        break;
    case InstructionKind::Stopsignal:
        config.stopSignal = expand(words().value(0), env, &error);
        createdBy = QStringLiteral("STOPSIGNAL ") + config.stopSignal;
        break;
    case InstructionKind::Shell:
        config.shell = words();
        createdBy = QStringLiteral("SHELL ") + goList(config.shell);
        break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint: {
        QStringList list = words();
        if (!ins.jsonForm) {
            const QStringList shell = config.shell.isEmpty()
                                          ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                                          : config.shell;
            list = shell + QStringList{words().join(QLatin1Char(' '))};
        }
        if (ins.kind == InstructionKind::Cmd) {
            config.cmd = list;
            cmdSet = true;
            createdBy = QStringLiteral("CMD ") + goQuoteList(list);
        } else {
            config.entrypoint = list;
            if (!cmdSet)
                config.cmd.clear();
            createdBy = QStringLiteral("ENTRYPOINT ") + goQuoteList(list);
        }
        break;
    }
    case InstructionKind::Healthcheck: {
        auto checked = healthcheckStep(ins, config, &createdBy);
        if (!checked)
            return checked;
        break;
    }
    case InstructionKind::Onbuild: {
        QString trigger = ins.original.trimmed();
        trigger = trigger.mid(trigger.indexOf(QLatin1Char(' ')) + 1).trimmed();
        config.onBuild.append(trigger);
        createdBy = QStringLiteral("ONBUILD ") + trigger;
        break;
    }
    default: return fail(QStringLiteral("unexpected instruction %1").arg(ins.keyword));
    }
    if (!error.isEmpty())
        return fail(error);
    return {};
}

Expected<void> BuildRun::workdirStep(const Instruction &ins, const QHash<QString, QString> &env,
                                     const StageState &state, StageState &next, StepWork &work,
                                     QString *error) const
{
    ContainerConfig &config = next.config.config;
    const QString dir = expand(ins.args.value(0).text, env, error);
    const QString current = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;
    const QString resolved =
        QDir::cleanPath(dir.startsWith(QLatin1Char('/')) ? dir : current + QLatin1Char('/') + dir);
    config.workingDir = resolved;
    work.createdBy = QStringLiteral("WORKDIR ") + dir;
    work.makesLayer = true;
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
