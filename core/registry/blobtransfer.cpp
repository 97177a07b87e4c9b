#include "core/registry/blobtransfer.h"

#include "core/registry/networkreplydevice.h"
#include "core/registry/replywaiter.h"
#include "core/store/imagestore.h"

#include <QFile>
#include <QNetworkReply>
#include <QUrlQuery>

#include <utility>

namespace stagecraft {

using Target = RegistryExchange::Target;
using Request = RegistryExchange::Request;

BlobTransfer::BlobTransfer(RegistryExchange::Send send, int idleMs, int attempts, int firstDelayMs)
    : m_send(std::move(send))
    , m_idleMs(idleMs)
    , m_attempts(attempts)
    , m_firstDelayMs(firstDelayMs)
{}

Expected<bool> BlobTransfer::exists(const Target &target, const Descriptor &blob,
                                    const CancellationToken &cancel)
{
    Request request;
    request.method = "HEAD";
    request.url = target.url(QStringLiteral("/blobs/") + blob.digest.toString());
    auto response = m_send(target, std::move(request), cancel);
    if (!response)
        return std::unexpected(response.error());
    if (response->status == 404)
        return false;
    if (response->status != 200)
        return fail(QStringLiteral("%1 answered %2 when asked for the blob %3")
                        .arg(target.authority, response->error(), blob.digest.toString()));
    bool known = false;
    const qint64 length = response->header("Content-Length").toLongLong(&known);
    if (known && blob.size >= 0 && length != blob.size)
        return fail(QStringLiteral("%1 holds the blob %2 with %3 bytes, but it has %4")
                        .arg(target.authority, blob.digest.toString())
                        .arg(length)
                        .arg(blob.size));
    return true;
}

Expected<void> BlobTransfer::fetch(ImageStore &store, const Target &target, const Descriptor &blob,
                                   const RegistryProgressSink &progress, const CancellationToken &cancel)
{
    RegistryProgress report{
        target.image, blob.digest, blob.mediaType, 0, blob.size, RegistryProgress::Phase::Present};
    const auto tell = [&](RegistryProgress::Phase phase, qint64 done) {
        if (!progress)
            return;
        report.phase = phase;
        report.bytesDone = done;
        progress(report);
    };
    if (store.hasBlob(blob.digest)) {
        tell(RegistryProgress::Phase::Present, blob.size);
        return {};
    }
    for (int attempt = 1;; ++attempt) {
        Request request;
        request.url = target.url(QStringLiteral("/blobs/") + blob.digest.toString());
        request.streamBody = true;
        auto response = m_send(target, std::move(request), cancel);
        if (!response)
            return std::unexpected(response.error());
        if (response->status != 200) {
            ReplyWaiter::wait(response->reply.get(), ReplyWaiter::Until::Finished, cancel, m_idleMs);
            response->body = response->reply->readAll();
            return fail(QStringLiteral("%1 answered %2 for the blob %3")
                            .arg(target.authority, response->error(), blob.digest.toString()));
        }
        tell(RegistryProgress::Phase::Downloading, 0);
        NetworkReplyDevice device(response->reply.get(), cancel, m_idleMs, [&](qint64 received) {
            tell(RegistryProgress::Phase::Downloading, received);
        });
        auto stored = store.putBlob(&device, blob.digest, blob.size);
        if (stored) {
            tell(RegistryProgress::Phase::Done, blob.size);
            return {};
        }
        if (device.cancelled() || cancel.isCancelled())
            return failCancelled();
        const bool broken = device.networkFailed() || device.received() < blob.size;
        if (!broken)
            return fail(QStringLiteral("the blob %1 from %2 is damaged, nothing of it was stored: %3")
                            .arg(blob.digest.toString(), target.authority, stored.error().message));
        if (attempt >= m_attempts)
            return fail(QStringLiteral("downloading the blob %1 from %2 failed %3 times, nothing of it was "
                                       "stored: %4")
                            .arg(blob.digest.toString(), target.authority)
                            .arg(attempt)
                            .arg(device.errorString()));
        if (!ReplyWaiter::sleep(m_firstDelayMs << (attempt - 1), cancel))
            return failCancelled();
    }
}

Expected<void> BlobTransfer::upload(const ImageStore &store, const Target &target, const Descriptor &blob,
                                    qint64 chunkSize, const RegistryProgressSink &progress,
                                    const CancellationToken &cancel)
{
    RegistryProgress report{
        target.image, blob.digest, blob.mediaType, 0, blob.size, RegistryProgress::Phase::Uploading};
    qint64 reported = -1;
    const auto tell = [&](RegistryProgress::Phase phase, qint64 done) {
        // The network layer restarts its count per request and may report 0 at the end.
        if (!progress || (phase == RegistryProgress::Phase::Uploading && done <= reported))
            return;
        reported = done;
        report.phase = phase;
        report.bytesDone = done;
        progress(report);
    };
    Request start;
    start.method = "POST";
    start.url = target.url(QStringLiteral("/blobs/uploads/"));
    auto started = m_send(target, std::move(start), cancel);
    if (!started)
        return std::unexpected(started.error());
    if (started->status != 202)
        return fail(QStringLiteral("%1 refused to start an upload of %2: %3")
                        .arg(target.authority, blob.digest.toString(), started->error()));
    QUrl location = started->reply->url().resolved(QUrl(QString::fromLatin1(started->header("Location"))));
    if (location.isEmpty() || !started->reply->hasRawHeader("Location"))
        return fail(QStringLiteral("%1 started an upload without saying where to send it (no Location)")
                        .arg(target.authority));
    tell(RegistryProgress::Phase::Uploading, 0);

    QByteArray finalBody;
    Request finish;
    finish.method = "PUT";
    finish.headers.append({QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/octet-stream")});
    if (chunkSize > 0 && blob.size > chunkSize) {
        auto source = store.openBlob(blob.digest, blob.size);
        if (!source)
            return std::unexpected(source.error());
        qint64 offset = 0;
        while (offset < blob.size) {
            const QByteArray chunk = (*source)->read(qMin(chunkSize, blob.size - offset));
            if (chunk.isEmpty())
                return fail(QStringLiteral("cannot read the blob %1 from the store: %2")
                                .arg(blob.digest.toString(), (*source)->errorString()));
            Request patch;
            patch.method = "PATCH";
            patch.url = location;
            patch.body = chunk;
            patch.headers.append(
                {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/octet-stream")});
            patch.headers.append({"Content-Range", QByteArray::number(offset) + '-' +
                                                       QByteArray::number(offset + chunk.size() - 1)});
            const qint64 base = offset;
            patch.onUpload = [&tell, base](qint64 sent) {
                tell(RegistryProgress::Phase::Uploading, base + sent);
            };
            auto patched = m_send(target, std::move(patch), cancel);
            if (!patched)
                return std::unexpected(patched.error());
            if (patched->status != 202)
                return fail(QStringLiteral("%1 refused a chunk of the blob %2 at byte %3: %4")
                                .arg(target.authority, blob.digest.toString())
                                .arg(offset)
                                .arg(patched->error()));
            offset += chunk.size();
            // The registry says how much it holds: the next chunk continues from there.
            const QByteArray range = patched->header("Range");
            if (!range.isEmpty() && range.mid(range.indexOf('-') + 1).toLongLong() + 1 != offset)
                return fail(QStringLiteral("%1 holds bytes %2 of the blob %3 after %4 were sent")
                                .arg(target.authority, QString::fromLatin1(range), blob.digest.toString())
                                .arg(offset));
            if (patched->reply->hasRawHeader("Location"))
                location =
                    patched->reply->url().resolved(QUrl(QString::fromLatin1(patched->header("Location"))));
            tell(RegistryProgress::Phase::Uploading, offset);
        }
        if (!(*source)->read(1).isEmpty() || !(*source)->atEnd())
            return fail(QStringLiteral("the blob %1 in the store is longer than its %2 bytes")
                            .arg(blob.digest.toString())
                            .arg(blob.size));
    } else {
        const QString path = store.blobPath(blob.digest);
        finish.bodySize = blob.size;
        finish.bodyDevice = [path]() -> Expected<std::unique_ptr<QIODevice>> {
            auto file = std::make_unique<QFile>(path);
            if (!file->open(QIODevice::ReadOnly))
                return fail(QStringLiteral("cannot read %1: %2").arg(path, file->errorString()));
            return std::unique_ptr<QIODevice>(std::move(file));
        };
        finish.onUpload = [&tell](qint64 sent) { tell(RegistryProgress::Phase::Uploading, sent); };
    }
    QUrlQuery query(location);
    query.addQueryItem(QStringLiteral("digest"), blob.digest.toString());
    location.setQuery(query);
    finish.url = location;
    finish.body = finalBody;
    auto finished = m_send(target, std::move(finish), cancel);
    if (!finished)
        return std::unexpected(finished.error());
    if (finished->status != 201 && finished->status != 204)
        return fail(QStringLiteral("%1 did not accept the blob %2: %3")
                        .arg(target.authority, blob.digest.toString(), finished->error()));
    if (const QByteArray header = finished->header("Docker-Content-Digest"); !header.isEmpty()) {
        if (QString::fromLatin1(header) != blob.digest.toString())
            return fail(QStringLiteral("%1 stored the blob %2 under the digest %3")
                            .arg(target.authority, blob.digest.toString(), QString::fromLatin1(header)));
    }
    tell(RegistryProgress::Phase::Done, blob.size);
    return {};
}

} // namespace stagecraft
