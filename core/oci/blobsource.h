// Where an image's blobs live (an OCI layout directory, a docker-archive tarball, the
// store): opens a blob by digest as a stream. Every open through this class verifies
// the digest (and size) while reading.
#pragma once

#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QByteArray>
#include <QIODevice>
#include <QString>

#include <memory>

namespace stagecraft {

class BlobSource
{
public:
    virtual ~BlobSource();

    virtual bool contains(const Digest &digest) const = 0;
    virtual QString describe() const = 0; // "OCI layout /path", used in messages

    // The blob as a stream; a digest or size mismatch surfaces as a read error naming it.
    // `expectedSize` < 0 when unknown.
    Expected<std::unique_ptr<QIODevice>> open(const Digest &digest, qint64 expectedSize = -1) const;
    // The whole blob, verified; refuses blobs larger than `maxSize` (manifests and
    // configs are small, so a huge one is a mistake or an attack).
    Expected<QByteArray> readAll(const Digest &digest, qint64 expectedSize = -1,
                                 qint64 maxSize = 64 * 1024 * 1024) const;

protected:
    // The unverified stream of a blob, opened for reading.
    virtual Expected<std::unique_ptr<QIODevice>> openRaw(const Digest &digest) const = 0;
};

} // namespace stagecraft
