// What the Run dialog asks before the window runs an image (published ports, environment,
// a command instead of the image's, a terminal or the build log), remembered per image
// in QSettings so the next Run starts from the last answers.
#pragma once

#include "core/builder/containerrun.h"
#include "core/common/error.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft::ui {

struct RunChoices
{
    QStringList ports;     // "HOST:CONTAINER[/udp]" as PortForward::parse reads them
    QStringList env;       // "NAME=value"
    QString command;       // shell words; "" keeps the image's command
    bool terminal = false; // an interactive terminal; otherwise the output goes to the build log

    // `imageKey` names the image across rebuilds (its Dockerfile and target), since
    // each build may give it a new id.
    static std::optional<RunChoices> load(const QString &imageKey);
    void save(const QString &imageKey) const;

    // The published ports an image's EXPOSE suggests ("80/tcp" → "8080:80"): the same
    // port on the host when an ordinary user may bind it (above 1024), else 8000 + port.
    static QStringList portsFromExposed(const QStringList &exposedPorts);

    // Shell words as sh reads them (single and double quotes, backslash), without
    // expansion; nothing when a quote is not closed.
    static std::optional<QStringList> splitCommand(const QString &text);

    // The options for `image`, or the first entry that is not valid.
    Expected<ContainerOptions> containerOptions(const QString &image) const;
};

} // namespace stagecraft::ui
