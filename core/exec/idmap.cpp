#include "core/exec/idmap.h"

#include <QFile>

#include <algorithm>

#include <pwd.h>
#include <unistd.h>

namespace stagecraft {

namespace {

QByteArray readSmallFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.read(1 << 20);
}

QString userNameOf(uid_t uid)
{
    struct passwd entry = {};
    struct passwd *found = nullptr;
    char buffer[4096];
    if (::getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) == 0 && found)
        return QString::fromLocal8Bit(found->pw_name);
    return {};
}

} // namespace

QList<IdRange> IdMap::subordinateRanges(const QByteArray &file, const QString &name, uint id)
{
    QList<IdRange> ranges;
    for (const QByteArray &raw : file.split('\n')) {
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const QList<QByteArray> fields = line.split(':');
        if (fields.size() != 3)
            continue;
        const QString owner = QString::fromUtf8(fields[0]);
        if (owner != name && owner != QString::number(id))
            continue;
        bool startOk = false;
        bool countOk = false;
        const qint64 start = fields[1].toLongLong(&startOk);
        const qint64 count = fields[2].toLongLong(&countOk);
        if (startOk && countOk && start >= 0 && count > 0 && start + count <= (qint64(1) << 32) - 1)
            ranges.append(IdRange{0, start, count});
    }
    return ranges;
}

Expected<IdMap> IdMap::forUser(uint uid, uint gid, const QString &userName, const QByteArray &subuid,
                               const QByteArray &subgid, bool singleIdRequested)
{
    IdMap map;
    map.m_ownerUid = uid;
    map.m_ownerGid = gid;
    const QList<IdRange> subUids = subordinateRanges(subuid, userName, uid);
    const QList<IdRange> subGids = subordinateRanges(subgid, userName, uid);
    if (uid == 0) {
        // Root maps container 0… onto its own range, the whole of it from container 0.
        map.m_kind = Kind::Shifted;
        const auto shifted = [](const QList<IdRange> &sub) {
            QList<IdRange> out;
            qint64 next = 0;
            for (const IdRange &r : sub) {
                out.append(IdRange{next, r.hostStart, r.count});
                next += r.count;
            }
            if (out.isEmpty())
                out.append(IdRange{0, rootDefaultStart, rootDefaultCount});
            return out;
        };
        map.m_uids = shifted(subUids);
        map.m_gids = shifted(subGids);
        return map;
    }
    if (singleIdRequested) {
        map.m_kind = Kind::SingleId;
        map.m_uids = {IdRange{0, uid, 1}};
        map.m_gids = {IdRange{0, gid, 1}};
        return map;
    }
    if (subUids.isEmpty() || subGids.isEmpty()) {
        const QString who = userName.isEmpty() ? QString::number(uid) : userName;
        // Suggest 65536 ids past every range already handed out.
        qint64 free = 100000;
        for (const QByteArray *file : {&subuid, &subgid})
            for (const QByteArray &line : file->split('\n')) {
                const QList<QByteArray> fields = line.trimmed().split(':');
                if (fields.size() == 3)
                    free = std::max(free, fields[1].toLongLong() + fields[2].toLongLong());
            }
        const QString range = QStringLiteral("%1-%2").arg(free).arg(free + 65535);
        return fail(
            QStringLiteral("user %1 has no subordinate %2 range in %3, so RUN cannot map the ids "
                           "package managers switch to (apt's _apt, nobody). Fix: sudo usermod "
                           "--add-subuids %4 --add-subgids %4 %1, or set STAGECRAFT_SINGLE_ID=1 "
                           "to run with one id, where package managers fail")
                .arg(who, subUids.isEmpty() ? QStringLiteral("uid") : QStringLiteral("gid"),
                     subUids.isEmpty() ? QStringLiteral("/etc/subuid") : QStringLiteral("/etc/subgid"),
                     range));
    }
    map.m_kind = Kind::Subordinate;
    const auto withOwner = [](qint64 owner, const QList<IdRange> &sub) {
        QList<IdRange> out{IdRange{0, owner, 1}};
        qint64 next = 1;
        for (const IdRange &r : sub) {
            // The user's own id inside its range would be mapped twice; the kernel refuses that.
            if (owner >= r.hostStart && owner < r.hostStart + r.count)
                continue;
            out.append(IdRange{next, r.hostStart, r.count});
            next += r.count;
        }
        return out;
    };
    map.m_uids = withOwner(uid, subUids);
    map.m_gids = withOwner(gid, subGids);
    return map;
}

const Expected<IdMap> &IdMap::current()
{
    static const Expected<IdMap> map =
        forUser(::geteuid(), ::getegid(), userNameOf(::geteuid()),
                readSmallFile(QStringLiteral("/etc/subuid")), readSmallFile(QStringLiteral("/etc/subgid")),
                qEnvironmentVariableIntValue("STAGECRAFT_SINGLE_ID") == 1);
    static const bool warned = [] {
        if (map && map->kind() == Kind::SingleId)
            qWarning("STAGECRAFT_SINGLE_ID=1: RUN maps one id (%s); package managers that switch users "
                     "or groups (apt-get, dnf, apk adding users) will fail",
                     qPrintable(map->describe()));
        return true;
    }();
    Q_UNUSED(warned);
    return map;
}

qint64 IdMap::toHost(const QList<IdRange> &ranges, qint64 id)
{
    for (const IdRange &r : ranges)
        if (id >= r.containerStart && id < r.containerStart + r.count)
            return r.hostStart + (id - r.containerStart);
    return -1;
}

qint64 IdMap::toContainer(const QList<IdRange> &ranges, qint64 owner, qint64 id)
{
    for (const IdRange &r : ranges)
        if (id >= r.hostStart && id < r.hostStart + r.count)
            return r.containerStart + (id - r.hostStart);
    return id == owner ? 0 : overflowId;
}

QByteArray IdMap::mapText(const QList<IdRange> &ranges)
{
    QByteArray text;
    for (const IdRange &r : ranges)
        text += QByteArray::number(r.containerStart) + ' ' + QByteArray::number(r.hostStart) + ' ' +
                QByteArray::number(r.count) + '\n';
    return text;
}

QStringList IdMap::mapArgs(const QList<IdRange> &ranges)
{
    QStringList args;
    for (const IdRange &r : ranges)
        args << QString::number(r.containerStart) << QString::number(r.hostStart) << QString::number(r.count);
    return args;
}

QString IdMap::describe() const
{
    const auto one = [](const QList<IdRange> &ranges) {
        QStringList parts;
        for (const IdRange &r : ranges)
            parts.append(r.count == 1 ? QStringLiteral("%1→%2").arg(r.containerStart).arg(r.hostStart)
                                      : QStringLiteral("%1…%2→%3…%4")
                                            .arg(r.containerStart)
                                            .arg(r.containerStart + r.count - 1)
                                            .arg(r.hostStart)
                                            .arg(r.hostStart + r.count - 1));
        return parts.join(QStringLiteral(", "));
    };
    return QStringLiteral("uids %1; gids %2").arg(one(m_uids), one(m_gids));
}

} // namespace stagecraft
