// A `docker save` tarball (docker-archive): `manifest.json` ([{Config, RepoTags,
// Layers}]), `repositories`, and the blobs, either in legacy per-layer folders
// (`<id>/layer.tar`) or, from newer Docker, under `blobs/sha256/`. Read in place.
#pragma once

#include "core/common/error.h"
#include "core/oci/image.h"

#include <QList>
#include <QString>

namespace stagecraft {

class DockerArchive
{
public:
    // Scans the tarball once (it may be gzip/zstd compressed) and builds an Image per
    // manifest.json entry. Each image gets an OCI manifest made up for it (configs and
    // layers as found; uncompressed layers use their diff ID as digest), and its
    // RepoTags in Image::names.
    static Expected<DockerArchive> open(const QString &tarPath);
    static bool isDockerArchive(const QString &path); // a tar with manifest.json

    QString path() const { return m_path; }
    const QList<Image> &images() const { return m_images; }
    // The image tagged `ref` ("name:tag"; "name" means "name:latest"), or with an empty
    // `ref` the only image of the archive.
    Expected<Image> image(const QString &ref = {}) const;

    // Writes a tarball `docker load` accepts, in the legacy layout (`<diffid>/layer.tar`
    // uncompressed, `<config hex>.json`, manifest.json, repositories) that every Docker
    // and skopeo reads; tags from Image::names. Written to a temporary file and renamed.
    static Expected<void> write(const QString &tarPath, const QList<Image> &images);

private:
    QString m_path;
    QList<Image> m_images;
};

} // namespace stagecraft
