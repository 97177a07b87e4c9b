#include "ui/pullsize.h"

#include "core/analysis/imagesource.h"
#include "ui/sizetext.h"

#include <QCoreApplication>

namespace stagecraft::ui {

namespace {

// OCI's "+gzip"/"+zstd" and Docker's "….tar.gzip"; the media type of a docker-archive's
// layer is set from its first bytes when the archive is read, so it does not lie here.
bool isCompressedLayer(const QString &mediaType)
{
    return mediaType.endsWith(QLatin1String("gzip")) || mediaType.endsWith(QLatin1String("zstd"));
}

} // namespace

std::optional<qint64> pullSize(const OpenedImage &image)
{
    if (image.source == QLatin1String("docker-archive") || image.image.layers.isEmpty())
        return std::nullopt;
    for (const ImageLayer &layer : image.image.layers)
        if (!isCompressedLayer(layer.descriptor.mediaType))
            return std::nullopt;
    return image.image.blobSize();
}

QString pullSizeText(qint64 bytes)
{
    return QCoreApplication::translate("stagecraft::ui::PullSize", "pull size %1 (compressed)")
        .arg(sizeText(bytes));
}

} // namespace stagecraft::ui
