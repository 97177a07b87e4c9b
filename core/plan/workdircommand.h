// WORKDIR: the directory as written (expanded) and, when the plan knows the directory it
// is relative to, the absolute, cleaned result.
#pragma once

#include "core/plan/commandbase.h"

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct WorkdirCommand : CommandBase
{
    QString path;
    std::optional<QString> resolved;
};

} // namespace stagecraft
