// An advisory lock on a file of the store (flock), held for the lifetime of the value:
// writers hold the GC lock shared while their blobs are not yet referenced, garbage
// collection holds it exclusively, so two processes never collect under each other.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

class StoreLock
{
public:
    enum class Mode { Shared, Exclusive };

    // Waits for the lock unless `wait` is false (then a held lock is an error).
    static Expected<StoreLock> acquire(const QString &path, Mode mode, bool wait = true);
    // Waits at most `timeoutMs` (a process holding a lock forever, or a thread of this
    // process that would wait for itself, gives an error instead of a hang).
    static Expected<StoreLock> acquireWithin(const QString &path, Mode mode, int timeoutMs);

    StoreLock(StoreLock &&other) noexcept;
    StoreLock &operator=(StoreLock &&other) noexcept;
    StoreLock(const StoreLock &) = delete;
    StoreLock &operator=(const StoreLock &) = delete;
    ~StoreLock();

private:
    StoreLock() = default;
    static Expected<StoreLock> lock(const QString &path, Mode mode, bool wait, int timeoutMs);
    int m_fd = -1;
};

} // namespace stagecraft
