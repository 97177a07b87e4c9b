// What the leases of a store hold at one moment, as garbage collection sees it while
// holding the collection lock exclusively: the digests live leases keep, and the time the
// oldest live lease began. Scratch files and directories of lease holders are made after
// their lease began, so one older than every live lease belongs to no living process.
#pragma once

#include "core/oci/digest.h"

#include <QSet>
#include <QString>

#include <optional>

#include <sys/stat.h>

namespace stagecraft {

struct LiveLeases
{
    QSet<Digest> kept;
    // No value: no live lease.
    std::optional<struct timespec> oldestStart;
    int staleRemoved = 0; // lease files of dead holders removed by read()

    // Reads `storeRoot`/leases; removes the files of leases whose holder is gone.
    static LiveLeases read(const QString &storeRoot);

    // Whether the scratch entry `path` (not followed when a symlink) may still belong to a
    // live lease holder: it changed (ctime) after the oldest live lease began.
    bool mayBeInUse(const QString &path) const;
};

} // namespace stagecraft
