// The stages of a Dockerfile and how they depend on each other: FROM <stage>,
// COPY/ADD --from and RUN --mount=from= edges, external images, the target's needs and
// the levels of stages that can build in parallel. Computed on every keystroke.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct PlanOptions
{
    QString target;                                   // stage name or index; empty: the last stage
    QHash<QString, QString> buildArgs;                // --build-arg K=V
    QString platform = QStringLiteral("linux/amd64"); // TARGETPLATFORM / BUILDPLATFORM
};

struct Stage
{
    int index = 0;
    QString name;             // lower-cased as BuildKit does; empty for an unnamed stage
    QString base;             // FROM reference after ARG expansion; a stage's name when it builds on one
    QString platform;         // --platform after expansion, empty when not given
    int baseStage = -1;       // index of the stage it builds on, or -1 (external image or scratch)
    int fromInstruction = -1; // index into Dockerfile::instructions
    int lastInstruction = -1; // last instruction of the stage (inclusive)
    SourceRange range;        // from the FROM keyword to the end of the stage's last instruction
    SourceRange fromRange;    // the FROM instruction
    int stepCount = 0;        // instructions after FROM
    bool needed = true;       // whether building the target needs this stage
    QString notNeededReason;  // "not needed by target `final`" when !needed

    bool isScratch() const { return base == QLatin1String("scratch") && baseStage < 0; }
    QString displayName() const { return name.isEmpty() ? QString::number(index) : name; }
};

enum class EdgeKind { From, Copy, Mount };

// An edge from a stage or an external image into a stage.
struct Edge
{
    int fromStage = -1; // source stage, or -1 when the source is the external image below
    QString fromImage;  // external image reference (e.g. "golang:1.21") when fromStage < 0
    int toStage = -1;
    EdgeKind kind = EdgeKind::From;
    QStringList paths;    // what a COPY/ADD --from copies (sources), for labels
    int instruction = -1; // index into Dockerfile::instructions of the line making the edge
    SourceRange range;

    bool isExternal() const { return fromStage < 0; }
};

class StageGraph
{
public:
    static StageGraph fromDockerfile(const Dockerfile &dockerfile, const PlanOptions &options = {});

    QList<Stage> stages;
    QStringList externalImages; // distinct external references in first-use order ("scratch" excluded)
    QList<Edge> edges;
    int target = -1;          // index of the target stage, -1 when there is no stage
    QList<QList<int>> levels; // stage indexes that can build in parallel, in build order (needed stages only)
    Diagnostics diagnostics;  // unknown/forward references, cycles, bad target, …

    int
    stageIndex(const QString &nameOrIndex) const; // -1 when unknown; a duplicated name: the last such stage
    int stageAt(int line) const;                  // stage containing a 1-based line, or -1
};

} // namespace stagecraft
