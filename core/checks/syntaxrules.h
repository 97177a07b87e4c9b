// The build-check rules about how a Dockerfile is written rather than what it builds:
// keyword casing (ConsistentInstructionCasing, FromAsCasing, StageNameCasing), empty
// continuation lines, MAINTAINER, and description comments above ARG and FROM. They read
// the syntax tree, the only place the text as written survives; the plan names the stages.
#pragma once

#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QStringList>

namespace stagecraft {

class SyntaxRules
{
public:
    SyntaxRules(const BuildPlan &plan, CheckSession &session);

    void run();

private:
    void checkNoEmptyContinuation();
    void checkInstructions();
    void checkFromKeywords(const Instruction &from);
    void checkStageDescriptions();
    void checkDescription(const Instruction &ins, const QString &instruction, const QStringList &keys);
    void checkCommandCasing();

    const BuildPlan &m_plan;
    const Dockerfile &m_df;
    CheckSession &m_session;
};

} // namespace stagecraft
