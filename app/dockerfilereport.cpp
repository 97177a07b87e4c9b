#include "app/dockerfilereport.h"

#include "core/checks/buildchecks.h"
#include "core/plan/buildplan.h"

#include <QSet>

#include <algorithm>

namespace stagecraft::app {

DockerfileReport DockerfileReport::make(const QString &text, const PlanOptions &options,
                                        const BuildCheckOptions &checks)
{
    DockerfileReport report;
    const BuildPlan plan = BuildPlan::fromText(text, options);
    report.dockerfile = plan.dockerfile();
    report.graph = plan.graph();
    Diagnostics all = report.dockerfile.diagnostics;
    BuildCheckOptions withOurs = checks;
    withOurs.stagecraftRules = true;
    Diagnostics ruleFindings = BuildChecks::run(plan, withOurs);
    Diagnostics graphFindings = report.graph.diagnostics;
    // With an explicit target, an error in a stage the target does not need stops nothing: the
    // build skips that stage (BuildPlan says the same of its own). Stage-graph errors and
    // Stagecraft's rules follow; parse errors and BuildKit's rules stay as BuildKit reports them.
    if (!options.target.isEmpty()) {
        const auto demote = [&](Diagnostic &d) {
            const int stage = d.range.isValid() ? report.graph.stageAt(d.range.start.line) : -1;
            if (d.severity != Severity::Error || stage < 0 || report.graph.stages.at(stage).needed)
                return;
            d.severity = Severity::Warning;
            d.message += QStringLiteral(" (stage %1 is not needed by the target, so the build skips it)")
                             .arg(report.graph.stages.at(stage).displayName());
        };
        std::for_each(graphFindings.begin(), graphFindings.end(), demote);
        for (Diagnostic &d : ruleFindings) {
            if (const std::optional<BuildCheckRule> rule = BuildChecks::rule(d.rule);
                rule && rule->isStagecraft())
                demote(d);
        }
    }
    all += ruleFindings;
    all += graphFindings;

    // The same problem may be seen by two layers (a duplicate stage name is a build check
    // and a plan warning): keep the first of each place and rule (or message), so the build
    // check's wording, the one `docker build --check` prints, wins.
    const auto place = [](const Diagnostic &d) {
        return QStringLiteral("%1:%2:").arg(d.range.start.line).arg(d.range.start.column);
    };
    QSet<QString> seenMessages;
    QSet<QString> seenRules;
    for (const Diagnostic &d : std::as_const(all)) {
        const QString where = place(d);
        if (seenMessages.contains(where + d.message) ||
            (!d.rule.isEmpty() && seenRules.contains(where + d.rule)))
            continue;
        seenMessages.insert(where + d.message);
        if (!d.rule.isEmpty())
            seenRules.insert(where + d.rule);
        report.diagnostics.append(d);
    }
    std::stable_sort(report.diagnostics.begin(), report.diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) { return a.range.start < b.range.start; });
    return report;
}

QString DockerfileReport::text(const QString &displayName, bool errorsOnly) const
{
    QString out;
    for (const Diagnostic &d : diagnostics) {
        if (errorsOnly && d.severity != Severity::Error)
            continue;
        out += displayName;
        if (d.range.isValid())
            out += QStringLiteral(":%1:%2").arg(d.range.start.line).arg(d.range.start.column);
        out += QStringLiteral(": %1: %2").arg(severityName(d.severity), d.message);
        if (!d.rule.isEmpty())
            out += QStringLiteral(" [%1]").arg(d.rule);
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace stagecraft::app
