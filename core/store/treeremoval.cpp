#include "core/store/treeremoval.h"

#include <QByteArray>
#include <QFile>

#include <cerrno>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

constexpr int kMaxDepth = 4096;

bool removeAt(int parentFd, const char *name, int depth)
{
    struct stat st = {};
    if (::fstatat(parentFd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return ::unlinkat(parentFd, name, 0) == 0 || errno == ENOENT;
    if (depth > kMaxDepth)
        return false;
    if ((st.st_mode & 0700) != 0700) {
        // chmod through an O_PATH descriptor: the name cannot be swapped for a symlink
        // between the check and the change.
        const int pathFd = ::openat(parentFd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        if (pathFd < 0)
            return false;
        const QByteArray proc = "/proc/self/fd/" + QByteArray::number(pathFd);
        const bool opened = ::chmod(proc.constData(), (st.st_mode & 07777) | 0700) == 0;
        ::close(pathFd);
        if (!opened)
            return false;
    }
    const int fd = ::openat(parentFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    DIR *dir = ::fdopendir(fd);
    if (!dir) {
        ::close(fd);
        return false;
    }
    bool complete = true;
    while (struct dirent *entry = ::readdir(dir)) {
        const char *child = entry->d_name;
        if ((child[0] == '.' && child[1] == 0) || (child[0] == '.' && child[1] == '.' && child[2] == 0))
            continue;
        complete = removeAt(::dirfd(dir), child, depth + 1) && complete;
    }
    ::closedir(dir);
    return (::unlinkat(parentFd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) && complete;
}

} // namespace

bool removeTreeNoFollow(const QString &path)
{
    const QByteArray native = QFile::encodeName(path);
    return removeAt(AT_FDCWD, native.constData(), 0);
}

} // namespace stagecraft
