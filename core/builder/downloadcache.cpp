#include "core/builder/downloadcache.h"

#include "core/common/sha256.h"
#include "core/fs/rootdirectory.h"
#include "core/oci/blobfile.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

// Metadata is a few hundred bytes; anything larger is not ours.
constexpr qint64 MaxMetadataBytes = 64 * 1024;
// Header values we send back; a server's ETag is short.
constexpr qsizetype MaxValidatorBytes = 1024;
// Content no entry names yet may belong to a fetch that is about to write its entry.
constexpr time_t OrphanGraceSeconds = 10 * 60;
constexpr qint64 CopyChunk = 1 << 20;

const QRegularExpression &digestPattern()
{
    static const QRegularExpression re(QStringLiteral("^sha256:[0-9a-f]{64}$"));
    return re;
}

// Printable ASCII and tabs only: a value with CR or LF would add headers to our request.
bool isHeaderText(const QByteArray &value)
{
    if (value.size() > MaxValidatorBytes)
        return false;
    return std::all_of(value.begin(), value.end(),
                       [](char c) { return c == '\t' || (uchar(c) >= 0x20 && uchar(c) < 0x7f); });
}

bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && name.toUtf8().size() <= 255 && !name.contains(QLatin1Char('/')) &&
           !name.contains(QChar(0)) && name != QLatin1String(".") && name != QLatin1String("..");
}

std::optional<qint64> wholeNumber(const QJsonValue &value, qint64 min, qint64 max)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < double(min) || d > double(max))
        return std::nullopt;
    return qint64(d);
}

QString urlText(const QUrl &url)
{
    return url.toString(QUrl::FullyEncoded);
}

void removeName(const RootDirectory &dir, const QString &name)
{
    RootDirectory::removeAllAt(dir.fd(), QFile::encodeName(name));
}

void touch(const RootDirectory &dir, const QString &name)
{
    ::utimensat(dir.fd(), QFile::encodeName(name).constData(), nullptr, AT_SYMLINK_NOFOLLOW);
}

// `name` opened for reading when it is a regular file (never through a symlink, never
// blocking on a FIFO); anything else there is removed.
std::optional<std::pair<FileDescriptor, struct stat>> openRegular(const RootDirectory &dir,
                                                                  const QString &name)
{
    auto fd = dir.open(name, O_RDONLY | O_NONBLOCK, Symlinks::Refuse, false);
    if (!fd) {
        if (fd.error().kind != FsErrorKind::NotFound)
            removeName(dir, name);
        return std::nullopt;
    }
    struct stat st = {};
    if (::fstat(fd->get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        removeName(dir, name);
        return std::nullopt;
    }
    return std::pair{std::move(*fd), st};
}

bool writeAll(int fd, const char *data, qint64 size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(size));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= n;
    }
    return true;
}

QString temporaryName()
{
    return QString(TemporaryBlobPrefix) + QString::number(QRandomGenerator::global()->generate64(), 16);
}

// A fresh temporary file in `dir`, renamed to `name` once `fill` wrote it completely.
bool replaceAtomically(const RootDirectory &dir, const QString &name, const std::function<bool(int)> &fill)
{
    const QString temp = temporaryName();
    auto fd = dir.open(temp, O_WRONLY | O_CREAT | O_EXCL, Symlinks::Refuse, false);
    if (!fd)
        return false;
    const bool ok = fill(fd->get()) && ::fdatasync(fd->get()) == 0 &&
                    ::renameat(dir.fd(), QFile::encodeName(temp).constData(), dir.fd(),
                               QFile::encodeName(name).constData()) == 0;
    if (!ok)
        ::unlinkat(dir.fd(), QFile::encodeName(temp).constData(), 0);
    return ok;
}

struct ParsedEntry
{
    QString url;
    Download download;
    HttpValidators validators;
};

std::optional<ParsedEntry> parseEntry(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    ParsedEntry e;
    e.url = o.value(QLatin1String("url")).toString();
    e.download.digest = o.value(QLatin1String("digest")).toString();
    e.download.fileName = o.value(QLatin1String("fileName")).toString();
    e.validators.etag = o.value(QLatin1String("etag")).toString().toLatin1();
    e.validators.lastModified = o.value(QLatin1String("lastModified")).toString().toLatin1();
    const auto size = wholeNumber(o.value(QLatin1String("size")), 0, qint64(1) << 53);
    if (e.url.isEmpty() || !size || !digestPattern().match(e.download.digest).hasMatch() ||
        !isPlainFileName(e.download.fileName) || !isHeaderText(e.validators.etag) ||
        !isHeaderText(e.validators.lastModified))
        return std::nullopt;
    e.download.size = *size;
    const QJsonValue modified = o.value(QLatin1String("modified"));
    if (!modified.isUndefined()) {
        const auto seconds = wholeNumber(modified, -(qint64(1) << 40), qint64(1) << 40);
        if (!seconds)
            return std::nullopt;
        e.download.lastModified = *seconds;
    }
    return e;
}

// The entry file `name` parsed; one that cannot be (too large, not JSON, a field out of
// range, not a regular file) is removed.
std::optional<std::pair<ParsedEntry, struct stat>> loadEntry(const RootDirectory &dir, const QString &name)
{
    auto file = openRegular(dir, name);
    if (!file)
        return std::nullopt;
    if (file->second.st_size > MaxMetadataBytes) {
        removeName(dir, name);
        return std::nullopt;
    }
    QByteArray json(qsizetype(file->second.st_size), Qt::Uninitialized);
    qsizetype got = 0;
    while (got < json.size()) {
        const ssize_t n = ::read(file->first.get(), json.data() + got, size_t(json.size() - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    auto parsed = got == json.size() ? parseEntry(json) : std::nullopt;
    if (!parsed) {
        removeName(dir, name);
        return std::nullopt;
    }
    return std::pair{*parsed, file->second};
}

} // namespace

QString DownloadCache::entryFileName(const QUrl &url)
{
    return QString::fromLatin1(
               QCryptographicHash::hash(urlText(url).toUtf8(), QCryptographicHash::Sha256).toHex()) +
           QStringLiteral(".json");
}

QString DownloadCache::contentFileName(const QString &digest)
{
    return QStringLiteral("sha256-") + digest.mid(int(qstrlen("sha256:")));
}

Expected<RootDirectory> DownloadCache::openDirectory() const
{
    const QFileInfo info(m_directory);
    auto parent = RootDirectory::open(info.absolutePath(), true, 0700);
    if (!parent)
        return std::unexpected(parent.error());
    // The directory itself is never a symlink: the cache could be made to write elsewhere.
    auto fd = parent->openDirectory(info.fileName(), Symlinks::Refuse, true, 0700);
    if (!fd)
        return fail(
            QStringLiteral("cannot use the download cache %1: %2").arg(m_directory, fd.error().message));
    ::fchmod(fd->get(), 0700);
    return RootDirectory(std::move(*fd), m_directory);
}

std::optional<DownloadCache::Entry> DownloadCache::readEntry(const RootDirectory &dir, const QString &name,
                                                             const QUrl &url) const
{
    auto loaded = loadEntry(dir, name);
    if (!loaded)
        return std::nullopt;
    if (loaded->first.url != urlText(url)) {
        removeName(dir, name);
        return std::nullopt;
    }
    return Entry{loaded->first.download, loaded->first.validators};
}

Expected<void> DownloadCache::copyContent(const RootDirectory &dir, const Entry &entry, const QString &path,
                                          const CancellationToken &cancel) const
{
    const QString name = contentFileName(entry.download.digest);
    auto file = openRegular(dir, name);
    if (!file)
        return fail(QStringLiteral("no kept content %1").arg(name));
    if (file->second.st_size != entry.download.size) {
        removeName(dir, name);
        return fail(QStringLiteral("kept content %1 has the wrong size").arg(name));
    }
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    Sha256 hash;
    QByteArray buffer(CopyChunk, Qt::Uninitialized);
    for (;;) {
        if (cancel.isCancelled())
            return failCancelled(QStringLiteral("build cancelled"));
        const ssize_t n = ::read(file->first.get(), buffer.data(), size_t(buffer.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(QStringLiteral("cannot read kept content %1").arg(name));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), n));
        if (out.write(buffer.constData(), n) != n)
            return fail(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    }
    out.close();
    if (out.error() != QFileDevice::NoError)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, out.errorString()));
    if (QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex()) != entry.download.digest) {
        removeName(dir, name);
        return fail(QStringLiteral("kept content %1 is damaged").arg(name));
    }
    return {};
}

void DownloadCache::store(const RootDirectory &dir, const QUrl &url, const QString &path,
                          const HttpAnswer &answer, const QString &replacedDigest,
                          const CancellationToken &cancel) const
{
    const Download &d = answer.download;
    HttpValidators validators = answer.validators;
    if (!isHeaderText(validators.etag))
        validators.etag.clear();
    if (!isHeaderText(validators.lastModified))
        validators.lastModified.clear();
    if (d.size > m_limits.maxBytes || !isPlainFileName(d.fileName))
        return;
    const QString content = contentFileName(d.digest);
    struct stat st = {};
    const bool present =
        ::fstatat(dir.fd(), QFile::encodeName(content).constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISREG(st.st_mode) && st.st_size == d.size;
    if (present) {
        touch(dir, content);
    } else {
        QFile in(path);
        if (!in.open(QIODevice::ReadOnly))
            return;
        const bool copied = replaceAtomically(dir, content, [&](int fd) {
            Sha256 hash;
            QByteArray buffer(CopyChunk, Qt::Uninitialized);
            for (;;) {
                if (cancel.isCancelled())
                    return false;
                const qint64 n = in.read(buffer.data(), buffer.size());
                if (n < 0)
                    return false;
                if (n == 0)
                    break;
                hash.addData(QByteArrayView(buffer.constData(), n));
                if (!writeAll(fd, buffer.constData(), n))
                    return false;
            }
            // What lies at `path` must still be what was fetched.
            return QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex()) == d.digest;
        });
        if (!copied)
            return;
    }
    QJsonObject o{
        {QStringLiteral("url"), urlText(url)},
        {QStringLiteral("digest"), d.digest},
        {QStringLiteral("size"), double(d.size)},
        {QStringLiteral("fileName"), d.fileName},
    };
    if (!validators.etag.isEmpty())
        o.insert(QStringLiteral("etag"), QString::fromLatin1(validators.etag));
    if (!validators.lastModified.isEmpty())
        o.insert(QStringLiteral("lastModified"), QString::fromLatin1(validators.lastModified));
    if (d.lastModified)
        o.insert(QStringLiteral("modified"), double(*d.lastModified));
    const QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    if (!replaceAtomically(dir, entryFileName(url),
                           [&](int fd) { return writeAll(fd, json.constData(), json.size()); }))
        return;
    QSet<QString> replaced;
    if (!replacedDigest.isEmpty() && replacedDigest != d.digest)
        replaced.insert(contentFileName(replacedDigest));
    pruneIn(dir, replaced);
}

Expected<Download> DownloadCache::fetch(const QUrl &url, const QString &path, const CancellationToken &cancel,
                                        const DownloadLimits &limits, const QString &checksum) const
{
    auto dir = openDirectory();
    if (!dir) {
        auto answer = fetchUrl(url, path, cancel, limits);
        if (!answer)
            return std::unexpected(answer.error());
        return answer->download;
    }
    const QString name = entryFileName(url);
    std::optional<Entry> entry = readEntry(*dir, name, url);
    const QString keptDigest = entry ? entry->download.digest : QString();
    // A pinned digest the cache holds for this URL needs no request: the content is
    // checked against it while it is copied, and the name and time are the ones the
    // server gave with it.
    if (entry && !checksum.isEmpty() && entry->download.digest == checksum) {
        auto copied = copyContent(*dir, *entry, path, cancel);
        if (copied) {
            touch(*dir, name);
            Download d = entry->download;
            d.origin = DownloadOrigin::CachedByDigest;
            return d;
        }
        if (copied.error().isCancelled())
            return std::unexpected(copied.error());
        entry.reset();
    }
    if (entry) {
        struct stat st = {};
        const QByteArray content = QFile::encodeName(contentFileName(entry->download.digest));
        if (::fstatat(dir->fd(), content.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_size != entry->download.size || entry->validators.isEmpty())
            entry.reset();
    }
    auto answer = fetchUrl(url, path, cancel, limits, entry ? entry->validators : HttpValidators{});
    if (!answer)
        return std::unexpected(answer.error());
    if (answer->notModified) {
        auto copied = copyContent(*dir, *entry, path, cancel);
        if (copied) {
            touch(*dir, name);
            Download d = entry->download;
            d.origin = DownloadOrigin::Revalidated;
            return d;
        }
        if (copied.error().isCancelled())
            return std::unexpected(copied.error());
        // The kept copy went bad between the question and the answer: ask for all of it.
        removeName(*dir, name);
        answer = fetchUrl(url, path, cancel, limits);
        if (!answer)
            return std::unexpected(answer.error());
    }
    // Kept when a later build can use it: with a validator to send back, or a digest pinned.
    if (!answer->validators.isEmpty() || !checksum.isEmpty())
        store(*dir, url, path, *answer, keptDigest, cancel);
    if (cancel.isCancelled())
        return failCancelled(QStringLiteral("build cancelled"));
    return answer->download;
}

void DownloadCache::prune() const
{
    if (auto dir = openDirectory())
        pruneIn(*dir);
}

void DownloadCache::pruneIn(const RootDirectory &dir, const QSet<QString> &replaced) const
{
    static const QRegularExpression entryName(QStringLiteral("^[0-9a-f]{64}\\.json$"));
    static const QRegularExpression contentName(QStringLiteral("^sha256-[0-9a-f]{64}$"));
    struct Kept
    {
        QString name;
        QString digest;
        qint64 size = 0;
        timespec used = {};
    };
    QList<Kept> entries;
    QHash<QString, struct stat> contents; // by file name
    DIR *listing = ::fdopendir(::dup(dir.fd()));
    if (!listing)
        return;
    ::rewinddir(listing);
    QStringList names;
    while (const dirent *e = ::readdir(listing)) {
        const QString name = QFile::decodeName(e->d_name);
        if (name != QLatin1String(".") && name != QLatin1String(".."))
            names.append(name);
    }
    ::closedir(listing);
    for (const QString &name : std::as_const(names)) {
        if (name.startsWith(TemporaryBlobPrefix))
            continue; // another fetch's file being written; store gc removes old ones
        if (entryName.match(name).hasMatch()) {
            if (auto loaded = loadEntry(dir, name))
                entries.append({name, loaded->first.download.digest, loaded->first.download.size,
                                loaded->second.st_mtim});
            continue;
        }
        struct stat st = {};
        if (contentName.match(name).hasMatch() &&
            ::fstatat(dir.fd(), QFile::encodeName(name).constData(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISREG(st.st_mode)) {
            contents.insert(name, st);
            continue;
        }
        removeName(dir, name); // not something this cache writes
    }
    std::sort(entries.begin(), entries.end(), [](const Kept &a, const Kept &b) {
        return a.used.tv_sec != b.used.tv_sec ? a.used.tv_sec > b.used.tv_sec
                                              : a.used.tv_nsec > b.used.tv_nsec;
    });
    QSet<QString> keptContent;
    QSet<QString> droppedContent = replaced;
    qint64 bytes = 0;
    int count = 0;
    for (const Kept &e : std::as_const(entries)) {
        const QString content = contentFileName(e.digest);
        const qint64 more = keptContent.contains(content) ? 0 : e.size;
        if (count < m_limits.maxEntries && bytes + more <= m_limits.maxBytes) {
            ++count;
            bytes += more;
            keptContent.insert(content);
        } else {
            removeName(dir, e.name);
            droppedContent.insert(content);
        }
    }
    const time_t now = ::time(nullptr);
    for (auto it = contents.cbegin(); it != contents.cend(); ++it) {
        if (keptContent.contains(it.key()))
            continue;
        if (droppedContent.contains(it.key()) || now - it.value().st_mtim.tv_sec > OrphanGraceSeconds)
            removeName(dir, it.key());
    }
}

} // namespace stagecraft
