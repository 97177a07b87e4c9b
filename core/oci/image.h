// An image as every reader of images sees it, wherever it came from (OCI layout,
// docker-archive, the store, a registry): manifest, config, and per layer the blob
// descriptor, diff ID and history entry, plus the source to open each blob from.
#pragma once

#include "core/common/error.h"
#include "core/oci/blobsource.h"
#include "core/oci/descriptor.h"
#include "core/oci/imageconfig.h"
#include "core/oci/imagelayer.h"
#include "core/oci/imagemanifest.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <memory>

namespace stagecraft {

struct Image
{
    Descriptor manifestDescriptor; // digest of manifestBytes
    QByteArray manifestBytes;
    ImageManifest manifest;
    QByteArray configBytes;
    ImageConfig config;
    QList<ImageLayer> layers; // bottom first
    QStringList names;        // references the source knew it by ("name:tag"), may be empty
    std::shared_ptr<const BlobSource> blobs;

    // Reads the manifest `descriptor` names from `blobs` (following an index to the
    // manifest for `platform`), then its config; all digests verified.
    static Expected<Image> load(std::shared_ptr<const BlobSource> blobs, const Descriptor &descriptor,
                                const Platform &platform = Platform::host());
    // Builds the value from a manifest and config already read (and verified).
    static Expected<Image> fromParts(std::shared_ptr<const BlobSource> blobs,
                                     const Descriptor &manifestDescriptor, const QByteArray &manifestBytes,
                                     const QByteArray &configBytes);

    // The image ID as Docker shows it: the config digest.
    Digest id() const { return manifest.config.digest; }
    // A layer's blob as stored (maybe compressed), verified while read.
    Expected<std::unique_ptr<QIODevice>> openLayer(int index) const;
    Expected<std::unique_ptr<QIODevice>> openBlob(const Descriptor &descriptor) const;
    qint64 blobSize() const; // manifest + config + layer blobs
};

} // namespace stagecraft
