// The quick-fixes for build-check findings: casing, legacy `ENV k v`, JSON-form CMD and
// ENTRYPOINT, MAINTAINER, a .dockerignore with sensible entries, apt/apk/pip/npm caches, and
// "Make it multi-stage" (MultiStageConversion) for a single-stage image that keeps its
// toolchain. A fix that cannot keep the file's meaning is not offered.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/quickfix.h"
#include "core/common/diagnostic.h"
#include "core/plan/buildplan.h"

#include <QList>
#include <QStringView>

namespace stagecraft {

class QuickFixes
{
public:
    // The fixes for one finding of `plan`, whose text is `text`; empty when there is none.
    static QList<QuickFix> forDiagnostic(const BuildPlan &plan, QStringView text,
                                         const Diagnostic &diagnostic, const BuildCheckOptions &options = {});
    // Why a finding that usually has a fix has none here (a "Make it multi-stage" that cannot
    // tell what the build produces); empty when a fix exists or none was ever offered.
    static QString declined(const BuildPlan &plan, QStringView text, const Diagnostic &diagnostic,
                            const BuildCheckOptions &options = {});
    // Checks `text` and fixes what can be fixed, round after round (a fix may make another
    // one possible) until nothing changes: the new text and the context files to write.
    struct Result
    {
        QString text;
        QList<FileWrite> files;
        QStringList applied;  // the fixes' titles, in order
        QStringList declined; // "line N: why" for each finding left without its fix
    };
    static Result fixAll(QStringView text, const PlanOptions &planOptions = {},
                         const BuildCheckOptions &options = {});
};

} // namespace stagecraft
