// What `stagecraft check` says about a Dockerfile: the parser's, the stage graph's and the
// build checks' diagnostics, one per place and problem, in file order. Every command that
// reads a Dockerfile uses it, so `graph` and `build` refuse exactly the files `check` rejects.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"

#include <QString>

namespace stagecraft::app {

struct DockerfileReport
{
    Dockerfile dockerfile;
    StageGraph graph;
    Diagnostics diagnostics;

    // Build arguments and platform feed both the stage graph and the build checks. Stagecraft's
    // own rules run too (what they know of the context comes with `checks`), so every command
    // sees the same findings.
    static DockerfileReport make(const QString &text, const PlanOptions &options = {},
                                 const BuildCheckOptions &checks = {});

    bool hasErrors() const { return stagecraft::hasErrors(diagnostics); }
    // "FILE:LINE:COLUMN: severity: message [Rule]", a line each; only errors when asked.
    QString text(const QString &displayName, bool errorsOnly = false) const;
};

} // namespace stagecraft::app
