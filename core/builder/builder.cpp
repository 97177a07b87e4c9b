#include "core/builder/builder.h"

#include "core/builder/buildrun.h"

namespace stagecraft {

Expected<BuildResult> Builder::build(const BuildRequest &request, const BuildEventSink &sink,
                                     const CancellationToken &cancel)
{
    // The lease keeps what this build writes and uses from a `store gc` in any process,
    // and marks its scratch files as in use; what killed builds left goes first.
    Builder leased(*this);
    auto lease = leased.m_store.lease(QStringLiteral("build"));
    if (!lease)
        return std::unexpected(lease.error());
    (void)leased.m_store.removeAbandoned(false);
    BuildRun run(leased, request, sink, cancel);
    return run.run();
}

} // namespace stagecraft
