#include "core/registry/registryexchange.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QStringList>

namespace stagecraft {

namespace {

QString statusText(QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString reason = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    return reason.isEmpty() ? QString::number(status) : QStringLiteral("%1 %2").arg(status).arg(reason);
}

// The message of a registry's error document ({"errors":[{"code":..,"message":..}]}).
QString registryMessage(const QByteArray &body)
{
    const QJsonArray errors = QJsonDocument::fromJson(body).object().value(QLatin1String("errors")).toArray();
    QStringList parts;
    for (const QJsonValue &e : errors) {
        const QJsonObject o = e.toObject();
        const QString code = o.value(QLatin1String("code")).toString();
        const QString message = o.value(QLatin1String("message")).toString();
        parts << (code.isEmpty()      ? message
                  : message.isEmpty() ? code
                                      : code + QStringLiteral(": ") + message);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

void RegistryExchange::ReplyDeleter::operator()(QNetworkReply *reply) const
{
    if (!reply->isFinished())
        reply->abort();
    delete reply;
}

QByteArray RegistryExchange::Response::header(const char *name) const
{
    return reply->rawHeader(name);
}

QString RegistryExchange::Response::error() const
{
    const QString message = registryMessage(body);
    return message.isEmpty() ? statusText(reply.get())
                             : statusText(reply.get()) + QStringLiteral(" (") + message + QLatin1Char(')');
}

} // namespace stagecraft
