// What `stagecraft check` tells Stagecraft's rules and fixes about the build context: its
// .dockerignore (text and matcher), which paths exist, and whether the program's sources
// mention a word (for "Make it multi-stage": TLS, time zones). Reading is bounded: at most
// kMaxFiles source files and kMaxBytes of them, no symlinks followed.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/common/error.h"

#include <QString>

namespace stagecraft::app {

class CheckContext
{
public:
    static constexpr int kMaxFiles = 5000;
    static constexpr qint64 kMaxBytes = qint64(16) << 20;

    // `directory` must exist; a .dockerignore that does not parse is an error.
    static Expected<BuildCheckOptions> read(const QString &directory);
};

} // namespace stagecraft::app
