#include "core/store/storelock.h"

#include <QElapsedTimer>
#include <QFile>

#include <chrono>
#include <thread>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace stagecraft {

Expected<StoreLock> StoreLock::acquire(const QString &path, Mode mode, bool wait)
{
    return lock(path, mode, wait, -1);
}

Expected<StoreLock> StoreLock::acquireWithin(const QString &path, Mode mode, int timeoutMs)
{
    return lock(path, mode, false, timeoutMs);
}

Expected<StoreLock> StoreLock::lock(const QString &path, Mode mode, bool wait, int timeoutMs)
{
    const int fd =
        ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return fail(QStringLiteral("cannot open the lock file %1: %2")
                        .arg(path, QString::fromLocal8Bit(strerror(errno))));
    int operation = mode == Mode::Shared ? LOCK_SH : LOCK_EX;
    if (!wait)
        operation |= LOCK_NB;
    QElapsedTimer waited;
    waited.start();
    int r;
    for (;;) {
        r = ::flock(fd, operation);
        if (r == 0)
            break;
        if (errno == EINTR)
            continue;
        // Polled rather than blocking, so the wait is bounded.
        if (errno == EWOULDBLOCK && timeoutMs > 0 && waited.elapsed() < timeoutMs) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        break;
    }
    if (r != 0) {
        const int error = errno;
        ::close(fd);
        if (error == EWOULDBLOCK)
            return fail(
                QStringLiteral("the store is in use by another process (%1 is locked); try again").arg(path));
        return fail(QStringLiteral("cannot lock %1: %2").arg(path, QString::fromLocal8Bit(strerror(error))));
    }
    StoreLock lock;
    lock.m_fd = fd;
    return lock;
}

StoreLock::StoreLock(StoreLock &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
{}

StoreLock &StoreLock::operator=(StoreLock &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

StoreLock::~StoreLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

} // namespace stagecraft
