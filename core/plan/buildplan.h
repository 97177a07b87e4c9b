// The build plan: a Dockerfile read once into stages (base, platform, whether the target
// needs them), each stage's typed steps and each step's plan-time cache inputs. The
// window, the command line and the builder all start from it, so no one parses again.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/plan/planstage.h"
#include "core/plan/stagegraph.h"
#include "core/plan/stagescope.h"

#include <QHash>
#include <QList>
#include <QStringView>

#include <memory>
#include <optional>

namespace stagecraft {

class BuildPlan
{
public:
    // Parses `text` (the editor's buffer or a file's contents) and plans it.
    static BuildPlan fromText(QStringView text, const PlanOptions &options = {});
    static BuildPlan fromDockerfile(std::shared_ptr<const Dockerfile> dockerfile,
                                    const PlanOptions &options = {});

    const Dockerfile &dockerfile() const { return *m_dockerfile; }
    std::shared_ptr<const Dockerfile> sharedDockerfile() const { return m_dockerfile; }
    const PlanOptions &options() const { return m_options; }
    const StageGraph &graph() const { return m_graph; }
    const QList<PlanStage> &stages() const { return m_stages; }
    int target() const { return m_graph.target; } // -1 when there is no stage
    // The needed stages in an order that builds every dependency first (the graph's levels).
    QList<int> buildOrder() const;
    // The meta ARGs (ARGs before the first FROM, --build-arg, platform ARGs).
    const QHash<QString, QString> &metaArgs() const { return m_metaArgs; }

    // Parse, stage-graph and plan diagnostics in file order. Errors in a stage the target
    // does not need are warnings: the build does not run that stage.
    const Diagnostics &diagnostics() const { return m_diagnostics; }
    bool hasErrors() const { return stagecraft::hasErrors(m_diagnostics); }

    // The stage a --from or --mount from= value names from inside stage `inStage`: an
    // index, or the last stage of that name before it; -1 for an image.
    int stageReference(const QString &value, int inStage) const;

    // Reads stage `index`'s steps in `scope`, which it updates (ARG, ENV, WORKDIR, SHELL):
    // ONBUILD triggers first, then the stage's instructions. `triggers` are the ones its base
    // image or stage stored; unset, the base stage's ONBUILD steps of this plan. Planning
    // reads a stage with what the file says; the builder reads it again as the stage starts,
    // in the scope its base really gives (an image's ENV, WORKDIR and SHELL), so nothing it
    // runs was expanded without them. Problems go to the scope's diagnostics.
    QList<PlanStep> readStage(int index, StageScope &scope,
                              const std::optional<QList<Instruction>> &triggers = std::nullopt) const;

private:
    void plan();

    std::shared_ptr<const Dockerfile> m_dockerfile;
    PlanOptions m_options;
    StageGraph m_graph;
    QList<PlanStage> m_stages;
    QHash<QString, QString> m_metaArgs;
    Diagnostics m_diagnostics;
};

} // namespace stagecraft
