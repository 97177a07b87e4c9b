#include "core/builder/buildrun.h"

// The images FROM and COPY --from name: from the store, or pulled once through the
// request's hook when the store lacks them, with the pull shown as the step's output.

namespace stagecraft {

Expected<Image> BuildRun::imageFor(const QString &reference, const QString &what, const BuildEvent &base)
{
    auto image = m_builder.store().image(reference);
    if (image)
        return image;
    if (!m_request.pullMissingImage)
        return fail(QStringLiteral("%1 \"%2\" is not in the store %3: get it with `stagecraft pull %2`, or "
                                   "import it with `stagecraft import FILE -t %2` (a docker save tarball or "
                                   "an OCI layout)")
                        .arg(what, reference, m_builder.store().root()));
    // One pull at a time: two stages on the same missing base fetch it once.
    std::lock_guard lock(m_pullMutex);
    image = m_builder.store().image(reference);
    if (image)
        return image;
    BuildEvent e = base; // the pull shows as output of the step that needs the image
    e.kind = BuildEventKind::StepLog;
    e.text = QStringLiteral("pulling %1").arg(reference);
    emitEvent(e);
    auto pulled = m_request.pullMissingImage(reference, m_cancel);
    if (m_cancel.isCancelled())
        return failCancelled(QStringLiteral("build cancelled"));
    if (!pulled)
        return fail(QStringLiteral("%1 \"%2\" is not in the store and pulling it failed: %3")
                        .arg(what, reference, pulled.error().message));
    image = m_builder.store().image(reference);
    if (!image)
        return fail(QStringLiteral("%1 \"%2\" is still not in the store after pulling it: %3")
                        .arg(what, reference, image.error().message));
    e.text = QStringLiteral("pulled %1").arg(reference);
    emitEvent(e);
    return image;
}

} // namespace stagecraft
