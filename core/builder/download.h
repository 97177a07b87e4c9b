// ADD's download of a URL into a file, on the calling worker thread, with what Docker
// takes from the answer: the file name, the digest and the modification time. Bounded in
// time without progress and in size, so a stalled or endless server cannot hold a build;
// with a DownloadCache an unchanged URL costs one conditional request.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace stagecraft {

class DownloadCache;

// Where the bytes of a download came from.
enum class DownloadOrigin {
    Server,         // a full answer (200)
    Revalidated,    // the server answered 304 Not Modified: the cached copy
    CachedByDigest, // ADD --checksum named the cached copy's digest: no request at all
};

struct Download
{
    QString fileName; // from Content-Disposition or the URL's last path segment
    QString digest;   // "sha256:<hex>"
    qint64 size = 0;
    std::optional<qint64> lastModified;
    DownloadOrigin origin = DownloadOrigin::Server;
};

// What one request may take before it fails.
struct DownloadLimits
{
    int idleTimeoutMs = 30 * 1000;     // no byte received for this long (0: no limit)
    qint64 maxBytes = qint64(8) << 30; // the body, as received
};

// The validators of a cached answer that a conditional request sends back.
struct HttpValidators
{
    QByteArray etag;         // sent as If-None-Match
    QByteArray lastModified; // sent as If-Modified-Since (the server's own text)
    bool isEmpty() const { return etag.isEmpty() && lastModified.isEmpty(); }
};

// One request's outcome: a 304 leaves `path` empty and `download` without content fields.
struct HttpAnswer
{
    bool notModified = false;
    Download download;
    HttpValidators validators; // what the answer gave for the next conditional request
};

struct DownloadOptions
{
    DownloadLimits limits;
    const DownloadCache *cache = nullptr; // none: every call fetches the whole body
    QString checksum;                     // ADD --checksum ("sha256:<hex>"), empty: none
};

// Fetches `url` into `path` on the calling (worker) thread, following redirects; through
// `options.cache` when given. A cancelled download fails with ErrorKind::Cancelled.
Expected<Download> download(const QUrl &url, const QString &path, const CancellationToken &cancel,
                            const DownloadOptions &options = {});

// One GET of `url` into `path`; with `ifChanged`, a conditional one that may answer 304.
// Anything but 2xx (or that 304) fails naming the status.
Expected<HttpAnswer> fetchUrl(const QUrl &url, const QString &path, const CancellationToken &cancel,
                              const DownloadLimits &limits, const HttpValidators &ifChanged = {});

} // namespace stagecraft
