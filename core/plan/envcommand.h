// ENV: variables set for the rest of the stage and in the image. Every pair is expanded with
// the variables from before the instruction (`ENV a=bye b=$a` gives b the earlier a).
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct EnvVariable
{
    QString name;
    QString value;
};

struct EnvCommand : CommandBase
{
    QList<EnvVariable> variables;
};

} // namespace stagecraft
