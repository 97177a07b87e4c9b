// The build log BuildKit keeps in its history (media type application/vnd.buildkit.status.v0,
// the `logs` layer of a `.dockerbuild` archive): each message a 4-byte little-endian length,
// then a protobuf StatusResponse (vertexes, statuses, logs, warnings). Turned into the same
// SolveStatus JSON that `--progress=rawjson` prints, one object a line, so one reader
// (SolveStatusStream) serves both.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QByteArrayView>

namespace stagecraft {

class BuildKitStatusLog
{
public:
    static constexpr qint64 kMaxBlobBytes = 256 * 1024 * 1024;
    static constexpr qint64 kMaxMessageBytes = 64 * 1024 * 1024;

    static Expected<QByteArray> toRawJson(QByteArrayView blob);
};

} // namespace stagecraft
