#include "core/checks/lastbuild.h"

#include "core/checks/imagecontentrules.h"
#include "core/plan/buildplan.h"

namespace stagecraft {

namespace {

// The keyword of a step that makes a layer, empty for a metadata step.
QString layerKeyword(const Command &command)
{
    if (std::holds_alternative<RunCommand>(command))
        return QStringLiteral("RUN");
    if (std::holds_alternative<CopyCommand>(command))
        return QStringLiteral("COPY");
    if (std::holds_alternative<AddCommand>(command))
        return QStringLiteral("ADD");
    if (std::holds_alternative<WorkdirCommand>(command))
        return QStringLiteral("WORKDIR");
    return {};
}

QString collapsed(const QString &text)
{
    return text.simplified();
}

// Whether a RUN step's text is still the one the layer was made by: its history says
// "RUN [|n ARGS] /bin/sh -c <the command> # buildkit". Heredocs are written differently by
// each builder, so only their keyword counts.
bool runStillMatches(const RunCommand &run, const QString &createdBy)
{
    if (!run.heredocs.isEmpty() || run.arguments.isEmpty())
        return true;
    return collapsed(createdBy).contains(collapsed(run.arguments.join(QLatin1Char(' '))));
}

} // namespace

QHash<int, int> LastBuild::instructionLayers(const BuildPlan &plan, const QStringList &layerCreatedBy,
                                             QSet<int> *staleLayers)
{
    QHash<int, int> out;
    // Steps bottom first: the chain's root stage first, the target last.
    QList<const PlanStep *> steps;
    const QList<int> chain = ImageContentRules::finalChain(plan);
    for (qsizetype c = chain.size() - 1; c >= 0; --c)
        for (const PlanStep &step : plan.stages().at(chain.at(c)).steps)
            if (!layerKeyword(step.command).isEmpty())
                steps.append(&step);
    qsizetype layer = layerCreatedBy.size() - 1;
    for (qsizetype s = steps.size() - 1; s >= 0 && layer >= 0; --s) {
        const QString keyword = layerKeyword(steps.at(s)->command);
        const QString createdBy = layerCreatedBy.at(layer).trimmed();
        const QString first = createdBy.section(QLatin1Char(' '), 0, 0).toUpper();
        if (first == keyword) {
            // A RUN edited since the build keeps its place (the layer is still its) but gets
            // no figures: they were measured for another command.
            const auto *run = std::get_if<RunCommand>(&steps.at(s)->command);
            if (!run || runStillMatches(*run, createdBy))
                out.insert(steps.at(s)->instruction, int(layer));
            else if (staleLayers)
                staleLayers->insert(int(layer));
            --layer;
        } else if (keyword != QLatin1String("WORKDIR")) {
            break;
        }
    }
    return out;
}

} // namespace stagecraft
