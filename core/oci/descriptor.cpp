#include "core/oci/descriptor.h"

#include "core/oci/jsonfields.h"

#include <QJsonArray>

namespace stagecraft {

Expected<Descriptor> Descriptor::fromJson(const QJsonObject &object, const QString &what)
{
    Descriptor d;
    d.original = object;
    d.mediaType = object.value(QLatin1String("mediaType")).toString();
    const QString digestText = object.value(QLatin1String("digest")).toString();
    if (digestText.isEmpty())
        return fail(QStringLiteral("%1 has no digest").arg(what));
    auto digest = Digest::parse(digestText);
    if (!digest)
        return fail(QStringLiteral("%1: %2").arg(what, digest.error().message));
    d.digest = *digest;
    const QJsonValue size = object.value(QLatin1String("size"));
    if (!size.isDouble() || size.toDouble() < 0)
        return fail(QStringLiteral("%1 (%2) has no valid size").arg(what, digestText));
    d.size = qint64(size.toDouble());
    d.annotations = json::toStringMap(object.value(QLatin1String("annotations")));
    if (object.contains(QLatin1String("platform")))
        d.platform = Platform::fromJson(object.value(QLatin1String("platform")).toObject());
    d.urls = json::toStringList(object.value(QLatin1String("urls")));
    return d;
}

QJsonObject Descriptor::toJson() const
{
    QJsonObject o = original;
    o.insert(QLatin1String("mediaType"), mediaType);
    o.insert(QLatin1String("digest"), digest.toString());
    o.insert(QLatin1String("size"), QJsonValue(size));
    json::putMap(o, QStringLiteral("annotations"), annotations);
    if (platform)
        o.insert(QLatin1String("platform"), platform->toJson());
    else
        o.remove(QLatin1String("platform"));
    json::putList(o, QStringLiteral("urls"), urls);
    return o;
}

} // namespace stagecraft
