#include "core/plan/planformat.h"

#include "core/plan/buildplan.h"

#include <QStringList>

namespace stagecraft {

QString PlanFormat::text(const BuildPlan &plan)
{
    QStringList lines;
    for (const PlanStage &stage : plan.stages()) {
        QString head = QStringLiteral("stage %1").arg(stage.index);
        if (!stage.name.isEmpty())
            head += QStringLiteral(" \"%1\"").arg(stage.name);
        head += stage.from.baseStage >= 0 ? QStringLiteral(" from stage %1").arg(stage.from.baseStage)
                                          : QStringLiteral(" from ") + stage.from.base;
        if (!stage.from.platform.isEmpty())
            head += QStringLiteral(" for ") + stage.from.platform;
        if (stage.index == plan.target())
            head += QStringLiteral(", target");
        if (!stage.needed)
            head += QStringLiteral(", not needed");
        lines.append(head);
        for (const PlanStep &step : stage.steps) {
            QString line = QStringLiteral("  %1 %2").arg(step.number).arg(step.inputs.text);
            QStringList reads;
            for (int s : step.inputs.stages)
                reads.append(QStringLiteral("stage %1").arg(s));
            for (const QString &image : step.inputs.images)
                reads.append(QStringLiteral("image ") + image);
            for (const QString &path : step.inputs.contextPaths)
                reads.append(QStringLiteral("context ") + path);
            if (!reads.isEmpty())
                line += QStringLiteral(" <- ") + reads.join(QStringLiteral(", "));
            if (step.trigger)
                line += QStringLiteral(" (ONBUILD trigger)");
            if (!step.inputs.complete)
                line += QStringLiteral(" (needs the base image's config)");
            lines.append(line);
        }
    }
    QStringList order;
    for (int s : plan.buildOrder())
        order.append(QString::number(s));
    lines.append(QStringLiteral("build order: ") + order.join(QLatin1Char(' ')));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace stagecraft
