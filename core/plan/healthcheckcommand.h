// HEALTHCHECK: the test and its timing, durations read as Go reads them (GoDuration) and
// checked by BuildKit's rules.
#pragma once

#include "core/dockerfile/instruction.h"
#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

class StageScope;

struct HealthcheckCommand : CommandBase
{
    bool disabled = false; // HEALTHCHECK NONE
    bool execForm = false;
    QStringList test;    // ["CMD", …] or ["CMD-SHELL", "line"], or ["NONE"]
    qint64 interval = 0; // nanoseconds, 0 when not given
    qint64 timeout = 0;
    qint64 startPeriod = 0;
    qint64 startInterval = 0;
    qint64 retries = 0;

    static HealthcheckCommand read(const Instruction &instruction, int index, StageScope &scope);
};

} // namespace stagecraft
