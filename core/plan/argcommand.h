// ARG: build arguments declared in a stage, each with the value it takes in this build
// (--build-arg, else its default, else the meta ARG of the same name).
#pragma once

#include "core/plan/commandbase.h"

#include <optional>

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ArgDeclaration
{
    QString name;
    std::optional<QString> defaultValue; // expanded; unset for a bare `ARG NAME`
    std::optional<QString> value;        // what the build uses; unset when the ARG stays unset
};

struct ArgCommand : CommandBase
{
    QList<ArgDeclaration> declarations;
};

} // namespace stagecraft
