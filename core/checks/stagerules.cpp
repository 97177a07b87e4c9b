#include "core/checks/stagerules.h"

#include "core/checks/checktext.h"
#include "core/plan/containerpath.h"

#include <algorithm>

namespace stagecraft {

using checktext::isLower;
using checktext::quoted;

namespace {

const QString kDefaultPath = QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

// Build arguments BuildKit reads itself; they never count as undefined variables.
bool isNonEnvArg(const QString &name)
{
    return name == QLatin1String("BUILDKIT_SBOM_SCAN_CONTEXT") ||
           name == QLatin1String("BUILDKIT_SBOM_SCAN_STAGE");
}

// Where `offset` falls in a here-document's body: the body starts on the line after the
// `<<` marker.
SourceRange rangeInHeredoc(const Heredoc &doc, qsizetype offset)
{
    if (offset < 0)
        return doc.range;
    const QStringView before = QStringView(doc.content).left(offset);
    const qsizetype newlines = before.count(QLatin1Char('\n'));
    const qsizetype lineStart = before.lastIndexOf(QLatin1Char('\n')) + 1;
    const SourcePosition at{doc.range.start.line + 1 + int(newlines), int(offset - lineStart) + 1};
    return {at, {at.line, at.column + 1}};
}

} // namespace

StageRules::StageRules(const BuildPlan &plan, const BuildCheckOptions &options, CheckSession &session)
    : m_plan(plan)
    , m_df(plan.dockerfile())
    , m_options(options)
    , m_session(session)
{}

void StageRules::run()
{
    m_states.clear();
    m_states.reserve(m_plan.stages().size());
    for (const PlanStage &stage : m_plan.stages())
        dispatchStage(stage);
}

void StageRules::dispatchStage(const PlanStage &stage)
{
    m_states.append(StageState());
    StageState &state = m_states.last();
    // `FROM <earlier stage>` continues that stage's state; anything else starts from an image.
    const int parent = stage.from.baseStage;
    if (parent >= 0 && parent < stage.index) {
        state = m_states.at(parent);
    } else if (!stage.isScratch() && m_options.baseImageEnv) {
        if (const auto imageEnv = m_options.baseImageEnv(stage.from.base)) {
            for (auto it = imageEnv->constBegin(); it != imageEnv->constEnd(); ++it)
                state.env.set(it.key(), it.value());
        }
    }
    // BuildKit gives every stage a PATH when its image has none.
    if (!state.env.get(QStringLiteral("PATH")))
        state.env.set(QStringLiteral("PATH"), kDefaultPath);

    const Instruction &from = m_df.instructions.at(stage.from.instruction);
    std::optional<Site> entrypoint;
    std::optional<Site> cmd;
    std::optional<Site> healthcheck;
    for (const PlanStep &step : stage.steps) {
        Site site;
        if (step.trigger) {
            site.instruction = m_df.instructions.at(step.instruction).onbuild.get();
            site.trigger = &from;
        } else {
            site.instruction = &m_df.instructions.at(step.instruction);
        }
        if (!site.instruction)
            continue;
        if (std::holds_alternative<EntrypointCommand>(step.command))
            checkUsedOnce(site, entrypoint);
        else if (std::holds_alternative<CmdCommand>(step.command))
            checkUsedOnce(site, cmd);
        else if (std::holds_alternative<HealthcheckCommand>(step.command))
            checkUsedOnce(site, healthcheck);
        dispatch(state, site, step.command);
    }
}

void StageRules::report(const char *rule, const Site &site, const SourceRange &range, const QString &message)
{
    if (site.trigger)
        m_session.reportAt(rule, site.trigger->range, message);
    else
        m_session.report(rule, *site.instruction, range, message);
}

void StageRules::checkUsedOnce(const Site &site, std::optional<Site> &previous)
{
    // Reported at the earlier instruction: that is the one whose effect is lost.
    if (previous) {
        report(
            "MultipleInstructionsDisallowed", *previous, previous->instruction->keywordRange,
            QStringLiteral("Multiple %1 instructions should not be used in the same stage because only the "
                           "last one will be used")
                .arg(site.instruction->keyword));
    }
    previous = site;
}

QString StageRules::expand(StageState &state, const Site &site, const QString &word, const SourceRange &range,
                           qsizetype offset)
{
    const ShellResult r = m_session.expand(m_session.lex(), word, state.env.lookup(), range, offset);
    reportUnmatched(state, site, range, r.unmatched);
    // Past a limit the value is unknown; empty keeps a chain of doubling variables from
    // growing again from the text as written.
    if (r.limitExceeded())
        return {};
    return r.ok() ? r.value : word;
}

void StageRules::reportUnmatched(const StageState &state, const Site &site, const SourceRange &range,
                                 const QStringList &unmatched)
{
    std::optional<QStringList> options; // listed only when a name is undefined
    for (const QString &name : unmatched) {
        if (state.buildArgs.contains(name) || isNonEnvArg(name))
            continue;
        QString message = QStringLiteral("Usage of undefined variable '$%1'").arg(name);
        if (!options)
            options = m_session.suggestions().canAfford(state.env.size()) ? state.env.keys() : QStringList();
        const QString suggestion = m_session.suggestions().closest(name, *options);
        if (!suggestion.isEmpty())
            message += QStringLiteral(" (did you mean $%1?)").arg(suggestion);
        report("UndefinedVar", site, range, message);
    }
}

void StageRules::dispatch(StageState &state, const Site &site, const Command &command)
{
    if (std::holds_alternative<EnvCommand>(command)) {
        checkEnv(state, site);
    } else if (std::holds_alternative<LabelCommand>(command)) {
        checkLabel(state, site);
    } else if (const auto *arg = std::get_if<ArgCommand>(&command)) {
        checkArg(state, site, *arg);
    } else if (const auto *cmd = std::get_if<CmdCommand>(&command)) {
        checkProcess(state, site, *cmd);
    } else if (const auto *entrypoint = std::get_if<EntrypointCommand>(&command)) {
        checkProcess(state, site, *entrypoint);
    } else if (std::holds_alternative<ShellCommand>(command)) {
        state.shellSet = true;
    } else if (std::holds_alternative<WorkdirCommand>(command)) {
        checkWorkdir(state, site);
    } else if (std::holds_alternative<UserCommand>(command) ||
               std::holds_alternative<VolumeCommand>(command) ||
               std::holds_alternative<StopsignalCommand>(command)) {
        for (const Word &w : site.instruction->args)
            expand(state, site, w.text, w.range);
    } else if (const auto *copy = std::get_if<CopyCommand>(&command)) {
        checkCopy(state, site, *copy, false);
    } else if (const auto *add = std::get_if<AddCommand>(&command)) {
        checkCopy(state, site, *add, true);
    } else if (std::holds_alternative<ExposeCommand>(command)) {
        checkExpose(state, site);
    }
}

// ENV and LABEL pairs as written: `ENV k v` is a form the plan no longer knows.
void StageRules::checkLegacyKeyValues(const Site &site)
{
    const Instruction &ins = *site.instruction;
    for (const KeyValue &kv : ins.pairs) {
        if (!kv.hasEquals) {
            report("LegacyKeyValueFormat", site, kv.range,
                   QStringLiteral("\"%1 key=value\" should be used instead of legacy \"%1 key value\" format")
                       .arg(ins.keyword));
        }
    }
}

void StageRules::checkEnv(StageState &state, const Site &site)
{
    const Instruction &ins = *site.instruction;
    // Every pair is expanded against the environment before the instruction.
    QList<std::pair<QString, QString>> expanded;
    for (const KeyValue &kv : ins.pairs)
        expanded.append({expand(state, site, kv.key, kv.range),
                         expand(state, site, kv.value, kv.range, kv.hasEquals ? kv.key.size() + 1 : 0)});
    for (qsizetype i = 0; i < ins.pairs.size(); ++i) {
        if (checktext::isSecretKey(expanded.at(i).first)) {
            report("SecretsUsedInArgOrEnv", site, ins.pairs.at(i).range,
                   QStringLiteral("Do not use ARG or ENV instructions for sensitive data (ENV %1)")
                       .arg(quoted(expanded.at(i).first)));
        }
        state.env.set(expanded.at(i).first, expanded.at(i).second);
    }
    checkLegacyKeyValues(site);
}

void StageRules::checkLabel(StageState &state, const Site &site)
{
    for (const KeyValue &kv : site.instruction->pairs) {
        expand(state, site, kv.key, kv.range);
        expand(state, site, kv.value, kv.range, kv.hasEquals ? kv.key.size() + 1 : 0);
    }
    checkLegacyKeyValues(site);
}

void StageRules::checkArg(StageState &state, const Site &site, const ArgCommand &arg)
{
    const Instruction &ins = *site.instruction;
    const QHash<QString, QString> &buildArgs = m_plan.options().buildArgs;
    for (qsizetype i = 0; i < ins.pairs.size(); ++i) {
        const KeyValue &kv = ins.pairs.at(i);
        if (checktext::isSecretKey(kv.key)) {
            report("SecretsUsedInArgOrEnv", site, kv.range,
                   QStringLiteral("Do not use ARG or ENV instructions for sensitive data (ARG %1)")
                       .arg(quoted(kv.key)));
        }
        std::optional<QString> value;
        if (kv.hasEquals && !buildArgs.contains(kv.key)) {
            const ShellResult r =
                m_session.expand(m_session.lex(), kv.value, state.env.lookup(), kv.range, kv.key.size() + 1);
            reportUnmatched(state, site, kv.range, r.unmatched);
            value = r.ok() ? r.value : (r.limitExceeded() ? QString() : kv.value);
        } else if (i < arg.declarations.size()) {
            // A --build-arg value, or for a bare `ARG NAME` the meta ARG of that name.
            value = arg.declarations.at(i).value;
        }
        if (value && !isNonEnvArg(kv.key))
            state.env.set(kv.key, *value);
        state.buildArgs.insert(kv.key);
    }
}

void StageRules::checkProcess(const StageState &state, const Site &site, const ProcessCommand &process)
{
    if (process.execForm || state.shellSet)
        return;
    report("JSONArgsRecommended", site,
           QStringLiteral(
               "JSON arguments recommended for %1 to prevent unintended behavior related to OS signals")
               .arg(site.instruction->keyword));
}

void StageRules::checkWorkdir(StageState &state, const Site &site)
{
    const Instruction &ins = *site.instruction;
    if (ins.args.isEmpty())
        return;
    const QString path = expand(state, site, ins.args.first().text, ins.args.first().range);
    if (!state.workdirSet && !checktext::isAbsolutePath(path)) {
        report("WorkdirRelativePath", site, ins.args.first().range,
               QStringLiteral("Relative workdir %1 can have unexpected results if the base image changes")
                   .arg(quoted(path)));
    }
    state.workdirSet = true;
}

void StageRules::checkCopy(StageState &state, const Site &site, const CopyCommand &copy, bool isAdd)
{
    const Instruction &ins = *site.instruction;
    for (const Flag &f : ins.flags) {
        if (f.name == QLatin1String("chown") || (isAdd && f.name == QLatin1String("checksum")))
            expand(state, site, f.value, f.range);
    }

    QList<Word> sources;
    qsizetype heredocIndex = 0;
    for (qsizetype i = 0; i < ins.args.size(); ++i) {
        const Word &w = ins.args.at(i);
        const bool isDest = i == ins.args.size() - 1;
        if (!isDest && !ins.heredocs.isEmpty() && w.text.startsWith(QLatin1String("<<"))) {
            // A here-document source: its body is expanded raw, without quote processing.
            if (heredocIndex < ins.heredocs.size()) {
                const Heredoc &doc = ins.heredocs.at(heredocIndex++);
                if (doc.expand) {
                    ShellLex raw;
                    raw.setSkipProcessQuotes(true);
                    raw.setBudget(m_session.budget());
                    const ShellResult r = raw.processWord(doc.content, state.env.lookup());
                    if (r.limitExceeded())
                        m_session.expand(raw, doc.content, state.env.lookup(),
                                         rangeInHeredoc(doc, r.errorOffset));
                    reportUnmatched(state, site, doc.range, r.unmatched);
                }
            }
            continue;
        }
        const QString value = expand(state, site, w.text, w.range);
        if (!isDest)
            sources.append(Word{value, w.range});
    }

    // CopyIgnoredFile: only sources read from the build context, and not at all when the
    // .dockerignore has exceptions, as in BuildKit.
    if (!m_options.isIgnoredByDockerignore || m_options.dockerignoreHasExceptions ||
        (!isAdd && !copy.from.isEmpty()))
        return;
    for (const Word &src : std::as_const(sources)) {
        if (isAdd && AddCommand::isRemote(src.text))
            continue;
        // BuildKit matches and names the source after filepath.Clean: "./tmp/a" is "tmp/a".
        const QString path = ContainerPath::clean(src.text);
        if (m_options.isIgnoredByDockerignore(path)) {
            report("CopyIgnoredFile", site, src.range,
                   QStringLiteral("Attempting to %1 file %2 that is excluded by .dockerignore")
                       .arg(isAdd ? QStringLiteral("Add") : QStringLiteral("Copy"), quoted(path)));
        }
    }
}

void StageRules::checkExpose(StageState &state, const Site &site)
{
    for (const Word &w : site.instruction->args) {
        const ShellResult r = m_session.expand(m_session.lex(), w.text, state.env.lookup(), w.range, 0, true);
        if (!r.ok())
            continue;
        for (const QString &rawPort : r.words) {
            // [ip:][hostPort:]containerPort[/proto], IPv6 addresses keep their colons.
            const QStringList parts = rawPort.split(QLatin1Char(':'));
            const qsizetype n = parts.size();
            const QString containerPort = parts.last();
            QString ip;
            QString hostPort;
            if (n == 2) {
                hostPort = parts.at(0);
            } else if (n >= 3) {
                ip = parts.mid(0, n - 2).join(QLatin1Char(':'));
                hostPort = parts.at(n - 2);
            }
            const QStringList protoParts = containerPort.split(QLatin1Char('/'));
            if (containerPort.isEmpty() || protoParts.first().isEmpty())
                continue; // not a port at all; the build reports it
            const QString proto = protoParts.size() > 1 && !protoParts.at(1).isEmpty()
                                      ? protoParts.at(1)
                                      : QStringLiteral("tcp");
            // The protocol as written: ExposeCommand keeps it lower-cased.
            if (!isLower(proto)) {
                report("ExposeProtoCasing", site, w.range,
                       QStringLiteral("Defined protocol '%1' in EXPOSE instruction should be lowercase")
                           .arg(rawPort));
            }
            if (!ip.isEmpty() || !hostPort.isEmpty()) {
                report(
                    "ExposeInvalidFormat", site, w.range,
                    QStringLiteral("EXPOSE instruction should not define an IP address or host-port mapping, "
                                   "found '%1'")
                        .arg(rawPort));
            }
        }
    }
}

} // namespace stagecraft
