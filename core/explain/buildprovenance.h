// A finished build read to follow a file of its images back through the stages: the plan
// of the text built, each step's layer from the build's progress, and each stage's layers
// (its base's, then its steps') read from the store once. `stagecraft why --record` and the
// window's "Where Did This Come From?" ask it the same question, so the answer is made here.
#pragma once

#include "core/analysis/fileprovenance.h"
#include "core/plan/buildplan.h"
#include "core/progress/buildprogress.h"
#include "core/progress/buildrecord.h"

#include <QHash>

#include <optional>

namespace stagecraft {

class ImageStore;

// Why a trace has no chain, or a shorter one than the file's history.
enum class ProvenanceGap {
    None,
    RecordUnreadable, // the build's progress cannot be read
    Removed,          // the image no longer holds the path
    OtherBuild,       // no step of this build and no base image of the stage made the layer
};

// A link of the chain with where it is in the built text.
struct TracedLink
{
    ProvenanceLink link;
    int stageIndex = -1; // in the plan; -1 for an image a COPY --from named
    // The step's lines; a file the stage's base image holds (no instruction): its FROM line.
    int line = 0;
    int endLine = 0;
    bool fromBaseImage() const { return link.step.instruction.isEmpty(); }
};

struct ProvenanceTrace
{
    QList<TracedLink> links; // the step that wrote the kept version first, its sources after
    ProvenanceGap gap = ProvenanceGap::None;
    int layer = -1; // the image's layer that holds the kept version

    QString problem() const; // English, for the command line; empty without a gap
    QList<ProvenanceLink> chain() const;
};

class BuildProvenance
{
public:
    BuildProvenance(const BuildRecord &record, const ImageStore *store);

    const BuildPlan &plan() const { return m_plan; }
    // A stage by its display name, lower-cased name or index; -1 for none (an image).
    int stageIndex(const QString &name) const;

    // The step whose layer is `digest`, or nullopt.
    std::optional<ProvenanceStep> stepWithLayer(const QString &digest) const;
    // The step whose layer wrote `path` in `stage`'s filesystem; nullopt when its base
    // image did, or the stage cannot be read.
    std::optional<ProvenanceStep> writer(const QString &stage, const QString &path);
    bool exists(const QString &stage, const QString &path);

    // Follows `origin` (a path of `analysis`, which is `stage`'s image of this build; empty:
    // the target's) back to the step that wrote it. A file the stage's base image holds is a
    // single link without an instruction.
    ProvenanceTrace trace(const ImageAnalysis &analysis, const FileOrigin &origin, const QString &stage = {});

private:
    struct Layers
    {
        FileTree tree;
        QList<std::optional<ProvenanceStep>> steps; // per layer: the step that made it
        QList<QString> digests;
    };

    ProvenanceStep step(int stage, int number) const;
    const Layers *layersOf(const QString &stageName);
    bool collect(const QString &stageName, Layers &layers, int depth);
    TracedLink traced(const ProvenanceLink &link) const;

    const ImageStore *m_store;
    BuildPlan m_plan;
    BuildProgress m_progress;
    bool m_progressRead = true;
    QHash<QString, std::optional<Layers>> m_layers;
};

} // namespace stagecraft
