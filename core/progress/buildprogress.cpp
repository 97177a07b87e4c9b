#include "core/progress/buildprogress.h"

#include "core/common/sha256.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <limits>

namespace stagecraft {

namespace {

// A step of these instructions writes a layer, whether or not its engine names it (BuildKit's
// plain progress gives no layer digests): a stage that ran one is not "cached".
bool makesLayer(const QString &instruction)
{
    const QString keyword = instruction.trimmed().section(u' ', 0, 0).toUpper();
    return keyword == QLatin1String("RUN") || keyword == QLatin1String("COPY") ||
           keyword == QLatin1String("ADD") || keyword == QLatin1String("WORKDIR");
}

constexpr qint64 kMaxTimeMs = qint64(10) * 365 * 24 * 3600 * 1000; // ten years of build

QString key(const char *name)
{
    return QString::fromLatin1(name);
}

QString errorKindName(ErrorKind kind)
{
    return kind == ErrorKind::Cancelled ? QStringLiteral("cancelled") : QStringLiteral("failed");
}

QString timeText(qint64 startMs, qint64 endMs)
{
    if (startMs < 0)
        return {};
    return endMs < 0 ? QStringLiteral(" @%1-").arg(startMs)
                     : QStringLiteral(" @%1-%2").arg(startMs).arg(endMs);
}

QJsonArray rangeJson(const SourceRange &range)
{
    return {range.start.line, range.start.column, range.end.line, range.end.column};
}

// Reads one record; every field is checked for type and range before it is used.
class RecordReader
{
public:
    Error error;

    bool fail(const QString &message)
    {
        if (error.message.isEmpty())
            error = Error(QStringLiteral("build record: %1").arg(message));
        return false;
    }

    bool integer(const QJsonObject &o, const char *name, qint64 min, qint64 max, qint64 fallback, qint64 &out)
    {
        const QJsonValue v = o.value(key(name));
        if (v.isUndefined()) {
            out = fallback;
            return true;
        }
        const double d = v.toDouble(std::nan(""));
        if (!v.isDouble() || !std::isfinite(d) || d != std::floor(d) || d < double(min) || d > double(max))
            return fail(QStringLiteral("\"%1\" must be a whole number from %2 to %3")
                            .arg(key(name))
                            .arg(min)
                            .arg(max));
        out = qint64(d);
        return true;
    }

    bool integer(const QJsonObject &o, const char *name, int min, int max, int fallback, int &out)
    {
        qint64 wide = 0;
        if (!integer(o, name, qint64(min), qint64(max), qint64(fallback), wide))
            return false;
        out = int(wide);
        return true;
    }

    bool text(const QJsonObject &o, const char *name, QString &out)
    {
        const QJsonValue v = o.value(key(name));
        if (v.isUndefined())
            return true;
        if (!v.isString())
            return fail(QStringLiteral("\"%1\" must be a string").arg(key(name)));
        out = v.toString();
        return true;
    }

    bool boolean(const QJsonObject &o, const char *name, bool &out)
    {
        const QJsonValue v = o.value(key(name));
        if (v.isUndefined())
            return true;
        if (!v.isBool())
            return fail(QStringLiteral("\"%1\" must be true or false").arg(key(name)));
        out = v.toBool();
        return true;
    }

    bool object(const QJsonObject &o, const char *name, QJsonObject &out)
    {
        const QJsonValue v = o.value(key(name));
        if (v.isUndefined())
            return true;
        if (!v.isObject())
            return fail(QStringLiteral("\"%1\" must be an object").arg(key(name)));
        out = v.toObject();
        return true;
    }

    bool array(const QJsonObject &o, const char *name, qsizetype max, QJsonArray &out)
    {
        const QJsonValue v = o.value(key(name));
        if (v.isUndefined() || v.isNull())
            return true;
        if (!v.isArray())
            return fail(QStringLiteral("\"%1\" must be an array").arg(key(name)));
        out = v.toArray();
        if (out.size() > max)
            return fail(QStringLiteral("\"%1\" has %2 entries, more than the %3 a record may have")
                            .arg(key(name))
                            .arg(out.size())
                            .arg(max));
        return true;
    }

    bool range(const QJsonObject &o, SourceRange &out)
    {
        QJsonArray a;
        if (!array(o, "range", 4, a))
            return false;
        if (a.isEmpty())
            return true;
        int values[4] = {};
        for (int i = 0; i < 4; ++i) {
            const double d = a.at(i).toDouble(-1);
            if (a.size() != 4 || !a.at(i).isDouble() || d < 0 || d > 10000000 || d != std::floor(d))
                return fail(QStringLiteral("\"range\" must be four line and column numbers"));
            values[i] = int(d);
        }
        out.start.line = values[0];
        out.start.column = values[1];
        out.end.line = values[2];
        out.end.column = values[3];
        return true;
    }

    bool state(const QJsonObject &o, ProgressState &out)
    {
        QString name;
        if (!text(o, "state", name))
            return false;
        if (name.isEmpty())
            return true;
        for (ProgressState s :
             {ProgressState::Idle, ProgressState::Queued, ProgressState::Running, ProgressState::Cached,
              ProgressState::Done, ProgressState::Failed, ProgressState::Cancelled})
            if (progressStateName(s) == name) {
                out = s;
                return true;
            }
        return fail(QStringLiteral("unknown state \"%1\"").arg(name.left(40)));
    }

    bool errorKind(const QJsonObject &o, ErrorKind &out)
    {
        QString name;
        if (!text(o, "errorKind", name))
            return false;
        if (name.isEmpty() || name == QLatin1String("failed"))
            out = ErrorKind::Failed;
        else if (name == QLatin1String("cancelled"))
            out = ErrorKind::Cancelled;
        else
            return fail(QStringLiteral("unknown error kind \"%1\"").arg(name.left(40)));
        return true;
    }

    // An RFC 3339 time as ms after the origin; absent: -1.
    bool time(const QJsonObject &o, const char *name, const QDateTime &origin, qint64 &out)
    {
        QString t;
        if (!text(o, name, t))
            return false;
        if (t.isEmpty()) {
            out = -1;
            return true;
        }
        const QDateTime when = QDateTime::fromString(t, Qt::ISODateWithMs);
        if (!when.isValid())
            return fail(QStringLiteral("\"%1\" is not an RFC 3339 time").arg(key(name)));
        out = origin.msecsTo(when);
        if (out < 0 || out > kMaxTimeMs)
            return fail(
                QStringLiteral("\"%1\" lies before the build's start or too far after it").arg(key(name)));
        return true;
    }
};

} // namespace

QString progressStateName(ProgressState state)
{
    switch (state) {
    case ProgressState::Idle: return QStringLiteral("idle");
    case ProgressState::Queued: return QStringLiteral("queued");
    case ProgressState::Running: return QStringLiteral("running");
    case ProgressState::Cached: return QStringLiteral("cached");
    case ProgressState::Done: return QStringLiteral("done");
    case ProgressState::Failed: return QStringLiteral("failed");
    case ProgressState::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

BuildProgress::BuildProgress(QObject *parent)
    : QObject(parent)
{}

void BuildProgress::clear()
{
    m_data = Data();
    Q_EMIT cleared();
}

void BuildProgress::replay(const QList<BuildEvent> &events, const QDateTime &origin)
{
    clear();
    if (origin.isValid())
        m_data.origin = origin.toUTC();
    for (const BuildEvent &event : events)
        apply(event);
}

QString BuildProgress::vertexDigest(int stage, int step)
{
    const QByteArray name = QStringLiteral("stagecraft-step %1 %2").arg(stage).arg(step).toUtf8();
    return QStringLiteral("sha256:") + QString::fromLatin1(Sha256::hash(name).toHex());
}

StageProgress *BuildProgress::stageFor(const BuildEvent &event)
{
    if (event.stage < 0 || event.stage >= kMaxStages)
        return nullptr;
    auto it = m_data.stages.find(event.stage);
    if (it == m_data.stages.end()) {
        StageProgress stage;
        stage.index = event.stage;
        stage.name = event.stageName;
        stage.stepCount = std::clamp(event.stepCount, 0, kMaxStepsPerStage);
        it = m_data.stages.insert(event.stage, stage);
    }
    return &*it;
}

StepProgress *BuildProgress::stepFor(StageProgress &stage, const BuildEvent &event)
{
    if (event.step < 0 || event.step >= kMaxStepsPerStage)
        return nullptr;
    if (stage.steps.size() <= event.step)
        stage.steps.resize(event.step + 1);
    StepProgress &step = stage.steps[event.step];
    if (step.stage < 0) {
        step.stage = stage.index;
        step.step = event.step;
    }
    if (event.instruction >= 0 && step.instruction < 0) {
        step.instruction = event.instruction;
        step.range = event.range;
    }
    return &step;
}

void BuildProgress::appendLog(StepProgress &step, const QString &line)
{
    if (step.log.size() >= kMaxLogLines) {
        // Dropping a block at a time keeps a long log linear rather than quadratic.
        const qsizetype drop = std::max<qsizetype>(1, kMaxLogLines / 10);
        step.log.remove(0, drop);
        step.droppedLines += drop;
    }
    step.log.append(line);
}

void BuildProgress::endStage(StageProgress &stage, ProgressState state)
{
    stage.state = state;
    for (StepProgress &step : stage.steps)
        if (step.stage >= 0 && step.state == ProgressState::Running)
            step.state = state == ProgressState::Cancelled ? ProgressState::Cancelled : ProgressState::Failed;
}

void BuildProgress::apply(const BuildEvent &event)
{
    const qint64 now = std::max<qint64>(event.timeMs, 0);
    if (!m_data.origin.isValid())
        m_data.origin = QDateTime::currentDateTimeUtc().addMSecs(-now);
    if (m_data.state == ProgressState::Idle) {
        m_data.state = ProgressState::Running;
        m_data.startedMs = now;
    }

    switch (event.kind) {
    case BuildEventKind::BuildWarning: {
        for (const BuildWarningNote &w : std::as_const(m_data.warnings))
            if (w.text == event.text)
                return;
        m_data.warnings.append(
            {event.stage, event.stage >= 0 ? event.step : -1, event.range.start.line, event.text});
        Q_EMIT buildChanged();
        return;
    }
    case BuildEventKind::BuildDone:
    case BuildEventKind::BuildFailed: {
        const bool done = event.kind == BuildEventKind::BuildDone;
        const bool cancelled = !done && event.errorKind == ErrorKind::Cancelled;
        m_data.state = done        ? ProgressState::Done
                       : cancelled ? ProgressState::Cancelled
                                   : ProgressState::Failed;
        m_data.endedMs = now;
        m_data.durationMs = done ? event.durationMs : now - m_data.startedMs;
        if (done) {
            m_data.imageId = event.text;
        } else {
            m_data.error = event.text;
            m_data.errorKind = event.errorKind;
        }
        // Whatever still runs stops with the build.
        for (StageProgress &stage : m_data.stages)
            if (!done && stage.state == ProgressState::Running) {
                endStage(stage, cancelled ? ProgressState::Cancelled : ProgressState::Failed);
                if (stage.state == ProgressState::Failed && stage.error.isEmpty())
                    stage.state = ProgressState::Cancelled; // stopped because another stage failed
                stage.endedMs = now;
                Q_EMIT stageChanged(stage.index);
            }
        Q_EMIT buildChanged();
        return;
    }
    default: break;
    }

    StageProgress *stage = stageFor(event);
    if (!stage)
        return;
    switch (event.kind) {
    case BuildEventKind::StageQueued:
        stage->name = event.stageName;
        stage->stepCount = std::clamp(event.stepCount, 0, kMaxStepsPerStage);
        stage->range = event.range;
        stage->state = ProgressState::Queued;
        break;
    case BuildEventKind::StageStarted:
        stage->state = ProgressState::Running;
        stage->startedMs = now;
        break;
    case BuildEventKind::StageDone:
    case BuildEventKind::StageCached: {
        // Cached: every layer came from the cache (ARG and the FROM are never cached steps).
        const bool allCached =
            event.kind == BuildEventKind::StageCached || (stage->cachedSteps > 0 && stage->layersMade == 0);
        stage->state = allCached ? ProgressState::Cached : ProgressState::Done;
        stage->endedMs = now;
        stage->durationMs = event.durationMs;
        stage->finishedSteps = stage->stepCount;
        break;
    }
    case BuildEventKind::StageFailed: {
        const bool cancelled = event.errorKind == ErrorKind::Cancelled;
        stage->error = event.text;
        stage->errorKind = event.errorKind;
        endStage(*stage, cancelled ? ProgressState::Cancelled : ProgressState::Failed);
        stage->endedMs = now;
        if (!cancelled && m_data.failedStage < 0)
            m_data.failedStage = stage->index;
        if (!cancelled && stage->currentStep >= 0 && stage->currentStep < stage->steps.size()) {
            StepProgress &failing = stage->steps[stage->currentStep];
            if (!failing.isFinished()) {
                failing.state = ProgressState::Failed;
                failing.error = event.text;
                failing.completedMs = now;
            }
        }
        break;
    }
    case BuildEventKind::StepStarted:
    case BuildEventKind::StepLog:
    case BuildEventKind::StepCached:
    case BuildEventKind::StepDone: {
        StepProgress *step = stepFor(*stage, event);
        if (!step)
            return;
        if (stage->state == ProgressState::Queued)
            stage->state = ProgressState::Running;
        if (event.kind == BuildEventKind::StepStarted) {
            step->state = ProgressState::Running;
            step->startedMs = now;
            step->text = event.text;
            stage->currentStep = event.step;
        } else if (event.kind == BuildEventKind::StepLog) {
            appendLog(*step, event.text);
        } else {
            const bool cached = event.kind == BuildEventKind::StepCached;
            // A result from an imported cache says where it came from in the step's log.
            if (cached && !event.cacheSource.isEmpty() && !step->isFinished())
                appendLog(*step, QStringLiteral("cached, ") + event.cacheSource);
            if (!step->isFinished()) {
                ++stage->finishedSteps;
                if (cached)
                    ++stage->cachedSteps;
                else if (!event.layerDigest.isEmpty() ||
                         makesLayer(step->text.isEmpty() ? event.text : step->text))
                    ++stage->layersMade;
                stage->bytes += event.layerSize;
            }
            step->state = cached ? ProgressState::Cached : ProgressState::Done;
            step->cached = cached;
            if (step->startedMs < 0)
                step->startedMs = now;
            step->completedMs = now;
            step->durationMs = event.durationMs;
            step->layerDigest = event.layerDigest;
            step->layerSize = event.layerSize;
            step->cacheReason = cached ? QString() : event.cacheReason.left(kMaxCacheReason);
        }
        Q_EMIT stepChanged(stage->index, event.step);
        break;
    }
    default: break;
    }
    Q_EMIT stageChanged(stage->index);
}

const StageProgress *BuildProgress::stage(int index) const
{
    const auto it = m_data.stages.constFind(index);
    return it == m_data.stages.cend() ? nullptr : &*it;
}

const StepProgress *BuildProgress::step(int stageIndex, int stepIndex) const
{
    const StageProgress *s = stage(stageIndex);
    if (!s || stepIndex < 0 || stepIndex >= s->steps.size() || s->steps[stepIndex].stage < 0)
        return nullptr;
    return &s->steps[stepIndex];
}

int BuildProgress::failedLine() const
{
    const StageProgress *s = stage(m_data.failedStage);
    if (!s)
        return 0;
    for (const StepProgress &step : s->steps)
        if (step.state == ProgressState::Failed)
            return step.range.start.line;
    return 0;
}

int BuildProgress::totalSteps() const
{
    int total = 0;
    for (const StageProgress &s : m_data.stages)
        total += s.stepCount;
    return total;
}

int BuildProgress::finishedSteps() const
{
    int done = 0;
    for (const StageProgress &s : m_data.stages)
        done += s.finishedSteps;
    return done;
}

QString BuildProgress::describe() const
{
    QStringList parts;
    QString head = progressStateName(m_data.state) + timeText(m_data.startedMs, m_data.endedMs);
    if (!m_data.error.isEmpty())
        head += QStringLiteral(" %1 at line %2: %3")
                    .arg(errorKindName(m_data.errorKind))
                    .arg(failedLine())
                    .arg(m_data.error);
    parts << head;
    for (const StageProgress &s : m_data.stages) {
        QString text = QStringLiteral("stage %1 %2 %3 %4/%5")
                           .arg(s.index)
                           .arg(s.name, progressStateName(s.state))
                           .arg(s.finishedSteps)
                           .arg(s.stepCount) +
                       timeText(s.startedMs, s.endedMs);
        if (s.bytes > 0)
            text += QStringLiteral(" %1B").arg(s.bytes);
        QStringList steps;
        for (const StepProgress &step : s.steps) {
            if (step.stage < 0)
                continue;
            QString t = QStringLiteral("%1:%2 L%3")
                            .arg(step.step)
                            .arg(progressStateName(step.state))
                            .arg(step.range.start.line) +
                        timeText(step.startedMs, step.completedMs);
            if (!step.layerDigest.isEmpty())
                t += QStringLiteral(" layer %1B").arg(step.layerSize);
            if (!step.log.isEmpty())
                t += QStringLiteral(" log %1 \"%2\"").arg(step.log.size()).arg(step.log.last());
            if (step.droppedLines > 0)
                t += QStringLiteral(" dropped %1").arg(step.droppedLines);
            steps << t;
        }
        if (!steps.isEmpty())
            text += QStringLiteral(" [") + steps.join(QStringLiteral(", ")) + QLatin1Char(']');
        parts << text;
    }
    for (const BuildWarningNote &w : m_data.warnings)
        parts << QStringLiteral("warning %1/%2 L%3: %4").arg(w.stage).arg(w.step).arg(w.line).arg(w.text);
    return parts.join(QStringLiteral("; "));
}

QJsonObject BuildProgress::toJson() const
{
    const QDateTime origin =
        m_data.origin.isValid() ? m_data.origin : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);
    const auto at = [&](qint64 ms) { return origin.addMSecs(ms).toString(Qt::ISODateWithMs); };
    QJsonArray vertexes, logs, warnings, stages;
    for (const StageProgress &s : m_data.stages) {
        QString previous;
        for (const StepProgress &step : s.steps) {
            if (step.stage < 0)
                continue;
            const QString digest = vertexDigest(s.index, step.step);
            QJsonObject v;
            v.insert(key("digest"), digest);
            v.insert(key("inputs"), previous.isEmpty() ? QJsonArray() : QJsonArray{previous});
            v.insert(key("name"), QStringLiteral("[%1 %2/%3] %4")
                                      .arg(s.name)
                                      .arg(step.step + 1)
                                      .arg(s.stepCount)
                                      .arg(step.text));
            if (step.startedMs >= 0)
                v.insert(key("started"), at(step.startedMs));
            if (step.completedMs >= 0)
                v.insert(key("completed"), at(step.completedMs));
            if (step.cached)
                v.insert(key("cached"), true);
            if (!step.error.isEmpty())
                v.insert(key("error"), step.error);
            QJsonObject extra;
            extra.insert(key("stage"), s.index);
            extra.insert(key("step"), step.step);
            extra.insert(key("instruction"), step.instruction);
            extra.insert(key("range"), rangeJson(step.range));
            extra.insert(key("text"), step.text);
            extra.insert(key("state"), progressStateName(step.state));
            extra.insert(key("durationMs"), step.durationMs);
            if (!step.layerDigest.isEmpty()) {
                extra.insert(key("layerDigest"), step.layerDigest);
                extra.insert(key("layerSize"), step.layerSize);
            }
            if (step.droppedLines > 0)
                extra.insert(key("droppedLines"), step.droppedLines);
            if (!step.cacheReason.isEmpty())
                extra.insert(key("cacheReason"), step.cacheReason);
            v.insert(key("stagecraft"), extra);
            vertexes.append(v);
            // Like BuildKit's, a log entry is a chunk of output: a thousand lines each keeps
            // a record a fifth the size of an entry per line.
            constexpr qsizetype kLinesPerChunk = 1000;
            for (qsizetype first = 0; first < step.log.size(); first += kLinesPerChunk) {
                const QString chunk =
                    step.log.mid(first, kLinesPerChunk).join(QLatin1Char('\n')) + QLatin1Char('\n');
                QJsonObject l;
                l.insert(key("vertex"), digest);
                l.insert(key("stream"), 1);
                l.insert(key("data"), QString::fromLatin1(chunk.toUtf8().toBase64()));
                // Lines keep no time of their own: the step's start stands for them.
                l.insert(key("timestamp"), at(std::max<qint64>(step.startedMs, 0)));
                logs.append(l);
            }
            previous = digest;
        }
        QJsonObject so;
        so.insert(key("index"), s.index);
        so.insert(key("name"), s.name);
        so.insert(key("range"), rangeJson(s.range));
        so.insert(key("state"), progressStateName(s.state));
        so.insert(key("stepCount"), s.stepCount);
        so.insert(key("currentStep"), s.currentStep);
        so.insert(key("finishedSteps"), s.finishedSteps);
        so.insert(key("cachedSteps"), s.cachedSteps);
        so.insert(key("layersMade"), s.layersMade);
        so.insert(key("bytes"), s.bytes);
        so.insert(key("startedMs"), s.startedMs);
        so.insert(key("endedMs"), s.endedMs);
        so.insert(key("durationMs"), s.durationMs);
        if (!s.error.isEmpty()) {
            so.insert(key("error"), s.error);
            so.insert(key("errorKind"), errorKindName(s.errorKind));
        }
        stages.append(so);
    }
    for (const BuildWarningNote &w : m_data.warnings) {
        QJsonObject o;
        o.insert(key("vertex"), w.stage >= 0 && w.step >= 0 ? vertexDigest(w.stage, w.step) : QString());
        o.insert(key("level"), 1);
        o.insert(key("short"), QString::fromLatin1(w.text.toUtf8().toBase64()));
        QJsonObject extra;
        extra.insert(key("stage"), w.stage);
        extra.insert(key("step"), w.step);
        extra.insert(key("line"), w.line);
        o.insert(key("stagecraft"), extra);
        warnings.append(o);
    }
    QJsonObject build;
    build.insert(key("version"), 1);
    build.insert(key("origin"), origin.toString(Qt::ISODateWithMs));
    build.insert(key("state"), progressStateName(m_data.state));
    build.insert(key("startedMs"), m_data.startedMs);
    build.insert(key("endedMs"), m_data.endedMs);
    build.insert(key("durationMs"), m_data.durationMs);
    build.insert(key("failedStage"), m_data.failedStage);
    if (!m_data.imageId.isEmpty())
        build.insert(key("imageId"), m_data.imageId);
    if (!m_data.error.isEmpty()) {
        build.insert(key("error"), m_data.error);
        build.insert(key("errorKind"), errorKindName(m_data.errorKind));
    }
    build.insert(key("stages"), stages);
    QJsonObject o;
    o.insert(key("vertexes"), vertexes);
    o.insert(key("statuses"), QJsonArray());
    o.insert(key("logs"), logs);
    o.insert(key("warnings"), warnings);
    o.insert(key("stagecraft"), build);
    return o;
}

Expected<void> BuildProgress::fromJson(const QByteArray &json)
{
    if (json.size() > kMaxRecordBytes)
        return fail(QStringLiteral("build record: %1 bytes, more than the %2 a record may have")
                        .arg(json.size())
                        .arg(kMaxRecordBytes));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("build record: not JSON at byte %1: %2")
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    if (!doc.isObject())
        return fail(QStringLiteral("build record: the top level must be an object"));
    return fromJson(doc.object());
}

Expected<void> BuildProgress::fromJson(const QJsonObject &root)
{
    RecordReader r;
    Data data;
    const auto bad = [&r]() -> Expected<void> { return std::unexpected(r.error); };

    QJsonObject build;
    if (!r.object(root, "stagecraft", build))
        return bad();
    if (build.isEmpty())
        return fail(QStringLiteral("build record: no \"stagecraft\" object: only Stagecraft's own records "
                                   "can be read yet"));
    qint64 version = 0;
    if (!r.integer(build, "version", 1, 1, 0, version))
        return bad();
    QString originText;
    if (!r.text(build, "origin", originText))
        return bad();
    data.origin = QDateTime::fromString(originText, Qt::ISODateWithMs);
    if (!data.origin.isValid())
        return fail(QStringLiteral("build record: \"origin\" is not an RFC 3339 time"));
    if (!r.state(build, data.state) || !r.integer(build, "startedMs", -1, kMaxTimeMs, -1, data.startedMs) ||
        !r.integer(build, "endedMs", -1, kMaxTimeMs, -1, data.endedMs) ||
        !r.integer(build, "durationMs", 0, kMaxTimeMs, 0, data.durationMs) ||
        !r.integer(build, "failedStage", -1, kMaxStages - 1, -1, data.failedStage) ||
        !r.text(build, "imageId", data.imageId) || !r.text(build, "error", data.error) ||
        !r.errorKind(build, data.errorKind))
        return bad();

    QJsonArray stages;
    if (!r.array(build, "stages", kMaxStages, stages))
        return bad();
    for (const QJsonValue &value : std::as_const(stages)) {
        if (!value.isObject())
            return fail(QStringLiteral("build record: a stage must be an object"));
        const QJsonObject o = value.toObject();
        StageProgress s;
        if (!r.integer(o, "index", 0, kMaxStages - 1, -1, s.index) || !r.text(o, "name", s.name) ||
            !r.range(o, s.range) || !r.state(o, s.state) ||
            !r.integer(o, "stepCount", 0, kMaxStepsPerStage, 0, s.stepCount) ||
            !r.integer(o, "currentStep", -1, kMaxStepsPerStage - 1, -1, s.currentStep) ||
            !r.integer(o, "finishedSteps", 0, kMaxStepsPerStage, 0, s.finishedSteps) ||
            !r.integer(o, "cachedSteps", 0, kMaxStepsPerStage, 0, s.cachedSteps) ||
            !r.integer(o, "layersMade", 0, kMaxStepsPerStage, 0, s.layersMade) ||
            !r.integer(o, "bytes", 0, std::numeric_limits<qint64>::max() / 2, 0, s.bytes) ||
            !r.integer(o, "startedMs", -1, kMaxTimeMs, -1, s.startedMs) ||
            !r.integer(o, "endedMs", -1, kMaxTimeMs, -1, s.endedMs) ||
            !r.integer(o, "durationMs", 0, kMaxTimeMs, 0, s.durationMs) || !r.text(o, "error", s.error) ||
            !r.errorKind(o, s.errorKind))
            return bad();
        if (s.index < 0)
            return fail(QStringLiteral("build record: a stage has no index"));
        if (data.stages.contains(s.index))
            return fail(QStringLiteral("build record: stage %1 appears twice").arg(s.index));
        data.stages.insert(s.index, s);
    }

    QJsonArray vertexes;
    if (!r.array(root, "vertexes", kMaxVertices, vertexes))
        return bad();
    QHash<QString, std::pair<int, int>> byDigest;
    for (const QJsonValue &value : std::as_const(vertexes)) {
        if (!value.isObject())
            return fail(QStringLiteral("build record: a vertex must be an object"));
        const QJsonObject v = value.toObject();
        QString digest;
        QJsonObject extra;
        if (!r.text(v, "digest", digest) || !r.object(v, "stagecraft", extra))
            return bad();
        if (extra.isEmpty())
            return fail(QStringLiteral("build record: vertex %1 names no stage").arg(digest.left(80)));
        int stageIndex = -1;
        int stepIndex = -1;
        if (!r.integer(extra, "stage", -1, kMaxStages - 1, -1, stageIndex) ||
            !r.integer(extra, "step", 0, kMaxStepsPerStage - 1, -1, stepIndex))
            return bad();
        auto stageIt = data.stages.find(stageIndex);
        if (stageIt == data.stages.end())
            return fail(
                QStringLiteral("build record: vertex %1 names stage %2, which the record does not have")
                    .arg(digest.left(80))
                    .arg(stageIndex));
        if (stepIndex < 0)
            return fail(QStringLiteral("build record: vertex %1 has no step").arg(digest.left(80)));
        StageProgress &s = *stageIt;
        if (s.steps.size() <= stepIndex)
            s.steps.resize(stepIndex + 1);
        StepProgress &step = s.steps[stepIndex];
        step.stage = stageIndex;
        step.step = stepIndex;
        if (!r.time(v, "started", data.origin, step.startedMs) ||
            !r.time(v, "completed", data.origin, step.completedMs) || !r.boolean(v, "cached", step.cached) ||
            !r.text(v, "error", step.error) ||
            !r.integer(extra, "instruction", -1, 10000000, -1, step.instruction) ||
            !r.range(extra, step.range) || !r.text(extra, "text", step.text) || !r.state(extra, step.state) ||
            !r.integer(extra, "durationMs", 0, kMaxTimeMs, 0, step.durationMs) ||
            !r.text(extra, "layerDigest", step.layerDigest) ||
            !r.text(extra, "cacheReason", step.cacheReason) ||
            !r.integer(extra, "layerSize", 0, std::numeric_limits<qint64>::max() / 2, 0, step.layerSize) ||
            !r.integer(extra, "droppedLines", 0, std::numeric_limits<qint64>::max() / 2, 0,
                       step.droppedLines))
            return bad();
        step.cacheReason.truncate(kMaxCacheReason);
        byDigest.insert(digest, {stageIndex, stepIndex});
    }

    QJsonArray logs;
    if (!r.array(root, "logs", qsizetype(kMaxVertices) * kMaxLogLines, logs))
        return bad();
    for (const QJsonValue &value : std::as_const(logs)) {
        if (!value.isObject())
            return fail(QStringLiteral("build record: a log entry must be an object"));
        const QJsonObject l = value.toObject();
        QString vertex, encoded;
        if (!r.text(l, "vertex", vertex) || !r.text(l, "data", encoded))
            return bad();
        const auto it = byDigest.constFind(vertex);
        if (it == byDigest.cend())
            return fail(QStringLiteral("build record: a log names vertex %1, which the record does not have")
                            .arg(vertex.left(80)));
        const auto decoded =
            QByteArray::fromBase64Encoding(encoded.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(QStringLiteral("build record: a log's data is not base64"));
        // A chunk of lines; one that ends inside a line counts its rest as a line too.
        QString chunk = QString::fromUtf8(*decoded);
        if (chunk.endsWith(QLatin1Char('\n')))
            chunk.chop(1);
        StepProgress &step = data.stages[it->first].steps[it->second];
        for (const QString &line : chunk.split(QLatin1Char('\n')))
            appendLog(step, line);
    }

    QJsonArray warnings;
    if (!r.array(root, "warnings", kMaxVertices, warnings))
        return bad();
    for (const QJsonValue &value : std::as_const(warnings)) {
        if (!value.isObject())
            return fail(QStringLiteral("build record: a warning must be an object"));
        const QJsonObject w = value.toObject();
        QString encoded;
        QJsonObject extra;
        BuildWarningNote note;
        if (!r.text(w, "short", encoded) || !r.object(w, "stagecraft", extra) ||
            !r.integer(extra, "stage", -1, kMaxStages - 1, -1, note.stage) ||
            !r.integer(extra, "step", -1, kMaxStepsPerStage - 1, -1, note.step) ||
            !r.integer(extra, "line", 0, 10000000, 0, note.line))
            return bad();
        const auto decoded =
            QByteArray::fromBase64Encoding(encoded.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return fail(QStringLiteral("build record: a warning's text is not base64"));
        note.text = QString::fromUtf8(*decoded);
        data.warnings.append(note);
    }

    m_data = std::move(data);
    Q_EMIT cleared();
    for (const StageProgress &s : std::as_const(m_data.stages))
        Q_EMIT stageChanged(s.index);
    Q_EMIT buildChanged();
    return {};
}

QList<BuildEvent> BuildProgress::toEvents() const
{
    QList<BuildEvent> events;
    if (m_data.state == ProgressState::Idle)
        return events;
    const qint64 buildStart = std::max<qint64>(m_data.startedMs, 0);
    for (const StageProgress &s : m_data.stages) {
        BuildEvent base;
        base.stage = s.index;
        base.stageName = s.name;
        base.stepCount = s.stepCount;
        const auto event = [&](BuildEventKind kind, qint64 at) {
            BuildEvent e = base;
            e.kind = kind;
            e.timeMs = std::max(at, buildStart);
            return e;
        };
        BuildEvent queued = event(BuildEventKind::StageQueued, buildStart);
        queued.range = s.range;
        events.append(queued);
        if (s.startedMs >= 0)
            events.append(event(BuildEventKind::StageStarted, s.startedMs));
        for (const StepProgress &step : s.steps) {
            if (step.stage < 0)
                continue;
            const auto stepEvent = [&](BuildEventKind kind, qint64 at) {
                BuildEvent e = event(kind, at);
                e.step = step.step;
                e.instruction = step.instruction;
                e.range = step.range;
                return e;
            };
            const bool ended = step.isFinished() || step.state == ProgressState::Failed ||
                               step.state == ProgressState::Cancelled;
            if (step.startedMs < 0 && !ended)
                continue;
            const qint64 started = step.startedMs >= 0 ? step.startedMs : step.completedMs;
            BuildEvent start = stepEvent(BuildEventKind::StepStarted, started);
            start.text = step.text;
            events.append(start);
            for (const QString &line : step.log) {
                BuildEvent log = stepEvent(BuildEventKind::StepLog, started);
                log.text = line;
                events.append(log);
            }
            if (step.isFinished()) {
                BuildEvent done =
                    stepEvent(step.cached ? BuildEventKind::StepCached : BuildEventKind::StepDone,
                              std::max(step.completedMs, started));
                done.durationMs = step.durationMs;
                done.layerDigest = step.layerDigest;
                done.layerSize = step.layerSize;
                done.cacheReason = step.cacheReason;
                events.append(done);
            }
        }
        const qint64 ended = s.endedMs >= 0 ? s.endedMs : std::max(s.startedMs, buildStart);
        if (s.state == ProgressState::Done || s.state == ProgressState::Cached) {
            BuildEvent done = event(s.state == ProgressState::Cached ? BuildEventKind::StageCached
                                                                     : BuildEventKind::StageDone,
                                    ended);
            done.durationMs = s.durationMs;
            events.append(done);
        } else if (!s.error.isEmpty()) {
            BuildEvent failed = event(BuildEventKind::StageFailed, ended);
            failed.text = s.error;
            failed.errorKind = s.errorKind;
            events.append(failed);
        }
    }
    for (const BuildWarningNote &w : m_data.warnings) {
        BuildEvent e;
        e.kind = BuildEventKind::BuildWarning;
        e.stage = w.stage;
        e.step = std::max(w.step, 0);
        e.range.start.line = w.line;
        e.text = w.text;
        const StepProgress *at = step(w.stage, w.step);
        e.timeMs = at && at->startedMs >= 0 ? at->startedMs : buildStart;
        if (const StageProgress *s = stage(w.stage)) {
            e.stageName = s->name;
            e.stepCount = s->stepCount;
        }
        events.append(e);
    }
    if (m_data.state == ProgressState::Done || m_data.state == ProgressState::Failed ||
        m_data.state == ProgressState::Cancelled) {
        BuildEvent end;
        end.kind =
            m_data.state == ProgressState::Done ? BuildEventKind::BuildDone : BuildEventKind::BuildFailed;
        end.timeMs = m_data.endedMs >= 0 ? m_data.endedMs : buildStart;
        end.durationMs = m_data.durationMs;
        end.text = m_data.state == ProgressState::Done ? m_data.imageId : m_data.error;
        end.errorKind = m_data.errorKind;
        events.append(end);
    }
    // Time order across stages, each stage's own order kept where times tie.
    std::stable_sort(events.begin(), events.end(),
                     [](const BuildEvent &a, const BuildEvent &b) { return a.timeMs < b.timeMs; });
    return events;
}

} // namespace stagecraft
