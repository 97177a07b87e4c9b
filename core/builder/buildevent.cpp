#include "core/builder/buildevent.h"

namespace stagecraft {

QString buildEventKindName(BuildEventKind kind)
{
    switch (kind) {
    case BuildEventKind::StageQueued: return QStringLiteral("StageQueued");
    case BuildEventKind::StageStarted: return QStringLiteral("StageStarted");
    case BuildEventKind::StageCached: return QStringLiteral("StageCached");
    case BuildEventKind::StageDone: return QStringLiteral("StageDone");
    case BuildEventKind::StageFailed: return QStringLiteral("StageFailed");
    case BuildEventKind::StepStarted: return QStringLiteral("StepStarted");
    case BuildEventKind::StepLog: return QStringLiteral("StepLog");
    case BuildEventKind::StepCached: return QStringLiteral("StepCached");
    case BuildEventKind::StepDone: return QStringLiteral("StepDone");
    case BuildEventKind::BuildDone: return QStringLiteral("BuildDone");
    case BuildEventKind::BuildFailed: return QStringLiteral("BuildFailed");
    case BuildEventKind::BuildWarning: return QStringLiteral("BuildWarning");
    }
    return {};
}

QJsonObject BuildEvent::toJson() const
{
    QJsonObject o;
    o.insert(QStringLiteral("kind"), buildEventKindName(kind));
    if (stage >= 0) {
        o.insert(QStringLiteral("stage"), stage);
        o.insert(QStringLiteral("stageName"), stageName);
        o.insert(QStringLiteral("step"), step);
        o.insert(QStringLiteral("stepCount"), stepCount);
    }
    if (instruction >= 0) {
        o.insert(QStringLiteral("instruction"), instruction);
        o.insert(QStringLiteral("line"), range.start.line);
        o.insert(QStringLiteral("endLine"), range.end.line);
    }
    if (!text.isEmpty())
        o.insert(QStringLiteral("text"), text);
    if (!layerDigest.isEmpty()) {
        o.insert(QStringLiteral("layerDigest"), layerDigest);
        o.insert(QStringLiteral("layerSize"), layerSize);
    }
    if (!cacheReason.isEmpty())
        o.insert(QStringLiteral("cacheReason"), cacheReason);
    if (!cacheSource.isEmpty())
        o.insert(QStringLiteral("cacheSource"), cacheSource);
    if ((kind == BuildEventKind::StageFailed || kind == BuildEventKind::BuildFailed) &&
        errorKind == ErrorKind::Cancelled)
        o.insert(QStringLiteral("cancelled"), true);
    if (kind == BuildEventKind::StepDone || kind == BuildEventKind::StageDone ||
        kind == BuildEventKind::BuildDone)
        o.insert(QStringLiteral("durationMs"), durationMs);
    if (timeMs >= 0)
        o.insert(QStringLiteral("timeMs"), timeMs);
    return o;
}

} // namespace stagecraft
