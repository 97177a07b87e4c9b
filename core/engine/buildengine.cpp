#include "core/engine/buildengine.h"

#include "core/engine/dockerengine.h"
#include "core/engine/embeddedengine.h"

namespace stagecraft {

QString engineKindName(EngineKind kind)
{
    switch (kind) {
    case EngineKind::Embedded: return QStringLiteral("embedded");
    case EngineKind::Docker: return QStringLiteral("docker");
    }
    return {};
}

std::optional<EngineKind> engineKindFromName(const QString &name)
{
    for (EngineKind kind : {EngineKind::Embedded, EngineKind::Docker})
        if (name == engineKindName(kind))
            return kind;
    return std::nullopt;
}

std::unique_ptr<BuildEngine> BuildEngine::create(EngineKind kind, const ImageStore &store,
                                                 const DockerEngineOptions &docker)
{
    if (kind == EngineKind::Docker)
        return std::make_unique<DockerEngine>(store, docker);
    return std::make_unique<EmbeddedEngine>(store);
}

} // namespace stagecraft
