// What ADD fetched from URLs, kept between builds (the store's cache/downloads), so a
// build of an unchanged URL asks the server only whether it changed (If-None-Match,
// If-Modified-Since) and ADD --checksum of a kept digest asks nothing. Every file in the
// directory is treated as damaged until checked: an entry that is not a small regular
// file of valid metadata, or content whose digest differs, is removed and fetched again.
#pragma once

#include "core/builder/download.h"

#include <QSet>
#include <QString>
#include <QUrl>

namespace stagecraft {

class RootDirectory;

// How much a DownloadCache keeps; beyond it the least recently used entries go first.
struct DownloadCacheLimits
{
    qint64 maxBytes = qint64(4) << 30; // all kept content
    int maxEntries = 256;
};

class DownloadCache
{
public:
    // Files are: `<sha256 of the URL>.json` (the answer's metadata), `sha256-<hex>` (content,
    // shared by URLs with the same bytes), `.tmp-*` (being written; store gc removes old ones).
    explicit DownloadCache(QString directory, DownloadCacheLimits limits = {})
        : m_directory(std::move(directory))
        , m_limits(limits)
    {}

    const QString &directory() const { return m_directory; }
    static QString entryFileName(const QUrl &url);
    static QString contentFileName(const QString &digest);

    // download() through the cache: `url` into `path`, with the fields a full fetch gives.
    // A cache that cannot be used (its directory a symlink, say) only costs the full fetch.
    Expected<Download> fetch(const QUrl &url, const QString &path, const CancellationToken &cancel,
                             const DownloadLimits &limits = {}, const QString &checksum = {}) const;

    // Removes the least recently used entries beyond the limits, content no entry names,
    // and whatever in the directory is not a valid entry or content file.
    void prune() const;

private:
    struct Entry
    {
        Download download;
        HttpValidators validators;
    };

    Expected<RootDirectory> openDirectory() const;
    std::optional<Entry> readEntry(const RootDirectory &dir, const QString &name, const QUrl &url) const;
    Expected<void> copyContent(const RootDirectory &dir, const Entry &entry, const QString &path,
                               const CancellationToken &cancel) const;
    void store(const RootDirectory &dir, const QUrl &url, const QString &path, const HttpAnswer &answer,
               const QString &replacedDigest, const CancellationToken &cancel) const;
    // `replaced`: content files an entry named before it changed, removed unless another
    // entry names them.
    void pruneIn(const RootDirectory &dir, const QSet<QString> &replaced = {}) const;

    QString m_directory;
    DownloadCacheLimits m_limits;
};

} // namespace stagecraft
