// The host directory behind a `RUN --mount=type=cache`: made with the mount's mode and
// owner (uid, gid, mode) the first time, and kept reachable for container root after.
#pragma once

#include "core/common/error.h"

namespace stagecraft {

class IdMap;
struct SandboxMount;

class CacheDirectory
{
public:
    // `created`: this mount has just made m.source.
    static Expected<void> prepare(const SandboxMount &m, const IdMap &map, bool created);
};

} // namespace stagecraft
