// The build-check rules about stages and their FROM lines: stage names (DuplicateStageName,
// ReservedStageName) and what FROM expands with the meta ARGs (UndefinedArgInFrom,
// InvalidDefaultArgInFrom, RedundantTargetPlatform, FromPlatformFlagConstDisallowed).
// Stages, names and meta ARG values come from the plan; FROM's words as written from the tree.
#pragma once

#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace stagecraft {

class FromRules
{
public:
    FromRules(const BuildPlan &plan, CheckSession &session);

    void run();

private:
    void checkStageNames();
    void checkBaseImagesWithDefaults();
    void checkFromLines();
    void reportUndeclared(const Instruction &from, const QStringList &unmatched);
    // BuildKit's linter knows a few predefined ARGs the plan does not define.
    void addLinterArgs(QHash<QString, QString> *args) const;

    const BuildPlan &m_plan;
    const Dockerfile &m_df;
    CheckSession &m_session;
    QList<const Instruction *> m_metaArgs; // the ARG instructions before the first FROM
    QHash<QString, QString> m_globalArgs;  // the plan's meta ARGs (with --build-arg)
    QStringList m_declared;                // every meta ARG name and predefined ARG, sorted
    QSet<QString> m_declaredSet;
};

} // namespace stagecraft
