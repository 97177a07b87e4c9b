// An image configuration (OCI / Docker "container image v1"): platform, runtime defaults,
// the diff IDs of the layers (rootfs.diff_ids) and the history of the steps.
#pragma once

#include "core/common/error.h"
#include "core/oci/containerconfig.h"
#include "core/oci/digest.h"
#include "core/oci/historyentry.h"
#include "core/oci/platform.h"

#include <QByteArray>
#include <QList>

namespace stagecraft {

struct ImageConfig
{
    QString architecture;
    QString os;
    QString variant;
    QString created; // RFC 3339, as written
    QString author;
    ContainerConfig config;
    QList<Digest> diffIds;
    QList<HistoryEntry> history;
    QJsonObject original;

    static Expected<ImageConfig> parse(const QByteArray &bytes);
    QJsonObject toJsonObject() const;
    QByteArray toJson() const; // canonical compact JSON
    Platform platform() const;
    // Indexes into `history` of the entries that made a layer (not empty_layer), in order;
    // entry i belongs to layer i when the counts agree.
    QList<int> layerHistoryIndexes() const;
};

} // namespace stagecraft
