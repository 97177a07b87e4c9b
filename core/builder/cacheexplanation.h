// Why a step was not taken from the cache. Each step that runs leaves a small record of
// the inputs that made its cache key (StepCacheRecord), filed under an identity that does
// not depend on the machine (the context folder's name, the Dockerfile's path in it, the
// stage and the step's place); the next build that misses compares its inputs with that
// record and names what differs, as specifically as the inputs allow: the instruction
// text, a build arg, context files, the stage it copies from, the step below.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

// The inputs of one step's cache key, as a later build can compare them.
struct StepCacheRecord
{
    // Bounds on what a record holds and what reading one back accepts: a record is a file
    // in the store anyone with write access to it could have made.
    static constexpr qsizetype kMaxBytes = 2 * 1024 * 1024;
    static constexpr qsizetype kMaxFiles = 5000;  // more: only their count is kept
    static constexpr qsizetype kMaxEntries = 256; // args, stages
    static constexpr qsizetype kMaxText = 4096;   // instruction texts, values, paths

    QString key;                   // the cache key these inputs made
    QString parentKey;             // the key of the state the step built on
    QString instruction;           // as written (white space simplified)
    QString expanded;              // the plan's canonical text, variables expanded
    QMap<QString, QString> args;   // the build args a RUN saw
    QMap<QString, QString> stages; // stages it reads (COPY --from, mounts) → their keys
    // Context files the step reads → a fingerprint of type, mode and content. Empty with
    // fileCount > 0 when there were more than kMaxFiles.
    QMap<QString, QString> files;
    qsizetype fileCount = 0;
    QString filesDigest; // of every file's path and fingerprint, listed or not
    QString otherInputs; // digest of the rest of the key (owners, network, downloads, images)
    QString config;      // digest of the image config the step leaves

    QByteArray toJson() const;
    // nullopt for anything that is not a record this version wrote, over a bound, or
    // malformed: a corrupt record means "no previous build", never a failed build.
    static std::optional<StepCacheRecord> fromJson(const QByteArray &json);
};

enum class CacheMissKind {
    NoCache,         // --no-cache
    NoPreviousBuild, // no record for this step
    ResultGone,      // the same inputs, but the cached result was pruned
    Instruction,     // the text as written changed
    BuildArg,        // a build arg the step sees changed
    Expansion,       // the expanded text changed (an ENV or ARG it uses)
    ContextFiles,    // files it copies or mounts changed
    SourceStage,     // a stage it copies from or mounts changed
    OtherInputs,     // ownership, network, a download, a --from image
    Parent,          // a step below it (or the stage's base) changed
    Config,          // the image config it starts from changed
};

struct CacheMiss
{
    CacheMissKind kind = CacheMissKind::NoPreviousBuild;
    QString text; // one line: "main.go modified", "build arg VERSION changed: 1 → 2"
};

class CacheExplanation
{
public:
    static constexpr int kMaxNamedFiles = 5; // files a reason names before "and N more"
    // Records kept in a directory; past it the older half goes (a step without one just
    // says "no previous build").
    static constexpr qsizetype kMaxRecords = 20000;

    // Why `current` missed the cache, given the record of this step's last run.
    // `parentChangedBy` names the step (or stage) whose change made the parent differ;
    // `stageChangedBy` does the same for the stages it reads, by name.
    static CacheMiss explain(const std::optional<StepCacheRecord> &previous, const StepCacheRecord &current,
                             const QString &parentChangedBy,
                             const QMap<QString, QString> &stageChangedBy = {}, bool noCache = false);

    // The file name (no directory) a step's record is kept under: a digest of the context
    // folder's name, the Dockerfile's path relative to the context, the stage and the step.
    static QString identity(const QString &contextDir, const QString &dockerfile, const QString &stage,
                            const QString &step);

    // Records kept in `dir` by identity. load() refuses files over kMaxBytes, symlinks and
    // anything malformed (nullopt); save() writes atomically and ignores failures: a record
    // is a hint, never a reason to fail a build.
    static std::optional<StepCacheRecord> load(const QString &dir, const QString &identity);
    static void save(const QString &dir, const QString &identity, const StepCacheRecord &record);
};

} // namespace stagecraft
