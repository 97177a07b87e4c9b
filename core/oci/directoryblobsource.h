// Blobs stored as files named by digest under a directory (`blobs/sha256/<hex>`), as an
// OCI image layout and the store keep them.
#pragma once

#include "core/oci/blobsource.h"

namespace stagecraft {

class DirectoryBlobSource : public BlobSource
{
public:
    // `root` holds `blobs/`; `description` is used in messages.
    DirectoryBlobSource(QString root, QString description);

    bool contains(const Digest &digest) const override;
    QString describe() const override { return m_description; }
    QString blobPath(const Digest &digest) const;

protected:
    Expected<std::unique_ptr<QIODevice>> openRaw(const Digest &digest) const override;

private:
    QString m_root;
    QString m_description;
};

} // namespace stagecraft
