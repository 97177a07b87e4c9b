// Reads a layer blob (plain tar, tar+gzip or tar+zstd, told apart by magic bytes) entry
// by entry, decoding whiteouts and normalising paths, and computes the diff ID in the
// same pass. Truncated or non-tar input is an Error, never a crash.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/layercontents.h"

#include <QIODevice>

#include <memory>
#include <optional>

namespace stagecraft {

class LayerReader
{
public:
    explicit LayerReader(QIODevice *blob); // not owned; must outlive the reader
    ~LayerReader();
    LayerReader(const LayerReader &) = delete;
    LayerReader &operator=(const LayerReader &) = delete;

    // The next entry, or std::nullopt after the last one (then diffId() is valid).
    // Entries with empty paths (the root ".") and aufs metadata (`.wh..wh.*` other than
    // the opaque marker) are skipped.
    Expected<std::optional<LayerEntry>> next();
    // The current entry's name exactly as the tar spells it (before normalisation).
    QString rawName() const;
    // Content of the current regular file; 0 at its end, -1 on error (see errorString()).
    // A sparse entry's holes come back as zeros.
    qint64 read(char *data, qint64 maxSize);
    // The current regular file's data as the tar stores it: each block with its offset in
    // the file, so a sparse entry's holes are skipped rather than produced as zeros. The
    // block's bytes stay valid until the next call. 1 for a block, 0 at the end, -1 on
    // error (see errorString()).
    int readBlock(const char **data, qint64 *size, qint64 *offset);
    QString errorString() const;

    Digest diffId() const;
    qint64 uncompressedSize() const;
    // Bytes taken from the blob so far (read ahead of the entry being parsed).
    qint64 compressedBytesRead() const;
    Compression compression() const;

    // Writes the uncompressed tar of `blob` to `out`; returns its diff ID.
    static Expected<Digest> decompress(QIODevice *blob, QIODevice *out);

    // One pass over `blob`: all entries, diff ID and sizes.
    static Expected<LayerContents> readAll(QIODevice *blob, const CancellationToken &cancel = {});

private:
    struct State;
    Expected<void> start();
    Expected<void> finish();
    std::unexpected<Error> failure(const QString &context);

    std::unique_ptr<State> d;
};

} // namespace stagecraft
