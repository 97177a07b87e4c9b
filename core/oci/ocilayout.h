// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/...`): reads
// the images it names and writes images into it. A manifest's name is its
// `org.opencontainers.image.ref.name` annotation, as skopeo and umoci use it.
#pragma once

#include "core/common/error.h"
#include "core/oci/directoryblobsource.h"
#include "core/oci/image.h"
#include "core/oci/imageindex.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace stagecraft {

class OciLayout
{
public:
    // Opens an existing layout; checks `oci-layout` and parses `index.json`.
    static Expected<OciLayout> open(const QString &dir);
    // Opens the layout at `dir`, creating an empty one (directory included) if absent.
    static Expected<OciLayout> create(const QString &dir);
    static bool isLayout(const QString &dir);

    QString path() const { return m_dir; }
    const ImageIndex &index() const { return m_index; }
    std::shared_ptr<const DirectoryBlobSource> blobs() const { return m_blobs; }
    QStringList refNames() const; // in index order; entries without a name are skipped

    // The image whose ref name is `ref` (or whose ref name ends in ":ref"); with an empty
    // `ref`, the only image of the layout (an error when there are several).
    Expected<Image> image(const QString &ref = {}, const Platform &platform = Platform::host()) const;
    // Every image the index names, each with its ref name in Image::names.
    Expected<QList<Image>> images(const Platform &platform = Platform::host()) const;

    // Copies every blob of `image` into the layout (verified), and names its manifest
    // `refName` in index.json (replacing an entry of that name). Saves index.json.
    Expected<Descriptor> addImage(const Image &image, const QString &refName);
    // Names the manifest `entry` (its blob already written) `refName` in index.json,
    // replacing an entry of that name, and saves index.json: for artifacts that are no image.
    Expected<Descriptor> addManifest(Descriptor entry, const QString &refName);
    Expected<void> writeBlob(const Digest &digest, qint64 size, QIODevice *source);
    Expected<Descriptor> writeBlob(const QByteArray &bytes, const QString &mediaType);
    Expected<void> saveIndex();

private:
    QString m_dir;
    ImageIndex m_index;
    std::shared_ptr<DirectoryBlobSource> m_blobs;
};

} // namespace stagecraft
