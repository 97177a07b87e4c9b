#include "core/oci/imageconfig.h"

#include "core/oci/jsonfields.h"

#include <QJsonArray>

namespace stagecraft {

Expected<ImageConfig> ImageConfig::parse(const QByteArray &bytes)
{
    auto object = json::parseObject(bytes, QStringLiteral("image config"));
    if (!object)
        return std::unexpected(object.error());
    ImageConfig c;
    c.original = *object;
    c.architecture = object->value(QLatin1String("architecture")).toString();
    c.os = object->value(QLatin1String("os")).toString();
    c.variant = object->value(QLatin1String("variant")).toString();
    c.created = object->value(QLatin1String("created")).toString();
    c.author = object->value(QLatin1String("author")).toString();
    c.config = ContainerConfig::fromJson(object->value(QLatin1String("config")).toObject());
    const QJsonObject rootfs = object->value(QLatin1String("rootfs")).toObject();
    const QJsonArray diffIds = rootfs.value(QLatin1String("diff_ids")).toArray();
    for (qsizetype i = 0; i < diffIds.size(); ++i) {
        auto d = Digest::parse(diffIds[i].toString());
        if (!d)
            return fail(QStringLiteral("image config rootfs.diff_ids[%1]: %2").arg(i).arg(d.error().message));
        c.diffIds << *d;
    }
    for (const QJsonValue &h : object->value(QLatin1String("history")).toArray())
        c.history << HistoryEntry::fromJson(h.toObject());
    return c;
}

QJsonObject ImageConfig::toJsonObject() const
{
    QJsonObject o = original;
    o.insert(QLatin1String("architecture"), architecture);
    o.insert(QLatin1String("os"), os);
    json::putString(o, QStringLiteral("variant"), variant);
    json::putString(o, QStringLiteral("created"), created);
    json::putString(o, QStringLiteral("author"), author);
    const QJsonObject c = config.toJson();
    if (!c.isEmpty() || o.contains(QLatin1String("config")))
        o.insert(QLatin1String("config"), c);
    QJsonObject rootfs = o.value(QLatin1String("rootfs")).toObject();
    rootfs.insert(QLatin1String("type"), QStringLiteral("layers"));
    QJsonArray ids;
    for (const Digest &d : diffIds)
        ids.append(d.toString());
    rootfs.insert(QLatin1String("diff_ids"), ids);
    o.insert(QLatin1String("rootfs"), rootfs);
    if (!history.isEmpty()) {
        QJsonArray h;
        for (const HistoryEntry &e : history)
            h.append(e.toJson());
        o.insert(QLatin1String("history"), h);
    } else {
        o.remove(QLatin1String("history"));
    }
    return o;
}

QByteArray ImageConfig::toJson() const
{
    return json::canonical(toJsonObject());
}

Platform ImageConfig::platform() const
{
    Platform p;
    p.os = os;
    p.architecture = architecture;
    p.variant = variant;
    return p;
}

QList<int> ImageConfig::layerHistoryIndexes() const
{
    QList<int> indexes;
    for (int i = 0; i < history.size(); ++i)
        if (!history[i].emptyLayer)
            indexes << i;
    return indexes;
}

} // namespace stagecraft
