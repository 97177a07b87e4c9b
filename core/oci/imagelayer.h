// One layer of an Image: the blob as stored (compressed digest, size, media type), the
// diff ID (digest of the uncompressed tar) and the history entry of the step that made it.
#pragma once

#include "core/oci/descriptor.h"
#include "core/oci/digest.h"
#include "core/oci/historyentry.h"

namespace stagecraft {

struct ImageLayer
{
    Descriptor descriptor;
    Digest diffId;
    int historyIndex = -1; // index into ImageConfig::history; -1 when the history is short
    HistoryEntry history;  // a copy of that entry (empty when historyIndex < 0)
};

} // namespace stagecraft
