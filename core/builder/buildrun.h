// One build of a Dockerfile (Builder::build), shared by the files the builder is split
// into: the scheduler in buildrun.cpp runs the stages level by level, a thread a stage;
// runStep in buildstep.cpp takes any step through the cache; each kind of instruction has
// its own file (metadatainstructions.cpp, runinstruction.cpp, copyinstruction.cpp), and so
// have the step cache, the layer directories and the images stages start from. Internal
// to core/builder.
#pragma once

#include "core/builder/builder.h"
#include "core/builder/cacheexplanation.h"
#include "core/context/buildcontext.h"
#include "core/dockerfile/dockerfile.h"
#include "core/exec/sandbox.h"
#include "core/oci/layerwriter.h"
#include "core/plan/buildplan.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <atomic>
#include <mutex>
#include <optional>
#include <utility>

namespace stagecraft {

class LayerTree;
class Rootfs;
struct CopyJob;

// The hex SHA-256 of `text`: cache keys and cache-mount directory names.
inline QString sha256Hex(const QString &text)
{
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// The name of an environment entry "NAME=value".
inline QString envName(const QString &entry)
{
    return entry.section(QLatin1Char('='), 0, 0);
}

// The state of a stage after a step: what the next step builds on.
struct StageState
{
    ImageConfig config;
    QList<Descriptor> layers;
    QString key; // cache chain key
    // The step whose change this build made the key differ from the last one's ("[build
    // 3/5] COPY a.txt /a.txt"): why the steps after it miss the cache too. Empty when the
    // state came from the cache.
    QString changedBy;
};

// What a step's instruction made of it before the cache is asked: the history text, the
// other inputs of its cache key and, for COPY, ADD and WORKDIR, the entries of its layer.
struct StepWork
{
    QString createdBy;
    QString keyExtra;
    bool makesLayer = false;
    bool linked = false; // COPY/ADD --link: a layer independent of the ones below
    QList<LayerSourceEntry> entries;
    std::optional<QTemporaryDir> scratch; // downloads and extracted archive members of COPY/ADD
    // The key's inputs are known but not the layer's entries: a COPY/ADD/WORKDIR whose
    // key did not need the stage's files, prepared again in full only when it must run.
    bool deferred = false;
};

class BuildRun
{
public:
    BuildRun(Builder &builder, const BuildRequest &request, const BuildEventSink &sink,
             const CancellationToken &cancel)
        : m_builder(builder)
        , m_request(request)
        , m_sink(sink)
        , m_userCancel(cancel)
    {}

    Expected<BuildResult> run();

private:
    // Where a step is and what it says, for its events, errors and a failed-step shell.
    struct StepPlace
    {
        int stage = 0;
        QString text; // the instruction as written
        SourceRange range;
        BuildEvent base; // stage, step and instruction filled in
    };

    // The scheduler (buildrun.cpp).
    Expected<void> load();
    void queueStages();
    Expected<void> buildLevels();
    Expected<BuildResult> writeImage(const QElapsedTimer &timer);
    Expected<StageState> buildStage(int index);
    Expected<StageState> startStage(const Stage &stage, const BuildEvent &base);
    // `diagnostics` are where `scope` reports; `triggerTexts` gets the ONBUILD triggers' text.
    Expected<QList<PlanStep>> readStage(int index, StageState &state, StageScope &scope,
                                        const Diagnostics &diagnostics, QStringList *triggerTexts);
    std::optional<StageState> stageResult(int index);
    void emitEvent(const BuildEvent &event);
    void addHistory(StageState &state, const QString &createdBy, bool emptyLayer) const;
    QString locationOf(const SourceRange &range) const;

    // Any step: the cache, the layer (buildstep.cpp).
    Expected<void> runStep(const PlanStep &step, const StepPlace &place, StageState &state, bool &cmdSet);
    Expected<void> prepareStep(const PlanStep &step, const StepPlace &place, const StageState &state,
                               StageState &next, bool &cmdSet, StepWork &work, bool keyOnly);
    bool reuseLinkedLayer(const QString &linkKey, const QString &key, const StepWork &work,
                          const BuildEvent &base, StageState &next);
    Expected<Descriptor> makeLayer(const PlanStep &step, const StepPlace &place, StepWork &work,
                                   const QString &linkKey, StageState &next);
    // A layer of a stage that is part of the image this build makes is gzip-compressed;
    // one of a stage that only serves others (COPY --from, a mount) stays an uncompressed
    // tar, as BuildKit exports only the target's layers: nobody waits for compression.
    Expected<WrittenLayer> writeLayer(QList<LayerSourceEntry> entries, int stage);

    // The instructions that only change the image config (metadatainstructions.cpp).
    Expected<void> configStep(const Command &command, StageState &next, bool &cmdSet, StepWork &work) const;
    Expected<void> workdirStep(const WorkdirCommand &workdir, const StageState &state, StageState &next,
                               StepWork &work, bool keyOnly) const;

    // RUN and its mounts (runinstruction.cpp).
    void describeRun(const RunCommand &run, const StageState &state, StepWork &work) const;
    Expected<void> runCommand(const RunCommand &run, const StepPlace &place, StageState &state);
    Expected<SandboxMount> shebangScriptMount(const RunCommand &run, const QString &scratchDir) const;
    Expected<SandboxMount> runMount(const RunMount &runMount, const QString &target, int stage,
                                    const QString &scratchDir, qsizetype index, const Rootfs &rootfs);
    Expected<void> bindContextMount(SandboxMount &mount, const QString &source, const QString &bindScratch,
                                    const Rootfs &rootfs) const;
    Expected<void> bindStageMount(SandboxMount &mount, int fromStage, const QString &from,
                                  const QString &source, const QString &bindScratch, const Rootfs &rootfs);

    // COPY and ADD (copyinstruction.cpp).
    // The history text and the key's inputs of a COPY/ADD without reading the stage's
    // layers (so without extracting them): false when the key needs them (--chown by
    // name, a URL, --from an image) or the full preparation must report an error.
    bool copyKeyInputs(const CopyCommand &copy, const AddCommand *add, const StepPlace &place,
                       QString *createdBy, QString *keyExtra);
    Expected<QList<LayerSourceEntry>> copyEntries(const CopyCommand &copy, const AddCommand *add,
                                                  const StepPlace &place, const StageState &state,
                                                  const QString &scratchDir, QString *createdBy,
                                                  QString *keyExtra);
    Expected<QStringList> copySourceLowers(const QString &from, int fromStage, const BuildEvent &base,
                                           QString *keyExtra);
    Expected<void> copyFromStage(CopyJob &job, const QString &from, int fromStage, const BuildEvent &base,
                                 QString *keyExtra);
    Expected<void> copyFromContext(CopyJob &job, const QString &scratchDir, QString *keyExtra);
    Expected<void> copyUrl(CopyJob &job, const QString &src, const QString &scratchDir, QString *keyExtra);

    // The step cache (stepcache.cpp).
    QString cacheFile(const QString &key) const;
    bool loadCache(const QString &key, StageState &state) const;
    void saveCache(const QString &key, const StageState &state) const;
    std::optional<std::pair<Descriptor, Digest>> loadLinkedLayer(const QString &linkKey) const;
    void saveLinkedLayer(const QString &linkKey, const Descriptor &layer, const Digest &diffId) const;
    // Notes `key` among the build's keys (BuildResult::cacheKeys) and, for `--cache-from`,
    // when the store lacks it, has the first imported cache holding it put it there.
    // Returns where it came from (empty: nowhere, or the store had it).
    Expected<QString> importCached(const QString &key);

    // Why a step missed the cache, from the record its last run left (stepexplanation.cpp).
    StepCacheRecord stepRecord(const PlanStep &step, const StepPlace &place, const StageState &state,
                               const StepWork &work, const QString &key, const StageState &next);
    QString stepIdentity(const PlanStep &step, const StepPlace &place) const;
    // The stages the step reads, by name → the step that changed each this build.
    QMap<QString, QString> stagesChangedBy(const PlanStep &step, int stage);
    QList<int> stagesRead(const PlanStep &step, int stage) const;
    // A cached step: its record made current when the last build that ran it had other inputs.
    void keepStepRecord(const PlanStep &step, const StepPlace &place, const StageState &state,
                        const StepWork &work, const QString &key, const StageState &next);

    // The images stages start from (imageresolution.cpp) and their layers (layercache.cpp).
    Expected<Image> imageFor(const QString &reference, const QString &what, const BuildEvent &base);
    Expected<QStringList> lowerDirs(const StageState &state) const;

    Builder &m_builder;
    const BuildRequest &m_request;
    const BuildEventSink &m_sink;
    // What the steps poll: cancelled by the caller's token (relayed by a watcher) or when
    // a stage fails, so sibling stages stop too.
    CancellationToken m_userCancel;
    CancellationToken m_cancel;
    std::mutex m_pullMutex;
    std::mutex m_sinkMutex;
    QElapsedTimer m_clock;    // started by run(): the events' timeMs
    QSet<QString> m_warnings; // said already (under m_sinkMutex)
    std::mutex m_resultMutex;
    QString m_dockerfilePath;
    std::optional<BuildPlan> m_plan;
    std::optional<BuildContext> m_context;
    QList<std::optional<StageState>> m_results;
    QStringList m_cacheKeys;        // under m_resultMutex
    QList<BuildStepKey> m_stepKeys; // under m_resultMutex
    QSet<int> m_exportedStages;     // the target and the stages it is built FROM
    // Each built stage's scope at its end (ARGs, ENV, WORKDIR, SHELL): where a stage built
    // FROM it starts reading (under m_resultMutex).
    QList<std::optional<StageScope>> m_scopes;
    std::atomic_int m_steps{0};
    std::atomic_int m_cached{0};
    std::atomic_bool m_failureHandedOver{false};
};

} // namespace stagecraft
