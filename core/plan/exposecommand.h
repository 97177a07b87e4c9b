// EXPOSE: ports or port ranges with their protocol, as Docker's port spec reads them.
#pragma once

#include "core/plan/commandbase.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ExposedPort
{
    quint16 first = 0;
    quint16 last = 0;
    QString protocol; // tcp, udp or sctp

    // "80/tcp", "8000-8010/udp": the key of the image config's ExposedPorts.
    QString text() const
    {
        return (first == last ? QString::number(first)
                              : QString::number(first) + QLatin1Char('-') + QString::number(last)) +
               QLatin1Char('/') + protocol;
    }
};

struct ExposeCommand : CommandBase
{
    QList<ExposedPort> ports;
};

} // namespace stagecraft
