// CopyWholeContext (SC002): `COPY . .` or `ADD . .` sends the whole build context into a
// layer; without a .dockerignore, or with one that lets .git, node_modules or secrets through,
// those come along (and every commit busts the cache). Needs to know the context; silent when
// BuildCheckOptions says it is unknown.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QStringList>

namespace stagecraft {

class ContextRules
{
public:
    ContextRules(const BuildPlan &plan, const BuildCheckOptions &options, CheckSession &session);

    void run();

    // Whether a COPY/ADD source names the whole context ("." "./" "*" "/").
    static bool isWholeContext(const QString &source);
    // The entries a .dockerignore should have and does not (the ones that exist in the
    // context, when the options can tell): ".git", "node_modules", ".env"…
    static QStringList missingIgnoreEntries(const BuildCheckOptions &options);

private:
    const BuildPlan &m_plan;
    const BuildCheckOptions &m_options;
    CheckSession &m_session;
};

} // namespace stagecraft
