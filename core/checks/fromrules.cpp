#include "core/checks/fromrules.h"

#include "core/checks/checktext.h"
#include "core/checks/referencesyntax.h"
#include "core/plan/metaargs.h"

namespace stagecraft {

using checktext::quoted;

namespace {

ShellLex::EnvLookup lookupIn(const QHash<QString, QString> &env)
{
    return [&env](const QString &name) -> std::optional<QString> {
        const auto it = env.constFind(name);
        if (it == env.constEnd())
            return std::nullopt;
        return *it;
    };
}

} // namespace

FromRules::FromRules(const BuildPlan &plan, CheckSession &session)
    : m_plan(plan)
    , m_df(plan.dockerfile())
    , m_session(session)
{
    if (m_plan.stages().isEmpty())
        return;
    const int firstFrom = m_plan.stages().first().from.instruction;
    for (int i = 0; i < firstFrom && i < m_df.instructions.size(); ++i)
        if (m_df.instructions.at(i).kind == InstructionKind::Arg)
            m_metaArgs.append(&m_df.instructions.at(i));
    m_globalArgs = m_plan.metaArgs();
    addLinterArgs(&m_globalArgs);
    for (const Instruction *ins : std::as_const(m_metaArgs))
        for (const KeyValue &kv : ins->pairs)
            m_declared.append(kv.key);
    m_declared.append(m_globalArgs.keys());
    m_declared.removeDuplicates();
    m_declared.sort();
    m_declaredSet = QSet<QString>(m_declared.cbegin(), m_declared.cend());
}

void FromRules::run()
{
    if (m_plan.stages().isEmpty())
        return;
    checkStageNames();
    checkBaseImagesWithDefaults();
    checkFromLines();
}

void FromRules::addLinterArgs(QHash<QString, QString> *args) const
{
    for (const QString &name : {QStringLiteral("BUILDOSVERSION"), QStringLiteral("TARGETOSVERSION")})
        if (!args->contains(name))
            args->insert(name, QString());
    if (!args->contains(QStringLiteral("TARGETSTAGE")))
        args->insert(
            QStringLiteral("TARGETSTAGE"),
            m_plan.stages().at(m_plan.target() >= 0 ? m_plan.target() : m_plan.stages().size() - 1).name);
}

void FromRules::checkStageNames()
{
    QSet<QString> seen;
    for (const PlanStage &stage : m_plan.stages()) {
        if (stage.name.isEmpty())
            continue;
        const Instruction &from = m_df.instructions.at(stage.from.instruction);
        const SourceRange nameRange = from.args.size() == 3 ? from.args.at(2).range : from.range;
        if (stage.name == QLatin1String("context") || stage.name == QLatin1String("scratch")) {
            m_session.report("ReservedStageName", from, nameRange,
                             QStringLiteral("Stage name should not use the same name as reserved stage %1")
                                 .arg(quoted(stage.name)));
        }
        if (seen.contains(stage.name)) {
            m_session.report("DuplicateStageName", from, nameRange,
                             QStringLiteral("Duplicate stage name %1, stage names should be unique")
                                 .arg(quoted(stage.name)));
        }
        seen.insert(stage.name);
    }
}

// BuildKit checks the base names with the meta ARGs' defaults, whatever --build-arg says:
// the plan's MetaArgs evaluates them once more without build arguments.
void FromRules::checkBaseImagesWithDefaults()
{
    PlanOptions defaultsOnly;
    defaultsOnly.platform = m_plan.options().platform;
    MetaArgs meta(defaultsOnly);
    for (const Instruction *ins : std::as_const(m_metaArgs))
        meta.declare(*ins, m_df.directives.escape);
    QHash<QString, QString> defaults = meta.environment();
    if (!meta.limitDiagnostics().isEmpty()) {
        for (const Diagnostic &d : meta.limitDiagnostics())
            m_session.error(d.range, d.message);
        return; // the build fails on this ARG anyway; BuildKit skips the check then
    }
    addLinterArgs(&defaults);
    const ShellLex::EnvLookup lookup = lookupIn(defaults);
    for (const PlanStage &stage : m_plan.stages()) {
        const Instruction &from = m_df.instructions.at(stage.from.instruction);
        if (from.args.isEmpty())
            continue; // a FROM without an image is a syntax error, reported by the parser
        const QString &baseName = from.args.first().text;
        const ShellResult r = m_session.expand(m_session.lex(), baseName, lookup, from.args.first().range);
        if (!r.ok())
            return;
        if (!referencesyntax::isValidImageReference(r.value)) {
            m_session.report(
                "InvalidDefaultArgInFrom", from,
                QStringLiteral("Default value for ARG %1 results in empty or invalid base image name")
                    .arg(baseName));
        }
    }
}

void FromRules::reportUndeclared(const Instruction &from, const QStringList &unmatched)
{
    for (const QString &name : unmatched) {
        if (m_declaredSet.contains(name))
            continue;
        QString message = QStringLiteral("FROM argument '%1' is not declared").arg(name);
        const QString suggestion = m_session.suggestions().closest(name, m_declared);
        if (!suggestion.isEmpty())
            message += QStringLiteral(" (did you mean %1?)").arg(suggestion);
        m_session.report("UndefinedArgInFrom", from, message);
    }
}

void FromRules::checkFromLines()
{
    const ShellLex::EnvLookup globals = lookupIn(m_globalArgs);
    for (const PlanStage &stage : m_plan.stages()) {
        const Instruction &from = m_df.instructions.at(stage.from.instruction);
        const QString baseName = from.args.isEmpty() ? QString() : from.args.first().text;
        const SourceRange baseRange = from.args.isEmpty() ? from.range : from.args.first().range;
        const ShellResult base = m_session.expand(m_session.lex(), baseName, globals, baseRange);
        if (!base.unmatched.isEmpty())
            reportUndeclared(from, base.unmatched);

        // The flag as written: whether it names TARGETPLATFORM or a constant is the point.
        const Flag *platformFlag = nullptr;
        for (const Flag &f : from.flags)
            if (f.name == QLatin1String("platform"))
                platformFlag = &f;
        if (!platformFlag || platformFlag->value.isEmpty())
            continue;
        const QString &written = platformFlag->value;
        // `--platform=` comes before the value.
        const ShellResult platform = m_session.expand(m_session.lex(), written, globals, platformFlag->range,
                                                      platformFlag->name.size() + 3);
        if (!platform.unmatched.isEmpty())
            reportUndeclared(from, platform.unmatched);
        if (platform.matched == QStringList{QStringLiteral("TARGETPLATFORM")} &&
            platform.unmatched.isEmpty() &&
            platform.value == m_globalArgs.value(QStringLiteral("TARGETPLATFORM"))) {
            m_session.report(
                "RedundantTargetPlatform", from, platformFlag->range,
                QStringLiteral(
                    "Setting platform to predefined %1 in FROM is redundant as this is the default behavior")
                    .arg(written));
        }
        if (platform.ok() && platform.matched.isEmpty() && platform.unmatched.isEmpty()) {
            const auto p = referencesyntax::parsePlatform(platform.value);
            // A stage named for its platform ("build-amd64") is allowed to pin it.
            if (p && !stage.name.contains(p->os) && !stage.name.contains(p->arch)) {
                m_session.report("FromPlatformFlagConstDisallowed", from, platformFlag->range,
                                 QStringLiteral("FROM --platform flag should not use constant value %1")
                                     .arg(quoted(platform.value)));
            }
        }
    }
}

} // namespace stagecraft
