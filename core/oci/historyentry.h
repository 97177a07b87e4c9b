// One entry of an image config's history: the step that made a layer (or, with
// emptyLayer, a metadata-only step such as ENV or LABEL that made none).
#pragma once

#include <QJsonObject>
#include <QString>

namespace stagecraft {

struct HistoryEntry
{
    QString created; // RFC 3339, as written
    QString createdBy;
    QString author;
    QString comment;
    bool emptyLayer = false;
    QJsonObject original;

    static HistoryEntry fromJson(const QJsonObject &object);
    QJsonObject toJson() const;
};

} // namespace stagecraft
