// Where a file of an image came from: every layer that wrote or removed the path, the one
// whose version the image keeps (with its history's created_by), and, when the build that
// made the image is known, the chain of COPY --from back through the stages to the step
// that wrote the bytes. The build side stays plain data (ProvenanceStep) so analysis needs
// no Dockerfile parser: the caller reads the plan and the build record.
#pragma once

#include "core/analysis/filetree.h"
#include "core/analysis/imageanalysis.h"
#include "core/common/error.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace stagecraft {

enum class PathChangeKind { Added, Modified, Removed };

// One layer's change to the path.
struct PathVersion
{
    int layer = -1;
    PathChangeKind kind = PathChangeKind::Added;
    EntryType type = EntryType::File;
    qint64 size = 0;   // bytes (a directory: the bytes below it)
    QString removedBy; // a removal of a directory above the path: that directory
    QString createdBy; // the layer's history entry
    QString layerDigest;
};

struct FileOrigin
{
    QString path; // absolute, cleaned
    bool present = false;
    EntryType type = EntryType::File;
    qint64 size = 0;
    QString linkTarget;
    int layer = -1;              // the layer whose entry wrote the version the image keeps
    QList<PathVersion> versions; // bottom layer first
};

// A step of the build that made an image, as the chain needs it.
struct ProvenanceStep
{
    QString stage; // display name
    int step = 0;  // 1-based within the stage
    int line = 0;
    int endLine = 0;
    QString instruction;
    QString layerDigest; // the layer the step made (as stored), empty for none
    // COPY/ADD --from: the stage or image read, the sources and the destination as written.
    QString copyFrom;
    QStringList copySources;
    QString copyDestination;
    QString workdir; // the stage's WORKDIR at the step, for a relative destination
};

// One link of the chain: the step, and the path as its stage saw it.
struct ProvenanceLink
{
    ProvenanceStep step;
    QString path;
};

class FileProvenance
{
public:
    static constexpr int kMaxChain = 64; // links followed before giving up (a loop in hostile data)

    // The path's versions across the analysed layers. A path the image never held is an
    // error naming the nearest directory that exists.
    static Expected<FileOrigin> inImage(const ImageAnalysis &analysis, const QString &path);

    // The paths in the source stage a COPY --from could have copied to `path`, most likely
    // first: `dest/` + the rest for a directory source, the source itself for a file copied
    // to `dest` or `dest/name`. Wildcard sources give no candidate.
    static QStringList sourceCandidates(const QString &path, const QStringList &sources,
                                        const QString &destination, const QString &workdir = {});

    // Follows `path` from the step that wrote it back through COPY --from links. `writer`
    // answers, for a stage and a path, the step whose layer wrote it (nullopt: none, e.g. the
    // base image's); `exists` whether a stage holds a path (to pick among candidates).
    using WriterLookup =
        std::function<std::optional<ProvenanceStep>(const QString &stage, const QString &path)>;
    using ExistsLookup = std::function<bool(const QString &stage, const QString &path)>;
    static QList<ProvenanceLink> chain(const ProvenanceStep &first, const QString &path,
                                       const WriterLookup &writer, const ExistsLookup &exists);
};

} // namespace stagecraft
