#include "core/oci/jsonfields.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace stagecraft::json {

Expected<QJsonObject> parseObject(const QByteArray &bytes, const QString &what)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("%1 is not valid JSON: %2 at byte %3")
                        .arg(what, error.errorString())
                        .arg(error.offset));
    if (!doc.isObject())
        return fail(QStringLiteral("%1 is not a JSON object").arg(what));
    return doc.object();
}

QByteArray canonical(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list << v.toString();
    return list;
}

QJsonArray fromStringList(const QStringList &list)
{
    QJsonArray array;
    for (const QString &s : list)
        array.append(s);
    return array;
}

QMap<QString, QString> toStringMap(const QJsonValue &value)
{
    QMap<QString, QString> map;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

QJsonObject fromStringMap(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QStringList keysOf(const QJsonValue &value)
{
    return value.toObject().keys();
}

QJsonObject setOf(const QStringList &keys)
{
    QJsonObject object;
    for (const QString &k : keys)
        object.insert(k, QJsonObject());
    return object;
}

namespace {

bool keepsEmpty(const QJsonObject &object, const QString &key)
{
    if (!object.contains(key))
        return false;
    const QJsonValue v = object.value(key);
    return v.isNull() || (v.isArray() && v.toArray().isEmpty()) || (v.isObject() && v.toObject().isEmpty()) ||
           (v.isString() && v.toString().isEmpty());
}

} // namespace

void putList(QJsonObject &object, const QString &key, const QStringList &value)
{
    if (!value.isEmpty())
        object.insert(key, fromStringList(value));
    else if (!keepsEmpty(object, key))
        object.remove(key);
}

void putString(QJsonObject &object, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        object.insert(key, value);
    else if (!keepsEmpty(object, key))
        object.remove(key);
}

void putMap(QJsonObject &object, const QString &key, const QMap<QString, QString> &value)
{
    if (!value.isEmpty())
        object.insert(key, fromStringMap(value));
    else if (!keepsEmpty(object, key))
        object.remove(key);
}

void putSet(QJsonObject &object, const QString &key, const QStringList &value)
{
    if (!value.isEmpty())
        object.insert(key, setOf(value));
    else if (!keepsEmpty(object, key))
        object.remove(key);
}

} // namespace stagecraft::json
