// The file list of one layer in a compact form, with the byte counts Docker shows, that
// can be written to and read back from a small verified binary file keyed by diff ID.
#pragma once

#include "core/common/error.h"
#include "core/oci/layerentry.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace stagecraft {

// A layer entry without what analysis never looks at (mtime).
struct IndexEntry
{
    QString path; // as LayerEntry: relative, no leading "/"; for whiteouts the removed path
    QString linkTarget;
    qint64 size = 0; // bytes of a regular file, 0 otherwise
    qint64 uid = 0;
    qint64 gid = 0;
    quint32 mode = 0;
    EntryType type = EntryType::File;

    friend bool operator==(const IndexEntry &, const IndexEntry &) = default;
};

class LayerIndex
{
public:
    // Bumped whenever the serialised form changes; older files are then rebuilt.
    static constexpr quint32 FormatVersion = 1;

    LayerIndex() = default;
    // `diffId` is the digest of the uncompressed tar ("sha256:…"); `compressedSize` the
    // size of the blob as stored (equal to the tar size for uncompressed layers).
    static LayerIndex fromEntries(const LayerEntries &entries, const QString &diffId, qint64 compressedSize);

    const QString &diffId() const { return m_diffId; }
    qint64 compressedSize() const { return m_compressedSize; }
    // The same index for the same content stored another way (gzip here, plain there).
    LayerIndex withCompressedSize(qint64 size) const
    {
        LayerIndex copy = *this;
        copy.m_compressedSize = size;
        return copy;
    }
    const QList<IndexEntry> &entries() const { return m_entries; }

    // Sum of the regular files' sizes (hard links count 0, as in the tar). This is
    // what `docker history` shows for a layer Docker built itself, and what dive shows.
    qint64 fileBytes() const { return m_fileBytes; }
    // Sum of the symlinks' target lengths in bytes: Docker adds these when it measured
    // a layer on disk after unpacking it (`docker import`), see ImageAnalysis.
    qint64 symlinkBytes() const { return m_symlinkBytes; }
    int regularFileCount() const { return m_regularFiles; }

    // The binary form: magic, format version, flags, payload length, CRC-32 of the
    // payload, payload. deserialize() refuses anything that does not check out.
    QByteArray serialize() const;
    static Expected<LayerIndex> deserialize(const QByteArray &bytes);

    friend bool operator==(const LayerIndex &, const LayerIndex &) = default;

private:
    void recount();

    QString m_diffId;
    qint64 m_compressedSize = 0;
    QList<IndexEntry> m_entries;
    qint64 m_fileBytes = 0;
    qint64 m_symlinkBytes = 0;
    int m_regularFiles = 0;
};

} // namespace stagecraft
