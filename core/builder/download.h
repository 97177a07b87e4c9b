// ADD's download of a URL into a file, on the calling worker thread, with what Docker
// takes from the answer: the file name, the digest and the modification time.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QString>
#include <QUrl>

#include <optional>

namespace stagecraft {

struct Download
{
    QString fileName; // from Content-Disposition or the URL's last path segment
    QString digest;   // "sha256:<hex>"
    qint64 size = 0;
    std::optional<qint64> lastModified;
};

// Fetches `url` into `path` on the calling (worker) thread, following redirects.
Expected<Download> download(const QUrl &url, const QString &path, const CancellationToken &cancel);

} // namespace stagecraft
