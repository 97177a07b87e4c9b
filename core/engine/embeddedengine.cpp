#include "core/engine/embeddedengine.h"

#include "core/dockerfile/dockerfileparser.h"

namespace stagecraft {

EngineAvailability EmbeddedEngine::availability() const
{
    EngineAvailability a;
    a.usable = true;
    a.summary = QStringLiteral("the embedded builder, store %1").arg(m_builder.store().root());
    return a;
}

Expected<BuildResult> EmbeddedEngine::build(const EngineRequest &request, const BuildEventSink &sink,
                                            const CancellationToken &cancel)
{
    if (request.build.parsed || request.dockerfileText.isEmpty())
        return m_builder.build(request.build, sink, cancel);
    BuildRequest withText = request.build;
    withText.parsed = std::make_shared<const Dockerfile>(DockerfileParser::parse(request.dockerfileText));
    return m_builder.build(withText, sink, cancel);
}

} // namespace stagecraft
