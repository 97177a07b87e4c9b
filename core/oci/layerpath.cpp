#include "core/oci/layerpath.h"

#include <QStringList>

namespace stagecraft {

Expected<QString> normaliseLayerPath(const QString &name)
{
    QStringList parts;
    for (const QString &part : name.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String(".."))
            return fail(
                QStringLiteral("entry `%1` has a `..` component and would escape the layer root").arg(name));
        parts << part;
    }
    if (name.contains(QChar(0)))
        return fail(QStringLiteral("entry `%1` has a NUL character in its name").arg(name));
    return parts.join(QLatin1Char('/'));
}

} // namespace stagecraft
