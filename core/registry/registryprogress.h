// What a pull or push reports per blob while it runs, so the command line can draw
// progress bars and the window can turn them into build events.
#pragma once

#include "core/oci/digest.h"

#include <QString>

#include <functional>

namespace stagecraft {

struct RegistryProgress
{
    enum class Phase {
        Present,     // already where it is going (in the store, or in the registry): nothing to move
        Downloading, // bytesDone of bytesTotal received
        Uploading,   // bytesDone of bytesTotal sent
        Done,        // moved and verified
    };
    QString reference; // the image, as the user named it
    Digest digest;     // the blob
    QString mediaType;
    qint64 bytesDone = 0;
    qint64 bytesTotal = 0;
    Phase phase = Phase::Downloading;
};

// Called on the thread that runs the pull or push; may be empty.
using RegistryProgressSink = std::function<void(const RegistryProgress &)>;

} // namespace stagecraft
