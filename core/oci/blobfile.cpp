#include "core/oci/blobfile.h"
#include "core/common/sha256.h"

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

// Hands on what it reads from `source` and writes the same bytes to `copy`, hashing and
// counting them: one reader (a layer parser) then also stores the blob.
class CopyingDevice : public QIODevice
{
public:
    CopyingDevice(QIODevice *source, QFileDevice *copy, qint64 expectedSize, QString what)
        : m_source(source)
        , m_copy(copy)
        , m_expectedSize(expectedSize)
        , m_what(std::move(what))
    {
        open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }

    bool isSequential() const override { return true; }
    bool atEnd() const override { return m_source->atEnd(); }
    qint64 bytesAvailable() const override { return m_source->bytesAvailable(); }
    qint64 total() const { return m_total; }
    Digest digest() const { return Digest::fromRawSha256(m_hash.result()); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = m_source->read(data, maxSize);
        if (n < 0) {
            setErrorString(m_source->errorString());
            return -1;
        }
        if (n == 0)
            return 0;
        m_hash.addData(QByteArrayView(data, n));
        m_total += n;
        if (m_expectedSize >= 0 && m_total > m_expectedSize) {
            setErrorString(QStringLiteral("blob %1 is larger than the %2 bytes expected")
                               .arg(m_what)
                               .arg(m_expectedSize));
            return -1;
        }
        if (m_copy->write(data, n) != n) {
            setErrorString(
                QStringLiteral("cannot write %1: %2").arg(m_copy->fileName(), m_copy->errorString()));
            return -1;
        }
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QIODevice *m_source;
    QFileDevice *m_copy;
    qint64 m_expectedSize;
    QString m_what;
    Sha256 m_hash;
    qint64 m_total = 0;
};

} // namespace

Expected<Digest> writeBlobFile(const QString &finalPath, const QString &tempDir, QIODevice *source,
                               const Digest &expected, qint64 expectedSize, qint64 *written)
{
    return writeBlobFileWhileReading(finalPath, tempDir, source, expected, expectedSize, {}, written);
}

Expected<Digest> writeBlobFileWhileReading(const QString &finalPath, const QString &tempDir,
                                           QIODevice *source, const Digest &expected, qint64 expectedSize,
                                           const std::function<Expected<void>(QIODevice *)> &consume,
                                           qint64 *written)
{
    if (!QDir().mkpath(tempDir) || !QDir().mkpath(QFileInfo(finalPath).absolutePath()))
        return fail(QStringLiteral("cannot create the directory for %1").arg(finalPath));
    QTemporaryFile temp(tempDir + QLatin1Char('/') + TemporaryBlobPrefix + QStringLiteral("XXXXXX"));
    if (!temp.open())
        return fail(
            QStringLiteral("cannot create a temporary file in %1: %2").arg(tempDir, temp.errorString()));
    const QString what = expected.isValid() ? expected.toString() : finalPath;
    CopyingDevice copying(source, &temp, expectedSize, what);
    if (consume) {
        auto consumed = consume(&copying);
        if (!consumed)
            return std::unexpected(consumed.error());
    }
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    for (;;) {
        const qint64 n = copying.read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(copying.errorString());
        if (n == 0)
            break;
    }
    const qint64 total = copying.total();
    if (expectedSize >= 0 && total != expectedSize)
        return fail(
            QStringLiteral("blob %1 has %2 bytes, expected %3").arg(what).arg(total).arg(expectedSize));
    const Digest actual = copying.digest();
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
