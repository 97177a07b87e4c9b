// Writing a blob to its final file atomically: bytes go to a temporary file in the same
// directory tree, are hashed and checked against the expected digest and size, synced,
// and only then renamed into place. A crash leaves at most a temporary file behind.
#pragma once

#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QIODevice>
#include <QString>

#include <functional>

namespace stagecraft {

// Temporary files start with this prefix, so readers and `verify` ignore them and
// garbage collection removes them.
inline constexpr QLatin1String TemporaryBlobPrefix{".tmp-"};

// Copies `source` to `finalPath` through a temporary file in `tempDir` (same filesystem).
// `expected` invalid: the digest is only computed; `expectedSize` < 0: not checked.
// Returns the digest of what was written.
Expected<Digest> writeBlobFile(const QString &finalPath, const QString &tempDir, QIODevice *source,
                               const Digest &expected = {}, qint64 expectedSize = -1,
                               qint64 *written = nullptr);

// As writeBlobFile, and `consume` reads the blob while it is copied (a layer's entries
// and diff ID), so the blob is read once; what `consume` leaves unread is copied after
// it returns. An error from `consume` stops the copy and stores nothing.
Expected<Digest> writeBlobFileWhileReading(const QString &finalPath, const QString &tempDir,
                                           QIODevice *source, const Digest &expected, qint64 expectedSize,
                                           const std::function<Expected<void>(QIODevice *)> &consume,
                                           qint64 *written = nullptr);

// Replaces a small file (index.json, refs.json) atomically.
Expected<void> writeFileAtomically(const QString &path, const QByteArray &content);

} // namespace stagecraft
