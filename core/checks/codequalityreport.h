// `stagecraft check --format codequality`: the findings of one Dockerfile as GitLab's Code
// Quality report (a JSON array of CodeClimate-style issues), which merge requests show inline.
#pragma once

#include "core/common/diagnostic.h"

#include <QByteArray>
#include <QString>

namespace stagecraft {

class CodeQualityReport
{
public:
    // GitLab's severities: info, minor, major, critical, blocker.
    static QString severity(Severity severity);
    // What GitLab tells one finding from another across pipelines by: a SHA-256 of the rule,
    // path, line and message, so the same finding keeps its fingerprint from run to run.
    static QString fingerprint(const Diagnostic &diagnostic, const QString &path);

    // `path` is the Dockerfile relative to the repository's root, with "/" separators.
    static QByteArray make(const Diagnostics &diagnostics, const QString &path);
};

} // namespace stagecraft
