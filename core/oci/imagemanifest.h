// An image manifest (OCI or Docker schema 2): the config descriptor and the layer
// descriptors in order, bottom first. Parses and writes canonical JSON; unknown fields
// survive a round trip.
#pragma once

#include "core/common/error.h"
#include "core/oci/descriptor.h"

#include <QByteArray>
#include <QList>

namespace stagecraft {

struct ImageManifest
{
    int schemaVersion = 2;
    QString mediaType; // may be empty in OCI manifests; the descriptor then says it
    QString artifactType;
    Descriptor config;
    QList<Descriptor> layers;
    std::optional<Descriptor> subject;
    QMap<QString, QString> annotations;
    QJsonObject original;

    static Expected<ImageManifest> parse(const QByteArray &bytes);
    QJsonObject toJsonObject() const;
    QByteArray toJson() const; // canonical compact JSON
};

} // namespace stagecraft
