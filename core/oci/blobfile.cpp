#include "core/oci/blobfile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace stagecraft {

namespace {

void syncDirectory(const QString &dir)
{
    const int fd = ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

Expected<Digest> writeBlobFile(const QString &finalPath, const QString &tempDir, QIODevice *source,
                               const Digest &expected, qint64 expectedSize, qint64 *written)
{
    if (!QDir().mkpath(tempDir) || !QDir().mkpath(QFileInfo(finalPath).absolutePath()))
        return fail(QStringLiteral("cannot create the directory for %1").arg(finalPath));
    QTemporaryFile temp(tempDir + QLatin1Char('/') + TemporaryBlobPrefix + QStringLiteral("XXXXXX"));
    if (!temp.open())
        return fail(
            QStringLiteral("cannot create a temporary file in %1: %2").arg(tempDir, temp.errorString()));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    qint64 total = 0;
    const QString what = expected.isValid() ? expected.toString() : finalPath;
    for (;;) {
        const qint64 n = source->read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(source->errorString());
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        total += n;
        if (expectedSize >= 0 && total > expectedSize)
            return fail(
                QStringLiteral("blob %1 is larger than the %2 bytes expected").arg(what).arg(expectedSize));
        if (temp.write(buffer.constData(), n) != n)
            return fail(QStringLiteral("cannot write %1: %2").arg(temp.fileName(), temp.errorString()));
    }
    if (expectedSize >= 0 && total != expectedSize)
        return fail(
            QStringLiteral("blob %1 has %2 bytes, expected %3").arg(what).arg(total).arg(expectedSize));
    const Digest actual = Digest::fromRawSha256(hash.result());
    if (expected.isValid() && actual != expected)
        return fail(QStringLiteral("blob %1 does not match its digest: the content has digest %2")
                        .arg(expected.toString(), actual.toString()));
    if (!temp.flush() || ::fsync(temp.handle()) != 0)
        return fail(QStringLiteral("cannot write %1: %2").arg(temp.fileName(), temp.errorString()));
    temp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    if (::rename(QFile::encodeName(temp.fileName()).constData(), QFile::encodeName(finalPath).constData()) !=
        0)
        return fail(QStringLiteral("cannot move the blob into place at %1: %2")
                        .arg(finalPath, QString::fromLocal8Bit(strerror(errno))));
    temp.setAutoRemove(false);
    syncDirectory(QFileInfo(finalPath).absolutePath());
    if (written)
        *written = total;
    return actual;
}

Expected<void> writeFileAtomically(const QString &path, const QByteArray &content)
{
    const QString dir = QFileInfo(path).absolutePath();
    QTemporaryFile temp(dir + QLatin1Char('/') + TemporaryBlobPrefix + QStringLiteral("XXXXXX"));
    if (!temp.open())
        return fail(QStringLiteral("cannot create a temporary file in %1: %2").arg(dir, temp.errorString()));
    if (temp.write(content) != content.size() || !temp.flush() || ::fsync(temp.handle()) != 0)
        return fail(QStringLiteral("cannot write %1: %2").arg(temp.fileName(), temp.errorString()));
    temp.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    if (::rename(QFile::encodeName(temp.fileName()).constData(), QFile::encodeName(path).constData()) != 0)
        return fail(
            QStringLiteral("cannot replace %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    temp.setAutoRemove(false);
    syncDirectory(dir);
    return {};
}

} // namespace stagecraft
