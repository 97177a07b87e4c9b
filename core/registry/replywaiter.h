// Runs a local event loop until a QNetworkReply reaches a point (its headers, more body
// bytes, its end), the cancellation token fires, or nothing moved for too long, so the
// registry client can stay synchronous on the calling thread.
#pragma once

#include "core/common/cancellation.h"

class QNetworkReply;

namespace stagecraft {

class ReplyWaiter
{
public:
    enum class Until { Headers, Data, Finished };
    enum class Outcome { Reached, Cancelled, TimedOut };

    // `idleMs`: how long the reply may show no progress; `deadlineMs` (>= 0): an overall
    // limit for this wait. On Cancelled and TimedOut the reply has been aborted.
    static Outcome wait(QNetworkReply *reply, Until until, const CancellationToken &cancel, int idleMs,
                        int deadlineMs = -1);
    // Sleeps `ms` while watching `cancel`; false when cancelled.
    static bool sleep(int ms, const CancellationToken &cancel);
};

} // namespace stagecraft
