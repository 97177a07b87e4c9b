// What `stagecraft build` and the window build with: the embedded builder (no daemon, the
// default) or a Docker engine driven through its command line. Every engine takes the same
// request, reports the embedded builder's build events (so BuildProgress and the window
// show any of them alike), stops on the cancellation token and leaves its result image in
// the local store, where Layers, Files and compare read it.
#pragma once

#include "core/builder/builder.h"
#include "core/builder/buildevent.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QString>

#include <memory>
#include <optional>

namespace stagecraft {

enum class EngineKind { Embedded, Docker };

QString engineKindName(EngineKind kind); // "embedded", "docker"
std::optional<EngineKind> engineKindFromName(const QString &name);

struct EngineRequest
{
    // Context, Dockerfile (path, or the text already parsed), target, build args, tags,
    // --no-cache, network and platform; the callbacks serve the embedded builder only.
    BuildRequest build;
    // The Dockerfile's text as the caller has it (the editor's, unsaved changes included);
    // empty: the file `build.dockerfile` (or CONTEXT/Dockerfile) is read.
    QString dockerfileText;
};

// Whether an engine can build here and, when not, why and what to do about it.
struct EngineAvailability
{
    bool usable = false;
    QString reason;  // when not usable: one sentence naming the cause and the remedy
    QString summary; // when usable: what builds ("Docker 20.10.24 at unix:///run/docker.sock")
};

// Settings of the docker engine; empty fields keep what the docker command line itself
// would use (DOCKER_HOST, the current `docker context`, the default builder).
struct DockerEngineOptions
{
    QString client;  // the docker program; empty: $STAGECRAFT_DOCKER, else `docker` on PATH
    QString host;    // --host: unix://…, tcp://…, ssh://user@host
    QString context; // --context
    QString builder; // a buildx builder (needs the buildx plugin)
    QString config;  // DOCKER_CONFIG (the client's settings directory)
};

class BuildEngine
{
public:
    virtual ~BuildEngine() = default;

    virtual EngineKind kind() const = 0;
    // May ask the engine (a daemon round trip): not for the GUI thread.
    virtual EngineAvailability availability() const = 0;
    // Builds synchronously, calling `sink` from this thread or the builder's workers (never
    // concurrently). The result is in the store under the request's tags. A cancelled build
    // returns an error of kind ErrorKind::Cancelled.
    virtual Expected<BuildResult> build(const EngineRequest &request, const BuildEventSink &sink = {},
                                        const CancellationToken &cancel = {}) = 0;

    static std::unique_ptr<BuildEngine> create(EngineKind kind, const ImageStore &store,
                                               const DockerEngineOptions &docker = {});
};

} // namespace stagecraft
