// The `docker build --check` rules (BuildKit's Dockerfile linter) run over a build plan
// without building it: one Diagnostic per violation, with rule name and docs URL. The rules
// live in SyntaxRules (how the file is written), FromRules (stages and FROM lines) and
// StageRules (each stage's steps); CheckSession is what they share.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/checkdirective.h"
#include "core/common/diagnostic.h"
#include "core/plan/buildplan.h"

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace stagecraft {

struct BuildCheckRule
{
    QString name;        // "FromAsCasing"
    QString description; // BuildKit's one-line description
    QString url;         // https://docs.docker.com/go/dockerfile/rule/…, or docs/checks.md#… for ours
    bool experimental = false;
    // Stagecraft's own rules: an id the directives accept besides the name ("SC001") and the
    // severity they report with unless `# stagecraft-check=` says otherwise.
    QString id;
    Severity severity = Severity::Warning;

    bool isStagecraft() const { return !id.isEmpty(); }
};

class BuildChecks
{
public:
    // The 21 rules, in BuildKit's order.
    static const QList<BuildCheckRule> &rules();
    // Stagecraft's stage-aware rules (SC001…), which run when BuildCheckOptions asks for them.
    static const QList<BuildCheckRule> &stagecraftRules();
    // A rule of either list by name, or one of Stagecraft's by id.
    static std::optional<BuildCheckRule> rule(const QString &name);

    // Runs every enabled rule over `plan`, with its build arguments (BUILDKIT_DOCKERFILE_CHECK
    // among them overrides the `# check=` directive) and platform. Diagnostics are sorted by
    // line, then message; their severity is Warning, or Error when the directive says
    // `error=true`. An invalid `# check=` directive gives a single Error diagnostic without a
    // rule name, as BuildKit refuses it.
    static Diagnostics run(const BuildPlan &plan, const BuildCheckOptions &options = {});
    // The same for a caller that has only the text: plans it first.
    static Diagnostics run(QStringView text, const PlanOptions &planOptions = {},
                           const BuildCheckOptions &options = {});
};

} // namespace stagecraft
