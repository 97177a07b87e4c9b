// An image reference as a registry sees it, normalised the way Docker does:
// "golang" is docker.io/library/golang:latest, a first component with a dot, a colon or
// "localhost" names a registry host, and "name:tag@sha256:..." pins a digest. Also gives
// the familiar short form the local store keeps ("golang:1.21", "localhost:5000/x/y:1").
#pragma once

#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QString>

namespace stagecraft {

class RegistryReference
{
public:
    static constexpr QLatin1String DockerHub{"docker.io"};

    // Refuses empty names, upper-case repositories, bad tags and digests with a message
    // saying what is allowed.
    static Expected<RegistryReference> parse(const QString &text);

    QString registry() const { return m_registry; }     // "docker.io", "localhost:5000"
    QString repository() const { return m_repository; } // "library/golang"
    QString tag() const { return m_tag; }               // "latest" when neither tag nor digest was given
    Digest digest() const { return m_digest; }          // invalid when none was given
    // What a manifest request names: the digest when there is one, else the tag.
    QString manifestReference() const;

    // "docker.io/library/golang:1.21", with "@sha256:..." when a digest was given.
    QString canonical() const;
    // The short form Docker shows and the store keeps: "golang:1.21", "user/app:1",
    // "localhost:5000/x/y:1"; "golang@sha256:..." for a digest without a tag.
    QString familiar() const;
    // The familiar repository without tag or digest ("golang", "localhost:5000/x/y").
    QString familiarRepository() const;
    // The host the registry API lives on (Docker Hub's is registry-1.docker.io).
    QString apiHost() const;

    RegistryReference withRepository(const QString &registry, const QString &repository) const;
    RegistryReference withTag(const QString &tag) const;

    friend bool operator==(const RegistryReference &, const RegistryReference &) = default;

private:
    QString m_registry;
    QString m_repository;
    QString m_tag;
    Digest m_digest;
};

} // namespace stagecraft
