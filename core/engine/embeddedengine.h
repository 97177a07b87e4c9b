// The embedded builder (core/builder) behind the BuildEngine interface: no daemon, no root,
// works offline.
#pragma once

#include "core/engine/buildengine.h"

namespace stagecraft {

class EmbeddedEngine : public BuildEngine
{
public:
    explicit EmbeddedEngine(ImageStore store)
        : m_builder(std::move(store))
    {}

    EngineKind kind() const override { return EngineKind::Embedded; }
    EngineAvailability availability() const override;
    Expected<BuildResult> build(const EngineRequest &request, const BuildEventSink &sink = {},
                                const CancellationToken &cancel = {}) override;

private:
    Builder m_builder;
};

} // namespace stagecraft
