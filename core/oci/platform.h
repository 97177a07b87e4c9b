// The platform an image runs on (os/architecture[/variant]), as index entries and image
// configs state it; parsed from "linux/arm64/v8" and matched when choosing from an index.
#pragma once

#include "core/common/error.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct Platform
{
    QString os = QStringLiteral("linux");
    QString architecture = QStringLiteral("amd64");
    QString variant;
    QString osVersion;
    QStringList osFeatures;

    static Platform host(); // linux/amd64: what the builder runs
    static Expected<Platform> parse(const QString &text);
    static Platform fromJson(const QJsonObject &object);
    QJsonObject toJson() const;
    QString toString() const;
    // True when an image built for `candidate` serves a request for this platform: os and
    // architecture equal, and the variant equal when this one names a variant.
    bool matches(const Platform &candidate) const;

    friend bool operator==(const Platform &, const Platform &) = default;
};

} // namespace stagecraft
