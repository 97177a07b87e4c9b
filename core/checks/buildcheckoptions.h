// What the build checks may know beyond the build plan (which carries the build arguments
// and the platform): base images' environments and the build context's .dockerignore.
#pragma once

#include <QHash>
#include <QString>

#include <functional>
#include <optional>

namespace stagecraft {

// Everything is optional: without it the checks behave like BuildKit with base images whose
// configuration defines only PATH, and CopyIgnoredFile never fires.
struct BuildCheckOptions
{
    // Environment of an external base image ("golang:1.21") from its image config, or
    // nullopt when it is not known; used by UndefinedVar (e.g. $GOPATH in a golang stage).
    std::function<std::optional<QHash<QString, QString>>(const QString &imageRef)> baseImageEnv;
    // True when a build-context path is excluded by .dockerignore (experimental
    // CopyIgnoredFile); when unset that rule never fires.
    std::function<bool(const QString &path)> isIgnoredByDockerignore;
};

} // namespace stagecraft
