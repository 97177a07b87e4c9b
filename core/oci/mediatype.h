// Media types of OCI and Docker schema 2 documents and blobs, and the questions the
// readers ask of them (is this a manifest, an index, a layer; how is a layer compressed).
#pragma once

#include <QLatin1String>
#include <QString>

namespace stagecraft::mediatype {

inline constexpr QLatin1String OciManifest{"application/vnd.oci.image.manifest.v1+json"};
inline constexpr QLatin1String OciIndex{"application/vnd.oci.image.index.v1+json"};
inline constexpr QLatin1String OciConfig{"application/vnd.oci.image.config.v1+json"};
inline constexpr QLatin1String OciLayer{"application/vnd.oci.image.layer.v1.tar"};
inline constexpr QLatin1String OciLayerGzip{"application/vnd.oci.image.layer.v1.tar+gzip"};
inline constexpr QLatin1String OciLayerZstd{"application/vnd.oci.image.layer.v1.tar+zstd"};
inline constexpr QLatin1String OciLayerNonDistributable{
    "application/vnd.oci.image.layer.nondistributable.v1.tar"};
inline constexpr QLatin1String OciLayerNonDistributableGzip{
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"};

inline constexpr QLatin1String DockerManifest{"application/vnd.docker.distribution.manifest.v2+json"};
inline constexpr QLatin1String DockerManifestList{
    "application/vnd.docker.distribution.manifest.list.v2+json"};
inline constexpr QLatin1String DockerConfig{"application/vnd.docker.container.image.v1+json"};
inline constexpr QLatin1String DockerLayerGzip{"application/vnd.docker.image.rootfs.diff.tar.gzip"};
inline constexpr QLatin1String DockerLayerForeignGzip{
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"};
// Not in Docker's spec, but written by some tools for uncompressed layers.
inline constexpr QLatin1String DockerLayer{"application/vnd.docker.image.rootfs.diff.tar"};

inline bool isManifest(const QString &t)
{
    return t == OciManifest || t == DockerManifest;
}

inline bool isIndex(const QString &t)
{
    return t == OciIndex || t == DockerManifestList;
}

inline bool isConfig(const QString &t)
{
    return t == OciConfig || t == DockerConfig;
}

inline bool isLayer(const QString &t)
{
    return t.startsWith(QLatin1String("application/vnd.oci.image.layer.")) ||
           t.startsWith(QLatin1String("application/vnd.docker.image.rootfs."));
}

} // namespace stagecraft::mediatype
