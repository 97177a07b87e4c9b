#include "core/engine/plainprogressparser.h"

#include <QRegularExpression>

namespace stagecraft {

namespace {

// "#12 …": the vertex number and the rest of the line.
const QRegularExpression &vertexLinePattern()
{
    static const QRegularExpression re(QStringLiteral("^#(\\d{1,9}) (.*)$"));
    return re;
}

// "[build 2/6] RUN …", "[stage-1  3/12] COPY …", "[linux/amd64 build 1/3] FROM …", "[1/2] …".
const QRegularExpression &stepHeaderPattern()
{
    static const QRegularExpression re(QStringLiteral("^\\[([^\\]]*?) *(\\d{1,6})/(\\d{1,6})\\] (.*)$"));
    return re;
}

// "0.262 rm: can't remove …": a log line, seconds since the vertex started.
const QRegularExpression &logPattern()
{
    static const QRegularExpression re(QStringLiteral("^\\d{1,9}\\.\\d{1,6}(?: (.*))?$"));
    return re;
}

const QRegularExpression &donePattern()
{
    static const QRegularExpression re(QStringLiteral("^DONE (\\d{1,9}(?:\\.\\d{1,6})?)s$"));
    return re;
}

// "Dockerfile:22", "Dockerfile.prod:77", "context:11": the excerpt's file and first line.
const QRegularExpression &excerptHeadPattern()
{
    static const QRegularExpression re(QStringLiteral("^\\S{1,1024}:(\\d{1,7})$"));
    return re;
}

bool makesVertex(InstructionKind kind)
{
    switch (kind) {
    case InstructionKind::From:
    case InstructionKind::Run:
    case InstructionKind::Copy:
    case InstructionKind::Add:
    case InstructionKind::Workdir: return true;
    default: return false;
    }
}

} // namespace

PlainProgressParser::PlainProgressParser(std::shared_ptr<const Dockerfile> dockerfile, StageGraph graph,
                                         BuildEventSink sink, QString dockerfileName)
    : m_dockerfile(std::move(dockerfile))
    , m_graph(std::move(graph))
    , m_sink(std::move(sink))
    , m_dockerfileName(std::move(dockerfileName))
{
    if (!m_dockerfile)
        m_dockerfile = std::make_shared<const Dockerfile>();
    const qsizetype instructionCount = m_dockerfile->instructions.size();
    for (const Stage &stage : std::as_const(m_graph.stages)) {
        StageTrack track;
        track.name = stage.displayName();
        track.needed = stage.needed;
        const int steps = std::max(stage.stepCount + 1, 1);
        track.states.fill(StepState::Unseen, steps);
        track.filled.fill(false, steps);
        for (int step = 0; step < steps; ++step) {
            const qsizetype instruction = qsizetype(stage.fromInstruction) + step;
            // FROM scratch is no vertex: "[stage-1 1/2]" is the step after it.
            if (step == 0 && stage.isScratch())
                continue;
            if (instruction >= 0 && instruction < instructionCount &&
                makesVertex(m_dockerfile->instructions.at(instruction).kind))
                track.opSteps.append(step);
        }
        m_stages.append(track);
    }
}

void PlainProgressParser::begin()
{
    for (const QList<int> &level : std::as_const(m_graph.levels))
        for (int index : level) {
            if (index < 0 || index >= m_stages.size())
                continue;
            BuildEvent e;
            e.kind = BuildEventKind::StageQueued;
            e.stage = index;
            e.stageName = m_stages[index].name;
            e.stepCount = int(m_stages[index].states.size());
            e.range = m_graph.stages[index].range;
            emitEvent(e);
        }
}

void PlainProgressParser::feed(QByteArrayView bytes)
{
    while (!bytes.isEmpty()) {
        const qsizetype newline = bytes.indexOf('\n');
        const QByteArrayView piece = newline < 0 ? bytes : bytes.first(newline);
        if (!m_discarding) {
            const qsizetype room = kMaxLineBytes - m_pending.size();
            m_pending.append(piece.first(std::min(room, piece.size())));
            if (piece.size() > room)
                m_discarding = true;
        }
        if (newline < 0)
            return;
        bytes = bytes.sliced(newline + 1);
        QByteArray line = std::exchange(m_pending, {});
        m_discarding = false;
        if (line.endsWith('\r'))
            line.chop(1);
        parseLine(QString::fromUtf8(line));
    }
}

void PlainProgressParser::parseLine(const QString &line)
{
    const QRegularExpressionMatch m = vertexLinePattern().match(line);
    if (m.hasMatch() && !m_inErrorBlock && !m_inExcerpt) {
        bool ok = false;
        const int number = m.captured(1).toInt(&ok);
        if (ok)
            parseVertexLine(number, m.captured(2));
        return;
    }
    parseErrorText(line);
}

void PlainProgressParser::parseVertexLine(int number, const QString &rest)
{
    if (rest == QLatin1String("..."))
        return; // the vertex's output continues later
    Vertex *v = vertex(number, rest);
    if (!v)
        return;
    const bool isStep = v->stage >= 0 && v->step >= 0;
    if (rest == QLatin1String("CACHED")) {
        if (isStep && !v->finished)
            finishStep(v->stage, v->step, true, 0);
        v->finished = true;
        return;
    }
    if (const QRegularExpressionMatch done = donePattern().match(rest); done.hasMatch()) {
        if (isStep && !v->finished)
            finishStep(v->stage, v->step, false, qint64(done.captured(1).toDouble() * 1000.0));
        v->finished = true;
        return;
    }
    if (rest == QLatin1String("CANCELED") || rest == QLatin1String("CANCELLED")) {
        if (isStep && !v->finished)
            cancelStage(v->stage);
        v->finished = true;
        return;
    }
    if (rest.startsWith(QLatin1String("ERROR"))) {
        QString message = rest.mid(5);
        if (message.startsWith(QLatin1Char(':')))
            message = message.mid(1);
        message = message.trimmed().left(kMaxErrorChars);
        if (isStep && !v->finished)
            failStep(v->stage, v->step, message);
        else if (!isStep && m_vertexError.isEmpty())
            m_vertexError = message;
        v->finished = true;
        return;
    }
    if (rest == v->name)
        return; // the header again, when the vertex's output resumes
    if (!isStep)
        return;
    QString text;
    if (const QRegularExpressionMatch log = logPattern().match(rest); log.hasMatch())
        text = log.captured(1);
    else if (rest.startsWith(QLatin1String("sha256:")) || stepHeaderPattern().match(rest).hasMatch())
        return; // BuildKit 0.8's digest line; a header naming the same vertex differently
    else
        text = rest; // a status: "extracting sha256:… 0.1s done"
    BuildEvent e = stepEvent(v->stage, v->step, BuildEventKind::StepLog);
    e.text = text;
    emitEvent(e);
}

PlainProgressParser::Vertex *PlainProgressParser::vertex(int number, const QString &header)
{
    const auto it = m_vertices.find(number);
    if (it != m_vertices.end())
        return &*it;
    if (m_vertices.size() >= kMaxVertices)
        return nullptr;
    Vertex v;
    v.name = header;
    mapStep(header, &v.stage, &v.step);
    Vertex &added = *m_vertices.insert(number, v);
    if (added.stage >= 0 && added.step >= 0) {
        const StageTrack &track = m_stages[added.stage];
        const StepState state = track.states[added.step];
        if (state == StepState::Unseen)
            startStep(added.stage, added.step);
        else if (!track.filled[added.step])
            added.finished = state != StepState::Running; // another vertex had this step
    }
    return &added;
}

// The stage and step of a vertex header, or -1 for vertices that are no step ("[internal]
// load build definition", "exporting to image") and for names the graph does not know.
void PlainProgressParser::mapStep(const QString &header, int *stage, int *step) const
{
    *stage = -1;
    *step = -1;
    const QRegularExpressionMatch m = stepHeaderPattern().match(header);
    if (!m.hasMatch())
        return;
    // The prefix is "[platform] [stage name]"; a platform has a slash, a stage name cannot.
    QString name;
    const QStringList words = m.captured(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!words.isEmpty() && !words.last().contains(QLatin1Char('/')))
        name = words.last();
    const int index = stageNamed(name);
    if (index < 0)
        return;
    const int position = m.captured(2).toInt(); // 1-based, the FROM first
    const int total = m.captured(3).toInt();
    const QList<int> &ops = m_stages[index].opSteps;
    if (position < 1 || position > total || ops.isEmpty())
        return;
    int op = position - 1;
    // More vertices than the file has: the base's ONBUILD triggers run after the FROM.
    const int triggers = total - int(ops.size());
    if (triggers > 0 && position > 1) {
        if (position <= 1 + triggers)
            return;
        op -= triggers;
    }
    if (op < 0 || op >= ops.size())
        return;
    *stage = index;
    *step = ops[op];
}

int PlainProgressParser::stageNamed(const QString &name) const
{
    if (name.isEmpty()) {
        // BuildKit names no stage when the file has one.
        return m_stages.size() == 1 ? 0 : -1;
    }
    const int named = m_graph.stageIndex(name);
    if (named >= 0 && named < m_stages.size())
        return named;
    if (name.startsWith(QLatin1String("stage-"))) {
        bool ok = false;
        const int index = name.mid(6).toInt(&ok);
        if (ok && index >= 0 && index < m_stages.size() && m_graph.stages[index].name.isEmpty())
            return index;
    }
    return -1;
}

// Text after the vertices: the error block, the excerpt of the Dockerfile and the message.
//   ------
//    > [right 3/3] RUN … exit 3:
//   0.262 rm: can't remove …
//   ------
//   Dockerfile:22
//   --------------------
//     22 | >>> RUN …
//   --------------------
//   ERROR: failed to solve: process "/bin/sh -c …" did not complete successfully: exit code: 3
void PlainProgressParser::parseErrorText(const QString &line)
{
    if (line == QLatin1String("------")) {
        m_inErrorBlock = !m_inErrorBlock;
        return;
    }
    if (line == QLatin1String("--------------------")) {
        m_inExcerpt = !m_inExcerpt;
        return;
    }
    if (m_inErrorBlock) {
        if (m_blockVertex.isEmpty() && line.startsWith(QLatin1String(" > ")) &&
            line.endsWith(QLatin1Char(':')))
            m_blockVertex = line.mid(3).chopped(1).left(kMaxErrorChars);
        return;
    }
    if (m_inExcerpt)
        return;
    if (const QRegularExpressionMatch m = excerptHeadPattern().match(line); m.hasMatch() && !m_errorLine) {
        m_errorLine = m.captured(1).toInt();
        return;
    }
    const QString trimmed = line.trimmed();
    if (trimmed.isEmpty())
        return;
    for (const QLatin1String prefix : {QLatin1String("ERROR: "), QLatin1String("error: ")})
        if (trimmed.startsWith(prefix)) {
            m_finalError = trimmed.mid(prefix.size()).left(kMaxErrorChars);
            return;
        }
    if (trimmed.startsWith(QLatin1String("WARNING: "))) {
        BuildEvent e;
        e.kind = BuildEventKind::BuildWarning;
        e.text = trimmed.mid(9).left(kMaxErrorChars);
        emitEvent(e);
        return;
    }
    if (m_trailing.size() < 20)
        m_trailing.append(trimmed.left(kMaxErrorChars));
}

QString PlainProgressParser::errorMessage() const
{
    if (!m_finalError.isEmpty())
        return m_finalError;
    if (!m_trailing.isEmpty())
        return m_trailing.join(QLatin1Char('\n')).left(kMaxErrorChars);
    return m_vertexError;
}

BuildEvent PlainProgressParser::stepEvent(int stage, int step, BuildEventKind kind) const
{
    const Stage &s = m_graph.stages[stage];
    BuildEvent e;
    e.kind = kind;
    e.stage = stage;
    e.stageName = m_stages[stage].name;
    e.step = step;
    e.stepCount = int(m_stages[stage].states.size());
    e.instruction = s.fromInstruction + step;
    if (e.instruction >= 0 && e.instruction < m_dockerfile->instructions.size()) {
        const Instruction &ins = m_dockerfile->instructions.at(e.instruction);
        e.range = ins.range;
        e.text = ins.original;
    } else {
        e.instruction = -1;
    }
    return e;
}

void PlainProgressParser::startStage(int stage)
{
    StageTrack &track = m_stages[stage];
    if (track.started)
        return;
    track.started = true;
    BuildEvent e;
    e.kind = BuildEventKind::StageStarted;
    e.stage = stage;
    e.stageName = track.name;
    e.stepCount = int(track.states.size());
    e.range = m_graph.stages[stage].range;
    emitEvent(e);
}

void PlainProgressParser::startStep(int stage, int step)
{
    StageTrack &track = m_stages[stage];
    if (track.ended)
        return;
    startStage(stage);
    // A step runs on its stage's base: the FROM is resolved, whether or not its vertex
    // was printed under this stage's name.
    if (step > 0 && track.states[0] == StepState::Unseen) {
        fillStep(stage, 0, StepState::Done);
        fillAfter(stage, 0);
    }
    track.states[step] = StepState::Running;
    emitEvent(stepEvent(stage, step, BuildEventKind::StepStarted));
}

void PlainProgressParser::finishStep(int stage, int step, bool cached, qint64 durationMs)
{
    StageTrack &track = m_stages[stage];
    if (track.ended)
        return;
    const StepState state = track.states[step];
    // A filled-in step whose vertex came late is corrected (a cached run prints its
    // vertices in any order).
    if (state != StepState::Running && !(track.filled[step] && state != StepState::Failed))
        return;
    track.filled[step] = false;
    track.states[step] = cached ? StepState::Cached : StepState::Done;
    BuildEvent e = stepEvent(stage, step, cached ? BuildEventKind::StepCached : BuildEventKind::StepDone);
    e.durationMs = durationMs;
    emitEvent(e);
    fillAfter(stage, step);
    if (allOpsFinished(stage))
        completeStage(stage);
}

void PlainProgressParser::fillStep(int stage, int step, StepState state)
{
    StageTrack &track = m_stages[stage];
    track.states[step] = state;
    track.filled[step] = true;
    emitEvent(stepEvent(stage, step, BuildEventKind::StepStarted));
    emitEvent(stepEvent(stage, step,
                        state == StepState::Cached ? BuildEventKind::StepCached : BuildEventKind::StepDone));
}

// The metadata steps right after `step` (up to the next step with a vertex) are applied
// when it ends, and cached when it was.
void PlainProgressParser::fillAfter(int stage, int step)
{
    StageTrack &track = m_stages[stage];
    const StepState state = track.states[step];
    for (int s = step + 1; s < track.states.size() && !track.opSteps.contains(s); ++s)
        if (track.states[s] == StepState::Unseen)
            fillStep(stage, s, state);
}

bool PlainProgressParser::allOpsFinished(int stage) const
{
    const StageTrack &track = m_stages[stage];
    for (int s : track.opSteps)
        if (track.states[s] != StepState::Done && track.states[s] != StepState::Cached)
            return false;
    return true;
}

// The steps no vertex named (another stage's shared one, metadata) take the state of
// the step before them.
void PlainProgressParser::completeStage(int stage)
{
    StageTrack &track = m_stages[stage];
    if (track.ended)
        return;
    startStage(stage);
    for (int s = 0; s < track.states.size(); ++s)
        if (track.states[s] == StepState::Unseen)
            fillStep(stage, s, s > 0 ? track.states[s - 1] : StepState::Done);
    track.ended = true;
    BuildEvent e;
    e.kind = BuildEventKind::StageDone;
    e.stage = stage;
    e.stageName = track.name;
    e.stepCount = int(track.states.size());
    emitEvent(e);
}

int PlainProgressParser::steps() const
{
    int count = 0;
    for (const StageTrack &track : m_stages)
        count += int(track.states.size() - track.states.count(StepState::Unseen));
    return count;
}

int PlainProgressParser::cachedSteps() const
{
    int count = 0;
    for (const StageTrack &track : m_stages)
        count += int(track.states.count(StepState::Cached));
    return count;
}

void PlainProgressParser::failStep(int stage, int step, const QString &message)
{
    StageTrack &track = m_stages[stage];
    if (track.ended)
        return;
    if (track.states[step] == StepState::Unseen)
        startStep(stage, step);
    else if (track.states[step] != StepState::Running)
        return;
    track.states[step] = StepState::Failed;
    track.ended = true;
    m_failed = true;
    const BuildEvent at = stepEvent(stage, step, BuildEventKind::StageFailed);
    BuildEvent e;
    e.kind = BuildEventKind::StageFailed;
    e.stage = stage;
    e.stageName = track.name;
    e.step = step;
    e.stepCount = at.stepCount;
    e.instruction = at.instruction;
    e.range = at.range;
    e.text = QStringLiteral("%1:%2: stage \"%3\": %4")
                 .arg(m_dockerfileName)
                 .arg(at.range.start.line)
                 .arg(track.name, message);
    emitEvent(e);
}

void PlainProgressParser::cancelStage(int stage)
{
    StageTrack &track = m_stages[stage];
    if (track.ended || !track.started)
        return;
    track.ended = true;
    BuildEvent e;
    e.kind = BuildEventKind::StageFailed;
    e.stage = stage;
    e.stageName = track.name;
    e.stepCount = int(track.states.size());
    e.text = QStringLiteral("cancelled");
    e.errorKind = ErrorKind::Cancelled;
    emitEvent(e);
}

void PlainProgressParser::finish(Outcome outcome, const QString &fallbackError)
{
    if (!m_pending.isEmpty()) {
        const QByteArray rest = std::exchange(m_pending, {});
        parseLine(QString::fromUtf8(rest));
    }
    if (outcome == Outcome::Succeeded) {
        for (const QList<int> &level : std::as_const(m_graph.levels))
            for (int index : level)
                if (index >= 0 && index < m_stages.size())
                    completeStage(index);
        return;
    }
    QString message = errorMessage();
    if (outcome == Outcome::Failed && !m_failed) {
        // No step said ERROR itself: the error block names the vertex, or the excerpt the line.
        int stage = -1, step = -1;
        mapStep(m_blockVertex, &stage, &step);
        if (stage < 0 && m_errorLine > 0) {
            stage = m_graph.stageAt(m_errorLine);
            if (stage >= 0 && stage < m_stages.size()) {
                const int from = m_graph.stages[stage].fromInstruction;
                for (int s = 0; s < m_stages[stage].states.size(); ++s) {
                    const int i = from + s;
                    if (i >= 0 && i < m_dockerfile->instructions.size()) {
                        const SourceRange &r = m_dockerfile->instructions.at(i).range;
                        if (r.start.line <= m_errorLine && m_errorLine <= r.end.line)
                            step = s;
                    }
                }
            }
        }
        if (stage >= 0 && step >= 0 && stage < m_stages.size())
            failStep(stage, step, message.isEmpty() ? fallbackError : message);
    }
    for (int index = 0; index < m_stages.size(); ++index)
        cancelStage(index);
    BuildEvent e;
    e.kind = BuildEventKind::BuildFailed;
    if (outcome == Outcome::Cancelled) {
        e.errorKind = ErrorKind::Cancelled;
        e.text = QStringLiteral("build cancelled");
    } else {
        e.text = message.isEmpty() ? fallbackError : message;
        if (m_errorLine > 0)
            e.text = QStringLiteral("%1:%2: %3").arg(m_dockerfileName).arg(m_errorLine).arg(e.text);
    }
    emitEvent(e);
}

void PlainProgressParser::emitEvent(const BuildEvent &event) const
{
    if (m_sink)
        m_sink(event);
}

} // namespace stagecraft
