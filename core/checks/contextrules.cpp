#include "core/checks/contextrules.h"

namespace stagecraft {

namespace {

// What a context commonly holds that no image needs: version control, dependency trees the
// build installs again, and secrets. A name with a wildcard stands for files it matches.
const QStringList kSensibleEntries = {
    QStringLiteral(".git"),   QStringLiteral("node_modules"), QStringLiteral(".env"), QStringLiteral("*.pem"),
    QStringLiteral("id_rsa"), QStringLiteral("id_ed25519"),   QStringLiteral(".aws"), QStringLiteral(".ssh")};

} // namespace

ContextRules::ContextRules(const BuildPlan &plan, const BuildCheckOptions &options, CheckSession &session)
    : m_plan(plan)
    , m_options(options)
    , m_session(session)
{}

bool ContextRules::isWholeContext(const QString &source)
{
    return source == QLatin1String(".") || source == QLatin1String("./") || source == QLatin1String("*") ||
           source == QLatin1String("./*") || source == QLatin1String("/") || source == QLatin1String("./.");
}

QStringList ContextRules::missingIgnoreEntries(const BuildCheckOptions &options)
{
    QStringList out;
    for (const QString &entry : kSensibleEntries) {
        // "*.pem" is tested with a file it would match.
        const QString sample =
            entry.startsWith(QLatin1Char('*')) ? QStringLiteral("server") + entry.mid(1) : entry;
        if (options.contextContains && !entry.contains(QLatin1Char('*')) && !options.contextContains(entry))
            continue;
        if (options.dockerignoreText && options.isIgnoredByDockerignore &&
            options.isIgnoredByDockerignore(sample))
            continue;
        out.append(entry);
    }
    return out;
}

void ContextRules::run()
{
    if (!m_options.contextKnown)
        return;
    const Dockerfile &df = m_plan.dockerfile();
    std::optional<QStringList> missing; // computed once, on the first whole-context copy
    for (const PlanStage &stage : m_plan.stages()) {
        for (const PlanStep &step : stage.steps) {
            const CopyCommand *copy = std::get_if<CopyCommand>(&step.command);
            if (!copy) {
                if (const auto *add = std::get_if<AddCommand>(&step.command))
                    copy = add;
            }
            if (!copy || !copy->from.isEmpty() || step.trigger)
                continue;
            bool whole = false;
            for (const QString &source : copy->sources)
                whole = whole || isWholeContext(source);
            if (!whole)
                continue;
            const Instruction &ins = df.instructions.at(step.instruction);
            if (!m_options.dockerignoreText) {
                m_session.report(
                    "CopyWholeContext", ins,
                    QStringLiteral("%1 copies the whole build context and there is no .dockerignore: "
                                   ".git, node_modules and files like .env come along, and any change "
                                   "to them rebuilds from here")
                        .arg(ins.keyword.toUpper()));
                continue;
            }
            if (!missing)
                missing = missingIgnoreEntries(m_options);
            // Only what the context really has counts as let through (wildcards: when unknown).
            QStringList through;
            for (const QString &entry : std::as_const(*missing))
                if (!entry.contains(QLatin1Char('*')) || !m_options.contextContains)
                    through.append(entry);
            if (through.isEmpty())
                continue;
            m_session.report(
                "CopyWholeContext", ins,
                QStringLiteral("%1 copies the whole build context and .dockerignore lets %2 through")
                    .arg(ins.keyword.toUpper(), through.join(QStringLiteral(", "))));
        }
    }
}

} // namespace stagecraft
