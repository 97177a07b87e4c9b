// `stagecraft check --format sarif`: the findings of one Dockerfile as a SARIF 2.1.0 log, the
// format GitHub code scanning and other code hosts read to show findings inline. One run;
// the tool's rules (BuildKit's and Stagecraft's) as metadata, each result pointing at its
// rule, its place in the file (a relative URI) and, where there is one, its quick-fix.
#pragma once

#include "core/checks/quickfix.h"
#include "core/common/diagnostic.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace stagecraft {

class SarifReport
{
public:
    struct Input
    {
        // The Dockerfile as a relative path with "/" separators ("docker/Dockerfile"),
        // resolved against %SRCROOT% (the folder the check ran in).
        QString path;
        QString toolVersion; // "0.2.0"
        // The quick-fixes of a finding, if any; only their edits of the Dockerfile are written.
        std::function<QList<QuickFix>(const Diagnostic &)> fixesFor;
    };

    // The project's page, where docs/checks.md explains Stagecraft's rules.
    static QString informationUri();
    // The rule id a finding is reported under: Stagecraft's "SC001", BuildKit's rule name, or
    // "DockerfileError" for parse and stage-graph errors, which have no rule of their own.
    static QString ruleId(const Diagnostic &diagnostic);
    // `path` as a URI reference relative to its base: percent-encoded, never taken for a
    // scheme ("c:x" becomes "./c:x").
    static QString relativeUri(const QString &path);

    static QByteArray make(const Diagnostics &diagnostics, const Input &input);
};

} // namespace stagecraft
