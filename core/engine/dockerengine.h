// Builds on a Docker engine through the `docker` command line, so what Docker users set up
// works unchanged: DOCKER_HOST (unix, tcp, ssh), `docker context`, and buildx builders
// where the plugin is installed. Progress is BuildKit's plain output read by
// PlainProgressParser; the result comes back with `docker save` into the store's import,
// or, for a buildx builder whose driver keeps results to itself (docker-container,
// kubernetes, remote), as `--output type=oci,dest=…` unpacked and imported as a layout;
// cancelling ends the client, and with its connection the daemon ends the build.
#pragma once

#include "core/engine/buildengine.h"

namespace stagecraft {

class DockerEngine : public BuildEngine
{
public:
    static constexpr qint64 kMaxDockerfileBytes = 4 * 1024 * 1024;
    // How long the client gets to stop after SIGINT before it is killed.
    static constexpr int kStopGraceMs = 5000;

    DockerEngine(ImageStore store, DockerEngineOptions options)
        : m_store(std::move(store))
        , m_options(std::move(options))
    {}

    EngineKind kind() const override { return EngineKind::Docker; }
    EngineAvailability availability() const override { return availability(m_options); }
    // Whether a docker engine with `options` can build; needs no store.
    static EngineAvailability availability(const DockerEngineOptions &options);
    Expected<BuildResult> build(const EngineRequest &request, const BuildEventSink &sink = {},
                                const CancellationToken &cancel = {}) override;

    // The driver of a buildx builder (`docker buildx inspect NAME`: "Driver: …"), and whether
    // its results reach the daemon's image store (only the docker driver's do).
    static Expected<QString> builderDriver(const class DockerClient &client, const QString &builder);
    static bool driverKeepsResults(const QString &driver);

private:
    Expected<BuildResult> importResult(const class DockerClient &client, const QString &imageId,
                                       const QStringList &tags, const QString &scratchDir,
                                       const CancellationToken &cancel, const QString &ociTar = {});

    ImageStore m_store;
    DockerEngineOptions m_options;
};

} // namespace stagecraft
