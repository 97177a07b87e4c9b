// A lease on an image store: while a build, pull or import runs, it names the blobs and
// extracted layers it writes or relies on, so that a garbage collection running meanwhile,
// in any process, keeps them. A lease is a file under the store's `leases/` directory,
// flock-held for as long as its holder lives: however the holder dies, the kernel releases
// the lock, and the next collection removes the file and the scratch files the holder left.
#pragma once

#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QSet>
#include <QString>

#include <memory>
#include <mutex>

namespace stagecraft {

class StoreLease
{
public:
    // Creates a lease in the store at `storeRoot` for `holder` (a word saying who holds it:
    // "build", "pull", ...). Made while holding the collection lock shared, so a collection
    // never meets a lease file that is not locked yet.
    static Expected<std::shared_ptr<StoreLease>> take(const QString &storeRoot, const QString &holder);

    StoreLease(const StoreLease &) = delete;
    StoreLease &operator=(const StoreLease &) = delete;
    // Ends the lease: what it kept becomes collectable again.
    ~StoreLease();

    // From when this returns until the lease ends, no collection removes the blob or the
    // extracted layer named `digest`. A collection running at the same time either saw
    // the name or finishes before this returns, so a blob found present after keep()
    // stays present. Safe to call from several threads.
    Expected<void> keep(const Digest &digest);

    QString path() const { return m_path; }

private:
    StoreLease() = default;

    QString m_gcLockPath;
    QString m_path;
    int m_fd = -1;
    std::mutex m_mutex;
    QSet<Digest> m_kept;
};

} // namespace stagecraft
