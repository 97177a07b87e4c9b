#include "core/progress/solvestatusstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>

namespace stagecraft {

namespace {

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

// BuildKit writes RFC 3339 with nanoseconds; Qt reads milliseconds.
std::optional<qint64> epochMs(const QJsonValue &value)
{
    if (!value.isString())
        return std::nullopt;
    QString text = value.toString();
    if (text.size() > 64)
        return std::nullopt;
    static const QRegularExpression fraction(QStringLiteral("\\.(\\d{1,3})\\d*"));
    text.replace(fraction, QStringLiteral(".\\1"));
    const QDateTime when = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!when.isValid())
        return std::nullopt;
    return when.toMSecsSinceEpoch();
}

bool isLlbStep(const Instruction &instruction)
{
    switch (instruction.kind) {
    case InstructionKind::Run:
    case InstructionKind::Copy:
    case InstructionKind::Add:
    case InstructionKind::Workdir: return true;
    default: return false;
    }
}

bool isCancellation(const QString &error)
{
    return error.contains(QLatin1String("context canceled")) || error == QLatin1String("canceled");
}

} // namespace

SolveStatusStream::SolveStatusStream(const BuildPlan &plan)
    : m_plan(plan)
{}

QDateTime SolveStatusStream::origin() const
{
    return m_originMs < 0 ? QDateTime() : QDateTime::fromMSecsSinceEpoch(m_originMs, Qt::UTC);
}

qint64 SolveStatusStream::relative(qint64 epoch)
{
    if (m_originMs < 0)
        m_originMs = epoch;
    const qint64 ms = std::max<qint64>(0, epoch - m_originMs);
    m_lastMs = std::max(m_lastMs, ms);
    return ms;
}

void SolveStatusStream::mapVertex(Vertex &vertex, const QString &name) const
{
    static const QRegularExpression prefix(QStringLiteral("^\\[([^\\]]{1,300})\\] ?(.*)$"),
                                           QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression counter(QStringLiteral("^(\\d{1,6})/(\\d{1,6})$"));
    static const QRegularExpression unnamed(QStringLiteral("^stage-(\\d{1,6})$"));
    const QRegularExpressionMatch m = prefix.match(name);
    if (!m.hasMatch())
        return;
    QStringList tokens = m.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (tokens.isEmpty())
        return;
    const QRegularExpressionMatch count = counter.match(tokens.takeLast());
    if (!count.hasMatch())
        return; // "[internal] …", "[auth] …"
    const int i = count.captured(1).toInt();
    const int n = count.captured(2).toInt();
    if (i < 1 || i > n)
        return;
    // Before the counter: the stage's name, after a platform when several were asked for.
    const QString stageToken = tokens.isEmpty() ? QString() : tokens.last().toLower();
    const QList<Stage> &stages = m_plan.graph().stages;
    int stage = -1;
    if (stageToken.isEmpty()) {
        stage = stages.size() == 1 ? 0 : m_plan.target();
    } else {
        for (const Stage &s : stages)
            if (s.name == stageToken)
                stage = s.index;
        if (const QRegularExpressionMatch u = unnamed.match(stageToken); stage < 0 && u.hasMatch())
            stage = u.captured(1).toInt();
    }
    if (stage < 0 || stage >= m_plan.stages().size())
        return;

    // BuildKit counts the FROM and the steps that make a layer operation (RUN, COPY, ADD,
    // WORKDIR); ENV, LABEL and the like have no vertex. When the counts agree, the i-th such
    // step is the vertex's; otherwise its text is looked for among the stage's steps.
    const QList<PlanStep> &steps = m_plan.stages()[stage].steps;
    const QList<Instruction> &instructions = m_plan.dockerfile().instructions;
    QList<int> llbSteps{0};
    for (const PlanStep &step : steps)
        if (!step.trigger && step.instruction >= 0 && step.instruction < instructions.size() &&
            isLlbStep(instructions[step.instruction]))
            llbSteps.append(step.number);
    int step = -1;
    if (llbSteps.size() == n) {
        step = llbSteps[i - 1];
    } else {
        const QString rest = m.captured(2).simplified();
        if (i == 1 && rest.startsWith(QLatin1String("FROM "), Qt::CaseInsensitive))
            step = 0;
        for (const PlanStep &s : steps)
            if (step < 0 && s.instruction >= 0 && s.instruction < instructions.size() &&
                instructions[s.instruction].original.simplified() == rest)
                step = s.number;
    }
    if (step < 0)
        return;
    vertex.stage = stage;
    vertex.step = step;
    vertex.llbIndex = i;
}

BuildEvent SolveStatusStream::stageEvent(BuildEventKind kind, int stage, qint64 timeMs) const
{
    const Stage &s = m_plan.graph().stages[stage];
    BuildEvent e;
    e.kind = kind;
    e.stage = stage;
    e.stageName = s.displayName();
    e.stepCount = s.stepCount + 1;
    e.timeMs = timeMs;
    return e;
}

BuildEvent SolveStatusStream::stepEvent(BuildEventKind kind, const Vertex &vertex, qint64 timeMs) const
{
    BuildEvent e = stageEvent(kind, vertex.stage, timeMs);
    e.step = vertex.step;
    if (vertex.step == 0) {
        e.range = m_plan.graph().stages[vertex.stage].fromRange;
        e.instruction = m_plan.graph().stages[vertex.stage].fromInstruction;
    }
    for (const PlanStep &step : m_plan.stages()[vertex.stage].steps)
        if (step.number == vertex.step && vertex.step > 0) {
            e.range = step.range;
            e.instruction = step.instruction;
        }
    e.text = m_plan.dockerfile().instructions.value(e.instruction).original;
    return e;
}

void SolveStatusStream::startStage(int stage, qint64 timeMs, QList<BuildEvent> &out)
{
    StageRun &run = m_stages[stage];
    if (run.started)
        return;
    run.started = true;
    run.startedMs = timeMs;
    BuildEvent queued = stageEvent(BuildEventKind::StageQueued, stage, timeMs);
    queued.range = m_plan.graph().stages[stage].range;
    out.append(queued);
    out.append(stageEvent(BuildEventKind::StageStarted, stage, timeMs));
}

void SolveStatusStream::emitLines(Vertex &vertex, qint64 timeMs, bool flush, QList<BuildEvent> &out) const
{
    qsizetype start = 0;
    for (qsizetype nl = vertex.partial.indexOf('\n'); nl >= 0; nl = vertex.partial.indexOf('\n', start)) {
        BuildEvent e = stepEvent(BuildEventKind::StepLog, vertex, timeMs);
        e.text = QString::fromUtf8(vertex.partial.mid(start, nl - start));
        if (e.text.endsWith(QLatin1Char('\r')))
            e.text.chop(1);
        out.append(e);
        start = nl + 1;
    }
    vertex.partial.remove(0, start);
    if ((flush && !vertex.partial.isEmpty()) || vertex.partial.size() > kMaxPartialLine) {
        BuildEvent e = stepEvent(BuildEventKind::StepLog, vertex, timeMs);
        e.text = QString::fromUtf8(vertex.partial.left(kMaxPartialLine));
        out.append(e);
        vertex.partial.clear();
    }
}

bool SolveStatusStream::mapByLine(Vertex &vertex, int line) const
{
    if (line <= 0)
        return false;
    const QList<PlanStage> &stages = m_plan.stages();
    const QList<Stage> &graph = m_plan.graph().stages;
    for (int s = 0; s < stages.size() && s < graph.size(); ++s) {
        if (graph[s].fromRange.start.line == line) {
            vertex.stage = s;
            vertex.step = 0;
            return true;
        }
        for (const PlanStep &step : stages[s].steps)
            if (!step.trigger && step.number > 0 && step.range.start.line == line) {
                vertex.stage = s;
                vertex.step = step.number;
                return true;
            }
    }
    return false;
}

QList<QByteArrayView> SolveStatusStream::objects(QByteArrayView log)
{
    QList<QByteArrayView> out;
    qsizetype i = 0;
    const qsizetype size = log.size();
    while (i < size) {
        const char c = log[i];
        if (c != '{') {
            // Whitespace, or a line of text between objects: skip to the next line.
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i;
                continue;
            }
            const qsizetype nl = log.indexOf('\n', i);
            i = nl < 0 ? size : nl + 1;
            continue;
        }
        int depth = 0;
        bool inString = false;
        bool escaped = false;
        qsizetype j = i;
        for (; j < size; ++j) {
            const char d = log[j];
            if (inString) {
                if (escaped)
                    escaped = false;
                else if (d == '\\')
                    escaped = true;
                else if (d == '"')
                    inString = false;
                continue;
            }
            if (d == '"')
                inString = true;
            else if (d == '{' || d == '[')
                ++depth;
            else if (d == '}' || d == ']') {
                if (--depth == 0)
                    break;
            }
        }
        const qsizetype end = j < size ? j + 1 : size;
        out.append(log.sliced(i, end - i));
        i = end;
    }
    return out;
}

Expected<QList<BuildEvent>> SolveStatusStream::feed(QByteArrayView line)
{
    ++m_lines;
    QList<BuildEvent> out;
    const QByteArray trimmed = line.toByteArray().trimmed();
    if (trimmed.isEmpty() || !trimmed.startsWith('{'))
        return out;
    const auto bad = [&](const QString &why) {
        return fail(QStringLiteral("rawjson progress, line %1: %2").arg(m_lines).arg(why));
    };
    if (trimmed.size() > kMaxLineBytes)
        return bad(QStringLiteral("%1 bytes, more than the %2 a line may have")
                       .arg(trimmed.size())
                       .arg(kMaxLineBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(trimmed, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return bad(
            QStringLiteral("not JSON at byte %1: %2").arg(parseError.offset).arg(parseError.errorString()));
    if (!doc.isObject())
        return bad(QStringLiteral("not a SolveStatus object"));
    const QJsonObject status = doc.object();
    for (const char *field : {"vertexes", "statuses", "logs", "warnings"}) {
        const QJsonValue v = status.value(key(field));
        if (!v.isUndefined() && !v.isNull() && !v.isArray())
            return bad(QStringLiteral("\"%1\" must be an array").arg(key(field)));
    }

    for (const QJsonValue &value : status.value(key("vertexes")).toArray()) {
        const QJsonObject v = value.toObject();
        const QString digest = v.value(key("digest")).toString();
        if (!value.isObject() || digest.isEmpty() || digest.size() > 200)
            return bad(QStringLiteral("a vertex needs a digest"));
        auto it = m_vertices.find(digest);
        if (it == m_vertices.end()) {
            if (m_vertices.size() >= kMaxVertices)
                return bad(QStringLiteral("more than %1 vertices").arg(kMaxVertices));
            Vertex fresh;
            mapVertex(fresh, v.value(key("name")).toString().left(64 * 1024));
            if (const auto known = m_sourceLines.constFind(digest); known != m_sourceLines.cend()) {
                Vertex byLine = fresh;
                if (mapByLine(byLine, *known)) {
                    // The provenance knows the line; the name's counter still tells when the
                    // stage's last step ended, but only when both put it in the same stage.
                    if (byLine.stage != fresh.stage)
                        byLine.llbIndex = 0;
                    fresh = byLine;
                    ++m_byLine;
                }
            }
            if (fresh.stage < 0)
                ++m_unmapped;
            it = m_vertices.insert(digest, fresh);
        }
        Vertex &vertex = *it;
        const std::optional<qint64> started = epochMs(v.value(key("started")));
        const std::optional<qint64> completed = epochMs(v.value(key("completed")));
        const QString error = v.value(key("error")).toString().left(64 * 1024);
        const bool cached = v.value(key("cached")).toBool();
        if (vertex.stage < 0) {
            // A failing internal vertex (a base image that cannot be resolved) fails the build.
            if (!error.isEmpty() && !isCancellation(error) && m_error.isEmpty())
                m_error = error;
            if (started)
                relative(*started);
            if (completed)
                relative(*completed);
            continue;
        }
        StageRun &run = m_stages[vertex.stage];
        const QString name = v.value(key("name")).toString();
        static const QRegularExpression counter(QStringLiteral("^\\[[^\\]]*?(\\d{1,6})/(\\d{1,6})\\]"));
        if (const QRegularExpressionMatch c = counter.match(name); c.hasMatch())
            run.llbTotal = std::max(run.llbTotal, c.captured(2).toInt());
        if (vertex.finished)
            continue; // a later interval of a step already ended changes nothing shown
        if ((started || completed) && !vertex.started) {
            const qint64 at = relative(started ? *started : *completed);
            startStage(vertex.stage, at, out);
            vertex.started = true;
            vertex.startedMs = at;
            out.append(stepEvent(BuildEventKind::StepStarted, vertex, at));
        }
        if (!completed)
            continue;
        const qint64 at = relative(*completed);
        emitLines(vertex, at, true, out);
        vertex.finished = true;
        if (!error.isEmpty()) {
            const bool cancelled = isCancellation(error);
            if (!cancelled && m_error.isEmpty())
                m_error = error;
            if (!run.ended) {
                run.ended = true;
                run.failed = !cancelled;
                BuildEvent failed = stageEvent(BuildEventKind::StageFailed, vertex.stage, at);
                failed.text = error;
                failed.errorKind = cancelled ? ErrorKind::Cancelled : ErrorKind::Failed;
                out.append(failed);
            }
            continue;
        }
        BuildEvent done =
            stepEvent(cached ? BuildEventKind::StepCached : BuildEventKind::StepDone, vertex, at);
        done.durationMs = std::max<qint64>(0, at - vertex.startedMs);
        out.append(done);
        run.anyRan = run.anyRan || !cached;
        // A stage's steps run one after another, so its last one ending ends the stage. (A
        // FROM naming another stage counts in n but never comes as a vertex.)
        if (!run.ended && vertex.llbIndex == run.llbTotal)
            endStage(vertex.stage, at, out);
    }

    for (const QJsonValue &value : status.value(key("logs")).toArray()) {
        const QJsonObject l = value.toObject();
        auto it = m_vertices.find(l.value(key("vertex")).toString());
        if (it == m_vertices.end() || it->stage < 0 || it->finished)
            continue;
        const auto decoded = QByteArray::fromBase64Encoding(l.value(key("data")).toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return bad(QStringLiteral("a log's data is not base64"));
        const std::optional<qint64> when = epochMs(l.value(key("timestamp")));
        it->partial.append(*decoded);
        emitLines(*it, when ? relative(*when) : it->startedMs, false, out);
    }

    for (const QJsonValue &value : status.value(key("warnings")).toArray()) {
        const QJsonObject w = value.toObject();
        const auto decoded = QByteArray::fromBase64Encoding(w.value(key("short")).toString().toLatin1(),
                                                            QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || (*decoded).isEmpty())
            continue;
        BuildEvent e;
        e.kind = BuildEventKind::BuildWarning;
        e.text = QString::fromUtf8((*decoded).left(4096)).trimmed();
        e.timeMs = m_lastMs;
        const auto it = m_vertices.constFind(w.value(key("vertex")).toString());
        if (it != m_vertices.cend() && it->stage >= 0) {
            e = stepEvent(BuildEventKind::BuildWarning, *it, m_lastMs);
            e.text = QString::fromUtf8((*decoded).left(4096)).trimmed();
        }
        const QJsonArray ranges = w.value(key("range")).toArray();
        if (!ranges.isEmpty()) {
            const int l = ranges.first().toObject().value(key("start")).toObject().value(key("line")).toInt();
            if (l > 0)
                e.range.start.line = e.range.end.line = l;
        }
        out.append(e);
    }
    return out;
}

void SolveStatusStream::endStage(int stage, qint64 timeMs, QList<BuildEvent> &out)
{
    StageRun &run = m_stages[stage];
    run.ended = true;
    BuildEvent end =
        stageEvent(run.anyRan ? BuildEventKind::StageDone : BuildEventKind::StageCached, stage, timeMs);
    end.durationMs = timeMs - run.startedMs;
    out.append(end);
}

QList<BuildEvent> SolveStatusStream::finish()
{
    QList<BuildEvent> out;
    QHash<int, bool> allFinished;
    for (Vertex &vertex : m_vertices) {
        if (vertex.stage < 0)
            continue;
        if (!vertex.partial.isEmpty())
            emitLines(vertex, m_lastMs, true, out);
        allFinished[vertex.stage] = allFinished.value(vertex.stage, true) && vertex.finished;
    }
    // A log whose last step vertex never came (a name BuildKit counted differently) still
    // ends a stage whose steps all ended, when nothing failed.
    if (m_error.isEmpty())
        for (auto it = m_stages.begin(); it != m_stages.end(); ++it)
            if (it->started && !it->ended && allFinished.value(it.key()))
                endStage(it.key(), m_lastMs, out);
    bool unfinished = false;
    for (const StageRun &run : std::as_const(m_stages))
        unfinished = unfinished || (run.started && !run.ended);
    BuildEvent end;
    end.timeMs = m_lastMs;
    end.durationMs = m_lastMs;
    if (m_error.isEmpty() && !unfinished && !m_stages.isEmpty()) {
        end.kind = BuildEventKind::BuildDone;
    } else {
        end.kind = BuildEventKind::BuildFailed;
        end.text = !m_error.isEmpty()   ? m_error
                   : m_stages.isEmpty() ? QStringLiteral("the log names no step of this Dockerfile")
                                        : QStringLiteral("the log ends before the build finished");
    }
    out.append(end);
    return out;
}

Expected<void> SolveStatusStream::read(const QByteArray &log, const BuildPlan &plan, BuildProgress &into,
                                       const QHash<QString, int> &sourceLines)
{
    if (log.size() > kMaxLogBytes)
        return fail(QStringLiteral("rawjson progress: %1 bytes, more than the %2 a log may have")
                        .arg(log.size())
                        .arg(kMaxLogBytes));
    SolveStatusStream stream(plan);
    stream.setSourceLines(sourceLines);
    BuildProgress progress;
    bool started = false;
    const auto apply = [&](const QList<BuildEvent> &events) {
        for (const BuildEvent &event : events) {
            if (!started) {
                // The origin is known once the first time in the log was read.
                progress.replay({}, stream.origin());
                started = true;
            }
            progress.apply(event);
        }
    };
    for (QByteArrayView object : objects(log)) {
        Expected<QList<BuildEvent>> made = stream.feed(object);
        if (!made)
            return std::unexpected(made.error());
        apply(*made);
    }
    if (stream.vertexCount() == 0)
        return fail(QStringLiteral("rawjson progress: no vertex in the log; is it BuildKit's "
                                   "--progress=rawjson output?"));
    apply(stream.finish());
    // The model's own form carries it over whole (fromJson checks and signals as usual).
    return into.fromJson(progress.toJson());
}

} // namespace stagecraft
