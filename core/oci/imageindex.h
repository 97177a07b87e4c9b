// An image index (OCI) or manifest list (Docker): manifests for several platforms, or
// the list of images in an OCI layout's index.json. Chooses a manifest by platform.
#pragma once

#include "core/common/error.h"
#include "core/oci/descriptor.h"

#include <QByteArray>
#include <QList>

namespace stagecraft {

struct ImageIndex
{
    int schemaVersion = 2;
    QString mediaType;
    QList<Descriptor> manifests;
    QMap<QString, QString> annotations;
    QJsonObject original;

    static Expected<ImageIndex> parse(const QByteArray &bytes);
    QJsonObject toJsonObject() const;
    QByteArray toJson() const; // canonical compact JSON

    // The entry for `platform` (default linux/amd64). Entries without a platform count as
    // matching when no entry names one (an OCI layout's index.json). Attestation
    // manifests (platform unknown/unknown) are never chosen.
    Expected<Descriptor> select(const Platform &platform = Platform::host()) const;
};

} // namespace stagecraft
