// Byte counts as people write and read them: "20MB", "1.5GB", "512KiB" or plain
// digits in (parsed the way dive parses its --highest-wasted-bytes), and "1.9 MB" out.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

// Decimal units (kB, MB, GB, TB, PB; "K", "M"… alike) are powers of 1000 and binary
// units (KiB, MiB, GiB…) powers of 1024, case-insensitive, an optional space and "B";
// plain digits are bytes.
Expected<qint64> parseByteSize(const QString &text);
// Decimal units with three significant digits ("23 B", "1.0 MB", "3.1 MB").
QString formatByteSize(qint64 bytes);

} // namespace stagecraft
