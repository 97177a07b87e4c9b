#include "core/context/gopath.h"

#include <QStringList>

namespace stagecraft {

QString GoPath::clean(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral(".");
    const bool rooted = path.startsWith(u'/');
    QStringList out;
    for (const QString &element : path.split(u'/', Qt::SkipEmptyParts)) {
        if (element == u".")
            continue;
        if (element == u"..") {
            if (!out.isEmpty() && out.last() != u"..")
                out.removeLast();
            else if (!rooted)
                out.append(element);
            continue;
        }
        out.append(element);
    }
    const QString joined = out.join(u'/');
    if (rooted)
        return u'/' + joined;
    return joined.isEmpty() ? QStringLiteral(".") : joined;
}

QString GoPath::dir(const QString &path)
{
    const qsizetype slash = path.lastIndexOf(u'/');
    return clean(path.left(slash + 1));
}

} // namespace stagecraft
