// The compression of a layer blob, told by its first bytes (never trusted from a
// media type alone), and the OCI media type that names it.
#pragma once

#include <QByteArray>
#include <QString>

namespace stagecraft {

enum class Compression { None, Gzip, Zstd };

Compression detectCompression(const QByteArray &firstBytes);
QString compressionName(Compression c);
QString ociLayerMediaType(Compression c);

} // namespace stagecraft
