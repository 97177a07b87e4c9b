// Builds a Dockerfile into the local image store without a daemon: stages in
// parallel by plan level, RUN in the bubblewrap sandbox on overlay lowers cached per
// diff ID, COPY written straight into layers, a step cache keyed by each step's
// inputs, and image configs and histories as BuildKit writes them.
#pragma once

#include "core/build/buildevent.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/descriptor.h"
#include "core/store/imagestore.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct BuildRequest
{
    QString contextDir;
    QString dockerfile; // path; empty: <contextDir>/Dockerfile
    QString target;     // stage name or index; empty: the last stage
    QHash<QString, QString> buildArgs;
    QStringList tags; // "name:tag" (normalised here)
    bool noCache = false;
    QString platform = QStringLiteral("linux/amd64");
};

struct BuildResult
{
    Descriptor manifest;
    Digest imageId; // config digest
    QStringList tags;
    int steps = 0;
    int cachedSteps = 0;
    qint64 durationMs = 0;
};

class Builder
{
public:
    explicit Builder(ImageStore store)
        : m_store(std::move(store))
    {}

    // Builds and tags the target stage. `sink` may be empty; it is called from worker
    // threads, never concurrently. A cancelled build returns an error "build cancelled".
    Expected<BuildResult> build(const BuildRequest &request, const BuildEventSink &sink = {},
                                const CancellationToken &cancel = {});

    // The directory of an extracted layer (overlay format) for `diffId`, extracting the
    // blob `layer` into the store's layer cache on first use.
    Expected<QString> layerDirectory(const Descriptor &layer, const Digest &diffId,
                                     const CancellationToken &cancel = {}) const;

    const ImageStore &store() const { return m_store; }

private:
    ImageStore m_store;
};

} // namespace stagecraft
