#include "core/exec/cachedirectory.h"

#include "core/exec/idmap.h"
#include "core/exec/namespacechild.h"
#include "core/exec/sandbox.h"

#include <QFile>
#include <QStandardPaths>

#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

// A cache directory root made (or, from before ids were shifted, left) owned by host
// root would be out of reach of container root, an unprivileged id.
void ownCacheByContainerRoot(const QString &path, const IdMap &map)
{
    if (::geteuid() != 0)
        return;
    const QByteArray native = QFile::encodeName(path);
    struct stat st = {};
    if (::lstat(native.constData(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0)
        (void)::lchown(native.constData(), uid_t(map.hostUid(0)), gid_t(map.hostGid(0)));
}

// A cache directory this mount has just created gets the mount's mode and owner. Root
// changes the owner itself (shifted into the container's range); an ordinary user's
// namespace root does it for a container user other than root, whose host id is one of
// the user's subordinate ids.
Expected<void> prepareNewCache(const SandboxMount &m, const IdMap &map)
{
    const QByteArray native = QFile::encodeName(m.source);
    if (::chmod(native.constData(), mode_t(m.cacheMode & 07777)) != 0)
        return fail(QStringLiteral("cannot set the mode of cache directory %1").arg(m.source));
    if (::geteuid() == 0) {
        const qint64 uid = map.hostUid(m.cacheUid);
        const qint64 gid = map.hostGid(m.cacheGid);
        if (uid < 0 || gid < 0 || ::lchown(native.constData(), uid_t(uid), gid_t(gid)) != 0)
            return fail(QStringLiteral("cannot give cache directory %1 to %2:%3")
                            .arg(m.source)
                            .arg(m.cacheUid)
                            .arg(m.cacheGid));
        return {};
    }
    if ((m.cacheUid == 0 && m.cacheGid == 0) || map.kind() != IdMap::Kind::Subordinate)
        return {};
    const QString chown = QStandardPaths::findExecutable(QStringLiteral("chown"));
    if (chown.isEmpty())
        return fail(QStringLiteral("cannot give cache directory %1 to %2:%3: no chown")
                        .arg(m.source)
                        .arg(m.cacheUid)
                        .arg(m.cacheGid));
    auto chowned = NamespaceChild::runAsRoot({chown, QStringLiteral("-h"),
                                              QStringLiteral("%1:%2").arg(m.cacheUid).arg(m.cacheGid),
                                              QStringLiteral("--"), m.source});
    if (!chowned)
        return fail(QStringLiteral("cannot give cache directory %1 to %2:%3: %4")
                        .arg(m.source)
                        .arg(m.cacheUid)
                        .arg(m.cacheGid)
                        .arg(chowned.error().message));
    return {};
}

} // namespace

Expected<void> CacheDirectory::prepare(const SandboxMount &m, const IdMap &map, bool created)
{
    if (!created) {
        ownCacheByContainerRoot(m.source, map);
        return {};
    }
    return prepareNewCache(m, map);
}

} // namespace stagecraft
