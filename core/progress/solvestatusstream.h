// BuildKit's raw JSON progress (`buildctl build --progress=rawjson`, `docker buildx build
// --progress=rawjson`, `docker buildx history logs --progress rawjson`) turned into our build
// events, so a build that ran elsewhere shows on the graph. The log is one SolveStatus object
// per line; a vertex comes again each time it changes (started, then completed, cached or an
// error), so vertices are kept by digest and only their changes become events. A vertex maps
// to its stage and Dockerfile line by its name's "[stage i/n]" prefix ("[i/n]" for a lone
// unnamed stage, "stage-N" for an unnamed one of several) read against the Dockerfile's plan;
// "[internal] …" and other vertices without a step are counted and left out. Where BuildKit's
// provenance gave each vertex digest its Dockerfile lines (setSourceLines), those win over the
// name. The log may also be pretty-printed (`jq .` of it): objects are read however they are
// spread over lines.
#pragma once

#include "core/builder/buildevent.h"
#include "core/common/error.h"
#include "core/plan/buildplan.h"
#include "core/progress/buildprogress.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

namespace stagecraft {

class SolveStatusStream
{
public:
    static constexpr qint64 kMaxLogBytes = 256 * 1024 * 1024; // read()'s whole input
    static constexpr qsizetype kMaxLineBytes = 16 * 1024 * 1024;
    static constexpr int kMaxVertices = 100000;
    static constexpr qsizetype kMaxPartialLine = 64 * 1024; // a log line past it is cut

    explicit SolveStatusStream(const BuildPlan &plan);

    // Vertex digest -> first Dockerfile line of its instruction (BuildKitProvenance): a vertex
    // named there goes to the step whose instruction starts on that line.
    void setSourceLines(const QHash<QString, int> &firstLineByDigest) { m_sourceLines = firstLineByDigest; }

    // One line of the log: the events its changes make. A line that is not JSON is an error
    // naming it; an empty line or one that is plainly not progress (no '{') is skipped.
    Expected<QList<BuildEvent>> feed(QByteArrayView line);
    // The end of the log: any partial log lines, then the build's outcome (failed when a
    // step failed or the log stops before every stage it started finished).
    QList<BuildEvent> finish();

    // The wall-clock time events are counted from (the earliest time in the log).
    QDateTime origin() const;
    int vertexCount() const { return int(m_vertices.size()); }
    int unmappedVertices() const { return m_unmapped; }
    int verticesMappedByLine() const { return m_byLine; }

    // A whole log read at once into `into` (cleared first), its times counted from the
    // log's earliest. Events go straight into the model, whose bounds keep a log of a
    // million output lines from becoming a million events in memory.
    static Expected<void> read(const QByteArray &log, const BuildPlan &plan, BuildProgress &into,
                               const QHash<QString, int> &sourceLines = {});
    // The top-level JSON objects of `log`, however they are spread over lines, each as a view
    // into it; text between them (a "WARNING: …" line) is left out. An object that does not
    // close runs to the end (and fails to parse there).
    static QList<QByteArrayView> objects(QByteArrayView log);

private:
    struct Vertex
    {
        int stage = -1; // -1: no step of ours ([internal], a pull, an unknown name)
        int step = -1;
        int llbIndex = 0; // i of "[stage i/n]"
        bool started = false;
        bool finished = false;
        qint64 startedMs = -1;
        QByteArray partial; // output after the last newline
    };
    struct StageRun
    {
        bool started = false;
        bool ended = false;
        bool failed = false;
        int llbTotal = 0;    // n of "[stage i/n]"
        bool anyRan = false; // a step that was not cached
        qint64 startedMs = 0;
    };

    void mapVertex(Vertex &vertex, const QString &name) const;
    bool mapByLine(Vertex &vertex, int line) const;
    BuildEvent stageEvent(BuildEventKind kind, int stage, qint64 timeMs) const;
    BuildEvent stepEvent(BuildEventKind kind, const Vertex &vertex, qint64 timeMs) const;
    void startStage(int stage, qint64 timeMs, QList<BuildEvent> &out);
    void endStage(int stage, qint64 timeMs, QList<BuildEvent> &out);
    void emitLines(Vertex &vertex, qint64 timeMs, bool flush, QList<BuildEvent> &out) const;
    qint64 relative(qint64 epochMs);

    const BuildPlan &m_plan;
    QHash<QString, Vertex> m_vertices;
    QHash<int, StageRun> m_stages;
    qint64 m_originMs = -1;
    qint64 m_lastMs = 0;
    int m_unmapped = 0;
    int m_byLine = 0;
    QHash<QString, int> m_sourceLines;
    QString m_error; // the first step error, the build's
    int m_lines = 0;
};

} // namespace stagecraft
