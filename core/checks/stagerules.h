// The build-check rules that follow each stage's steps in order, as BuildKit's dispatcher
// does: variables (UndefinedVar, SecretsUsedInArgOrEnv, LegacyKeyValueFormat), WORKDIR,
// CMD/ENTRYPOINT form, instructions used twice, COPY from ignored files and EXPOSE's form.
// The steps, their typed commands, the stage a stage builds on and its ONBUILD triggers come
// from the plan; the variables are tracked here (see CheckEnvironment for why).
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/checkenvironment.h"
#include "core/checks/checksession.h"
#include "core/plan/buildplan.h"

#include <QList>
#include <QSet>
#include <QString>

#include <optional>

namespace stagecraft {

class StageRules
{
public:
    StageRules(const BuildPlan &plan, const BuildCheckOptions &options, CheckSession &session);

    void run();

private:
    // What dispatching a stage accumulates, inherited by stages built `FROM` it.
    struct StageState
    {
        CheckEnvironment env;
        QSet<QString> buildArgs; // ARG names declared in the stage, with or without a value
        bool workdirSet = false;
        bool shellSet = false;
    };
    // A step's instruction as written, and where its warnings go: an ONBUILD trigger is
    // reported at the FROM line of the stage that runs it, as BuildKit does.
    struct Site
    {
        const Instruction *instruction = nullptr;
        const Instruction *trigger = nullptr; // the child's FROM for a trigger, else null
    };

    void dispatchStage(const PlanStage &stage);
    void dispatch(StageState &state, const Site &site, const Command &command);
    void report(const char *rule, const Site &site, const SourceRange &range, const QString &message);
    void report(const char *rule, const Site &site, const QString &message)
    {
        report(rule, site, site.instruction->range, message);
    }
    QString expand(StageState &state, const Site &site, const QString &word, const SourceRange &range,
                   qsizetype offset = 0);
    void reportUnmatched(const StageState &state, const Site &site, const SourceRange &range,
                         const QStringList &unmatched);
    void checkUsedOnce(const Site &site, std::optional<Site> &previous);
    void checkEnv(StageState &state, const Site &site);
    void checkLabel(StageState &state, const Site &site);
    void checkLegacyKeyValues(const Site &site);
    void checkArg(StageState &state, const Site &site, const ArgCommand &arg);
    void checkProcess(const StageState &state, const Site &site, const ProcessCommand &process);
    void checkWorkdir(StageState &state, const Site &site);
    void checkCopy(StageState &state, const Site &site, const CopyCommand &copy, bool isAdd);
    void checkExpose(StageState &state, const Site &site);

    const BuildPlan &m_plan;
    const Dockerfile &m_df;
    const BuildCheckOptions &m_options;
    CheckSession &m_session;
    QList<StageState> m_states; // by stage index, once dispatched
};

} // namespace stagecraft
