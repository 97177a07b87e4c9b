// Which host ids stand for the sandbox's ids: the user namespace map of every RUN.
// As an ordinary user, container root is the user and 1… are the user's subordinate
// range (/etc/subuid, /etc/subgid), written by newuidmap/newgidmap as rootless Podman
// does; as root, every container id is shifted into an unprivileged range, so that
// container root is never host root. Files the sandbox writes carry host ids and are
// mapped back through this map before they go into a layer.
#pragma once

#include "core/common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct IdRange
{
    qint64 containerStart = 0;
    qint64 hostStart = 0;
    qint64 count = 0;
};

class IdMap
{
public:
    enum class Kind {
        Shifted,     // root: container ids 0… are host ids start… (no host id below start)
        Subordinate, // an ordinary user: 0 is the user, 1… the user's subordinate range
        SingleId,    // an ordinary user without a range who asked for one id (STAGECRAFT_SINGLE_ID=1)
    };

    // Where root's ids go when /etc/subuid has no range for root (documented in
    // docs/security.md): above useradd's automatic subordinate ranges (SUB_UID_MAX
    // 600100000), below 2^31.
    static constexpr qint64 rootDefaultStart = 1000000000;
    static constexpr qint64 rootDefaultCount = 65536;
    static constexpr qint64 overflowId = 65534; // what an unmapped id shows as (nobody)

    // The map of this process's user, read once per process; fails, saying which command
    // fixes it, when an ordinary user has no subordinate range and did not ask for one id.
    static const Expected<IdMap> &current();
    // The same, computed from the given contents of /etc/subuid and /etc/subgid.
    static Expected<IdMap> forUser(uint uid, uint gid, const QString &userName, const QByteArray &subuid,
                                   const QByteArray &subgid, bool singleIdRequested);
    // The lines of /etc/subuid or /etc/subgid for `name` or the number `id`, in order.
    static QList<IdRange> subordinateRanges(const QByteArray &file, const QString &name, uint id);

    Kind kind() const { return m_kind; }
    const QList<IdRange> &uidRanges() const { return m_uids; }
    const QList<IdRange> &gidRanges() const { return m_gids; }
    // The host id of a container id, or -1 when it is not mapped.
    qint64 hostUid(qint64 containerUid) const { return toHost(m_uids, containerUid); }
    qint64 hostGid(qint64 containerGid) const { return toHost(m_gids, containerGid); }
    // The container id of a host id: the namespace's owner (root, or the user) counts as
    // container root, as files the sandbox's set-up makes as the owner belong to root;
    // any other unmapped id is nobody (65534), as the kernel shows it.
    qint64 containerUid(qint64 hostUid) const { return toContainer(m_uids, m_ownerUid, hostUid); }
    qint64 containerGid(qint64 hostGid) const { return toContainer(m_gids, m_ownerGid, hostGid); }
    // The text of /proc/PID/uid_map and gid_map ("0 1000 1\n1 100000 65536\n").
    QByteArray uidMapText() const { return mapText(m_uids); }
    QByteArray gidMapText() const { return mapText(m_gids); }
    // Arguments of newuidmap/newgidmap after the pid: "0 1000 1 1 100000 65536".
    QStringList uidMapArgs() const { return mapArgs(m_uids); }
    QStringList gidMapArgs() const { return mapArgs(m_gids); }
    // One line for logs and `doctor`: "0→1000, 1…65536→100000…165535".
    QString describe() const;

private:
    static qint64 toHost(const QList<IdRange> &ranges, qint64 id);
    static qint64 toContainer(const QList<IdRange> &ranges, qint64 owner, qint64 id);
    static QByteArray mapText(const QList<IdRange> &ranges);
    static QStringList mapArgs(const QList<IdRange> &ranges);

    Kind m_kind = Kind::Shifted;
    QList<IdRange> m_uids;
    QList<IdRange> m_gids;
    qint64 m_ownerUid = 0;
    qint64 m_ownerGid = 0;
};

} // namespace stagecraft
