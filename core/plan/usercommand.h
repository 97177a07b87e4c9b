// USER: the user and optional group (names or numbers), expanded.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct UserCommand : CommandBase
{
    QString user;
    QString group;
    QString text; // user[:group] as the image config stores it
};

} // namespace stagecraft
