#include "core/oci/imageindex.h"

#include "core/oci/jsonfields.h"
#include "core/oci/mediatype.h"

#include <QJsonArray>

namespace stagecraft {

Expected<ImageIndex> ImageIndex::parse(const QByteArray &bytes)
{
    auto object = json::parseObject(bytes, QStringLiteral("image index"));
    if (!object)
        return std::unexpected(object.error());
    ImageIndex index;
    index.original = *object;
    index.schemaVersion = object->value(QLatin1String("schemaVersion")).toInt();
    if (index.schemaVersion != 2)
        return fail(QStringLiteral("image index has schemaVersion %1; only schema 2 is supported")
                        .arg(index.schemaVersion));
    index.mediaType = object->value(QLatin1String("mediaType")).toString();
    if (mediatype::isManifest(index.mediaType))
        return fail(QStringLiteral("expected an image index but found a manifest (%1)").arg(index.mediaType));
    const QJsonArray manifests = object->value(QLatin1String("manifests")).toArray();
    for (qsizetype i = 0; i < manifests.size(); ++i) {
        auto d = Descriptor::fromJson(manifests[i].toObject(), QStringLiteral("index entry %1").arg(i));
        if (!d)
            return std::unexpected(d.error());
        index.manifests << *d;
    }
    index.annotations = json::toStringMap(object->value(QLatin1String("annotations")));
    return index;
}

QJsonObject ImageIndex::toJsonObject() const
{
    QJsonObject o = original;
    o.insert(QLatin1String("schemaVersion"), schemaVersion);
    json::putString(o, QStringLiteral("mediaType"), mediaType);
    QJsonArray array;
    for (const Descriptor &d : manifests)
        array.append(d.toJson());
    o.insert(QLatin1String("manifests"), array);
    json::putMap(o, QStringLiteral("annotations"), annotations);
    return o;
}

QByteArray ImageIndex::toJson() const
{
    return json::canonical(toJsonObject());
}

Expected<Descriptor> ImageIndex::select(const Platform &platform) const
{
    QStringList offered;
    bool anyPlatform = false;
    for (const Descriptor &d : manifests) {
        if (!d.platform)
            continue;
        anyPlatform = true;
        if (d.platform->os == QLatin1String("unknown"))
            continue;
        offered << d.platform->toString();
        if (platform.matches(*d.platform))
            return d;
    }
    if (!anyPlatform && !manifests.isEmpty())
        return manifests.first();
    if (manifests.isEmpty())
        return fail(QStringLiteral("the image index lists no manifests"));
    return fail(QStringLiteral("no image for platform %1 (the index offers: %2)")
                    .arg(platform.toString(), offered.join(QStringLiteral(", "))));
}

} // namespace stagecraft
