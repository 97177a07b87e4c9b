#include "core/exec/containeruser.h"

#include "core/exec/rootfs.h"

#include <QList>
#include <QStringList>

namespace stagecraft {

namespace {

QList<QStringList> readDatabase(const Rootfs &rootfs, const QString &relative)
{
    QList<QStringList> rows;
    const std::optional<QByteArray> contents = rootfs.readFile(relative);
    if (!contents)
        return rows;
    for (const QByteArray &line : contents->split('\n')) {
        if (line.trimmed().isEmpty() || line.startsWith('#'))
            continue;
        rows.append(QString::fromUtf8(line).split(u':'));
    }
    return rows;
}

} // namespace

Expected<ContainerUser> ContainerUser::resolve(const Rootfs &rootfs, const QString &user)
{
    ContainerUser id;
    const QString userPart = user.section(u':', 0, 0);
    const QString groupPart = user.contains(u':') ? user.section(u':', 1) : QString();
    const QList<QStringList> passwd = readDatabase(rootfs, QStringLiteral("etc/passwd"));
    bool numeric = false;
    const uint uid = userPart.isEmpty() ? 0 : userPart.toUInt(&numeric);
    if (userPart.isEmpty())
        numeric = true;
    bool found = false;
    for (const QStringList &row : passwd) {
        if (row.size() < 6)
            continue;
        if (numeric ? row[2].toUInt() == uid && !row[2].isEmpty() : row[0] == userPart) {
            id.uid = row[2].toUInt();
            id.gid = row[3].toUInt();
            id.home = row[5].isEmpty() ? QStringLiteral("/") : row[5];
            found = true;
            break;
        }
    }
    if (!found) {
        if (!numeric)
            return fail(
                QStringLiteral("unable to find user %1: no matching entries in passwd file").arg(userPart));
        id.uid = uid;
        id.gid = 0;
        id.home = uid == 0 ? QStringLiteral("/root") : QStringLiteral("/");
    }
    if (!groupPart.isEmpty()) {
        bool groupNumeric = false;
        const uint gid = groupPart.toUInt(&groupNumeric);
        if (groupNumeric) {
            id.gid = gid;
        } else {
            bool groupFound = false;
            for (const QStringList &row : readDatabase(rootfs, QStringLiteral("etc/group"))) {
                if (row.size() >= 3 && row[0] == groupPart) {
                    id.gid = row[2].toUInt();
                    groupFound = true;
                    break;
                }
            }
            if (!groupFound)
                return fail(QStringLiteral("unable to find group %1: no matching entries in group file")
                                .arg(groupPart));
        }
    }
    return id;
}

} // namespace stagecraft
