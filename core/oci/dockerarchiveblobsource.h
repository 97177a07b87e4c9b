// The blobs of a docker-archive (`docker save`) tarball, read in place: each digest maps
// to a member of the tar (a legacy `<id>/layer.tar`, a `<hex>.json` config, or a newer
// `blobs/sha256/<hex>`).
#pragma once

#include "core/oci/blobsource.h"

#include <QHash>

namespace stagecraft {

class DockerArchiveBlobSource : public BlobSource
{
public:
    explicit DockerArchiveBlobSource(QString tarPath);

    void addMember(const Digest &digest, const QString &member) { m_members.insert(digest, member); }
    bool contains(const Digest &digest) const override { return m_members.contains(digest); }
    QString describe() const override;

protected:
    Expected<std::unique_ptr<QIODevice>> openRaw(const Digest &digest) const override;

private:
    QString m_tarPath;
    QHash<Digest, QString> m_members;
};

} // namespace stagecraft
