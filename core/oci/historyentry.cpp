#include "core/oci/historyentry.h"

#include "core/oci/jsonfields.h"

namespace stagecraft {

HistoryEntry HistoryEntry::fromJson(const QJsonObject &object)
{
    HistoryEntry h;
    h.original = object;
    h.created = object.value(QLatin1String("created")).toString();
    h.createdBy = object.value(QLatin1String("created_by")).toString();
    h.author = object.value(QLatin1String("author")).toString();
    h.comment = object.value(QLatin1String("comment")).toString();
    h.emptyLayer = object.value(QLatin1String("empty_layer")).toBool();
    return h;
}

QJsonObject HistoryEntry::toJson() const
{
    QJsonObject o = original;
    json::putString(o, QStringLiteral("created"), created);
    json::putString(o, QStringLiteral("created_by"), createdBy);
    json::putString(o, QStringLiteral("author"), author);
    json::putString(o, QStringLiteral("comment"), comment);
    if (emptyLayer)
        o.insert(QLatin1String("empty_layer"), true);
    else
        o.remove(QLatin1String("empty_layer"));
    return o;
}

} // namespace stagecraft
