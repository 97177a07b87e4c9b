#include "core/builder/archiveentries.h"

#include "core/builder/stagepaths.h"
#include "core/common/archivefilters.h"
#include "core/oci/layerextractor.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <atomic>
#include <limits>

namespace stagecraft {

namespace {

// Opens `path` as a tar archive (plain, gzip, bzip2, xz or zstd, told apart by content
// as Docker does); nullptr when it is not one. The caller frees the handle.
struct archive *openTarArchive(const QString &path)
{
    struct archive *a = archive_read_new();
    supportInProcessFilters(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_filename(a, QFile::encodeName(path).constData(), 64 * 1024) != ARCHIVE_OK) {
        archive_read_free(a);
        return nullptr;
    }
    return a;
}

// Writes the current member of `a` to `path`; its size.
Expected<qint64> writeMember(struct archive *a, const QString &path, const QString &source,
                             const QString &name)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("ADD %1: cannot write %2: %3").arg(source, path, file.errorString()));
    char buffer[64 * 1024];
    qint64 total = 0;
    while (true) {
        const la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
        if (n < 0)
            return fail(QStringLiteral("ADD %1: the archive is damaged at \"%2\": %3")
                            .arg(source, name, QString::fromLocal8Bit(archive_error_string(a))));
        if (n == 0)
            break;
        if (file.write(buffer, n) != n)
            return fail(QStringLiteral("ADD %1: cannot write %2: %3").arg(source, path, file.errorString()));
        total += n;
    }
    return total;
}

} // namespace

bool isTarArchive(const QString &path)
{
    struct archive *a = openTarArchive(path);
    if (!a)
        return false;
    struct archive_entry *entry = nullptr;
    // Docker's rule: an archive is what yields a first tar header; an empty one is a file.
    const int r = archive_read_next_header(a, &entry);
    archive_read_free(a);
    return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

Expected<QList<LayerSourceEntry>> archiveEntries(const QString &path, const QString &source,
                                                 const QString &destRel, const QString &scratchDir,
                                                 const CancellationToken &cancel)
{
    struct archive *a = openTarArchive(path);
    if (!a)
        return fail(QStringLiteral("ADD %1: cannot open the archive").arg(source));
    const auto cleanup = qScopeGuard([a] { archive_read_free(a); });
    const auto join = [](const QString &dir, const QString &name) {
        return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + QLatin1Char('/') + name;
    };
    QList<LayerSourceEntry> out;
    static std::atomic_int counter{0};
    // An archive from the context is as hostile as a layer: the same bounds, on what its
    // headers declare, before anything is written (a sparse entry would be written out
    // as zeros here).
    const ExtractOptions bounds;
    const qint64 archiveSize = QFileInfo(path).size();
    const qint64 byRatio = archiveSize > std::numeric_limits<qint64>::max() / bounds.maxExpansionRatio
                               ? std::numeric_limits<qint64>::max()
                               : archiveSize * bounds.maxExpansionRatio;
    const qint64 allowed = std::min(bounds.maxTotalSize, std::max(bounds.expansionAllowance, byRatio));
    qint64 declared = 0;
    qint64 entries = 0;
    while (true) {
        if (cancel.isCancelled())
            return failCancelled(QStringLiteral("build cancelled"));
        struct archive_entry *entry = nullptr;
        const int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return fail(QStringLiteral("ADD %1: the archive is damaged: %2")
                            .arg(source, QString::fromLocal8Bit(archive_error_string(a))));
        const char *rawName = archive_entry_pathname(entry);
        const QString name = QString::fromUtf8(rawName ? rawName : "");
        if (++entries > bounds.maxEntries)
            return fail(
                QStringLiteral("ADD %1: more than %2 archive members").arg(source).arg(bounds.maxEntries));
        if (archive_entry_filetype(entry) == AE_IFREG) {
            const qint64 size = archive_entry_size(entry);
            declared += std::max<qint64>(size, 0);
            if (size < 0 || size > bounds.maxFileSize || declared > allowed)
                return fail(
                    QStringLiteral("ADD %1: the archive member \"%2\" brings the contents to %3 bytes from "
                                   "a %4-byte archive, more than the %5 allowed (a decompression or "
                                   "sparse-file bomb)")
                        .arg(source, name)
                        .arg(declared)
                        .arg(archiveSize)
                        .arg(allowed));
        }
        const auto inside = cleanInside(name);
        if (!inside)
            return fail(QStringLiteral("ADD %1: the archive member \"%2\" points outside the destination")
                            .arg(source, name));
        LayerSourceEntry e;
        e.entry.path = join(destRel, *inside);
        if (e.entry.path.isEmpty())
            continue;
        e.entry.mode = archive_entry_perm(entry) & 07777;
        e.entry.uid = archive_entry_uid(entry);
        e.entry.gid = archive_entry_gid(entry);
        e.entry.mtime = archive_entry_mtime(entry);
        if (const char *hardlink = archive_entry_hardlink(entry)) {
            const auto target = cleanInside(QString::fromUtf8(hardlink));
            if (!target || target->isEmpty())
                return fail(QStringLiteral("ADD %1: the archive member \"%2\" links outside the destination")
                                .arg(source, name));
            e.entry.type = EntryType::Hardlink;
            e.entry.linkTarget = join(destRel, *target);
            out.append(e);
            continue;
        }
        switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
            if (*inside == QString())
                continue;
            e.entry.type = EntryType::Directory;
            break;
        case AE_IFLNK:
            e.entry.type = EntryType::Symlink;
            e.entry.linkTarget = QString::fromUtf8(archive_entry_symlink(entry));
            break;
        case AE_IFCHR:
        case AE_IFBLK:
            e.entry.type =
                archive_entry_filetype(entry) == AE_IFCHR ? EntryType::CharDevice : EntryType::BlockDevice;
            e.entry.deviceMajor = archive_entry_rdevmajor(entry);
            e.entry.deviceMinor = archive_entry_rdevminor(entry);
            break;
        case AE_IFIFO: e.entry.type = EntryType::Fifo; break;
        case AE_IFREG: {
            e.entry.type = EntryType::File;
            e.sourcePath = scratchDir + QStringLiteral("/archive-") + QString::number(++counter);
            auto size = writeMember(a, e.sourcePath, source, name);
            if (!size)
                return std::unexpected(size.error());
            e.entry.size = *size;
            break;
        }
        default: continue; // sockets have no place in a layer
        }
        out.append(e);
    }
    return out;
}

} // namespace stagecraft
