// A `WWW-Authenticate` challenge from a registry's 401 answer: the scheme (Bearer or
// Basic) and its parameters (realm, service, scope), parsed as RFC 7235 writes them.
#pragma once

#include <QMap>
#include <QString>

namespace stagecraft {

struct AuthChallenge
{
    QString scheme;                    // lower-case: "bearer", "basic"
    QMap<QString, QString> parameters; // keys lower-case

    // The first challenge in the header value; an empty scheme when there is none.
    static AuthChallenge parse(const QString &header);
    QString realm() const { return parameters.value(QStringLiteral("realm")); }
    QString service() const { return parameters.value(QStringLiteral("service")); }
    QString scope() const { return parameters.value(QStringLiteral("scope")); }
};

} // namespace stagecraft
