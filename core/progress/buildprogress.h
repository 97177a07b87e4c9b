// The whole state of one build (stages, steps with their logs, warnings, the outcome) made
// from its build events, for the window, `stagecraft build` and build records alike: live
// events, replayed events and a record read back all give the same model. Steps resemble
// BuildKit's SolveStatus vertices (digest-like id, name, started, completed, cached, error),
// so an engine that reads BuildKit's progress can feed the same model.
#pragma once

#include "core/builder/buildevent.h"
#include "core/common/error.h"
#include "core/common/sourcerange.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

namespace stagecraft {

enum class ProgressState { Idle, Queued, Running, Cached, Done, Failed, Cancelled };

QString progressStateName(ProgressState state);

struct StepProgress
{
    int stage = -1;
    int step = 0;         // 1-based within the stage (0: the FROM), as BuildEvent counts
    int instruction = -1; // index into Dockerfile::instructions
    SourceRange range;
    QString text; // the instruction
    ProgressState state = ProgressState::Queued;
    bool cached = false;
    qint64 startedMs = -1; // ms since the build started; -1: not yet
    qint64 completedMs = -1;
    qint64 durationMs = 0;
    QString layerDigest;
    qint64 layerSize = 0;
    QString cacheReason;     // a step that ran: why the cache did not have it
    QStringList log;         // the last lines of output (BuildProgress::kMaxLogLines)
    qint64 droppedLines = 0; // older lines the bound let go
    QString error;

    bool isFinished() const { return state == ProgressState::Cached || state == ProgressState::Done; }
};

struct StageProgress
{
    int index = -1;
    QString name;
    SourceRange range;
    ProgressState state = ProgressState::Queued;
    int stepCount = 0;    // FROM included
    int currentStep = -1; // the step started last
    int finishedSteps = 0;
    int cachedSteps = 0;
    int layersMade = 0; // layers this build wrote (not taken from the cache)
    qint64 bytes = 0;   // the layers' sizes, cached or made
    qint64 startedMs = -1;
    qint64 endedMs = -1;
    qint64 durationMs = 0;
    QString error;
    ErrorKind errorKind = ErrorKind::Failed;
    QList<StepProgress> steps; // by step number; gaps are steps not yet seen (stage -1)
};

struct BuildWarningNote
{
    int stage = -1;
    int step = -1;
    int line = 0;
    QString text;
};

class BuildProgress : public QObject
{
    Q_OBJECT

public:
    // Bounds that keep a noisy build or a hostile record from exhausting memory.
    // Per step; past it the oldest tenth is dropped at once, so 9,000 to 10,000 lines stay.
    static constexpr int kMaxLogLines = 10000;
    static constexpr qint64 kMaxRecordBytes = 64 * 1024 * 1024; // fromJson's input
    static constexpr int kMaxVertices = 100000;                 // steps in one record
    static constexpr int kMaxStages = 10000;
    static constexpr int kMaxStepsPerStage = 10000;
    static constexpr int kMaxCacheReason = 4096; // characters of a step's cache reason

    explicit BuildProgress(QObject *parent = nullptr);

    // Forgets the build shown (emits cleared()).
    void clear();
    // One event of the build; events that name no stage the model can hold are ignored.
    void apply(const BuildEvent &event);
    // clear(), then every event in order: a recorded build shown again. `origin`, when
    // valid, is the wall-clock time the events' times count from (else now).
    void replay(const QList<BuildEvent> &events, const QDateTime &origin = {});

    ProgressState state() const { return m_data.state; }
    QString error() const { return m_data.error; }
    ErrorKind errorKind() const { return m_data.errorKind; }
    // The line of the step that failed the build (0: none).
    int failedLine() const;
    QString imageId() const { return m_data.imageId; }
    qint64 durationMs() const { return m_data.durationMs; }
    QList<int> stageIndexes() const { return m_data.stages.keys(); }
    const StageProgress *stage(int index) const;
    const StepProgress *step(int stage, int step) const;
    QList<BuildWarningNote> warnings() const { return m_data.warnings; }
    int totalSteps() const;
    int finishedSteps() const;
    // Wall-clock time of the build's start, against which records write timestamps.
    QDateTime origin() const { return m_data.origin; }

    // The model as one line of text, for tests and logs.
    QString describe() const;

    // BuildKit's SolveStatus form (vertexes, statuses, logs, warnings), with what BuildKit
    // has no field for under "stagecraft" keys; fromJson reads it back, refusing input over
    // the bounds above or of the wrong shape with an error and leaving the model unchanged.
    QJsonObject toJson() const;
    Expected<void> fromJson(const QByteArray &json);
    // The same from a document already parsed (a build record holds the form inside it).
    Expected<void> fromJson(const QJsonObject &root);

    // Events that, replayed, rebuild this state (stages, steps with their times, logs,
    // layers, the outcome) in time order: a record read back is shown in the window
    // through the same path as a live build. Lines the log bound dropped stay dropped.
    QList<BuildEvent> toEvents() const;

    static QString vertexDigest(int stage, int step);

Q_SIGNALS:
    void cleared();
    void stageChanged(int stage);
    void stepChanged(int stage, int step);
    // The build-wide state, error or warnings changed.
    void buildChanged();

private:
    struct Data
    {
        ProgressState state = ProgressState::Idle;
        QString error;
        ErrorKind errorKind = ErrorKind::Failed;
        int failedStage = -1;
        QString imageId;
        qint64 startedMs = -1;
        qint64 endedMs = -1;
        qint64 durationMs = 0;
        QDateTime origin;
        QMap<int, StageProgress> stages;
        QList<BuildWarningNote> warnings;
    };

    StageProgress *stageFor(const BuildEvent &event);
    StepProgress *stepFor(StageProgress &stage, const BuildEvent &event);
    void endStage(StageProgress &stage, ProgressState state);
    static void appendLog(StepProgress &step, const QString &line);

    Data m_data;
};

} // namespace stagecraft
