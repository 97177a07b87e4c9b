// Writes a layer tarball from a directory or from a list of entries with their content:
// entries sorted by path, optional fixed timestamps and owners so the same input always
// gives the same digest, whiteouts as `.wh.` markers, plain, deterministic gzip (no
// name or time in the gzip header, 1 MiB members: core/oci/parallelgzip.h) or zstd. Computes diff ID, digest
// and size while writing.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/compression.h"
#include "core/oci/descriptor.h"
#include "core/oci/layerentry.h"

#include <QIODevice>
#include <QList>
#include <QString>

#include <optional>

namespace stagecraft {

struct LayerWriteOptions
{
    Compression compression = Compression::Gzip; // None, Gzip or Zstd
    int gzipLevel = 6;                           // libdeflate's levels, 1..12
    int threads = 0;                             // gzip worker threads; 0: one per processor
    int zstdLevel = 3;
    std::optional<qint64> fixedMtime; // every entry gets this time (SOURCE_DATE_EPOCH style)
    std::optional<qint64> uid;        // every entry gets this owner (rootless builds: 0)
    std::optional<qint64> gid;
};

// One entry to write: its metadata and where a regular file's content comes from
// (`sourcePath` on disk, else `content`).
struct LayerSourceEntry
{
    LayerEntry entry;
    QString sourcePath;
    QByteArray content;
};

struct WrittenLayer
{
    Digest diffId;   // sha256 of the uncompressed tar
    Digest digest;   // sha256 of the blob as written
    qint64 size = 0; // bytes of the blob as written
    qint64 uncompressedSize = 0;
    QString mediaType; // OCI layer media type for the compression used

    Descriptor descriptor() const;
};

class LayerWriter
{
public:
    // Writes `entries` (sorted by path here; parents need not be listed) to `out`.
    static Expected<WrittenLayer> write(QList<LayerSourceEntry> entries, QIODevice *out,
                                        const LayerWriteOptions &options = {},
                                        const CancellationToken &cancel = {});
    // Writes the tree below `directory` (not following symlinks; hardlinked files become
    // hardlink entries) to `out`.
    static Expected<WrittenLayer> writeDirectory(const QString &directory, QIODevice *out,
                                                 const LayerWriteOptions &options = {},
                                                 const CancellationToken &cancel = {});
};

} // namespace stagecraft
