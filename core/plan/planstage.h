// One stage of the build plan: its FROM (base image, earlier stage or scratch, platform),
// whether the target needs it, what it depends on and its steps in order.
#pragma once

#include "core/plan/fromcommand.h"
#include "core/plan/planstep.h"

#include <QHash>
#include <QList>
#include <QString>

namespace stagecraft {

struct PlanStage
{
    int index = 0;
    QString name; // lower-cased; empty for an unnamed stage
    FromCommand from;
    bool needed = true;      // whether building the target needs it (--target pruning)
    QList<int> dependencies; // stages it reads: its base, --from and --mount from= (sorted, unique)
    QStringList images;      // external images it reads, its base first
    QList<PlanStep> steps;
    // The variables at the end of the stage, inherited by a stage built FROM it.
    QHash<QString, QString> args;
    QHash<QString, QString> env;

    bool isScratch() const { return from.baseStage < 0 && from.base == QLatin1String("scratch"); }
    QString displayName() const { return name.isEmpty() ? QString::number(index) : name; }
};

} // namespace stagecraft
