#include "app/contextfile.h"

#include "core/fs/rootdirectory.h"

#include <QRandomGenerator>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft::app {

Expected<void> ContextFile::replace(const QString &contextDir, const QString &name, const QByteArray &bytes)
{
    const QString shown = contextDir + QLatin1Char('/') + name;
    auto root = RootDirectory::open(contextDir);
    if (!root)
        return std::unexpected(root.error());
    auto parent = root->resolveParent(name, Symlinks::Refuse, false);
    if (!parent) {
        if (parent.error().kind == FsErrorKind::Symlink)
            return fail(QStringLiteral("%1: a symlink is on the way; not written (a fix writes only "
                                       "inside the build context)")
                            .arg(shown));
        return fail(QStringLiteral("%1: %2").arg(shown, parent.error().message));
    }
    const int dir = parent->directory.get();
    const char *last = parent->name.constData();
    mode_t mode = 0666; // less the umask, as open(2) applies it
    bool keepMode = false;
    struct stat st
    {
    };
    if (::fstatat(dir, last, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode))
            return fail(QStringLiteral("%1 is a symlink; not written (it could lead out of the build "
                                       "context: replace it with a plain file to let the fix extend it)")
                            .arg(shown));
        if (!S_ISREG(st.st_mode))
            return fail(QStringLiteral("%1 is not a plain file; not written").arg(shown));
        mode = st.st_mode & 07777;
        keepMode = true;
    } else if (errno != ENOENT) {
        return fail(QStringLiteral("%1: %2").arg(shown, QString::fromLocal8Bit(std::strerror(errno))));
    }
    // The temporary file: a new name beside it (O_EXCL, never a symlink's target).
    QByteArray temporary;
    FileDescriptor fd;
    for (int tries = 0; tries < 16 && !fd.isValid(); ++tries) {
        temporary =
            parent->name + ".stagecraft-" + QByteArray::number(QRandomGenerator::global()->generate(), 16);
        fd.reset(::openat(dir, temporary.constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          keepMode ? 0600 : mode));
        if (!fd.isValid() && errno != EEXIST)
            break;
    }
    if (!fd.isValid())
        return fail(QStringLiteral("%1: %2").arg(shown, QString::fromLocal8Bit(std::strerror(errno))));
    const auto discard = [&](const QString &why) {
        ::unlinkat(dir, temporary.constData(), 0);
        return fail(QStringLiteral("%1: %2").arg(shown, why));
    };
    qsizetype written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd.get(), bytes.constData() + written, size_t(bytes.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return discard(QString::fromLocal8Bit(std::strerror(errno)));
        written += n;
    }
    if ((keepMode && ::fchmod(fd.get(), mode) != 0) || ::fsync(fd.get()) != 0)
        return discard(QString::fromLocal8Bit(std::strerror(errno)));
    fd.reset();
    // rename(2) replaces the name itself: had a symlink appeared there meanwhile, it is
    // the link that is replaced, never its target.
    if (::renameat(dir, temporary.constData(), dir, last) != 0)
        return discard(QString::fromLocal8Bit(std::strerror(errno)));
    return {};
}

} // namespace stagecraft::app
