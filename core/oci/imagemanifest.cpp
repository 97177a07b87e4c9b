#include "core/oci/imagemanifest.h"

#include "core/oci/jsonfields.h"
#include "core/oci/mediatype.h"

#include <QJsonArray>

namespace stagecraft {

Expected<ImageManifest> ImageManifest::parse(const QByteArray &bytes)
{
    auto object = json::parseObject(bytes, QStringLiteral("image manifest"));
    if (!object)
        return std::unexpected(object.error());
    ImageManifest m;
    m.original = *object;
    m.schemaVersion = object->value(QLatin1String("schemaVersion")).toInt();
    if (m.schemaVersion != 2)
        return fail(QStringLiteral("image manifest has schemaVersion %1; only schema 2 is supported")
                        .arg(m.schemaVersion));
    m.mediaType = object->value(QLatin1String("mediaType")).toString();
    if (mediatype::isIndex(m.mediaType))
        return fail(QStringLiteral("expected an image manifest but found an index (%1)").arg(m.mediaType));
    m.artifactType = object->value(QLatin1String("artifactType")).toString();
    if (!object->value(QLatin1String("config")).isObject())
        return fail(QStringLiteral("image manifest has no config descriptor"));
    auto config = Descriptor::fromJson(object->value(QLatin1String("config")).toObject(),
                                       QStringLiteral("manifest config descriptor"));
    if (!config)
        return std::unexpected(config.error());
    m.config = *config;
    const QJsonArray layers = object->value(QLatin1String("layers")).toArray();
    for (qsizetype i = 0; i < layers.size(); ++i) {
        auto layer = Descriptor::fromJson(layers[i].toObject(), QStringLiteral("manifest layer %1").arg(i));
        if (!layer)
            return std::unexpected(layer.error());
        m.layers << *layer;
    }
    if (object->value(QLatin1String("subject")).isObject()) {
        auto subject = Descriptor::fromJson(object->value(QLatin1String("subject")).toObject(),
                                            QStringLiteral("manifest subject"));
        if (!subject)
            return std::unexpected(subject.error());
        m.subject = *subject;
    }
    m.annotations = json::toStringMap(object->value(QLatin1String("annotations")));
    return m;
}

QJsonObject ImageManifest::toJsonObject() const
{
    QJsonObject o = original;
    o.insert(QLatin1String("schemaVersion"), schemaVersion);
    json::putString(o, QStringLiteral("mediaType"), mediaType);
    json::putString(o, QStringLiteral("artifactType"), artifactType);
    o.insert(QLatin1String("config"), config.toJson());
    QJsonArray array;
    for (const Descriptor &d : layers)
        array.append(d.toJson());
    o.insert(QLatin1String("layers"), array);
    if (subject)
        o.insert(QLatin1String("subject"), subject->toJson());
    else
        o.remove(QLatin1String("subject"));
    json::putMap(o, QStringLiteral("annotations"), annotations);
    return o;
}

QByteArray ImageManifest::toJson() const
{
    return json::canonical(toJsonObject());
}

} // namespace stagecraft
