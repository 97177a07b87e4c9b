#include "core/builder/download.h"

#include "core/builder/downloadcache.h"
#include "core/common/sha256.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include <memory>

namespace stagecraft {

namespace {

QString seconds(int ms)
{
    return QString::number(ms / 1000.0) + QStringLiteral(" s");
}

QString bytes(qint64 n)
{
    if (n >= (qint64(1) << 30) && n % (qint64(1) << 30) == 0)
        return QStringLiteral("%1 GiB").arg(n >> 30);
    if (n >= (qint64(1) << 20) && n % (qint64(1) << 20) == 0)
        return QStringLiteral("%1 MiB").arg(n >> 20);
    return QStringLiteral("%1 bytes").arg(n);
}

// Docker's name for a downloaded file: Content-Disposition's, else the last segment of
// the URL after redirects; never a name that walks out of the destination.
QString fileNameOf(const QNetworkReply &reply)
{
    static const QRegularExpression disposition(QStringLiteral("filename=\"?([^\";]+)\"?"));
    const QRegularExpressionMatch m =
        disposition.match(QString::fromUtf8(reply.rawHeader(QByteArrayLiteral("Content-Disposition"))));
    QString name =
        m.hasMatch() ? QFileInfo(m.captured(1)).fileName() : reply.url().path().section(QLatin1Char('/'), -1);
    if (name.isEmpty() || name == QLatin1String(".") || name == QLatin1String(".."))
        name = QStringLiteral("__unnamed__");
    return name;
}

} // namespace

Expected<HttpAnswer> fetchUrl(const QUrl &url, const QString &path, const CancellationToken &cancel,
                              const DownloadLimits &limits, const HttpValidators &ifChanged)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(10);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("stagecraft"));
    if (!ifChanged.etag.isEmpty())
        request.setRawHeader(QByteArrayLiteral("If-None-Match"), ifChanged.etag);
    if (!ifChanged.lastModified.isEmpty())
        request.setRawHeader(QByteArrayLiteral("If-Modified-Since"), ifChanged.lastModified);
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    Sha256 hash;
    qint64 size = 0;
    bool writeFailed = false;
    bool idle = false;
    bool tooLarge = false;
    QEventLoop loop;
    // Restarted by every sign of progress: a stalled server fails the download, a slow
    // one does not.
    QTimer idleTimer;
    idleTimer.setSingleShot(true);
    idleTimer.setInterval(limits.idleTimeoutMs);
    const bool watchIdle = limits.idleTimeoutMs > 0;
    QObject::connect(&idleTimer, &QTimer::timeout, &loop, [&] {
        idle = true;
        reply->abort();
    });
    const auto take = [&](const QByteArray &data) {
        if (data.isEmpty())
            return;
        size += data.size();
        if (size > limits.maxBytes) {
            tooLarge = true;
            reply->abort();
            return;
        }
        hash.addData(data);
        if (file.write(data) != data.size()) {
            writeFailed = true;
            reply->abort();
        }
    };
    QObject::connect(reply.get(), &QNetworkReply::metaDataChanged, &loop, [&] {
        if (watchIdle)
            idleTimer.start();
        const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid() && length.toLongLong() > limits.maxBytes) {
            tooLarge = true;
            reply->abort();
        }
    });
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
        // Checked here too: a fast stream of data can keep the poll timer from firing.
        if (cancel.isCancelled()) {
            reply->abort();
            return;
        }
        if (watchIdle)
            idleTimer.start();
        if (!tooLarge && !writeFailed)
            take(reply->readAll());
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled())
            reply->abort();
    });
    poll.start(50);
    if (watchIdle)
        idleTimer.start();
    if (!reply->isFinished())
        loop.exec();
    if (!tooLarge && !writeFailed && !idle && reply->isOpen())
        take(reply->readAll());
    const QString where = url.toDisplayString();
    if (cancel.isCancelled())
        return failCancelled(QStringLiteral("build cancelled"));
    if (idle)
        return fail(
            QStringLiteral("cannot download %1: nothing received for %2 (the download's idle timeout)")
                .arg(where, seconds(limits.idleTimeoutMs)));
    if (tooLarge)
        return fail(QStringLiteral("cannot download %1: the answer is larger than the limit of %2")
                        .arg(where, bytes(limits.maxBytes)));
    if (writeFailed)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    const bool notModified = status == 304 && !ifChanged.isEmpty();
    if (!notModified && (reply->error() != QNetworkReply::NoError || status < 200 || status > 299))
        return fail(
            QStringLiteral("cannot download %1: %2")
                .arg(where,
                     status != 0
                         ? QStringLiteral("the server answered %1 %2").arg(status).arg(reason).trimmed()
                         : reply->errorString()));
    file.close();
    if (file.error() != QFileDevice::NoError)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    HttpAnswer answer;
    answer.notModified = notModified;
    answer.validators.etag = reply->rawHeader(QByteArrayLiteral("ETag"));
    answer.validators.lastModified = reply->rawHeader(QByteArrayLiteral("Last-Modified"));
    if (notModified)
        return answer;
    Download &d = answer.download;
    d.size = size;
    d.digest = QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
    const QDateTime modified = reply->header(QNetworkRequest::LastModifiedHeader).toDateTime();
    if (modified.isValid())
        d.lastModified = modified.toSecsSinceEpoch();
    d.fileName = fileNameOf(*reply);
    return answer;
}

Expected<Download> download(const QUrl &url, const QString &path, const CancellationToken &cancel,
                            const DownloadOptions &options)
{
    if (options.cache)
        return options.cache->fetch(url, path, cancel, options.limits, options.checksum);
    auto answer = fetchUrl(url, path, cancel, options.limits);
    if (!answer)
        return std::unexpected(answer.error());
    return answer->download;
}

} // namespace stagecraft
