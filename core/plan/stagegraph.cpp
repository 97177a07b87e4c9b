#include "core/plan/stagegraph.h"

#include "core/plan/metaargs.h"

#include <QSet>

#include <algorithm>
#include <climits>

namespace stagecraft {

namespace {

// BuildKit's rule for `FROM … AS name` (after lower-casing): ^[a-z][a-z0-9-_.]*$.
bool isValidStageName(const QString &name)
{
    if (name.isEmpty())
        return false;
    const QChar first = name.front();
    if (first < QLatin1Char('a') || first > QLatin1Char('z'))
        return false;
    for (const QChar c : name) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                        (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') ||
                        c == QLatin1Char('_') || c == QLatin1Char('.');
        if (!ok)
            return false;
    }
    return true;
}

// A --from value that is a stage index: BuildKit uses strconv.Atoi, so an optional sign
// followed by digits.
bool parseIndex(const QString &text, int *index)
{
    if (text.isEmpty())
        return false;
    qsizetype i = 0;
    if (text.front() == QLatin1Char('-') || text.front() == QLatin1Char('+'))
        i = 1;
    if (i == text.size())
        return false;
    for (qsizetype j = i; j < text.size(); ++j)
        if (!text.at(j).isDigit() || text.at(j).unicode() > 127)
            return false;
    bool ok = false;
    const int value = text.toInt(&ok);
    if (!ok) {
        *index = text.front() == QLatin1Char('-') ? -1 : INT_MAX;
        return true;
    }
    *index = value;
    return true;
}

// The `from=` key of a `--mount=type=…,from=…` flag value (CSV fields, optionally quoted).
QString mountFrom(const QString &value)
{
    if (!value.contains(QLatin1String("from=")))
        return {};
    QString result;
    for (QStringView field : QStringView(value).split(QLatin1Char(','))) {
        field = field.trimmed();
        if (field.size() >= 2 && field.front() == QLatin1Char('"') && field.back() == QLatin1Char('"'))
            field = field.mid(1, field.size() - 2);
        const qsizetype eq = field.indexOf(QLatin1Char('='));
        if (eq < 0)
            continue;
        if (field.left(eq).trimmed().compare(QLatin1String("from"), Qt::CaseInsensitive) == 0)
            result = field.mid(eq + 1).trimmed().toString();
    }
    return result;
}

// The last line a range really covers (its end is exclusive, possibly column 1 of the next line).
int lastLineOf(const SourceRange &range)
{
    if (range.end.line > range.start.line && range.end.column <= 1)
        return range.end.line - 1;
    return std::max(range.end.line, range.start.line);
}

Diagnostic makeDiagnostic(Severity severity, const SourceRange &range, QString message)
{
    Diagnostic d;
    d.severity = severity;
    d.range = range;
    d.message = std::move(message);
    return d;
}

class GraphBuilder
{
public:
    GraphBuilder(const Dockerfile &dockerfile, const PlanOptions &options, StageGraph &graph)
        : m_file(dockerfile)
        , m_options(options)
        , m_graph(graph)
        , m_meta(options)
    {}

    void run()
    {
        collectStages();
        surfaceMetaArgLimits();
        if (m_graph.stages.isEmpty()) {
            reportNoStage();
            return;
        }
        collectReferences();
        findCycles();
        resolveTarget();
        markNeeded();
        computeLevels();
        m_graph.diagnostics += m_meta.limitDiagnostics();
        sortDiagnostics();
    }

    // A meta ARG whose default expands too much must fail the graph (and so the build) even
    // when no FROM line uses it; defaults without `$` expand nothing and cost nothing.
    void surfaceMetaArgLimits()
    {
        for (const Instruction &ins : m_file.instructions) {
            if (ins.kind == InstructionKind::From)
                break;
            if (ins.kind != InstructionKind::Arg)
                continue;
            for (const KeyValue &pair : ins.pairs) {
                if (pair.hasEquals && pair.value.contains(QLatin1Char('$'))) {
                    m_meta.environment();
                    return;
                }
            }
        }
    }

private:
    const Dockerfile &m_file;
    const PlanOptions &m_options;
    StageGraph &m_graph;
    MetaArgs m_meta;
    QList<Edge> m_fromEdges;             // FROM edges, merged in file order by collectReferences()
    QHash<QString, QList<int>> m_byName; // lower-cased stage name → the stages so named, in order
    QSet<QString> m_externalSeen;        // m_graph.externalImages, for lookups

    // BuildKit fills its name table stage by stage, a later duplicate replacing an earlier
    // one: a name means the last stage so named before `limit`.
    int latestBefore(const QString &name, int limit) const
    {
        const auto it = m_byName.constFind(name);
        if (it == m_byName.constEnd())
            return -1;
        // The list is in stage order: the last entry below `limit`.
        const auto after = std::lower_bound(it->cbegin(), it->cend(), limit);
        return after == it->cbegin() ? -1 : *(after - 1);
    }

    void addExternal(const QString &reference)
    {
        if (!m_externalSeen.contains(reference)) {
            m_externalSeen.insert(reference);
            m_graph.externalImages.append(reference);
        }
    }

    void collectStages()
    {
        const QList<Instruction> &instructions = m_file.instructions;
        const Instruction *outsideStage = nullptr;
        for (int i = 0; i < instructions.size(); ++i) {
            const Instruction &ins = instructions.at(i);
            if (ins.kind != InstructionKind::From) {
                if (m_graph.stages.isEmpty()) {
                    if (ins.kind == InstructionKind::Arg)
                        m_meta.declare(ins, m_file.directives.escape);
                    else if (ins.kind != InstructionKind::Unknown && !outsideStage)
                        outsideStage = &ins;
                    continue;
                }
                Stage &stage = m_graph.stages.last();
                stage.lastInstruction = i;
                stage.range.end = ins.range.end;
                ++stage.stepCount;
                continue;
            }
            addStage(i, ins);
        }
        // BuildKit refuses any instruction but ARG before the first FROM. Without any FROM
        // the "no FROM" error below says all there is to say.
        if (outsideStage && !m_graph.stages.isEmpty()) {
            m_graph.diagnostics.append(makeDiagnostic(
                Severity::Error,
                outsideStage->keywordRange.isValid() ? outsideStage->keywordRange : outsideStage->range,
                QStringLiteral("%1 before the first FROM: only ARG may come before the first FROM (no build "
                               "stage in current context)")
                    .arg(instructionKeyword(outsideStage->kind))));
        }
    }

    void addStage(int instructionIndex, const Instruction &ins)
    {
        Stage stage;
        stage.index = int(m_graph.stages.size());
        stage.fromInstruction = instructionIndex;
        stage.lastInstruction = instructionIndex;
        stage.range = ins.range;
        stage.fromRange = ins.range;

        const QList<Word> &args = ins.args;
        if (args.isEmpty()) {
            m_graph.diagnostics.append(makeDiagnostic(Severity::Error, ins.range,
                                                      QStringLiteral("FROM requires the name of a base image "
                                                                     "(e.g. `FROM alpine:3.20`)")));
        } else if (args.size() != 1 &&
                   (args.size() != 3 || args.at(1).text.compare(QLatin1String("as"), Qt::CaseInsensitive))) {
            m_graph.diagnostics.append(makeDiagnostic(
                Severity::Error, ins.range,
                QStringLiteral("FROM requires either one or three arguments: `FROM image [AS name]`")));
        }

        if (args.size() >= 3 && !args.at(1).text.compare(QLatin1String("as"), Qt::CaseInsensitive)) {
            const Word &nameWord = args.at(2);
            stage.name = nameWord.text.toLower();
            if (!isValidStageName(stage.name)) {
                m_graph.diagnostics.append(makeDiagnostic(
                    Severity::Error, nameWord.range,
                    QStringLiteral("invalid name for build stage: \"%1\", name can't start with a number "
                                   "or contain symbols")
                        .arg(nameWord.text)));
            } else if (const int earlier = latestBefore(stage.name, stage.index); earlier >= 0) {
                // BuildKit builds it (the build check DuplicateStageName warns), and from here on
                // the name means this stage.
                const Stage &first = m_graph.stages.at(earlier);
                Diagnostic d = makeDiagnostic(
                    Severity::Warning, nameWord.range,
                    QStringLiteral("duplicate stage name \"%1\": stage %2 on line %3 already has this name; "
                                   "from here on \"%1\" means stage %4")
                        .arg(stage.name)
                        .arg(first.index)
                        .arg(first.fromRange.start.line)
                        .arg(stage.index));
                d.rule = QStringLiteral("DuplicateStageName");
                d.url = QStringLiteral("https://docs.docker.com/go/dockerfile/rule/duplicate-stage-name/");
                m_graph.diagnostics.append(d);
            }
        }

        if (!args.isEmpty()) {
            const Word &baseWord = args.at(0);
            QString error;
            qsizetype errorOffset = -1;
            stage.base = m_meta.expand(baseWord.text, m_file.directives.escape, &error, &errorOffset);
            if (!error.isEmpty())
                m_graph.diagnostics.append(
                    makeDiagnostic(Severity::Error, rangeInWord(baseWord.range, errorOffset), error));
            if (stage.base.isEmpty()) {
                m_graph.diagnostics.append(makeDiagnostic(
                    Severity::Error, baseWord.range,
                    QStringLiteral("base name (%1) should not be blank: give the ARG a default or pass "
                                   "--build-arg")
                        .arg(baseWord.text)));
            } else if (const int base = latestBefore(stage.base.toLower(), stage.index); base >= 0) {
                stage.baseStage = base;
                Edge edge;
                edge.fromStage = base;
                edge.toStage = stage.index;
                edge.kind = EdgeKind::From;
                edge.instruction = instructionIndex;
                edge.range = baseWord.range;
                m_fromEdges.append(edge);
            } else if (stage.base != QLatin1String("scratch")) {
                addExternal(stage.base);
                Edge edge;
                edge.fromImage = stage.base;
                edge.toStage = stage.index;
                edge.kind = EdgeKind::From;
                edge.instruction = instructionIndex;
                edge.range = baseWord.range;
                m_fromEdges.append(edge);
            }
        }

        for (const Flag &flag : ins.flags) {
            if (flag.name != QLatin1String("platform"))
                continue;
            QString error;
            qsizetype errorOffset = -1;
            stage.platform = m_meta.expand(flag.value, m_file.directives.escape, &error, &errorOffset);
            // `--platform=` comes before the value.
            if (!error.isEmpty())
                m_graph.diagnostics.append(makeDiagnostic(
                    Severity::Error,
                    errorOffset >= 0 ? rangeInWord(flag.range, flag.name.size() + 3 + errorOffset)
                                     : flag.range,
                    error));
        }

        if (!stage.name.isEmpty())
            m_byName[stage.name].append(stage.index);
        m_graph.stages.append(stage);
    }

    // In file order, as an editor lists them; the ones without a place (a bad --target) last.
    void sortDiagnostics()
    {
        std::stable_sort(m_graph.diagnostics.begin(), m_graph.diagnostics.end(),
                         [](const Diagnostic &a, const Diagnostic &b) {
                             if (a.range.isValid() != b.range.isValid())
                                 return a.range.isValid();
                             return a.range.start < b.range.start;
                         });
    }

    void reportNoStage()
    {
        SourceRange range;
        if (!m_file.instructions.isEmpty())
            range = m_file.instructions.first().range;
        else
            range = SourceRange{{1, 1}, {1, 1}};
        m_graph.diagnostics.append(makeDiagnostic(
            Severity::Error, range,
            QStringLiteral("the Dockerfile has no FROM instruction, so there is no stage to build")));
        if (!m_options.target.isEmpty())
            reportBadTarget();
    }

    // COPY/ADD --from and RUN --mount=from=: each names an earlier stage, a stage index or an image.
    void collectReferences()
    {
        const QList<Instruction> &instructions = m_file.instructions;
        // One allocation for all edges: on a 500-stage file regrowing the list cost more
        // than finding the edges.
        qsizetype flagCount = 0;
        for (const Instruction &ins : instructions)
            flagCount += ins.flags.size();
        m_graph.edges.reserve(m_fromEdges.size() + flagCount);
        qsizetype nextFromEdge = 0;
        for (const Stage &stage : std::as_const(m_graph.stages)) {
            // Edges in file order: the stage's FROM edge, then its references.
            if (nextFromEdge < m_fromEdges.size() && m_fromEdges.at(nextFromEdge).toStage == stage.index)
                m_graph.edges.append(m_fromEdges.at(nextFromEdge++));
            for (int i = stage.fromInstruction + 1; i <= stage.lastInstruction; ++i) {
                const Instruction &ins = instructions.at(i);
                if (ins.flags.isEmpty())
                    continue;
                if (ins.kind == InstructionKind::Copy || ins.kind == InstructionKind::Add) {
                    for (const Flag &flag : ins.flags)
                        if (flag.name == QLatin1String("from"))
                            addReference(stage.index, i, ins, flag, flag.value, EdgeKind::Copy);
                } else if (ins.kind == InstructionKind::Run) {
                    for (const Flag &flag : ins.flags) {
                        if (flag.name != QLatin1String("mount"))
                            continue;
                        const QString from = mountFrom(flag.value);
                        if (!from.isEmpty())
                            addReference(stage.index, i, ins, flag, from, EdgeKind::Mount);
                    }
                }
            }
        }
    }

    void addReference(int stageIndex, int instructionIndex, const Instruction &ins, const Flag &flag,
                      const QString &rawValue, EdgeKind kind)
    {
        QString error;
        qsizetype errorOffset = -1;
        const QString value = rawValue.contains(QLatin1Char('$'))
                                  ? m_meta.expandInStage(rawValue, m_file, m_graph.stages.at(stageIndex),
                                                         instructionIndex, &error, &errorOffset)
                                  : rawValue;
        // A limit is an error (the build could not go on); a syntax error here stays as before.
        if (errorOffset >= 0) {
            m_graph.diagnostics.append(makeDiagnostic(Severity::Error, flag.range, error));
            return;
        }
        const QString what = kind == EdgeKind::Mount ? QStringLiteral("--mount from=%1").arg(value)
                                                     : QStringLiteral("--from=%1").arg(value);
        Edge edge;
        edge.toStage = stageIndex;
        edge.kind = kind;
        edge.instruction = instructionIndex;
        edge.range = flag.range;
        if (kind == EdgeKind::Copy) {
            // Every argument but the destination is a source.
            for (qsizetype a = 0; a + 1 < ins.args.size(); ++a)
                edge.paths.append(ins.args.at(a).text);
        }

        if (value.isEmpty()) {
            m_graph.diagnostics.append(
                makeDiagnostic(Severity::Error, flag.range,
                               QStringLiteral("%1 names no stage or image")
                                   .arg(kind == EdgeKind::Mount ? QStringLiteral("--mount from=")
                                                                : QStringLiteral("--from="))));
            return;
        }

        int index = -1;
        if (parseIndex(value, &index)) {
            const int count = int(m_graph.stages.size());
            if (index < 0 || index >= count) {
                m_graph.diagnostics.append(makeDiagnostic(
                    Severity::Error, flag.range,
                    QStringLiteral("%1: invalid stage index %2, the Dockerfile has %3 stage%4 (0 to %5)")
                        .arg(what, value)
                        .arg(count)
                        .arg(count == 1 ? QString() : QStringLiteral("s"))
                        .arg(count - 1)));
                return;
            }
            edge.fromStage = index;
            m_graph.edges.append(edge);
            return;
        }

        const QString lower = value.toLower();
        if (const int earlier = latestBefore(lower, stageIndex); earlier >= 0) {
            edge.fromStage = earlier;
            m_graph.edges.append(edge);
            return;
        }
        if (const auto it = m_byName.constFind(lower); it != m_byName.constEnd()) {
            const Stage &named = m_graph.stages.at(it->first());
            const QString where =
                named.index == stageIndex
                    ? QStringLiteral("this stage")
                    : QStringLiteral("a later stage (line %1)").arg(named.fromRange.start.line);
            // The checks' LaterStageReference (SC010) says the same; the rule name lets a
            // report that shows both keep one.
            Diagnostic later = makeDiagnostic(
                Severity::Warning, flag.range,
                QStringLiteral("%1 names %2, but stage names only refer to earlier stages: "
                               "this is pulled as an image named \"%3\". Move the stage \"%4\" "
                               "above, or refer to it by index (%5)")
                    .arg(what, where, value, named.name)
                    .arg(named.index));
            later.rule = QStringLiteral("LaterStageReference");
            m_graph.diagnostics.append(later);
        }
        addExternal(value);
        edge.fromImage = value;
        m_graph.edges.append(edge);
    }

    // Only index references can point forward, so only they can close a cycle; report each
    // cycle once, at the reference that closes it.
    void findCycles()
    {
        const int n = int(m_graph.stages.size());
        bool anyForward = false;
        for (const Edge &e : std::as_const(m_graph.edges))
            if (e.fromStage >= e.toStage && e.fromStage >= 0)
                anyForward = true;
        if (!anyForward)
            return;

        QList<QList<int>> deps(n); // stage → edge indexes into it from stages
        for (int e = 0; e < m_graph.edges.size(); ++e)
            if (m_graph.edges.at(e).fromStage >= 0)
                deps[m_graph.edges.at(e).toStage].append(e);

        // Depth-first with an explicit stack: a chain of 50,000 stages must not recurse
        // 50,000 frames deep.
        QList<int> state(n, 0);     // 0 unvisited, 1 on the stack, 2 done
        QList<int> position(n, -1); // where a stage on the stack sits in `stack`
        QList<int> stack;           // the path being explored
        QList<qsizetype> nextEdge;  // per entry of `stack`: the next of its deps to look at
        QSet<int> reportedEdges;
        const auto push = [&](int s) {
            state[s] = 1;
            position[s] = int(stack.size());
            stack.append(s);
            nextEdge.append(0);
        };
        for (int root = n - 1; root >= 0; --root) {
            if (state[root] != 0)
                continue;
            push(root);
            while (!stack.isEmpty()) {
                const int s = stack.last();
                const QList<int> &edges = deps.at(s);
                if (nextEdge.last() == edges.size()) {
                    state[s] = 2;
                    position[s] = -1;
                    stack.removeLast();
                    nextEdge.removeLast();
                    continue;
                }
                const int e = edges.at(nextEdge.last()++);
                const int dep = m_graph.edges.at(e).fromStage;
                if (state[dep] == 1) {
                    if (!reportedEdges.contains(e)) {
                        reportedEdges.insert(e);
                        reportCycle(e, stack.mid(position[dep]));
                    }
                } else if (state[dep] == 0) {
                    push(dep);
                }
            }
        }
    }

    void reportCycle(int edgeIndex, const QList<int> &path)
    {
        const Edge &edge = m_graph.edges.at(edgeIndex);
        QStringList names;
        for (int s : path)
            names.append(m_graph.stages.at(s).displayName());
        names.append(names.first());
        m_graph.diagnostics.append(makeDiagnostic(
            Severity::Error, edge.range,
            QStringLiteral("circular dependency detected on stage: %1 (%2)")
                .arg(m_graph.stages.at(edge.toStage).displayName(), names.join(QStringLiteral(" → ")))));
    }

    void reportBadTarget()
    {
        m_graph.diagnostics.append(
            makeDiagnostic(Severity::Error, SourceRange{},
                           QStringLiteral("target stage \"%1\" could not be found").arg(m_options.target)));
    }

    void resolveTarget()
    {
        const int last = int(m_graph.stages.size()) - 1;
        if (m_options.target.isEmpty()) {
            m_graph.target = last;
            return;
        }
        const int index = m_graph.stageIndex(m_options.target);
        if (index < 0) {
            reportBadTarget();
            m_graph.target = last; // still show a graph; the error says what went wrong
            return;
        }
        m_graph.target = index;
    }

    void markNeeded()
    {
        const int n = int(m_graph.stages.size());
        QList<QList<int>> deps(n);
        for (const Edge &e : std::as_const(m_graph.edges))
            if (e.fromStage >= 0)
                deps[e.toStage].append(e.fromStage);
        QList<bool> needed(n, false);
        QList<int> work{m_graph.target};
        needed[m_graph.target] = true;
        while (!work.isEmpty()) {
            const int s = work.takeLast();
            for (int d : std::as_const(deps[s]))
                if (!needed[d]) {
                    needed[d] = true;
                    work.append(d);
                }
        }
        const QString reason =
            QStringLiteral("not needed by target `%1`").arg(m_graph.stages.at(m_graph.target).displayName());
        for (int s = 0; s < n; ++s) {
            Stage &stage = m_graph.stages[s];
            stage.needed = needed[s];
            if (!stage.needed)
                stage.notNeededReason = reason;
        }
    }

    // Kahn's algorithm by waves: a level holds the needed stages whose needed dependencies
    // are all in earlier levels. Stages caught in a cycle go last, so none disappears.
    void computeLevels()
    {
        const int n = int(m_graph.stages.size());
        QList<int> pending(n, 0);
        QList<QList<int>> dependents(n);
        QSet<qint64> linked; // from * n + to of each entry in dependents
        for (const Edge &e : std::as_const(m_graph.edges)) {
            if (e.fromStage < 0 || e.fromStage == e.toStage)
                continue;
            if (!m_graph.stages.at(e.fromStage).needed || !m_graph.stages.at(e.toStage).needed)
                continue;
            const qint64 link = qint64(e.fromStage) * n + e.toStage;
            if (linked.contains(link))
                continue;
            linked.insert(link);
            dependents[e.fromStage].append(e.toStage);
            ++pending[e.toStage];
        }
        QList<int> current;
        int placed = 0, neededCount = 0;
        for (int s = 0; s < n; ++s) {
            if (!m_graph.stages.at(s).needed)
                continue;
            ++neededCount;
            if (pending[s] == 0)
                current.append(s);
        }
        while (!current.isEmpty()) {
            std::sort(current.begin(), current.end());
            placed += int(current.size());
            QList<int> next;
            for (int s : std::as_const(current))
                for (int d : std::as_const(dependents[s]))
                    if (--pending[d] == 0)
                        next.append(d);
            m_graph.levels.append(std::move(current));
            current = std::move(next);
        }
        if (placed < neededCount) {
            QList<int> rest;
            for (int s = 0; s < n; ++s)
                if (m_graph.stages.at(s).needed && pending[s] > 0)
                    rest.append(s);
            m_graph.levels.append(rest);
        }
    }
};

} // namespace

StageGraph StageGraph::fromDockerfile(const Dockerfile &dockerfile, const PlanOptions &options)
{
    StageGraph graph;
    GraphBuilder(dockerfile, options, graph).run();
    return graph;
}

int StageGraph::stageIndex(const QString &nameOrIndex) const
{
    if (nameOrIndex.isEmpty())
        return -1;
    const QString lower = nameOrIndex.toLower();
    for (qsizetype i = stages.size() - 1; i >= 0; --i)
        if (stages.at(i).name == lower)
            return int(i);
    bool ok = false;
    const int index = nameOrIndex.toInt(&ok);
    if (ok && index >= 0 && index < stages.size())
        return index;
    return -1;
}

int StageGraph::stageAt(int line) const
{
    if (stages.isEmpty() || line < stages.first().fromRange.start.line)
        return -1;
    // The last stage whose FROM starts at or before the line; the lines between two stages
    // (blank lines, comments) belong to the earlier one.
    const auto it = std::upper_bound(stages.cbegin(), stages.cend(), line,
                                     [](int l, const Stage &s) { return l < s.fromRange.start.line; });
    const Stage &stage = *(it - 1);
    if (it == stages.cend() && line > lastLineOf(stage.range))
        return -1;
    return stage.index;
}

} // namespace stagecraft
