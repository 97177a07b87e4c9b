// Builds small layer tarballs in memory for the oci tests (including malicious ones),
// with libarchive's writer or, for headers libarchive refuses to write, by hand.
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>

namespace fixtures {

struct TarEntry
{
    TarEntry(QString p = {}, char t = 'f', QByteArray c = {}, QString l = {}, int m = 0644)
        : path(std::move(p))
        , type(t)
        , content(std::move(c))
        , link(std::move(l))
        , mode(m)
    {}
    QString path;
    char type; // f file, d dir, l symlink, h hardlink, c char device, p fifo
    QByteArray content;
    QString link;
    int mode;
};

enum class Filter { None, Gzip, Zstd };

inline la_ssize_t appendToArray(struct archive *, void *out, const void *buffer, size_t length)
{
    static_cast<QByteArray *>(out)->append(static_cast<const char *>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

inline QByteArray makeTar(const QList<TarEntry> &entries, Filter filter = Filter::None)
{
    QByteArray out;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (filter == Filter::Gzip)
        archive_write_add_filter_gzip(a);
    else if (filter == Filter::Zstd)
        archive_write_add_filter_zstd(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, &appendToArray, nullptr);
    for (const TarEntry &e : entries) {
        struct archive_entry *entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.toUtf8().constData());
        archive_entry_set_perm(entry, mode_t(e.mode));
        archive_entry_set_mtime(entry, 1700000000, 0);
        switch (e.type) {
        case 'd': archive_entry_set_filetype(entry, AE_IFDIR); break;
        case 'l':
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink(entry, e.link.toUtf8().constData());
            break;
        case 'h':
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, e.link.toUtf8().constData());
            break;
        case 'c':
            archive_entry_set_filetype(entry, AE_IFCHR);
            archive_entry_set_rdev(entry, makedev(1, 3));
            break;
        case 'p': archive_entry_set_filetype(entry, AE_IFIFO); break;
        default: archive_entry_set_filetype(entry, AE_IFREG); archive_entry_set_size(entry, e.content.size());
        }
        archive_write_header(a, entry);
        if (e.type == 'f' && !e.content.isEmpty())
            archive_write_data(a, e.content.constData(), size_t(e.content.size()));
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

// A ustar header for a regular file claiming `size` bytes (base-256 encoded when it does
// not fit in octal), followed by `data` and no end marker: a "huge size" bomb.
inline QByteArray makeHugeHeader(const QByteArray &name, quint64 size, const QByteArray &data = "x")
{
    QByteArray header(512, '\0');
    header.replace(0, name.size(), name);
    header.replace(100, 8, "0000644\0");
    header.replace(108, 8, "0000000\0");
    header.replace(116, 8, "0000000\0");
    // base-256: first byte 0x80, then big-endian value in the remaining 11 bytes
    header[124] = char(0x80);
    for (int i = 0; i < 11; ++i)
        header[135 - i] = i < 8 ? char((size >> (8 * i)) & 0xff) : '\0';
    header.replace(136, 12, "00000000000\0");
    header[156] = '0';
    header.replace(257, 6, QByteArray("ustar\0", 6));
    header.replace(263, 2, "00");
    header.replace(148, 8, "        ");
    unsigned sum = 0;
    for (char c : header)
        sum += static_cast<unsigned char>(c);
    const QByteArray checksum = QByteArray::number(sum, 8).rightJustified(6, '0') + QByteArray("\0 ", 2);
    header.replace(148, 8, checksum);
    return header + data;
}

// A 12-byte tar number field: 11 octal digits and a NUL.
inline QByteArray octal(quint64 value)
{
    QByteArray field = QByteArray::number(value, 8).rightJustified(11, '0');
    field.append('\0');
    return field;
}

// A ustar header for `name` (`typeflag`, `size` bytes, in octal) with its checksum;
// `patch` may set further fields first. For the formats libarchive's writer makes only
// in one variant (sparse files).
inline QByteArray ustarHeader(const QByteArray &name, char typeflag, quint64 size,
                              const std::function<void(QByteArray &)> &patch = {})
{
    QByteArray header(512, '\0');
    header.replace(0, name.size(), name);
    header.replace(100, 8, QByteArray("0000644\0", 8));
    header.replace(108, 8, QByteArray("0000000\0", 8));
    header.replace(116, 8, QByteArray("0000000\0", 8));
    header.replace(124, 12, octal(size));
    header.replace(136, 12, octal(1700000000));
    header[156] = typeflag;
    header.replace(257, 8,
                   QByteArray("ustar\0"
                              "00",
                              8));
    if (patch)
        patch(header);
    header.replace(148, 8, QByteArray(8, ' '));
    unsigned sum = 0;
    for (char c : header)
        sum += static_cast<unsigned char>(c);
    header.replace(148, 8,
                   QByteArray(QByteArray::number(sum, 8).rightJustified(6, '0') + QByteArray("\0 ", 2)));
    Q_ASSERT(header.size() == 512);
    return header;
}

inline QByteArray padToBlock(QByteArray data)
{
    data.append(QByteArray((512 - data.size() % 512) % 512, '\0'));
    return data;
}

enum class Sparse { Pax10, Pax01, GnuOld };

// A tar holding one sparse file `name` of apparent size `realSize` whose data are the
// `pieces` (offset, bytes); everything else is a hole. Pax10 through libarchive's writer,
// the older encodings by hand (pax 0.1 `GNU.sparse.map`, GNU `S` headers), and a second
// small file "after" so a reader must find its way past the sparse data.
inline QByteArray makeSparseTar(Sparse format, const QByteArray &name, qint64 realSize,
                                const QList<QPair<qint64, QByteArray>> &pieces, Filter filter = Filter::None)
{
    QByteArray stored;
    for (const auto &p : pieces)
        stored += p.second;
    QByteArray out;
    if (format == Sparse::Pax10) {
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (filter == Filter::Gzip)
            archive_write_add_filter_gzip(a);
        archive_write_set_bytes_in_last_block(a, 1);
        archive_write_open(a, &out, nullptr, &appendToArray, nullptr);
        struct archive_entry *entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.constData());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, realSize);
        for (const auto &p : pieces)
            archive_entry_sparse_add_entry(entry, p.first, p.second.size());
        archive_entry_sparse_add_entry(entry, realSize, 0);
        archive_write_header(a, entry);
        // The writer takes the whole apparent content and drops the holes.
        const QByteArray zeros(1 << 20, '\0');
        qint64 at = 0;
        for (const auto &p : pieces) {
            while (at < p.first) {
                const qint64 n = qMin<qint64>(zeros.size(), p.first - at);
                archive_write_data(a, zeros.constData(), size_t(n));
                at += n;
            }
            archive_write_data(a, p.second.constData(), size_t(p.second.size()));
            at += p.second.size();
        }
        while (at < realSize) {
            const qint64 n = qMin<qint64>(zeros.size(), realSize - at);
            archive_write_data(a, zeros.constData(), size_t(n));
            at += n;
        }
        archive_entry_free(entry);
        entry = archive_entry_new();
        archive_entry_set_pathname(entry, "after");
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, 5);
        archive_write_header(a, entry);
        archive_write_data(a, "after", 5);
        archive_entry_free(entry);
        archive_write_close(a);
        archive_write_free(a);
        return out;
    }
    if (format == Sparse::Pax01) {
        QByteArray map;
        for (const auto &p : pieces)
            map += (map.isEmpty() ? "" : ",") + QByteArray::number(p.first) + ',' +
                   QByteArray::number(p.second.size());
        QByteArray records;
        auto record = [&records](const QByteArray &key, const QByteArray &value) {
            const QByteArray body = ' ' + key + '=' + value + '\n';
            qsizetype length = body.size() + 1;
            while (QByteArray::number(length).size() + body.size() != length)
                ++length;
            records += QByteArray::number(length) + body;
        };
        record("GNU.sparse.size", QByteArray::number(realSize));
        record("GNU.sparse.numblocks", QByteArray::number(pieces.size()));
        record("GNU.sparse.map", map);
        record("GNU.sparse.name", name);
        out += ustarHeader("PaxHeaders/" + name, 'x', quint64(records.size())) + padToBlock(records);
        out += ustarHeader(name, '0', quint64(stored.size())) + padToBlock(stored);
    } else {
        Q_ASSERT(pieces.size() <= 4);
        out += ustarHeader(name, 'S', quint64(stored.size()), [&](QByteArray &h) {
            h.replace(257, 8, QByteArray("ustar  \0", 8));
            for (qsizetype i = 0; i < pieces.size(); ++i) {
                h.replace(386 + 24 * i, 12, octal(quint64(pieces[i].first)));
                h.replace(398 + 24 * i, 12, octal(quint64(pieces[i].second.size())));
            }
            h.replace(483, 12, octal(quint64(realSize)));
        });
        out += padToBlock(stored);
    }
    out += ustarHeader("after", '0', 5) + padToBlock("after");
    out += QByteArray(1024, '\0');
    return out;
}

} // namespace fixtures
