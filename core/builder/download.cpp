#include "core/builder/download.h"

#include <QCryptographicHash>
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

Expected<Download> download(const QUrl &url, const QString &path, const CancellationToken &cancel)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("stagecraft"));
    std::unique_ptr<QNetworkReply> reply(manager.get(request));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    qint64 size = 0;
    bool writeFailed = false;
    QEventLoop loop;
    QObject::connect(reply.get(), &QNetworkReply::readyRead, &loop, [&] {
        const QByteArray data = reply->readAll();
        hash.addData(data);
        size += data.size();
        if (file.write(data) != data.size())
            writeFailed = true;
    });
    QObject::connect(reply.get(), &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancel.isCancelled() || writeFailed)
            reply->abort();
    });
    poll.start(50);
    if (!reply->isFinished())
        loop.exec();
    const QByteArray rest = reply->readAll();
    hash.addData(rest);
    size += rest.size();
    if (file.write(rest) != rest.size())
        writeFailed = true;
    if (cancel.isCancelled())
        return failCancelled(QStringLiteral("build cancelled"));
    if (writeFailed)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError || status >= 400)
        return fail(
            QStringLiteral("cannot download %1: %2")
                .arg(url.toDisplayString(),
                     status >= 400
                         ? QStringLiteral("the server answered %1 %2")
                               .arg(status)
                               .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                         : reply->errorString()));
    Download d;
    d.size = size;
    d.digest = QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
    const QDateTime modified = reply->header(QNetworkRequest::LastModifiedHeader).toDateTime();
    if (modified.isValid())
        d.lastModified = modified.toSecsSinceEpoch();
    static const QRegularExpression disposition(QStringLiteral("filename=\"?([^\";]+)\"?"));
    const QRegularExpressionMatch m =
        disposition.match(QString::fromUtf8(reply->rawHeader(QByteArrayLiteral("Content-Disposition"))));
    const QUrl finalUrl = reply->url();
    d.fileName =
        m.hasMatch() ? QFileInfo(m.captured(1)).fileName() : finalUrl.path().section(QLatin1Char('/'), -1);
    if (d.fileName.isEmpty() || d.fileName == QLatin1String(".") || d.fileName == QLatin1String(".."))
        d.fileName = QStringLiteral("__unnamed__");
    return d;
}

} // namespace stagecraft
