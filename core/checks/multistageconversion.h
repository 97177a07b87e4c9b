// "Make it multi-stage": a single-stage Dockerfile that builds a program turns into a build
// stage plus a small final stage holding only the result: `scratch` for a static Go binary
// (CGO_ENABLED=0), a slim runtime image otherwise, with the COPY --from line and the
// ENTRYPOINT/CMD (and EXPOSE, USER…) moved into it, and what the program needs at run time
// (CA certificates when its sources speak TLS, time zone data). Where it cannot tell what the
// build produces, it declines and says why.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/quickfix.h"
#include "core/plan/buildplan.h"

#include <QStringView>

namespace stagecraft {

class MultiStageConversion
{
public:
    static Expected<QuickFix> convert(const BuildPlan &plan, QStringView text,
                                      const BuildCheckOptions &options = {});
};

} // namespace stagecraft
