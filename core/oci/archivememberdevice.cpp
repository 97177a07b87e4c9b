#include "core/oci/archivememberdevice.h"
#include "core/common/archivefilters.h"

#include <QFile>

#include <archive.h>
#include <archive_entry.h>

namespace stagecraft {

ArchiveMemberDevice::~ArchiveMemberDevice()
{
    close();
}

void ArchiveMemberDevice::close()
{
    if (m_archive) {
        archive_read_free(m_archive);
        m_archive = nullptr;
    }
    QIODevice::close();
}

Expected<std::unique_ptr<ArchiveMemberDevice>> ArchiveMemberDevice::open(const QString &tarPath,
                                                                         const QString &member)
{
    std::unique_ptr<ArchiveMemberDevice> device(new ArchiveMemberDevice);
    device->m_archive = archive_read_new();
    supportInProcessFilters(device->m_archive);
    archive_read_support_format_tar(device->m_archive);
    archive_read_support_format_gnutar(device->m_archive);
    if (archive_read_open_filename(device->m_archive, QFile::encodeName(tarPath).constData(), 1 << 16) !=
        ARCHIVE_OK)
        return fail(QStringLiteral("cannot read %1: %2")
                        .arg(tarPath, QString::fromUtf8(archive_error_string(device->m_archive))));
    struct archive_entry *entry = nullptr;
    for (;;) {
        const int r = archive_read_next_header(device->m_archive, &entry);
        if (r == ARCHIVE_EOF)
            return fail(QStringLiteral("%1 has no member `%2`").arg(tarPath, member));
        if (r < ARCHIVE_WARN)
            return fail(QStringLiteral("%1 is not a readable tar archive: %2")
                            .arg(tarPath, QString::fromUtf8(archive_error_string(device->m_archive))));
        QString name = QString::fromUtf8(archive_entry_pathname(entry));
        while (name.startsWith(QLatin1String("./")))
            name.remove(0, 2);
        if (name == member)
            break;
    }
    device->QIODevice::open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    return device;
}

qint64 ArchiveMemberDevice::readData(char *data, qint64 maxSize)
{
    if (!m_archive || m_end)
        return 0;
    const la_ssize_t n = archive_read_data(m_archive, data, size_t(maxSize));
    if (n < 0) {
        setErrorString(QString::fromUtf8(archive_error_string(m_archive)));
        return -1;
    }
    if (n == 0)
        m_end = true;
    return n;
}

} // namespace stagecraft
