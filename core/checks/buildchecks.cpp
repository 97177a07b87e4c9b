#include "core/checks/buildchecks.h"

#include "core/checks/checksession.h"
#include "core/checks/contextrules.h"
#include "core/checks/fromrules.h"
#include "core/checks/imagecontentrules.h"
#include "core/checks/referencerules.h"
#include "core/checks/stagerules.h"
#include "core/checks/syntaxrules.h"

#include <array>

namespace stagecraft {

namespace {

struct RuleText
{
    const char *name;
    const char *description;
    const char *url;
    bool experimental;
};

// BuildKit's frontend/dockerfile/linter ruleset (tests/data/dockerfile/checks.json).
constexpr std::array<RuleText, 21> kRules{{
    {"StageNameCasing", "Stage names should be lowercase",
     "https://docs.docker.com/go/dockerfile/rule/stage-name-casing/", false},
    {"FromAsCasing", "The 'as' keyword should match the case of the 'from' keyword",
     "https://docs.docker.com/go/dockerfile/rule/from-as-casing/", false},
    {"NoEmptyContinuation", "Empty continuation lines will become errors in a future release",
     "https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/", false},
    {"ConsistentInstructionCasing",
     "All commands within the Dockerfile should use the same casing (either upper or lower)",
     "https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/", false},
    {"DuplicateStageName", "Stage names should be unique",
     "https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/", false},
    {"ReservedStageName", "Reserved words should not be used as stage names",
     "https://docs.docker.com/go/dockerfile/rule/reserved-stage-name/", false},
    {"JSONArgsRecommended",
     "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
     "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/", false},
    {"MaintainerDeprecated",
     "The MAINTAINER instruction is deprecated, use a label instead to define an image author",
     "https://docs.docker.com/go/dockerfile/rule/maintainer-deprecated/", false},
    {"UndefinedArgInFrom", "FROM command must use declared ARGs",
     "https://docs.docker.com/go/dockerfile/rule/undefined-arg-in-from/", false},
    {"WorkdirRelativePath",
     "Relative workdir without an absolute workdir declared within the build can have unexpected results if "
     "the base image changes",
     "https://docs.docker.com/go/dockerfile/rule/workdir-relative-path/", false},
    {"UndefinedVar", "Variables should be defined before their use",
     "https://docs.docker.com/go/dockerfile/rule/undefined-var/", false},
    {"MultipleInstructionsDisallowed",
     "Multiple instructions of the same type should not be used in the same stage",
     "https://docs.docker.com/go/dockerfile/rule/multiple-instructions-disallowed/", false},
    {"LegacyKeyValueFormat", "Legacy key/value format with whitespace separator should not be used",
     "https://docs.docker.com/go/dockerfile/rule/legacy-key-value-format/", false},
    {"RedundantTargetPlatform",
     "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior",
     "https://docs.docker.com/go/dockerfile/rule/redundant-target-platform/", false},
    {"SecretsUsedInArgOrEnv", "Sensitive data should not be used in the ARG or ENV commands",
     "https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/", false},
    {"InvalidDefaultArgInFrom", "Default value for global ARG results in an empty or invalid base image name",
     "https://docs.docker.com/go/dockerfile/rule/invalid-default-arg-in-from/", false},
    {"FromPlatformFlagConstDisallowed", "FROM --platform flag should not use a constant value",
     "https://docs.docker.com/go/dockerfile/rule/from-platform-flag-const-disallowed/", false},
    {"CopyIgnoredFile", "Attempting to Copy file that is excluded by .dockerignore",
     "https://docs.docker.com/go/dockerfile/rule/copy-ignored-file/", true},
    {"InvalidDefinitionDescription",
     "Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If "
     "this "
     "is not intended to be a description comment, add an empty line or comment between the instruction and "
     "the "
     "comment.",
     "https://docs.docker.com/go/dockerfile/rule/invalid-definition-description/", true},
    {"ExposeProtoCasing", "Protocol in EXPOSE instruction should be lowercase",
     "https://docs.docker.com/go/dockerfile/rule/expose-proto-casing/", false},
    {"ExposeInvalidFormat",
     "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error "
     "in a "
     "future release",
     "https://docs.docker.com/go/dockerfile/rule/expose-invalid-format/", false},
}};

struct StagecraftRuleText
{
    const char *id;
    const char *name;
    const char *description;
    const char *anchor; // the section of docs/checks.md that says why
    Severity severity;
};

// Stagecraft's own rules: what a multi-stage workshop teaches, which BuildKit does not check.
constexpr std::array<StagecraftRuleText, 10> kStagecraftRules{{
    {"SC001", "FinalStageToolchain",
     "The final image should not carry the compilers, build packages or SDK that only the build needs",
     "sc001-finalstagetoolchain", Severity::Warning},
    {"SC002", "CopyWholeContext",
     "COPY . copies the whole build context: a .dockerignore should keep .git, node_modules and secrets out",
     "sc002-copywholecontext", Severity::Warning},
    {"SC003", "CopyWholeFilesystem", "COPY --from should copy what the stage built, not its whole filesystem",
     "sc003-copywholefilesystem", Severity::Warning},
    {"SC004", "PackageCacheInLayer",
     "Package-manager caches should be removed in the RUN that fills them (or kept in a cache mount)",
     "sc004-packagecacheinlayer", Severity::Warning},
    {"SC005", "SecretInImage", "Files that look like keys or credentials should not be copied into the image",
     "sc005-secretinimage", Severity::Warning},
    {"SC006", "UnusedStage", "A stage that nothing uses is built only when it is the --target",
     "sc006-unusedstage", Severity::Info},
    {"SC007", "UnusedArg", "An ARG that nothing reads can be removed", "sc007-unusedarg", Severity::Info},
    {"SC008", "UnknownStageReference",
     "--from names no stage of this Dockerfile: it will be pulled as an image of that name",
     "sc008-unknownstagereference", Severity::Warning},
    {"SC009", "WrittenThenDeleted",
     "A file written in one layer and removed or overwritten in a later one still takes its bytes in the "
     "image (needs the last build's image)",
     "sc009-writtenthendeleted", Severity::Warning},
    {"SC010", "LaterStageReference",
     "--from names this stage or a later one: stage names refer only to earlier stages, so it is pulled as "
     "an "
     "image",
     "sc010-laterstagereference", Severity::Warning},
}};

} // namespace

const QList<BuildCheckRule> &BuildChecks::stagecraftRules()
{
    static const QList<BuildCheckRule> list = [] {
        QList<BuildCheckRule> out;
        for (const StagecraftRuleText &r : kStagecraftRules) {
            BuildCheckRule rule;
            rule.name = QLatin1String(r.name);
            rule.description = QLatin1String(r.description);
            rule.url = QStringLiteral("docs/checks.md#") + QLatin1String(r.anchor);
            rule.id = QLatin1String(r.id);
            rule.severity = r.severity;
            out.append(rule);
        }
        return out;
    }();
    return list;
}

const QList<BuildCheckRule> &BuildChecks::rules()
{
    static const QList<BuildCheckRule> list = [] {
        QList<BuildCheckRule> out;
        for (const RuleText &r : kRules)
            out.append({QLatin1String(r.name),
                        QLatin1String(r.description),
                        QLatin1String(r.url),
                        r.experimental,
                        {},
                        Severity::Warning});
        return out;
    }();
    return list;
}

std::optional<BuildCheckRule> BuildChecks::rule(const QString &name)
{
    for (const BuildCheckRule &r : rules())
        if (r.name == name)
            return r;
    for (const BuildCheckRule &r : stagecraftRules())
        if (r.name == name || r.id == name)
            return r;
    return std::nullopt;
}

Diagnostics BuildChecks::run(const BuildPlan &plan, const BuildCheckOptions &options)
{
    const QHash<QString, QString> &buildArgs = plan.options().buildArgs;
    const auto override = buildArgs.constFind(QStringLiteral("BUILDKIT_DOCKERFILE_CHECK"));
    CheckDirective directive = CheckDirective::parse(
        override != buildArgs.constEnd() ? *override : plan.dockerfile().directives.check);
    if (!directive.problem.isEmpty()) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.range = {{1, 1}, {1, 1}};
        d.message = QStringLiteral("failed to parse check options: ") + directive.problem;
        return {d};
    }

    Diagnostics severityProblems;
    if (options.stagecraftRules) {
        // `# stagecraft-check=` is an ordinary comment to BuildKit, so it may stand anywhere.
        for (const Instruction &ins : plan.dockerfile().instructions) {
            for (const QString &comment : ins.comments) {
                const QString value = CheckDirective::stagecraftDirectiveValue(comment);
                if (value.isNull())
                    continue;
                const QString problem = directive.parseSeverities(value);
                if (!problem.isEmpty()) {
                    Diagnostic d;
                    d.severity = Severity::Warning;
                    d.range = ins.range.isValid()
                                  ? SourceRange{{ins.range.start.line, 1}, {ins.range.start.line, 1}}
                                  : SourceRange{{1, 1}, {1, 1}};
                    d.message = QStringLiteral("stagecraft-check comment ignored: ") + problem;
                    severityProblems.append(d);
                }
            }
        }
    }

    CheckSession session(plan.dockerfile(), std::move(directive));
    SyntaxRules(plan, session).run();
    FromRules(plan, session).run();
    StageRules(plan, options, session).run();
    if (options.stagecraftRules) {
        ImageContentRules(plan, options, session).run();
        ContextRules(plan, options, session).run();
        ReferenceRules(plan, session).run();
    }
    Diagnostics out = session.take();
    if (!severityProblems.isEmpty())
        out = severityProblems + out;
    return out;
}

Diagnostics BuildChecks::run(QStringView text, const PlanOptions &planOptions,
                             const BuildCheckOptions &options)
{
    return run(BuildPlan::fromText(text, planOptions), options);
}

} // namespace stagecraft
