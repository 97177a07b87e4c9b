// Reads BuildKit's plain progress (`docker build --progress=plain`) into the build events
// the embedded builder emits, so BuildProgress and the window show a Docker build as they
// show their own: each vertex "#5 [build 2/6] RUN …" is mapped through the stage graph to
// its stage, step and Dockerfile line. BuildKit prints no vertex for metadata steps (ENV,
// LABEL, …), one vertex for a step several stages share, and cached vertices in any
// order; steps it does not name are filled in as the stage moves past them (the FROM once
// a later step starts, metadata once the step before it ends, the rest when the stage
// or the build ends), and corrected when their vertex shows up late. The output comes from an engine: lines,
// vertices and messages are bounded and anything unrecognised is ignored.
#pragma once

#include "core/builder/buildevent.h"
#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace stagecraft {

class PlainProgressParser
{
public:
    static constexpr qsizetype kMaxLineBytes = 16 * 1024; // longer lines are cut
    static constexpr int kMaxVertices = 10000;            // more are ignored
    static constexpr qsizetype kMaxErrorChars = 8 * 1024; // the final error message

    enum class Outcome { Succeeded, Failed, Cancelled };

    // `dockerfileName` names the file in error messages ("Dockerfile:12: …").
    PlainProgressParser(std::shared_ptr<const Dockerfile> dockerfile, StageGraph graph, BuildEventSink sink,
                        QString dockerfileName = QStringLiteral("Dockerfile"));

    // StageQueued for every stage the target needs, as the embedded builder starts.
    void begin();
    // Output as it arrives, in pieces of any size.
    void feed(QByteArrayView bytes);
    // The output ended. Succeeded: stages BuildKit left unnamed are completed. Failed: the
    // failing step (from its ERROR line, the error block or the Dockerfile:N excerpt) is
    // failed and BuildFailed emitted with the engine's message, or `fallbackError` when it
    // printed none. Cancelled: running stages end cancelled and BuildFailed (Cancelled).
    void finish(Outcome outcome, const QString &fallbackError = {});

    // The engine's final error ("failed to solve: …"), without the "ERROR: " prefix.
    QString errorMessage() const;
    // The line of the Dockerfile excerpt in the error block (0: none).
    int errorLine() const { return m_errorLine; }
    // Steps seen or filled in so far, and those of them cached.
    int steps() const;
    int cachedSteps() const;

private:
    enum class StepState { Unseen, Running, Done, Cached, Failed };

    struct StageTrack
    {
        QString name;
        QList<int> opSteps; // steps BuildKit makes a vertex of (FROM, RUN, COPY, ADD, WORKDIR)
        QList<StepState> states;
        QList<bool> filled; // no vertex named the step (yet): its state was inferred
        bool needed = false;
        bool started = false;
        bool ended = false;
    };

    struct Vertex
    {
        QString name;
        int stage = -1;
        int step = -1;
        bool finished = false;
    };

    void parseLine(const QString &line);
    void parseVertexLine(int number, const QString &rest);
    void parseErrorText(const QString &line);
    Vertex *vertex(int number, const QString &header);
    void mapStep(const QString &header, int *stage, int *step) const;
    int stageNamed(const QString &name) const;

    BuildEvent stepEvent(int stage, int step, BuildEventKind kind) const;
    void startStage(int stage);
    void startStep(int stage, int step);
    void finishStep(int stage, int step, bool cached, qint64 durationMs);
    void fillStep(int stage, int step, StepState state);
    void fillAfter(int stage, int step);
    bool allOpsFinished(int stage) const;
    void completeStage(int stage);
    void failStep(int stage, int step, const QString &message);
    void cancelStage(int stage);
    void emitEvent(const BuildEvent &event) const;

    std::shared_ptr<const Dockerfile> m_dockerfile;
    StageGraph m_graph;
    BuildEventSink m_sink;
    QString m_dockerfileName;
    QList<StageTrack> m_stages;
    QHash<int, Vertex> m_vertices;

    QByteArray m_pending;
    bool m_discarding = false; // the rest of a line past kMaxLineBytes
    bool m_inErrorBlock = false;
    bool m_inExcerpt = false;
    QString m_blockVertex; // " > [stage 3/4] RUN …:" of the error block
    int m_errorLine = 0;
    QString m_finalError;   // "ERROR: …" after the blocks
    QStringList m_trailing; // other text outside vertices (older engines print the error bare)
    QString m_vertexError;  // the first "#N ERROR: …" of a vertex that is no step
    bool m_failed = false;  // a step failed already
};

} // namespace stagecraft
