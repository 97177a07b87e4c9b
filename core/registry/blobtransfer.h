// Moves blobs between a registry and the store for RegistryClient: asks whether the
// registry has one, downloads one into the store (streamed, verified, retried when the
// connection breaks), uploads one (in one PUT or in PATCH chunks). Its own class so the
// client keeps to manifests and the order of a pull or push.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/descriptor.h"
#include "core/registry/registryexchange.h"
#include "core/registry/registryprogress.h"

namespace stagecraft {

class ImageStore;

class BlobTransfer
{
public:
    // `send` is the client's: authentication, redirects and retries of one request.
    // `idleMs`, `attempts` and `firstDelayMs` bound a download's silence and retries.
    BlobTransfer(RegistryExchange::Send send, int idleMs, int attempts, int firstDelayMs);

    // With `blob.size` >= 0, a registry holding a different size is an error.
    Expected<bool> exists(const RegistryExchange::Target &target, const Descriptor &blob,
                          const CancellationToken &cancel);
    // Into `store`, verified by digest and size; a blob the store has is not fetched.
    Expected<void> fetch(ImageStore &store, const RegistryExchange::Target &target, const Descriptor &blob,
                         const RegistryProgressSink &progress, const CancellationToken &cancel);
    // Blobs larger than `chunkSize` (> 0) go up in PATCH chunks of that size.
    Expected<void> upload(const ImageStore &store, const RegistryExchange::Target &target,
                          const Descriptor &blob, qint64 chunkSize, const RegistryProgressSink &progress,
                          const CancellationToken &cancel);

private:
    RegistryExchange::Send m_send;
    int m_idleMs;
    int m_attempts;
    int m_firstDelayMs;
};

} // namespace stagecraft
