#include "core/engine/ocitarball.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace stagecraft {

Expected<void> OciTarball::extract(const QString &tarPath, const QString &dir)
{
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    archive_read_support_format_gnutar(a.get());
    const auto why = [&] { return QString::fromUtf8(archive_error_string(a.get())); };
    if (archive_read_open_filename(a.get(), QFile::encodeName(tarPath).constData(), 1 << 16) != ARCHIVE_OK)
        return fail(QStringLiteral("%1: not an OCI layout tarball: %2").arg(tarPath, why()));
    if (!QDir().mkpath(dir + QStringLiteral("/blobs/sha256")))
        return fail(QStringLiteral("cannot create %1").arg(dir));
    static const QRegularExpression blob(QStringLiteral("^blobs/sha256/[0-9a-f]{64}$"));
    qint64 total = 0;
    int count = 0;
    bool sawLayout = false;
    struct archive_entry *entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(a.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
            return fail(QStringLiteral("%1: not an OCI layout tarball: %2").arg(tarPath, why()));
        if (++count > kMaxMembers)
            return fail(QStringLiteral("%1: more than %2 members").arg(tarPath).arg(kMaxMembers));
        if (archive_entry_filetype(entry) != AE_IFREG)
            continue;
        QString name = QString::fromUtf8(archive_entry_pathname(entry));
        while (name.startsWith(QLatin1String("./")))
            name = name.mid(2);
        if (name != QLatin1String("oci-layout") && name != QLatin1String("index.json") &&
            !blob.match(name).hasMatch())
            continue; // manifest.json and the like: the layout does without them
        sawLayout = sawLayout || name == QLatin1String("oci-layout");
        QFile out(dir + QLatin1Char('/') + name);
        if (!out.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
        char buffer[1 << 16];
        for (;;) {
            const la_ssize_t n = archive_read_data(a.get(), buffer, sizeof buffer);
            if (n < 0)
                return fail(QStringLiteral("%1: cannot read %2: %3").arg(tarPath, name, why()));
            if (n == 0)
                break;
            total += n;
            if (total > kMaxBytes)
                return fail(QStringLiteral("%1: more than %2 bytes unpacked").arg(tarPath).arg(kMaxBytes));
            if (out.write(buffer, n) != n)
                return fail(QStringLiteral("cannot write %1: %2").arg(out.fileName(), out.errorString()));
        }
    }
    if (!sawLayout)
        return fail(QStringLiteral("%1 holds no oci-layout file: not an OCI layout tarball").arg(tarPath));
    return {};
}

} // namespace stagecraft
