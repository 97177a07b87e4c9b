// User names and passwords for registries, read from Docker's client configuration
// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json): the `auths` entries, each
// with a base64 "user:password" `auth` field or `username` and `password` fields, so a
// `docker login` done earlier serves Stagecraft too. Credential helpers are not run.
#pragma once

#include "core/common/error.h"

#include <QMap>
#include <QString>

#include <optional>

namespace stagecraft {

struct RegistryCredential
{
    QString username;
    QString password;
};

class RegistryCredentials
{
public:
    static QString defaultPath();
    // A missing file gives no credentials; an unreadable or malformed one is an error.
    static Expected<RegistryCredentials> load(const QString &path = defaultPath());
    static Expected<RegistryCredentials> parse(const QByteArray &json, const QString &origin);

    // The credential for a registry as references name it ("docker.io", "host:5000").
    std::optional<RegistryCredential> find(const QString &registry) const;
    void set(const QString &registry, const RegistryCredential &credential);

private:
    static QString registryKey(const QString &configKey);
    QMap<QString, RegistryCredential> m_entries;
};

} // namespace stagecraft
