// LABEL: image labels, keys and values expanded.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ImageLabel
{
    QString key;
    QString value;
};

struct LabelCommand : CommandBase
{
    QList<ImageLabel> labels;
};

} // namespace stagecraft
