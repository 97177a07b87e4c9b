// Talks to image registries with the distribution API v2 (Docker Hub, a workshop's
// docker-registry, any OCI registry): pulls an image into the local store and pushes one
// from it. Synchronous on the calling thread (a local event loop drives the network),
// with a cancellation token, progress per blob, retries with backoff for 5xx answers
// and broken connections, anonymous bearer tokens from the WWW-Authenticate challenge,
// basic auth, and credentials from Docker's config.json.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/descriptor.h"
#include "core/oci/platform.h"
#include "core/registry/registrycredentials.h"
#include "core/registry/registryexchange.h"
#include "core/registry/registryprogress.h"
#include "core/registry/registryreference.h"
#include "core/registry/registrysettings.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QMap>
#include <QUrl>

#include <functional>
#include <memory>

class QIODevice;
class QNetworkAccessManager;
class QNetworkReply;

namespace stagecraft {

class BlobTransfer;
class ImageStore;

struct PullOptions
{
    Platform platform = Platform::host(); // chosen from a manifest list / index
};

struct PushOptions
{
    // Blobs larger than this go up in PATCH chunks of this size; smaller ones in one PUT.
    // 0: always one PUT.
    qint64 chunkSize = 8 * 1024 * 1024;
};

// A manifest or index as a registry served it, its digest verified.
struct RemoteManifest
{
    QByteArray bytes;
    QString mediaType;
    Digest digest;
};

// A client belongs to the thread that first uses it (its network objects live there):
// a worker thread that pulls (the builder fetching a missing base image) makes its own,
// e.g. `RegistryClient::createDefault()` then `pullInto(store, reference, ...)`.
class RegistryClient
{
public:
    explicit RegistryClient(RegistrySettings settings = {}, RegistryCredentials credentials = {});
    ~RegistryClient();
    RegistryClient(const RegistryClient &) = delete;
    RegistryClient &operator=(const RegistryClient &) = delete;

    // Settings from RegistrySettings::defaultPath() and credentials from Docker's
    // config.json, as the command line and the builder use them.
    static Expected<std::unique_ptr<RegistryClient>> createDefault();

    RegistrySettings &settings() { return m_settings; }
    RegistryCredentials &credentials() { return m_credentials; }

    // How long a registry may stay silent: `contactMs` for the first answer of a host
    // (so an absent network is reported quickly), `idleMs` afterwards.
    void setTimeouts(int contactMs, int idleMs);
    void setRetries(int attempts, int firstDelayMs);

    // Pulls `reference` (as the user wrote it: "golang:1.21", "host:5000/x@sha256:...")
    // into `store`, choosing options.platform from an index, verifying every blob, and
    // tags it with the familiar name ("golang:1.21"; "golang@sha256:..." for a digest)
    // so `FROM golang:1.21` finds it. Blobs already in the store are not fetched.
    // Returns the stored manifest's descriptor (with the platform when chosen from an index).
    Expected<Descriptor> pullInto(ImageStore &store, const QString &reference,
                                  const PullOptions &options = {}, const RegistryProgressSink &progress = {},
                                  const CancellationToken &cancel = {});
    // Pushes the image (or index) the store names `localReference` to `destination`
    // (the same name when empty): blobs the registry lacks, then the manifest by tag.
    // Returns the pushed manifest's descriptor, its digest as the registry confirmed it.
    Expected<Descriptor> push(const ImageStore &store, const QString &localReference,
                              const QString &destination = {}, const PushOptions &options = {},
                              const RegistryProgressSink &progress = {},
                              const CancellationToken &cancel = {});

    // The manifest or index `reference` names, digest verified.
    Expected<RemoteManifest> fetchManifest(const RegistryReference &reference,
                                           const CancellationToken &cancel = {});
    Expected<bool> blobExists(const RegistryReference &reference, const Digest &digest,
                              const CancellationToken &cancel = {});
    // One blob of `reference`'s repository into `store`, verified by digest and size (one
    // the store has is not fetched): what a lazy `--cache-from type=registry` asks for
    // when a step's key matches.
    Expected<void> pullBlob(ImageStore &store, const RegistryReference &reference, const Descriptor &blob,
                            const CancellationToken &cancel = {});

private:
    using Target = RegistryExchange::Target;
    using Request = RegistryExchange::Request;
    using Response = RegistryExchange::Response;
    struct HostAuth;

    Target targetFor(const RegistryReference &reference, const QString &userReference, bool push) const;
    Expected<Response> send(const Target &target, Request request, const CancellationToken &cancel);
    Expected<void> authenticate(const Target &target, const QString &challengeHeader,
                                const CancellationToken &cancel);
    QByteArray authorizationFor(const Target &target) const;
    QNetworkAccessManager &network();
    QString unreachable(const Target &target, const QString &why) const;

    Expected<RemoteManifest> fetchManifest(const Target &target, const QString &manifestReference,
                                           const Digest &expected, const CancellationToken &cancel);
    BlobTransfer blobTransfer(); // through send(), with this client's timeouts and retries
    Expected<Digest> putManifest(const Target &target, const QString &reference, const QByteArray &bytes,
                                 const QString &mediaType, const CancellationToken &cancel);
    Expected<void> pushImageManifest(const ImageStore &store, const Target &target,
                                     const Descriptor &manifest, const QString &tagOrDigest,
                                     const PushOptions &options, const RegistryProgressSink &progress,
                                     const CancellationToken &cancel);

    RegistrySettings m_settings;
    RegistryCredentials m_credentials;
    std::unique_ptr<QNetworkAccessManager> m_network;
    QMap<QString, std::shared_ptr<HostAuth>> m_auth; // by endpoint authority
    QMap<QString, bool> m_reached;                   // endpoints that answered once
    int m_contactMs = 8000;
    int m_idleMs = 60000;
    int m_attempts = 4;
    int m_firstDelayMs = 250;
};

} // namespace stagecraft
