#include "core/store/storelease.h"

#include "core/store/storelock.h"

#include <QFile>
#include <QRandomGenerator>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

// A collection holds the lock only while it marks and sweeps, so a writer waits for at
// most one collection; a minute means something is stuck.
constexpr int kLockWaitMs = 60 * 1000;

QString errnoText()
{
    return QString::fromLocal8Bit(strerror(errno));
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace

Expected<std::shared_ptr<StoreLease>> StoreLease::take(const QString &storeRoot, const QString &holder)
{
    const QString gcLockPath = storeRoot + QStringLiteral("/gc.lock");
    auto shared = StoreLock::acquireWithin(gcLockPath, StoreLock::Mode::Shared, kLockWaitMs);
    if (!shared)
        return std::unexpected(shared.error());
    const QString dir = storeRoot + QStringLiteral("/leases");
    if (::mkdir(QFile::encodeName(dir).constData(), 0700) != 0 && errno != EEXIST)
        return fail(QStringLiteral("cannot create %1: %2").arg(dir, errnoText()));
    std::shared_ptr<StoreLease> lease(new StoreLease);
    lease->m_gcLockPath = gcLockPath;
    for (int attempt = 0; lease->m_fd < 0; ++attempt) {
        lease->m_path = QStringLiteral("%1/%2-%3-%4")
                            .arg(dir, holder)
                            .arg(::getpid())
                            .arg(QRandomGenerator::system()->generate64(), 16, 16, QLatin1Char('0'));
        lease->m_fd = ::open(QFile::encodeName(lease->m_path).constData(),
                             O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_APPEND, 0600);
        if (lease->m_fd < 0 && (errno != EEXIST || attempt > 8))
            return fail(QStringLiteral("cannot create the lease %1: %2").arg(lease->m_path, errnoText()));
    }
    // The lease lives exactly as long as this lock: the kernel drops it with the process.
    if (::flock(lease->m_fd, LOCK_EX | LOCK_NB) != 0)
        return fail(QStringLiteral("cannot lock the lease %1: %2").arg(lease->m_path, errnoText()));
    // The start is the file's own time, from the same clock as the times of the scratch
    // files the holder makes next.
    struct stat st = {};
    if (::fstat(lease->m_fd, &st) != 0 ||
        !writeAll(lease->m_fd, QStringLiteral("%1 %2 %3.%4\n")
                                   .arg(holder)
                                   .arg(::getpid())
                                   .arg(qint64(st.st_mtim.tv_sec))
                                   .arg(qint64(st.st_mtim.tv_nsec), 9, 10, QLatin1Char('0'))
                                   .toUtf8()))
        return fail(QStringLiteral("cannot write the lease %1: %2").arg(lease->m_path, errnoText()));
    return lease;
}

StoreLease::~StoreLease()
{
    if (m_fd < 0)
        return;
    // Unlinked while still locked: a collection never finds the file unlocked and alive.
    ::unlink(QFile::encodeName(m_path).constData());
    ::close(m_fd);
}

Expected<void> StoreLease::keep(const Digest &digest)
{
    std::lock_guard guard(m_mutex);
    if (m_kept.contains(digest))
        return {};
    // Shared with other writers, exclusive with a collection: the collection either reads
    // this line or has finished sweeping before it is written.
    auto shared = StoreLock::acquireWithin(m_gcLockPath, StoreLock::Mode::Shared, kLockWaitMs);
    if (!shared)
        return std::unexpected(shared.error());
    if (!writeAll(m_fd, digest.toString().toLatin1() + '\n'))
        return fail(QStringLiteral("cannot write the lease %1: %2").arg(m_path, errnoText()));
    m_kept.insert(digest);
    return {};
}

} // namespace stagecraft
