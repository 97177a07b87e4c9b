// Local image names ("name:tag", "name@sha256:..."): validation and the short form
// normalisation the store uses ("name" means "name:latest"). Registry-aware
// normalisation (docker.io/library/...) belongs to core/registry.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

class ImageReference
{
public:
    // "busybox" → "busybox:latest"; "localhost:5000/a/b" → "localhost:5000/a/b:latest";
    // keeps "name:tag" and "name@sha256:<hex>". Refuses empty names, spaces, upper-case
    // repository names and bad tags, with a message saying what is allowed.
    static Expected<QString> normalise(const QString &reference);
    // The repository and tag of a normalised reference ("a/b:1" → "a/b", "1"); a digest
    // reference gives the digest as its tag.
    static QString repository(const QString &normalised);
    static QString tag(const QString &normalised);
};

} // namespace stagecraft
