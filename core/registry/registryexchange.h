// The values of one HTTP exchange with a registry, shared by RegistryClient (which sends
// them, with authentication, redirects and retries) and BlobTransfer (which moves blobs
// through it): where to (`Target`), what (`Request`), the answer (`Response`), and `Send`,
// the client's sending function as the blob transfer calls it.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <functional>
#include <memory>
#include <utility>

class QIODevice;
class QNetworkReply;

namespace stagecraft {

struct RegistryExchange
{
    struct Target
    {
        QUrl base;         // scheme://host[:port] of the API
        QString authority; // host[:port]: the key for tokens and "answered once"
        QString credentialKey;
        QString registry; // as the reference names it
        QString repository;
        QString image; // as the user wrote it, for messages
        QString scope; // repository:NAME:pull[,push]
        bool viaMirror = false;

        QUrl url(const QString &path) const
        {
            QUrl u = base;
            u.setPath(QStringLiteral("/v2/") + repository + path);
            return u;
        }
    };

    struct Request
    {
        QByteArray method = "GET";
        QUrl url;
        QList<std::pair<QByteArray, QByteArray>> headers;
        QByteArray body;
        // For large uploads: opened again for each attempt.
        std::function<Expected<std::unique_ptr<QIODevice>>()> bodyDevice;
        qint64 bodySize = -1;
        bool streamBody = false; // return once the headers arrived
        bool authenticate = true;
        std::function<void(qint64)> onUpload;
    };

    struct ReplyDeleter
    {
        void operator()(QNetworkReply *reply) const; // aborts it first when unfinished
    };

    struct Response
    {
        int status = 0;
        std::unique_ptr<QIODevice> bodyDevice; // declared first: outlives the reply reading it
        std::unique_ptr<QNetworkReply, ReplyDeleter> reply;
        QByteArray body;

        QByteArray header(const char *name) const;
        // The status with the registry's own message ({"errors":[...]}) when it sent one.
        QString error() const;
    };

    using Send = std::function<Expected<Response>(const Target &, Request, const CancellationToken &)>;
};

} // namespace stagecraft
