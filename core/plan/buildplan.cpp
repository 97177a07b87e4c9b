#include "core/plan/buildplan.h"

#include "core/dockerfile/dockerfileparser.h"
#include "core/plan/commandreader.h"
#include "core/plan/metaargs.h"
#include "core/plan/stagescope.h"

#include <algorithm>

namespace stagecraft {

namespace {

const QString kDefaultPath = QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

void addUnique(QList<int> *list, int value)
{
    if (!list->contains(value))
        list->append(value);
}

} // namespace

BuildPlan BuildPlan::fromText(QStringView text, const PlanOptions &options)
{
    return fromDockerfile(std::make_shared<const Dockerfile>(DockerfileParser::parse(text)), options);
}

BuildPlan BuildPlan::fromDockerfile(std::shared_ptr<const Dockerfile> dockerfile, const PlanOptions &options)
{
    BuildPlan plan;
    plan.m_dockerfile = std::move(dockerfile);
    plan.m_options = options;
    plan.plan();
    return plan;
}

QList<int> BuildPlan::buildOrder() const
{
    QList<int> order;
    for (const QList<int> &level : m_graph.levels)
        order += level;
    return order;
}

int BuildPlan::stageReference(const QString &value, int inStage) const
{
    bool isNumber = !value.isEmpty();
    for (qsizetype i = 0; i < value.size(); ++i)
        isNumber = isNumber && (value.at(i).isDigit() ||
                                (i == 0 && value.size() > 1 &&
                                 (value.at(0) == QLatin1Char('-') || value.at(0) == QLatin1Char('+'))));
    if (isNumber) {
        bool ok = false;
        const int index = value.toInt(&ok);
        return ok && index >= 0 && index < m_graph.stages.size() ? index : -1;
    }
    const QString lower = value.toLower();
    for (int s = std::min(inStage, int(m_graph.stages.size())) - 1; s >= 0; --s)
        if (m_graph.stages.at(s).name == lower)
            return s;
    return -1;
}

QList<PlanStep> BuildPlan::readStage(int index, StageScope &scope,
                                     const std::optional<QList<Instruction>> &triggers) const
{
    const Dockerfile &file = *m_dockerfile;
    const Stage &stage = m_graph.stages.at(index);
    const CommandReader reader(m_options.buildArgs, m_metaArgs);
    QList<PlanStep> steps;
    // Triggers are read in this stage's scope and numbered 0, as the builder reports them.
    const auto readTrigger = [&](const Instruction &trigger, int instruction) {
        scope.clearUnresolved();
        if (auto command = reader.read(trigger, instruction, scope)) {
            PlanStep t;
            t.instruction = instruction;
            t.trigger = true;
            t.range = instruction >= 0 ? file.instructions.at(instruction).range : SourceRange{};
            t.command = std::move(*command);
            t.inputs = CacheInputs::of(t.command, scope);
            steps.append(std::move(t));
        }
    };
    if (triggers) {
        for (const Instruction &trigger : *triggers)
            readTrigger(trigger, -1);
    } else if (stage.baseStage >= 0 && stage.baseStage < m_stages.size()) {
        for (const PlanStep &step : m_stages.at(stage.baseStage).steps) {
            const auto *onbuild = std::get_if<OnbuildCommand>(&step.command);
            if (!step.trigger && onbuild && onbuild->wrapped)
                readTrigger(*onbuild->wrapped, step.instruction);
        }
    }
    for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction && i < file.instructions.size(); ++i) {
        const Instruction &ins = file.instructions.at(i);
        scope.clearUnresolved();
        auto command = reader.read(ins, i, scope);
        if (!command)
            continue;
        PlanStep step;
        step.number = i - stage.fromInstruction;
        step.instruction = i;
        step.range = ins.range;
        step.command = std::move(*command);
        step.inputs = CacheInputs::of(step.command, scope);
        steps.append(std::move(step));
    }
    return steps;
}

void BuildPlan::plan()
{
    const Dockerfile &file = *m_dockerfile;
    m_graph = StageGraph::fromDockerfile(file, m_options);
    m_diagnostics = file.diagnostics + m_graph.diagnostics;

    MetaArgs meta(m_options);
    for (const Instruction &ins : file.instructions) {
        if (ins.kind == InstructionKind::From)
            break;
        if (ins.kind == InstructionKind::Arg)
            meta.declare(ins, file.directives.escape);
    }
    m_metaArgs = meta.environment();
    // BuildKit's TARGETSTAGE: the stage being built ("default" when it has no name), for
    // stages that declare `ARG TARGETSTAGE`, like the platform ARGs.
    if (m_graph.target >= 0 && m_graph.target < m_graph.stages.size() &&
        !m_options.buildArgs.contains(QStringLiteral("TARGETSTAGE"))) {
        const QString name = m_graph.stages[m_graph.target].name;
        m_metaArgs.insert(QStringLiteral("TARGETSTAGE"), name.isEmpty() ? QStringLiteral("default") : name);
    }

    // stageReference() looks through the stages before the reference; over every step of a
    // file with thousands of stages that is quadratic (seconds in the editor). By name:
    QHash<QString, QList<int>> stagesByName; // lower-cased name → its stages, in order
    for (const Stage &stage : std::as_const(m_graph.stages))
        if (!stage.name.isEmpty())
            stagesByName[stage.name].append(stage.index);
    const auto referencedStage = [&](const QString &reference, int inStage) {
        const QChar first = reference.isEmpty() ? QChar() : reference.front();
        if (first.isDigit() || first == QLatin1Char('-') || first == QLatin1Char('+'))
            return stageReference(reference, inStage); // an index: no search
        const auto named = stagesByName.constFind(reference.toLower());
        if (named == stagesByName.constEnd())
            return -1;
        const auto after = std::lower_bound(named->cbegin(), named->cend(), inStage);
        return after == named->cbegin() ? -1 : *(after - 1);
    };

    // One budget for the whole file, as the graph and the checks have: many words each under
    // the per-word limit cannot add up without bound.
    ExpansionBudget budget;
    QList<StageScope> scopes;
    for (const Stage &stage : std::as_const(m_graph.stages)) {
        Diagnostics stageDiagnostics;
        StageScope scope(file.directives.escape, &budget, &stageDiagnostics);
        PlanStage planned;
        planned.index = stage.index;
        planned.name = stage.name;
        planned.needed = stage.needed;
        planned.from.instruction = stage.fromInstruction;
        planned.from.range = stage.fromRange;
        planned.from.base = stage.base;
        planned.from.platform = stage.platform;
        planned.from.name = stage.name;
        planned.from.baseStage = stage.baseStage;

        if (stage.baseStage >= 0 && stage.baseStage < scopes.size()) {
            scope.inheritFrom(scopes.at(stage.baseStage));
            addUnique(&planned.dependencies, stage.baseStage);
        } else if (stage.isScratch()) {
            scope.setEnv(QStringLiteral("PATH"), kDefaultPath);
        } else {
            scope.setBaseKnown(false);
            if (!stage.base.isEmpty())
                planned.images.append(stage.base);
        }
        planned.steps = readStage(stage.index, scope);

        // What each step reads from other stages or images.
        for (PlanStep &step : planned.steps) {
            QStringList references;
            if (const auto *copy = std::get_if<CopyCommand>(&step.command))
                references.append(copy->from);
            else if (const auto *add = std::get_if<AddCommand>(&step.command))
                references.append(add->from);
            else if (const auto *run = std::get_if<RunCommand>(&step.command))
                for (const RunMount &m : run->mounts)
                    references.append(m.from);
            for (const QString &reference : std::as_const(references)) {
                if (reference.isEmpty())
                    continue;
                const int s = referencedStage(reference, stage.index);
                if (s >= 0) {
                    addUnique(&step.inputs.stages, s);
                    addUnique(&planned.dependencies, s);
                } else {
                    if (!step.inputs.images.contains(reference))
                        step.inputs.images.append(reference);
                    if (!planned.images.contains(reference))
                        planned.images.append(reference);
                }
            }
        }
        std::sort(planned.dependencies.begin(), planned.dependencies.end());
        planned.args = scope.args();
        planned.env = scope.env();

        if (!stage.needed) {
            for (Diagnostic &d : stageDiagnostics) {
                if (d.severity == Severity::Error) {
                    d.severity = Severity::Warning;
                    d.message +=
                        QStringLiteral(" (stage %1 is not needed by the target, so the build skips it)")
                            .arg(stage.displayName());
                }
            }
        }
        m_diagnostics += stageDiagnostics;
        scopes.append(scope);
        m_stages.append(std::move(planned));
    }

    std::stable_sort(m_diagnostics.begin(), m_diagnostics.end(),
                     [](const Diagnostic &a, const Diagnostic &b) {
                         if (a.range.isValid() != b.range.isValid())
                             return a.range.isValid();
                         return a.range.start < b.range.start;
                     });
}

} // namespace stagecraft
