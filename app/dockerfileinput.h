// Reads the Dockerfile a command works on (`-f FILE`, `-f -` for standard input, default
// ./Dockerfile) and says clearly why when it cannot.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft::app {

struct DockerfileInput
{
    QString displayName; // what messages call the file: the path as given, or "<stdin>"
    QString text;

    static Expected<DockerfileInput> read(const QString &path);
};

} // namespace stagecraft::app
