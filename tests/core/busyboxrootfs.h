// Test fixture: a tiny image root filesystem made of Debian's static busybox, its
// applet links, /etc/passwd, /etc/group and /tmp, written as one layer directory.
#pragma once

#include "core/exec/idmap.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QStringList>

#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft::test {

inline QString busyboxBinary()
{
    for (const char *candidate : {"/bin/busybox", "/usr/bin/busybox"})
        if (QFile::exists(QLatin1String(candidate)))
            return QLatin1String(candidate);
    return {};
}

inline bool writeFile(const QString &path, const QByteArray &content, mode_t mode = 0644)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(content);
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

// As root, gives a layer directory written by the test the host ids the sandbox's
// namespace maps (container id + root's shifted range), as Builder::layerDirectory
// extracts layers; ids already in that range are left alone, so calling it again is
// harmless. An ordinary user's files are container root's already.
inline void ownForSandbox(const QString &dir)
{
    const Expected<IdMap> &map = IdMap::current();
    if (::geteuid() != 0 || !map)
        return;
    const auto shift = [&](const QString &path) {
        const QByteArray native = QFile::encodeName(path);
        struct stat st = {};
        if (::lstat(native.constData(), &st) != 0)
            return;
        const qint64 uid = map->hostUid(st.st_uid);
        const qint64 gid = map->hostGid(st.st_gid);
        if (st.st_uid < uid_t(map->hostUid(0)) && uid >= 0 && gid >= 0)
            (void)::lchown(native.constData(), uid_t(uid), gid_t(gid));
    };
    shift(dir);
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        shift(it.next());
}

// Fills `dir` with the busybox root; false when busybox is missing.
inline bool makeBusyboxRootfs(const QString &dir)
{
    const QString busybox = busyboxBinary();
    if (busybox.isEmpty())
        return false;
    QDir root(dir);
    for (const char *sub : {"bin", "etc", "tmp", "root"})
        root.mkpath(QLatin1String(sub));
    ::chmod(QFile::encodeName(root.filePath(QStringLiteral("tmp"))).constData(), 01777);
    if (!QFile::copy(busybox, root.filePath(QStringLiteral("bin/busybox"))))
        return false;
    for (const char *applet : {"sh", "echo", "ls", "rm", "mkdir", "cat", "id", "head", "sleep", "chmod",
                               "touch", "pwd", "hostname", "ln", "true", "false", "env", "cp", "mv"}) {
        const QByteArray link =
            QFile::encodeName(root.filePath(QStringLiteral("bin/") + QLatin1String(applet)));
        if (::symlink("busybox", link.constData()) != 0)
            return false;
    }
    return writeFile(root.filePath(QStringLiteral("etc/passwd")),
                     "root:x:0:0:root:/root:/bin/sh\n"
                     "builder:x:1000:1000:builder:/home/builder:/bin/sh\n"
                     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n") &&
           writeFile(root.filePath(QStringLiteral("etc/group")),
                     "root:x:0:\nbuilder:x:1000:\nstaff:x:50:\n") &&
           writeFile(root.filePath(QStringLiteral("etc/motd")), "hello\n");
}

} // namespace stagecraft::test
