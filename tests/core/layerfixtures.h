// Builds small layer tarballs in memory for the oci tests (including malicious ones),
// with libarchive's writer or, for headers libarchive refuses to write, by hand.
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <sys/sysmacros.h>

#include <archive.h>
#include <archive_entry.h>

namespace fixtures {

struct TarEntry
{
    TarEntry(QString p, char t = 'f', QByteArray c = {}, QString l = {}, int m = 0644)
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

} // namespace fixtures
