#include "core/registry/registrycredentials.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

namespace stagecraft {

QString RegistryCredentials::defaultPath()
{
    const QString configDir = QString::fromLocal8Bit(qgetenv("DOCKER_CONFIG"));
    if (!configDir.isEmpty())
        return configDir + QStringLiteral("/config.json");
    return QDir::homePath() + QStringLiteral("/.docker/config.json");
}

Expected<RegistryCredentials> RegistryCredentials::load(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return RegistryCredentials();
    if (!file.open(QIODevice::ReadOnly))
        return fail(
            QStringLiteral("cannot read the Docker configuration %1: %2").arg(path, file.errorString()));
    return parse(file.readAll(), path);
}

Expected<RegistryCredentials> RegistryCredentials::parse(const QByteArray &json, const QString &origin)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (!doc.isObject())
        return fail(QStringLiteral("%1 is not valid JSON (%2); fix or remove it to use registries")
                        .arg(origin, error.errorString()));
    RegistryCredentials credentials;
    const QJsonObject auths = doc.object().value(QLatin1String("auths")).toObject();
    for (auto it = auths.begin(); it != auths.end(); ++it) {
        const QJsonObject entry = it.value().toObject();
        RegistryCredential credential;
        const QString auth = entry.value(QLatin1String("auth")).toString();
        if (!auth.isEmpty()) {
            const auto decoded = QByteArray::fromBase64Encoding(auth.toLatin1());
            const QString text = QString::fromUtf8(decoded.decoded);
            const qsizetype colon = text.indexOf(QLatin1Char(':'));
            if (!decoded || colon < 0)
                return fail(QStringLiteral("%1: the `auth` entry of `%2` is not base64 of \"user:password\"")
                                .arg(origin, it.key()));
            credential.username = text.left(colon);
            credential.password = text.mid(colon + 1);
        } else {
            credential.username = entry.value(QLatin1String("username")).toString();
            credential.password = entry.value(QLatin1String("password")).toString();
        }
        if (!credential.username.isEmpty())
            credentials.m_entries.insert(registryKey(it.key()), credential);
    }
    return credentials;
}

QString RegistryCredentials::registryKey(const QString &configKey)
{
    // Keys are written as "host:port", "https://host/v1/" (Docker Hub's is
    // "https://index.docker.io/v1/"), or "http://host".
    QString key = configKey.trimmed().toLower();
    if (key.contains(QLatin1String("://"))) {
        const QUrl url(key);
        key = url.host() + (url.port() >= 0 ? QLatin1Char(':') + QString::number(url.port()) : QString());
    } else if (const qsizetype slash = key.indexOf(QLatin1Char('/')); slash >= 0) {
        key.truncate(slash);
    }
    if (key == QLatin1String("index.docker.io") || key == QLatin1String("registry-1.docker.io"))
        key = QStringLiteral("docker.io");
    return key;
}

std::optional<RegistryCredential> RegistryCredentials::find(const QString &registry) const
{
    const QString key = registryKey(registry);
    if (auto it = m_entries.constFind(key); it != m_entries.cend())
        return *it;
    return std::nullopt;
}

void RegistryCredentials::set(const QString &registry, const RegistryCredential &credential)
{
    m_entries.insert(registryKey(registry), credential);
}

} // namespace stagecraft
