#include "core/oci/compression.h"

#include "core/oci/mediatype.h"

namespace stagecraft {

Compression detectCompression(const QByteArray &firstBytes)
{
    if (firstBytes.startsWith("\x1f\x8b"))
        return Compression::Gzip;
    if (firstBytes.startsWith("\x28\xb5\x2f\xfd"))
        return Compression::Zstd;
    return Compression::None;
}

QString compressionName(Compression c)
{
    switch (c) {
    case Compression::None: return QStringLiteral("none");
    case Compression::Gzip: return QStringLiteral("gzip");
    case Compression::Zstd: return QStringLiteral("zstd");
    }
    return {};
}

QString ociLayerMediaType(Compression c)
{
    switch (c) {
    case Compression::None: return mediatype::OciLayer;
    case Compression::Gzip: return mediatype::OciLayerGzip;
    case Compression::Zstd: return mediatype::OciLayerZstd;
    }
    return {};
}

} // namespace stagecraft
