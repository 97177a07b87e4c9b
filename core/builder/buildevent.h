// One thing that happened during a build (a stage queued, a step's output line, a
// layer written), delivered to a sink from the builder's worker threads.
#pragma once

#include "core/common/error.h"
#include "core/common/sourcerange.h"

#include <QJsonObject>
#include <QString>

#include <functional>

namespace stagecraft {

enum class BuildEventKind {
    StageQueued,
    StageStarted,
    StageCached,
    StageDone,
    StageFailed,
    StepStarted,
    StepLog,
    StepCached,
    StepDone,
    BuildDone,
    BuildFailed,
    // Something the user should know that does not stop the build (RUN fell back to the
    // host's network); each text comes once per build, with the step it first concerned.
    BuildWarning,
};

struct BuildEvent
{
    BuildEventKind kind = BuildEventKind::StepLog;
    int stage = -1;       // stage index, -1 for build-wide events
    QString stageName;    // display name ("build", "1")
    int step = 0;         // 1-based step within the stage (0: the FROM)
    int stepCount = 0;    // steps of the stage, FROM included
    int instruction = -1; // index into Dockerfile::instructions
    SourceRange range;
    QString text;        // the instruction, a log line, an error or a warning
    QString layerDigest; // StepDone of a step that made a layer
    qint64 layerSize = 0;
    // StepDone of a step the cache did not have: why, in one line ("main.go modified",
    // "--no-cache"); core/builder/cacheexplanation.h.
    QString cacheReason;
    QString cacheSource; // StepCached from an imported cache: where from ("from the kit")
    qint64 durationMs = 0;
    // When it happened, in ms since the build started: the builder stamps every event as it
    // emits it, so a replay of recorded events reproduces the build's times. -1: not stamped.
    qint64 timeMs = -1;
    ErrorKind errorKind = ErrorKind::Failed; // StageFailed, BuildFailed: Cancelled when cancelled

    QJsonObject toJson() const;
};

QString buildEventKindName(BuildEventKind kind);

// Called from worker threads; the builder serialises calls.
using BuildEventSink = std::function<void(const BuildEvent &)>;

} // namespace stagecraft
