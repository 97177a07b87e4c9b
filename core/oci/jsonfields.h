// Small JSON conversions shared by the OCI document classes: reading typed fields with
// messages that name the field, and writing documents as canonical compact JSON.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace stagecraft::json {

// Parses a JSON object; `what` names the document in the error ("image config").
Expected<QJsonObject> parseObject(const QByteArray &bytes, const QString &what);
// Keys sorted, no whitespace: the same document always gives the same bytes (and digest).
QByteArray canonical(const QJsonObject &object);

QStringList toStringList(const QJsonValue &value);
QJsonArray fromStringList(const QStringList &list);
QMap<QString, QString> toStringMap(const QJsonValue &value);
QJsonObject fromStringMap(const QMap<QString, QString> &map);
// The keys of an object used as a set (ExposedPorts, Volumes: {"80/tcp": {}}).
QStringList keysOf(const QJsonValue &value);
QJsonObject setOf(const QStringList &keys);

// Writes `value` under `key` when it is non-empty; an empty value removes the key, unless
// the original document had it as null or empty (so a read document writes back equal).
void putList(QJsonObject &object, const QString &key, const QStringList &value);
void putString(QJsonObject &object, const QString &key, const QString &value);
void putMap(QJsonObject &object, const QString &key, const QMap<QString, QString> &value);
void putSet(QJsonObject &object, const QString &key, const QStringList &value);

} // namespace stagecraft::json
