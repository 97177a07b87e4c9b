// What the build checks may know beyond the build plan (which carries the build arguments
// and the platform): base images' environments and the build context's .dockerignore.
#pragma once

#include "core/checks/lastbuild.h"

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
    // A .dockerignore with `!` exceptions: BuildKit then skips CopyIgnoredFile altogether (an
    // excluded directory may have a file re-included), and so do the checks.
    bool dockerignoreHasExceptions = false;

    // Stagecraft's own rules (SC001…) besides BuildKit's; off, the checks are exactly
    // `docker build --check`.
    bool stagecraftRules = false;
    // What CopyWholeContext (SC002) knows of the build context. Unknown (the editor without a
    // folder), it stays silent.
    bool contextKnown = false;
    std::optional<QString> dockerignoreText; // the context's .dockerignore, nullopt when there is none
    // Whether a context path ("node_modules", ".env") exists; unset: assume it may.
    std::function<bool(const QString &path)> contextContains;
    // Bytes the last build's layer of instruction `instruction` (an index into the Dockerfile's
    // instructions) holds under `path`, when that build's analysis is at hand; PackageCacheInLayer
    // then says what the cache costs.
    std::function<std::optional<qint64>(int instruction, const QString &path)> lastBuildBytesUnder;
    // The image the last build made, analysed: WrittenThenDeleted (SC009) runs only with it.
    std::optional<LastBuild> lastBuild;
    // Whether the context's source files mention a word ("crypto/tls", "net/http"): what
    // "Make it multi-stage" looks at to bring CA certificates or time zones along.
    std::function<bool(const QString &word)> contextSourcesMention;
};

} // namespace stagecraft
