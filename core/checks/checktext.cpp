#include "core/checks/checktext.h"

#include <QRegularExpression>

namespace stagecraft::checktext {

QString quoted(const QString &s)
{
    QString out;
    out.reserve(s.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QLatin1String("\\\""); break;
        case '\\': out += QLatin1String("\\\\"); break;
        case '\n': out += QLatin1String("\\n"); break;
        case '\t': out += QLatin1String("\\t"); break;
        case '\r': out += QLatin1String("\\r"); break;
        default: out += c; break;
        }
    }
    out += QLatin1Char('"');
    return out;
}

bool isSecretKey(const QString &key)
{
    static const QRegularExpression kDeny(
        QStringLiteral(
            "(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression kAllow(QStringLiteral("(?:_|^)(?:public)(?:_|$)"),
                                           QRegularExpression::CaseInsensitiveOption);
    return kDeny.match(key).hasMatch() && !kAllow.match(key).hasMatch();
}

bool isAbsolutePath(const QString &path)
{
    static const QRegularExpression kDrive(QStringLiteral("^[A-Za-z]:[\\\\/]"));
    return path.startsWith(QLatin1Char('/')) || path.startsWith(QLatin1Char('\\')) ||
           kDrive.match(path).hasMatch();
}

} // namespace stagecraft::checktext
