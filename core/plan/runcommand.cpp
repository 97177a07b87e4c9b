#include "core/plan/runcommand.h"

#include "core/plan/stagescope.h"

namespace stagecraft {

RunCommand RunCommand::read(const Instruction &ins, int index, StageScope &scope)
{
    RunCommand run;
    run.instruction = index;
    run.range = ins.range;
    run.execForm = ins.jsonForm;
    if (ins.jsonForm) {
        for (const Word &w : ins.args)
            run.arguments.append(w.text);
    } else {
        QStringList words;
        for (const Word &w : ins.args)
            words.append(w.text);
        run.arguments.append(words.join(QLatin1Char(' ')));
    }
    run.heredocs = ins.heredocs;
    for (const QString &name : scope.argOrder())
        run.buildArgs.append({name, scope.args().value(name)});
    if (!run.execForm && !run.heredocs.isEmpty()) {
        // `RUN <<EOF` or `RUN <<-"EOF"`: nothing but the heredoc marker on the line.
        const QString line = run.arguments.value(0).trimmed();
        run.heredocIsScript = line.startsWith(QLatin1String("<<")) && !line.contains(QLatin1Char(' '));
    }

    int sshCount = 0;
    const RunMount::Expander expand = [&scope](const QString &value) { return scope.tryExpand(value); };
    for (const Flag &flag : ins.flags) {
        if (flag.name == QLatin1String("mount")) {
            auto mount = RunMount::parse(flag.value, expand);
            if (!mount) {
                scope.error(flag.range, mount.error().message);
                continue;
            }
            QString target;
            const bool relative = !mount->target.startsWith(QLatin1Char('/')) &&
                                  !(mount->target.isEmpty() &&
                                    (mount->type == MountType::Secret || mount->type == MountType::Ssh));
            if (!relative || scope.workingDir()) {
                auto resolved = mount->resolvedTarget(scope.workingDir().value_or(QString()), sshCount);
                if (!resolved) {
                    scope.error(flag.range, resolved.error().message);
                    continue;
                }
                target = *resolved;
            }
            if (mount->type == MountType::Ssh)
                ++sshCount;
            run.mounts.append(*mount);
            run.mountTargets.append(target);
        } else if (flag.name == QLatin1String("network")) {
            const QString value = scope.expand(flag.value, flag.range);
            if (value == QLatin1String("none"))
                run.network = RunNetwork::None;
            else if (value == QLatin1String("host"))
                run.network = RunNetwork::Host;
            else if (value == QLatin1String("default") || value.isEmpty())
                run.network = RunNetwork::Default;
            else
                scope.error(flag.range, QStringLiteral("unsupported network mode \"%1\"").arg(value));
        } else if (flag.name == QLatin1String("security")) {
            const QString value = scope.expand(flag.value, flag.range);
            if (value == QLatin1String("insecure"))
                run.security = RunSecurity::Insecure;
            else if (value == QLatin1String("sandbox"))
                run.security = RunSecurity::Sandbox;
            else
                scope.error(flag.range, QStringLiteral("unsupported security mode \"%1\"").arg(value));
        } else if (flag.name == QLatin1String("device")) {
            run.devices.append(scope.expand(flag.value, flag.range));
        }
    }
    return run;
}

QStringList RunCommand::argv(const QStringList &shell) const
{
    if (execForm)
        return arguments;
    QString script = arguments.value(0);
    if (isShebangScript()) {
        script = shebangScriptPath();
    } else if (heredocIsScript && !heredocs.isEmpty()) {
        script = heredocs.first().body();
    } else {
        for (const Heredoc &h : heredocs)
            script += QLatin1Char('\n') + h.content + h.name;
    }
    return shell + QStringList{script};
}

} // namespace stagecraft
