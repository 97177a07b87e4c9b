// The user a RUN runs as, resolved as Docker resolves USER: names through the image's
// /etc/passwd and /etc/group, a numeric uid without a passwd entry gets gid 0.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

class Rootfs;

struct ContainerUser
{
    uint uid = 0;
    uint gid = 0;
    QString home = QStringLiteral("/");

    // `user` is USER's text: "name", "uid", "name:group", "uid:gid" or empty (root).
    static Expected<ContainerUser> resolve(const Rootfs &rootfs, const QString &user);
};

} // namespace stagecraft
