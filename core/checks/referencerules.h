// Stagecraft's rules about what refers to what: a stage nothing uses (UnusedStage, SC006), an
// ARG nothing reads (UnusedArg, SC007) and a --from that names no stage, so that the build
// pulls an image of that name (UnknownStageReference, SC008), or one that names this stage or a
// later one, which the build pulls as an image too (LaterStageReference, SC010; the stage graph
// warns of it as well, with the same rule name, so a report keeps one). Each instruction's text is scanned
// once for the variables it names, so a file of 10,000 ARGs costs linear time.
#pragma once

#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QSet>
#include <QString>

namespace stagecraft {

class ReferenceRules
{
public:
    ReferenceRules(const BuildPlan &plan, CheckSession &session);

    void run();

    // The variable names `text` refers to as $NAME or ${NAME…}.
    static QSet<QString> variablesIn(QStringView text);

private:
    void checkUnusedStages();
    void checkMetaArgs();
    void checkStageArgs(const Stage &stage);
    void checkFromReferences();
    QSet<QString> referencesOf(const Instruction &ins) const;

    const BuildPlan &m_plan;
    const Dockerfile &m_df;
    CheckSession &m_session;
};

} // namespace stagecraft
