// What a pull of an image downloads, for the Layers headline and the Bytes tab: the
// compressed blobs of a registry, OCI layout or store image. A `docker save` tarball has
// no such figure (its layers are plain tars), nor has an image with an uncompressed
// layer, so neither gets one rather than a "compressed" size that is not.
#pragma once

#include <QString>

#include <optional>

namespace stagecraft {
struct OpenedImage;
}

namespace stagecraft::ui {

// The bytes a pull downloads (manifest, config and layer blobs), or nothing.
std::optional<qint64> pullSize(const OpenedImage &image);
// "pull size 259 MB (compressed)", in the reader's number format.
QString pullSizeText(qint64 bytes);

} // namespace stagecraft::ui
