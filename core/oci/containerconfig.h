// The runtime defaults inside an image config ("config": Env, Entrypoint, Cmd, ...),
// which Dockerfile instructions such as ENV, CMD and WORKDIR set.
#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ContainerConfig
{
    QString user;
    QStringList exposedPorts; // "80/tcp"
    QStringList env;          // "NAME=value"
    QStringList entrypoint;
    QStringList cmd;
    QStringList volumes;
    QString workingDir;
    QMap<QString, QString> labels;
    QString stopSignal;
    QJsonObject healthcheck; // {"Test": [...], "Interval": ns, ...} as Docker writes it
    QStringList shell;
    QStringList onBuild;
    QJsonObject original;

    static ContainerConfig fromJson(const QJsonObject &object);
    QJsonObject toJson() const;

    QString envValue(const QString &name) const; // empty when unset
};

} // namespace stagecraft
