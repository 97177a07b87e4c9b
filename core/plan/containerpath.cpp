#include "core/plan/containerpath.h"

#include <QList>

namespace stagecraft {

QString ContainerPath::clean(QStringView path)
{
    if (path.isEmpty())
        return QStringLiteral(".");
    const bool rooted = path.front() == QLatin1Char('/');
    QList<QStringView> parts;
    int climbs = 0; // leading ".." kept in a relative path
    for (const QStringView part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == u".")
            continue;
        if (part == u"..") {
            if (parts.size() > climbs)
                parts.removeLast();
            else if (!rooted) {
                parts.append(part);
                ++climbs;
            }
            continue;
        }
        parts.append(part);
    }
    QString out = rooted ? QStringLiteral("/") : QString();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i > 0)
            out += QLatin1Char('/');
        out += parts.at(i);
    }
    return out.isEmpty() ? QStringLiteral(".") : out;
}

QString ContainerPath::resolve(QStringView directory, QStringView path)
{
    if (path.startsWith(QLatin1Char('/')))
        return clean(path);
    return clean(QString(QLatin1Char('/') + directory.toString() + QLatin1Char('/') + path.toString()));
}

} // namespace stagecraft
