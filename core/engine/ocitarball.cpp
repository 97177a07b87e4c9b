#include "core/engine/ocitarball.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace stagecraft {

namespace {

// What a member of the tarball is to the layout: one of its files, one of the directories
// holding them (the containerd exporter BuildKit uses writes `blobs/` and `blobs/sha256/`),
// another harmless regular file the layout does without, or something no builder writes.
enum class Member { LayoutFile, Directory, Ignored, Hostile };

Member classify(const QString &name, struct archive_entry *entry, QString *why)
{
    static const QRegularExpression blob(QStringLiteral("^blobs/sha256/[0-9a-f]{64}$"));
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR && (name.isEmpty() || name == QLatin1String(".")))
        return Member::Directory; // the tarball's root, "./"
    if (name.isEmpty() || name.startsWith(QLatin1Char('/')) ||
        name.split(QLatin1Char('/')).contains(QLatin1String(".."))) {
        *why = QStringLiteral("a member named %1 would land outside the layout").arg(name.left(200));
        return Member::Hostile;
    }
    if (type == AE_IFDIR) {
        QString dir = name;
        while (dir.endsWith(QLatin1Char('/')))
            dir.chop(1);
        if (dir == QLatin1String("blobs") || dir == QLatin1String("blobs/sha256"))
            return Member::Directory;
        *why = QStringLiteral("an OCI layout has no directory %1").arg(name.left(200));
        return Member::Hostile;
    }
    // A hard link is a regular file to libarchive, with its target set.
    if (type != AE_IFREG || archive_entry_hardlink(entry) != nullptr) {
        *why = QStringLiteral("%1 is not a regular file (a link or device): an OCI layout holds only files")
                   .arg(name.left(200));
        return Member::Hostile;
    }
    if (name == QLatin1String("oci-layout") || name == QLatin1String("index.json") ||
        blob.match(name).hasMatch())
        return Member::LayoutFile;
    if (name.startsWith(QLatin1String("blobs/"))) {
        *why = QStringLiteral("%1 is not a blob name (blobs/sha256/ and 64 lower-case hex digits)")
                   .arg(name.left(200));
        return Member::Hostile;
    }
    return Member::Ignored; // manifest.json and the like
}

} // namespace

Expected<void> OciTarball::extract(const QString &tarPath, const QString &dir)
{
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    // buildx writes a plain tar; gzip for a hand-compressed one. Not filter_all: it runs
    // external programs (lrzip, grzip) on data that asks for them.
    archive_read_support_filter_none(a.get());
    archive_read_support_filter_gzip(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    const auto why = [&] { return QString::fromUtf8(archive_error_string(a.get())); };
    const auto notLayout = [&](const QString &reason) {
        return fail(QStringLiteral("%1: not an OCI layout tarball: %2").arg(tarPath, reason));
    };
    if (archive_read_open_filename(a.get(), QFile::encodeName(tarPath).constData(), 1 << 16) != ARCHIVE_OK)
        return notLayout(why());
    if (!QDir().mkpath(dir + QStringLiteral("/blobs/sha256")))
        return fail(QStringLiteral("cannot create %1").arg(dir));
    qint64 total = 0;
    int count = 0;
    bool sawLayout = false;
    struct archive_entry *entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return notLayout(why());
        if (++count > kMaxMembers)
            return notLayout(QStringLiteral("more than %1 members").arg(kMaxMembers));
        QString name = QString::fromUtf8(archive_entry_pathname(entry));
        while (name.startsWith(QLatin1String("./")))
            name = name.mid(2);
        QString reason;
        const Member kind = classify(name, entry, &reason);
        if (kind == Member::Hostile)
            return notLayout(reason);
        if (kind != Member::LayoutFile)
            continue;
        // The header's size first, so a member claiming more than the bound is refused
        // before any of it is written.
        if (archive_entry_size(entry) > kMaxBytes - total)
            return notLayout(
                QStringLiteral("%1 claims %2 bytes, more than the %3 bytes a layout may unpack to")
                    .arg(name)
                    .arg(archive_entry_size(entry))
                    .arg(kMaxBytes));
        sawLayout = sawLayout || name == QLatin1String("oci-layout");
        // NewOnly (O_EXCL): a member given twice is refused rather than overwriting the first.
        QFile out(dir + QLatin1Char('/') + name);
        if (!out.open(QIODevice::WriteOnly | QIODevice::NewOnly))
            return out.exists()
                       ? notLayout(QStringLiteral("%1 is given twice").arg(name))
                       : fail(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
        char buffer[1 << 16];
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
            if (n < 0)
                return notLayout(QStringLiteral("cannot read %1: %2").arg(name, why()));
            if (n == 0)
                break;
            total += n;
            if (total > kMaxBytes)
                return notLayout(QStringLiteral("more than %1 bytes unpacked").arg(kMaxBytes));
            if (out.write(buffer, n) != n)
                return fail(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
        }
    }
    if (!sawLayout)
        return notLayout(QStringLiteral("it holds no oci-layout file"));
    return {};
}

} // namespace stagecraft
