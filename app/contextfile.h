// A file `check --fix --write` writes into the build context (a .dockerignore it creates
// or extends). The context is the user's, but what sits in it may not be: a
// .dockerignore that is a symlink to ~/.bashrc, or a directory swapped for a symlink,
// must not turn a fix into a write outside the context. Names are resolved inside the
// context with core/fs's rooted operations and the file is replaced through a temporary
// file beside it, never through a symlink.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QString>

namespace stagecraft::app {

class ContextFile
{
public:
    // Replaces `name` (a path inside `contextDir`) with `bytes` at once: a reader sees the
    // old file or the new one. An existing file keeps its mode; a new one gets 0644 less
    // the umask. A symlink as `name` or on the way to it is refused, not followed.
    static Expected<void> replace(const QString &contextDir, const QString &name, const QByteArray &bytes);
};

} // namespace stagecraft::app
