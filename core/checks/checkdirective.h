// The `# check=skip=A,B;experimental=C;error=true` directive (or the BUILDKIT_DOCKERFILE_CHECK
// build argument): which build-check rules report, and whether as errors.
#pragma once

#include "core/common/diagnostic.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

struct CheckDirective
{
    bool skipAll = false;
    QStringList skip;
    bool experimentalAll = false;
    QStringList experimental;
    bool error = false;
    QString problem; // why the directive is invalid; empty when it is fine
    // Stagecraft's rules by name or id: the severity they report with; nullopt turns one off.
    QHash<QString, std::optional<Severity>> severities;

    static CheckDirective parse(const QString &text);
    // Whether `rule` reports at all under this directive (experimental rules need opting in).
    bool enables(const QString &rule, bool experimentalRule) const;

    // `# stagecraft-check=error=SC001,SC004;info=UnusedStage;off=SC007`: the value after
    // "stagecraft-check=" in a comment line (without '#'), or a null string for another comment.
    // BuildKit reads it as a plain comment, so the file stays valid for `docker build`.
    static QString stagecraftDirectiveValue(const QString &comment);
    // Adds the severities `value` sets; returns why it is invalid, or an empty string.
    QString parseSeverities(const QString &value);
    // The severity one of Stagecraft's rules reports with (its default unless overridden;
    // `error=true` raises warnings to errors as it does for BuildKit's rules), or nullopt
    // when the directives turn it off.
    std::optional<Severity> severityOf(const QString &name, const QString &id, Severity fallback) const;
};

} // namespace stagecraft
