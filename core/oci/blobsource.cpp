#include "core/oci/blobsource.h"

#include "core/oci/verifyingdevice.h"

namespace stagecraft {

BlobSource::~BlobSource() = default;

Expected<std::unique_ptr<QIODevice>> BlobSource::open(const Digest &digest, qint64 expectedSize) const
{
    auto raw = openRaw(digest);
    if (!raw)
        return std::unexpected(raw.error());
    return std::unique_ptr<QIODevice>(
        std::make_unique<VerifyingDevice>(std::move(*raw), digest, expectedSize, describe()));
}

Expected<QByteArray> BlobSource::readAll(const Digest &digest, qint64 expectedSize, qint64 maxSize) const
{
    if (expectedSize > maxSize)
        return fail(QStringLiteral("blob %1 in %2 is too large (%3 bytes) for a manifest or config")
                        .arg(digest.toString(), describe())
                        .arg(expectedSize));
    auto device = open(digest, expectedSize);
    if (!device)
        return std::unexpected(device.error());
    QByteArray bytes;
    QByteArray chunk(1 << 16, Qt::Uninitialized);
    for (;;) {
        const qint64 n = (*device)->read(chunk.data(), chunk.size());
        if (n < 0)
            return fail((*device)->errorString());
        if (n == 0)
            break;
        bytes.append(chunk.constData(), n);
        if (bytes.size() > maxSize)
            return fail(QStringLiteral("blob %1 in %2 is too large (over %3 bytes) for a manifest or config")
                            .arg(digest.toString(), describe())
                            .arg(maxSize));
    }
    return bytes;
}

} // namespace stagecraft
