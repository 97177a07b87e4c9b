#include "core/context/contenthashcache.h"
#include "core/common/sha256.h"

#include <QFile>

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace stagecraft {

namespace {

qint64 nanoseconds(const struct timespec &t)
{
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

} // namespace

Expected<QByteArray> ContentHashCache::fileDigest(const QString &absolutePath,
                                                  const CancellationToken &cancel)
{
    struct stat st = {};
    const QByteArray native = QFile::encodeName(absolutePath);
    if (::lstat(native.constData(), &st) != 0)
        return fail(
            QStringLiteral("cannot read %1: %2").arg(absolutePath, QString::fromLocal8Bit(strerror(errno))));
    const Stamp stamp{qint64(st.st_size), nanoseconds(st.st_mtim), nanoseconds(st.st_ctim),
                      quint64(st.st_ino), quint64(st.st_dev)};
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_memo.constFind(absolutePath);
        if (it != m_memo.cend() && it->stamp == stamp) {
            ++m_hits;
            return it->digest;
        }
    }

    QFile file(absolutePath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(absolutePath, file.errorString()));
    Sha256 hash;
    QByteArray buffer(1 << 16, Qt::Uninitialized);
    for (;;) {
        if (cancel.isCancelled())
            return failCancelled();
        const qint64 n = file.read(buffer.data(), buffer.size());
        if (n < 0)
            return fail(QStringLiteral("cannot read %1: %2").arg(absolutePath, file.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
    }
    const QByteArray digest = hash.result();
    QMutexLocker lock(&m_mutex);
    ++m_misses;
    m_memo.insert(absolutePath, Memo{stamp, digest});
    return digest;
}

qint64 ContentHashCache::hits() const
{
    QMutexLocker lock(&m_mutex);
    return m_hits;
}

qint64 ContentHashCache::misses() const
{
    QMutexLocker lock(&m_mutex);
    return m_misses;
}

} // namespace stagecraft
