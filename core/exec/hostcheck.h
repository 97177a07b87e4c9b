// What this machine lets the sandbox do, checked one thing at a time for `stagecraft
// doctor`: user namespaces, subordinate ids, newuidmap, bubblewrap, overlayfs in a user
// namespace, the private network, the store's permissions, a Docker engine if there is
// one. Each check says what it found and, when it failed, the command that fixes it.
#pragma once

#include <QList>
#include <QString>

#include <optional>
#include <utility>

namespace stagecraft {

struct HostCheckResult
{
    QString name;
    bool ok = false;
    bool required = true; // a failed optional check only warns
    QString detail;
    QString fix; // a command or step for a person; "" when ok
};

class HostCheck
{
public:
    // `storeRoot`: the store directory the user works with (it may not exist yet).
    static QList<HostCheckResult> run(const QString &storeRoot);

    // The range (start, count) of `user`'s (or `uid`'s) entry in an /etc/subuid- or
    // /etc/subgid-formatted text; the largest when there are several.
    static std::optional<std::pair<qint64, qint64>> subordinateRange(const QByteArray &text,
                                                                     const QString &user, qint64 uid);
};

} // namespace stagecraft
