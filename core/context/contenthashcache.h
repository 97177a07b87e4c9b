// Remembers the sha256 of file contents by (path, size, mtime, ctime, inode) so that
// hashing an unchanged build context again reads no file. Thread-safe; share one
// instance between builds.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <sys/types.h>

namespace stagecraft {

class ContentHashCache
{
public:
    // sha256 of the regular file's bytes (raw 32 bytes), from the memo when the file's
    // stat (size, mtime, ctime, inode) is what it was when it was last hashed.
    Expected<QByteArray> fileDigest(const QString &absolutePath, const CancellationToken &cancel);

    qint64 hits() const;
    qint64 misses() const;

private:
    struct Stamp
    {
        qint64 size = 0;
        qint64 mtimeNs = 0;
        qint64 ctimeNs = 0;
        quint64 inode = 0;
        quint64 device = 0;
        friend bool operator==(const Stamp &, const Stamp &) = default;
    };
    struct Memo
    {
        Stamp stamp;
        QByteArray digest;
    };

    mutable QMutex m_mutex;
    QHash<QString, Memo> m_memo;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
};

} // namespace stagecraft
