#include "core/oci/directoryblobsource.h"

#include <QFile>
#include <QFileInfo>

namespace stagecraft {

DirectoryBlobSource::DirectoryBlobSource(QString root, QString description)
    : m_root(std::move(root))
    , m_description(std::move(description))
{}

QString DirectoryBlobSource::blobPath(const Digest &digest) const
{
    return m_root + QStringLiteral("/blobs/") + digest.algorithm() + QLatin1Char('/') + digest.hex();
}

bool DirectoryBlobSource::contains(const Digest &digest) const
{
    return QFileInfo(blobPath(digest)).isFile();
}

Expected<std::unique_ptr<QIODevice>> DirectoryBlobSource::openRaw(const Digest &digest) const
{
    auto file = std::make_unique<QFile>(blobPath(digest));
    if (!file->exists())
        return fail(QStringLiteral("blob %1 is missing from %2").arg(digest.toString(), m_description));
    if (!file->open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot open blob %1 in %2: %3")
                        .arg(digest.toString(), m_description, file->errorString()));
    return std::unique_ptr<QIODevice>(std::move(file));
}

} // namespace stagecraft
