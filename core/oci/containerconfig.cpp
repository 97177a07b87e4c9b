#include "core/oci/containerconfig.h"

#include "core/oci/jsonfields.h"

namespace stagecraft {

ContainerConfig ContainerConfig::fromJson(const QJsonObject &o)
{
    ContainerConfig c;
    c.original = o;
    c.user = o.value(QLatin1String("User")).toString();
    c.exposedPorts = json::keysOf(o.value(QLatin1String("ExposedPorts")));
    c.env = json::toStringList(o.value(QLatin1String("Env")));
    c.entrypoint = json::toStringList(o.value(QLatin1String("Entrypoint")));
    c.cmd = json::toStringList(o.value(QLatin1String("Cmd")));
    c.volumes = json::keysOf(o.value(QLatin1String("Volumes")));
    c.workingDir = o.value(QLatin1String("WorkingDir")).toString();
    c.labels = json::toStringMap(o.value(QLatin1String("Labels")));
    c.stopSignal = o.value(QLatin1String("StopSignal")).toString();
    c.healthcheck = o.value(QLatin1String("Healthcheck")).toObject();
    c.shell = json::toStringList(o.value(QLatin1String("Shell")));
    c.onBuild = json::toStringList(o.value(QLatin1String("OnBuild")));
    return c;
}

QJsonObject ContainerConfig::toJson() const
{
    QJsonObject o = original;
    json::putString(o, QStringLiteral("User"), user);
    json::putSet(o, QStringLiteral("ExposedPorts"), exposedPorts);
    json::putList(o, QStringLiteral("Env"), env);
    json::putList(o, QStringLiteral("Entrypoint"), entrypoint);
    json::putList(o, QStringLiteral("Cmd"), cmd);
    json::putSet(o, QStringLiteral("Volumes"), volumes);
    json::putString(o, QStringLiteral("WorkingDir"), workingDir);
    json::putMap(o, QStringLiteral("Labels"), labels);
    json::putString(o, QStringLiteral("StopSignal"), stopSignal);
    if (!healthcheck.isEmpty())
        o.insert(QLatin1String("Healthcheck"), healthcheck);
    else if (!o.value(QLatin1String("Healthcheck")).isNull())
        o.remove(QLatin1String("Healthcheck"));
    json::putList(o, QStringLiteral("Shell"), shell);
    json::putList(o, QStringLiteral("OnBuild"), onBuild);
    return o;
}

QString ContainerConfig::envValue(const QString &name) const
{
    const QString prefix = name + QLatin1Char('=');
    for (const QString &e : env)
        if (e.startsWith(prefix))
            return e.mid(prefix.size());
    return {};
}

} // namespace stagecraft
