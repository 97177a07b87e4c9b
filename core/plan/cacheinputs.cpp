#include "core/plan/cacheinputs.h"

#include "core/plan/stagescope.h"

#include <QCryptographicHash>

#include <type_traits>

namespace stagecraft {

namespace {

QString mountText(const RunMount &m)
{
    QStringList fields{QStringLiteral("type=") + RunMount::typeName(m.type)};
    const auto add = [&](const char *key, const QString &value) {
        if (!value.isEmpty())
            fields.append(QLatin1String(key) + QLatin1Char('=') + value);
    };
    add("target", m.target);
    add("source", m.source);
    add("from", m.from);
    add("id", m.id);
    if (m.sharingGiven)
        add("sharing", RunMount::sharingName(m.sharing));
    if (m.mode)
        add("mode", QString::number(*m.mode, 8));
    if (m.uid)
        add("uid", QString::number(*m.uid));
    if (m.gid)
        add("gid", QString::number(*m.gid));
    if (m.sizeLimit)
        add("size", QString::number(*m.sizeLimit));
    add("env", m.env);
    if (m.required)
        fields.append(QStringLiteral("required"));
    fields.append(m.readOnly ? QStringLiteral("ro") : QStringLiteral("rw"));
    return QStringLiteral("--mount=") + fields.join(QLatin1Char(','));
}

QString sha256(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

QString copyText(const QString &keyword, const CopyCommand &copy)
{
    QStringList parts{keyword};
    if (!copy.from.isEmpty())
        parts.append(QStringLiteral("--from=") + copy.from);
    if (copy.chown)
        parts.append(QStringLiteral("--chown=") + copy.chown->text);
    if (copy.chmod)
        parts.append(QStringLiteral("--chmod=") + copy.chmod->text());
    if (copy.link)
        parts.append(QStringLiteral("--link"));
    if (copy.parents)
        parts.append(QStringLiteral("--parents"));
    for (const QString &e : copy.excludes)
        parts.append(QStringLiteral("--exclude=") + e);
    // A heredoc's body is part of the key by digest: the text stays one line.
    for (const HeredocSource &h : copy.heredocSources)
        parts.append(QStringLiteral("<<%1:sha256:%2").arg(h.name, sha256(h.content)));
    parts += copy.sources;
    parts.append(copy.destination);
    return parts.join(QLatin1Char(' '));
}

QString quotedList(const QStringList &list)
{
    QStringList quoted;
    for (const QString &s : list)
        quoted.append(QLatin1Char('"') + QString(s).replace(QLatin1Char('"'), QStringLiteral("\\\"")) +
                      QLatin1Char('"'));
    return QLatin1Char('[') + quoted.join(QLatin1Char(',')) + QLatin1Char(']');
}

} // namespace

CacheInputs CacheInputs::of(const Command &command, const StageScope &scope)
{
    CacheInputs inputs;
    std::visit(
        [&](const auto &c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, RunCommand>) {
                QStringList parts{QStringLiteral("RUN")};
                if (!c.buildArgs.isEmpty()) {
                    QStringList used;
                    for (const auto &[name, value] : c.buildArgs)
                        used.append(name + QLatin1Char('=') + value);
                    parts.append(QLatin1Char('|') + QString::number(used.size()) + QLatin1Char(' ') +
                                 used.join(QLatin1Char(' ')));
                }
                for (const RunMount &m : c.mounts) {
                    parts.append(mountText(m));
                    if (m.type == MountType::Bind && m.from.isEmpty())
                        inputs.contextPaths.append(m.source.isEmpty() ? QStringLiteral(".") : m.source);
                }
                if (c.network != RunNetwork::Default)
                    parts.append(c.network == RunNetwork::None ? QStringLiteral("--network=none")
                                                               : QStringLiteral("--network=host"));
                if (c.security == RunSecurity::Insecure)
                    parts.append(QStringLiteral("--security=insecure"));
                parts.append(c.execForm ? quotedList(c.arguments) : c.arguments.value(0));
                for (const Heredoc &h : c.heredocs)
                    parts.append(QStringLiteral("<<%1:sha256:%2").arg(h.name, sha256(h.body())));
                inputs.text = parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, AddCommand>) {
                QString addText = copyText(QStringLiteral("ADD"), c);
                if (!c.checksum.isEmpty())
                    addText.insert(3, QStringLiteral(" --checksum=") + c.checksum);
                if (c.keepGitDir)
                    addText.insert(3, QStringLiteral(" --keep-git-dir"));
                if (c.unpack)
                    addText.insert(3, *c.unpack ? QStringLiteral(" --unpack=true")
                                                : QStringLiteral(" --unpack=false"));
                inputs.text = addText;
                if (c.from.isEmpty())
                    for (const QString &s : c.sources)
                        if (!AddCommand::isRemote(s))
                            inputs.contextPaths.append(s);
            } else if constexpr (std::is_same_v<T, CopyCommand>) {
                inputs.text = copyText(QStringLiteral("COPY"), c);
                if (c.from.isEmpty())
                    inputs.contextPaths = c.sources;
            } else if constexpr (std::is_same_v<T, EnvCommand>) {
                QStringList parts;
                for (const EnvVariable &v : c.variables)
                    parts.append(v.name + QLatin1Char('=') + v.value);
                inputs.text = QStringLiteral("ENV ") + parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, ArgCommand>) {
                QStringList parts;
                for (const ArgDeclaration &d : c.declarations)
                    parts.append(d.value ? d.name + QLatin1Char('=') + *d.value : d.name);
                inputs.text = QStringLiteral("ARG ") + parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, LabelCommand>) {
                QStringList parts;
                for (const ImageLabel &l : c.labels)
                    parts.append(l.key + QLatin1Char('=') + l.value);
                inputs.text = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, WorkdirCommand>) {
                inputs.text = QStringLiteral("WORKDIR ") + c.resolved.value_or(c.path);
            } else if constexpr (std::is_same_v<T, UserCommand>) {
                inputs.text = QStringLiteral("USER ") + c.text;
            } else if constexpr (std::is_same_v<T, ExposeCommand>) {
                QStringList ports;
                for (const ExposedPort &p : c.ports)
                    ports.append(p.text());
                inputs.text = QStringLiteral("EXPOSE ") + ports.join(QLatin1Char(' '));
            } else if constexpr (std::is_same_v<T, VolumeCommand>) {
                inputs.text = QStringLiteral("VOLUME ") + quotedList(c.paths);
            } else if constexpr (std::is_same_v<T, EntrypointCommand>) {
                inputs.text = QStringLiteral("ENTRYPOINT ") + quotedList(c.argv(scope.shell()));
            } else if constexpr (std::is_same_v<T, CmdCommand>) {
                inputs.text = QStringLiteral("CMD ") + quotedList(c.argv(scope.shell()));
            } else if constexpr (std::is_same_v<T, ShellCommand>) {
                inputs.text = QStringLiteral("SHELL ") + quotedList(c.shell);
            } else if constexpr (std::is_same_v<T, HealthcheckCommand>) {
                inputs.text = QStringLiteral("HEALTHCHECK %1 interval=%2 timeout=%3 start-period=%4 "
                                             "start-interval=%5 retries=%6")
                                  .arg(quotedList(c.test))
                                  .arg(c.interval)
                                  .arg(c.timeout)
                                  .arg(c.startPeriod)
                                  .arg(c.startInterval)
                                  .arg(c.retries);
            } else if constexpr (std::is_same_v<T, StopsignalCommand>) {
                inputs.text = QStringLiteral("STOPSIGNAL ") + c.signal;
            } else if constexpr (std::is_same_v<T, OnbuildCommand>) {
                inputs.text = QStringLiteral("ONBUILD ") + c.trigger;
            } else if constexpr (std::is_same_v<T, MaintainerCommand>) {
                inputs.text = QStringLiteral("MAINTAINER ") + c.author;
            } else if constexpr (std::is_same_v<T, FromCommand>) {
                inputs.text = QStringLiteral("FROM ") + c.base;
            }
        },
        command);
    inputs.complete = !scope.unresolved();
    return inputs;
}

} // namespace stagecraft
