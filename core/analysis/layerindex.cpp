#include "core/analysis/layerindex.h"

#include <QDataStream>
#include <QIODevice>
#include <QtEndian>

#include <cstring>

#include <zlib.h>

namespace stagecraft {

namespace {

constexpr char Magic[8] = {'S', 'C', 'L', 'A', 'Y', 'I', 'D', 'X'};
constexpr qsizetype HeaderSize = 8 + 4 + 4 + 8 + 4;
constexpr int MaxEntryType = static_cast<int>(EntryType::OpaqueWhiteout);

// CRC-32 rather than a cryptographic hash: it guards against a damaged or truncated
// file, at memory speed, so reopening a big image stays cheap.
quint32 checksum(QByteArrayView bytes)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const auto *data = reinterpret_cast<const Bytef *>(bytes.data());
    qsizetype left = bytes.size();
    while (left > 0) {
        const uInt chunk = uInt(qMin<qsizetype>(left, 1 << 30));
        crc = crc32(crc, data, chunk);
        data += chunk;
        left -= chunk;
    }
    return quint32(crc);
}

} // namespace

LayerIndex LayerIndex::fromEntries(const LayerEntries &entries, const QString &diffId, qint64 compressedSize)
{
    LayerIndex index;
    index.m_diffId = diffId;
    index.m_compressedSize = compressedSize;
    index.m_entries.reserve(entries.size());
    for (const LayerEntry &e : entries) {
        if (e.path.isEmpty() && e.type == EntryType::Directory)
            continue; // the layer's root ("./") carries nothing analysis can show
        IndexEntry c;
        c.path = e.path;
        c.linkTarget = e.linkTarget;
        c.size = e.type == EntryType::File ? e.size : 0;
        c.uid = e.uid;
        c.gid = e.gid;
        c.mode = e.mode;
        c.type = e.type;
        index.m_entries.append(std::move(c));
    }
    index.recount();
    return index;
}

void LayerIndex::recount()
{
    m_fileBytes = 0;
    m_symlinkBytes = 0;
    m_regularFiles = 0;
    for (const IndexEntry &e : std::as_const(m_entries)) {
        if (e.type == EntryType::File) {
            m_fileBytes += e.size;
            ++m_regularFiles;
        } else if (e.type == EntryType::Symlink) {
            m_symlinkBytes += e.linkTarget.toUtf8().size();
        }
    }
}

QByteArray LayerIndex::serialize() const
{
    QByteArray payload;
    {
        QDataStream out(&payload, QIODevice::WriteOnly);
        out.setVersion(QDataStream::Qt_6_4);
        // Little endian: QString's UTF-16 is then copied without swapping on the
        // machines we run on, which keeps reopening a big image cheap.
        out.setByteOrder(QDataStream::LittleEndian);
        out << m_diffId << m_compressedSize << quint32(m_entries.size());
        for (const IndexEntry &e : m_entries) {
            out << e.path << quint8(e.type) << e.size << e.mode << e.uid << e.gid;
            if (e.type == EntryType::Symlink || e.type == EntryType::Hardlink)
                out << e.linkTarget;
        }
    }
    QByteArray bytes;
    bytes.reserve(HeaderSize + payload.size());
    bytes.append(Magic, sizeof Magic);
    char word[8];
    qToLittleEndian<quint32>(FormatVersion, word);
    bytes.append(word, 4);
    qToLittleEndian<quint32>(0, word); // reserved flags
    bytes.append(word, 4);
    qToLittleEndian<quint64>(quint64(payload.size()), word);
    bytes.append(word, 8);
    qToLittleEndian<quint32>(checksum(payload), word);
    bytes.append(word, 4);
    bytes.append(payload);
    return bytes;
}

Expected<LayerIndex> LayerIndex::deserialize(const QByteArray &bytes)
{
    if (bytes.size() < HeaderSize || std::memcmp(bytes.constData(), Magic, sizeof Magic) != 0)
        return fail(QStringLiteral("not a layer index file"));
    const char *p = bytes.constData() + 8;
    const quint32 version = qFromLittleEndian<quint32>(p);
    if (version != FormatVersion)
        return fail(QStringLiteral("layer index format %1, expected %2").arg(version).arg(FormatVersion));
    const quint64 payloadSize = qFromLittleEndian<quint64>(p + 8);
    if (payloadSize != quint64(bytes.size() - HeaderSize))
        return fail(QStringLiteral("layer index is truncated"));
    const QByteArrayView payload(bytes.constData() + HeaderSize, qsizetype(payloadSize));
    if (checksum(payload) != qFromLittleEndian<quint32>(p + 16))
        return fail(QStringLiteral("layer index checksum mismatch"));

    const QByteArray payloadBytes = QByteArray::fromRawData(payload.data(), payload.size());
    QDataStream in(payloadBytes);
    in.setVersion(QDataStream::Qt_6_4);
    in.setByteOrder(QDataStream::LittleEndian);
    LayerIndex index;
    quint32 count = 0;
    in >> index.m_diffId >> index.m_compressedSize >> count;
    // Each entry needs at least 33 bytes, so a count beyond that is corrupt data that
    // must not drive a huge allocation.
    if (in.status() != QDataStream::Ok || qint64(count) * 33 > payload.size())
        return fail(QStringLiteral("layer index header is corrupt"));
    index.m_entries.resize(count);
    for (IndexEntry &e : index.m_entries) {
        quint8 type = 0;
        in >> e.path >> type >> e.size >> e.mode >> e.uid >> e.gid;
        if (type > MaxEntryType)
            return fail(QStringLiteral("layer index has an unknown entry type %1").arg(type));
        e.type = EntryType(type);
        if (e.type == EntryType::Symlink || e.type == EntryType::Hardlink)
            in >> e.linkTarget;
        if (in.status() != QDataStream::Ok)
            return fail(QStringLiteral("layer index entries are corrupt"));
    }
    if (!in.atEnd())
        return fail(QStringLiteral("layer index has trailing data"));
    index.recount();
    return index;
}

} // namespace stagecraft
