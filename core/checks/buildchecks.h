// The `docker build --check` rules (BuildKit's Dockerfile linter) run over a parsed
// Dockerfile without building it: one Diagnostic per violation, with rule name and docs URL.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace stagecraft {

// What the checks may know beyond the Dockerfile text. Everything is optional: without it
// the checks behave like BuildKit with no build arguments, a linux/amd64 host and base
// images whose configuration defines only PATH.
struct BuildCheckOptions
{
    // `--build-arg` values. BUILDKIT_DOCKERFILE_CHECK here overrides the `# check=` directive.
    QHash<QString, QString> buildArgs;
    QString targetPlatform = QStringLiteral("linux/amd64");
    QString buildPlatform = QStringLiteral("linux/amd64");
    // Environment of an external base image ("golang:1.21") from its image config, or
    // nullopt when it is not known; used by UndefinedVar (e.g. $GOPATH in a golang stage).
    std::function<std::optional<QHash<QString, QString>>(const QString &imageRef)> baseImageEnv;
    // True when a build-context path is excluded by .dockerignore (experimental
    // CopyIgnoredFile); when unset that rule never fires.
    std::function<bool(const QString &path)> isIgnoredByDockerignore;
};

// The parsed `# check=skip=A,B;experimental=C;error=true` directive.
struct CheckDirective
{
    bool skipAll = false;
    QStringList skip;
    bool experimentalAll = false;
    QStringList experimental;
    bool error = false;
    QString problem; // why the directive is invalid; empty when it is fine

    static CheckDirective parse(const QString &text);
    // Whether `rule` reports at all under this directive (experimental rules need opting in).
    bool enables(const QString &rule, bool experimentalRule) const;
};

struct BuildCheckRule
{
    QString name;        // "FromAsCasing"
    QString description; // BuildKit's one-line description
    QString url;         // https://docs.docker.com/go/dockerfile/rule/…
    bool experimental = false;
};

class BuildChecks
{
public:
    // The 21 rules, in BuildKit's order.
    static const QList<BuildCheckRule> &rules();
    static std::optional<BuildCheckRule> rule(const QString &name);

    // Runs every enabled rule. Diagnostics are sorted by line, then message; their severity
    // is Warning, or Error when the directive says `error=true`. An invalid `# check=`
    // directive gives a single Error diagnostic without a rule name, as BuildKit refuses it.
    static Diagnostics run(const Dockerfile &dockerfile, const BuildCheckOptions &options = {});
};

} // namespace stagecraft
