#include "core/oci/dockerarchiveblobsource.h"

#include "core/oci/archivememberdevice.h"

namespace stagecraft {

DockerArchiveBlobSource::DockerArchiveBlobSource(QString tarPath)
    : m_tarPath(std::move(tarPath))
{}

QString DockerArchiveBlobSource::describe() const
{
    return QStringLiteral("docker-archive %1").arg(m_tarPath);
}

Expected<std::unique_ptr<QIODevice>> DockerArchiveBlobSource::openRaw(const Digest &digest) const
{
    const auto it = m_members.constFind(digest);
    if (it == m_members.constEnd())
        return fail(QStringLiteral("blob %1 is not in %2").arg(digest.toString(), describe()));
    auto device = ArchiveMemberDevice::open(m_tarPath, *it);
    if (!device)
        return std::unexpected(device.error());
    return std::unique_ptr<QIODevice>(std::move(*device));
}

} // namespace stagecraft
