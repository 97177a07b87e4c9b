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

    StoreLock(StoreLock &&other) noexcept;
    StoreLock &operator=(StoreLock &&other) noexcept;
    StoreLock(const StoreLock &) = delete;
    StoreLock &operator=(const StoreLock &) = delete;
    ~StoreLock();

private:
    StoreLock() = default;
    int m_fd = -1;
};

} // namespace stagecraft
