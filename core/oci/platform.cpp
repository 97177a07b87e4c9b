#include "core/oci/platform.h"

#include "core/oci/jsonfields.h"

namespace stagecraft {

Platform Platform::host()
{
    return Platform{};
}

Expected<Platform> Platform::parse(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.size() < 2 || parts.size() > 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return fail(QStringLiteral("`%1` is not a platform (expected os/arch[/variant], e.g. linux/arm64)")
                        .arg(text));
    Platform p;
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3)
        p.variant = parts[2];
    return p;
}

Platform Platform::fromJson(const QJsonObject &object)
{
    Platform p;
    p.os = object.value(QLatin1String("os")).toString();
    p.architecture = object.value(QLatin1String("architecture")).toString();
    p.variant = object.value(QLatin1String("variant")).toString();
    p.osVersion = object.value(QLatin1String("os.version")).toString();
    p.osFeatures = json::toStringList(object.value(QLatin1String("os.features")));
    return p;
}

QJsonObject Platform::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("architecture"), architecture);
    o.insert(QLatin1String("os"), os);
    json::putString(o, QStringLiteral("variant"), variant);
    json::putString(o, QStringLiteral("os.version"), osVersion);
    json::putList(o, QStringLiteral("os.features"), osFeatures);
    return o;
}

QString Platform::toString() const
{
    QString s = os + QLatin1Char('/') + architecture;
    if (!variant.isEmpty())
        s += QLatin1Char('/') + variant;
    return s;
}

bool Platform::matches(const Platform &candidate) const
{
    if (os != candidate.os || architecture != candidate.architecture)
        return false;
    if (variant.isEmpty())
        return true;
    // arm64 images usually omit the default "v8" variant.
    if (candidate.variant.isEmpty() && architecture == QLatin1String("arm64") &&
        variant == QLatin1String("v8"))
        return true;
    return variant == candidate.variant;
}

} // namespace stagecraft
