// A problem found in a Dockerfile (parse error, plan error or build check), with
// the range the editor underlines and the rule name `docker build --check` uses.
#pragma once

#include "core/common/sourcerange.h"

#include <QList>
#include <QString>

namespace stagecraft {

enum class Severity { Error, Warning, Info };

struct Diagnostic
{
    Severity severity = Severity::Error;
    SourceRange range;
    QString message;
    QString rule; // build-check rule name ("FromAsCasing"), empty for syntax errors
    QString url;  // documentation for the rule, when there is one

    friend bool operator==(const Diagnostic &, const Diagnostic &) = default;
};

using Diagnostics = QList<Diagnostic>;

inline QString severityName(Severity s)
{
    switch (s) {
    case Severity::Error: return QStringLiteral("error");
    case Severity::Warning: return QStringLiteral("warning");
    case Severity::Info: return QStringLiteral("info");
    }
    return {};
}

inline bool hasErrors(const Diagnostics &diagnostics)
{
    for (const Diagnostic &d : diagnostics)
        if (d.severity == Severity::Error)
            return true;
    return false;
}

} // namespace stagecraft
