// Where images come from: mirrors that serve a registry's repositories (a workshop's
// local registry standing in for Docker Hub) and registries that may be spoken to over
// plain HTTP. Loopback hosts are always allowed plain HTTP.
//
// The settings file (<config dir>/stagecraft/registries.conf, e.g.
// ~/.config/stagecraft/registries.conf) holds one setting a line; `#` starts a comment:
//
//     # every docker.io image from the classroom registry
//     docker.io = http://192.168.1.10:5000
//     insecure = 192.168.1.10:5000
//
// `REGISTRY = URL` names a mirror for REGISTRY (docker.io for Docker Hub's images;
// http:// or https://, no path); `insecure = HOST[:PORT]` allows plain HTTP to HOST.
#pragma once

#include "core/common/error.h"

#include <QMap>
#include <QStringList>
#include <QUrl>

namespace stagecraft {

class RegistrySettings
{
public:
    // <GenericConfigLocation>/stagecraft/registries.conf ($XDG_CONFIG_HOME is honoured).
    static QString defaultPath();
    // Reads `path`; a missing file gives empty settings. Errors name the file and line.
    static Expected<RegistrySettings> load(const QString &path = defaultPath());
    static Expected<RegistrySettings> parse(const QByteArray &text, const QString &origin);
    // Writes the file atomically (creating its directory).
    Expected<void> save(const QString &path = defaultPath()) const;
    QByteArray toText() const;

    // Takes `--mirror REGISTRY=URL` and `--insecure HOST[:PORT]` (also `--opt=value`, any
    // number of times) out of command-line arguments into these settings; returns the rest.
    Expected<QStringList> takeCommandLineOptions(const QStringList &args);
    // "docker.io=http://127.0.0.1:5000", as the --mirror option gives it.
    Expected<void> addMirrorOption(const QString &option);
    Expected<void> setMirror(const QString &registry, const QString &url);
    void removeMirror(const QString &registry) { m_mirrors.remove(registry); }
    void addInsecure(const QString &host);
    void removeInsecure(const QString &host) { m_insecure.removeAll(host); }

    QMap<QString, QUrl> mirrors() const { return m_mirrors; }
    QStringList insecureHosts() const { return m_insecure; }

    // The base URL the API of `registry` (as a reference names it: "docker.io",
    // "host:5000") is reached at: its mirror, else https://apiHost, or http:// for
    // loopback and insecure hosts.
    QUrl endpoint(const QString &registry, const QString &apiHost) const;
    // True when plain HTTP to `hostAndPort` is allowed.
    bool allowsPlainHttp(const QString &hostAndPort) const;
    static bool isLoopback(const QString &host);

private:
    QMap<QString, QUrl> m_mirrors;
    QStringList m_insecure;
};

} // namespace stagecraft
