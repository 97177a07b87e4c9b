#include "core/oci/image.h"

#include "core/oci/imageindex.h"
#include "core/oci/mediatype.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace stagecraft {

Expected<Image> Image::load(std::shared_ptr<const BlobSource> blobs, const Descriptor &descriptor,
                            const Platform &platform)
{
    Descriptor current = descriptor;
    // Nested indexes are legal; a short bound stops a cycle of indexes.
    for (int depth = 0; depth < 8; ++depth) {
        auto bytes = blobs->readAll(current.digest, current.size);
        if (!bytes)
            return std::unexpected(bytes.error());
        QString mediaType = current.mediaType;
        if (mediaType.isEmpty() || (!mediatype::isIndex(mediaType) && !mediatype::isManifest(mediaType))) {
            const QJsonObject o = QJsonDocument::fromJson(*bytes).object();
            mediaType = o.value(QLatin1String("mediaType")).toString();
            if (mediaType.isEmpty())
                mediaType = o.contains(QLatin1String("manifests")) ? QString(mediatype::OciIndex)
                                                                   : QString(mediatype::OciManifest);
        }
        if (mediatype::isIndex(mediaType)) {
            auto index = ImageIndex::parse(*bytes);
            if (!index)
                return std::unexpected(index.error());
            auto chosen = index->select(platform);
            if (!chosen)
                return std::unexpected(chosen.error());
            current = *chosen;
            continue;
        }
        if (current.mediaType.isEmpty())
            current.mediaType = mediaType;
        auto manifest = ImageManifest::parse(*bytes);
        if (!manifest)
            return std::unexpected(manifest.error());
        auto config = blobs->readAll(manifest->config.digest, manifest->config.size);
        if (!config)
            return std::unexpected(config.error());
        return fromParts(std::move(blobs), current, *bytes, *config);
    }
    return fail(QStringLiteral("image indexes nest too deeply at %1").arg(descriptor.digest.toString()));
}

Expected<Image> Image::fromParts(std::shared_ptr<const BlobSource> blobs,
                                 const Descriptor &manifestDescriptor, const QByteArray &manifestBytes,
                                 const QByteArray &configBytes)
{
    Image image;
    image.blobs = std::move(blobs);
    image.manifestDescriptor = manifestDescriptor;
    image.manifestBytes = manifestBytes;
    auto manifest = ImageManifest::parse(manifestBytes);
    if (!manifest)
        return std::unexpected(manifest.error());
    image.manifest = *manifest;
    image.configBytes = configBytes;
    auto config = ImageConfig::parse(configBytes);
    if (!config)
        return std::unexpected(config.error());
    image.config = *config;
    if (image.config.diffIds.size() != image.manifest.layers.size())
        return fail(QStringLiteral("image %1 is inconsistent: the manifest lists %2 layers but the config "
                                   "has %3 diff IDs")
                        .arg(manifestDescriptor.digest.toString())
                        .arg(image.manifest.layers.size())
                        .arg(image.config.diffIds.size()));
    const QList<int> historyIndexes = image.config.layerHistoryIndexes();
    for (qsizetype i = 0; i < image.manifest.layers.size(); ++i) {
        ImageLayer layer;
        layer.descriptor = image.manifest.layers[i];
        layer.diffId = image.config.diffIds[i];
        if (i < historyIndexes.size()) {
            layer.historyIndex = historyIndexes[i];
            layer.history = image.config.history[historyIndexes[i]];
        }
        image.layers << layer;
    }
    return image;
}

Expected<std::unique_ptr<QIODevice>> Image::openLayer(int index) const
{
    if (index < 0 || index >= layers.size())
        return fail(QStringLiteral("the image has no layer %1").arg(index));
    return openBlob(layers[index].descriptor);
}

Expected<std::unique_ptr<QIODevice>> Image::openBlob(const Descriptor &descriptor) const
{
    if (!blobs)
        return fail(QStringLiteral("the image has no blob source"));
    return blobs->open(descriptor.digest, descriptor.size);
}

qint64 Image::blobSize() const
{
    qint64 total = manifestDescriptor.size + manifest.config.size;
    for (const ImageLayer &l : layers)
        total += l.descriptor.size;
    return total;
}

} // namespace stagecraft
