// An OCI content descriptor: what a blob is (media type), its digest and size, and
// optional annotations and platform. Fields this class does not model are kept in
// `original` and written back, so a descriptor read from a document round-trips.
#pragma once

#include "core/common/error.h"
#include "core/oci/digest.h"
#include "core/oci/platform.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

struct Descriptor
{
    QString mediaType;
    Digest digest;
    qint64 size = 0;
    QMap<QString, QString> annotations;
    std::optional<Platform> platform;
    QStringList urls;
    QJsonObject original; // the object as read

    // The annotation OCI image layouts use to name a manifest ("latest", or as skopeo
    // writes it, the whole reference).
    static constexpr QLatin1String RefNameAnnotation{"org.opencontainers.image.ref.name"};

    static Expected<Descriptor> fromJson(const QJsonObject &object,
                                         const QString &what = QStringLiteral("descriptor"));
    QJsonObject toJson() const;
    QString refName() const { return annotations.value(RefNameAnnotation); }
};

} // namespace stagecraft
