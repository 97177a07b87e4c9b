#include "core/exec/rootfssnapshot.h"

#include <QDir>
#include <QFile>

#include <algorithm>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

qint64 nanoseconds(const struct timespec &t)
{
    return qint64(t.tv_sec) * 1000000000 + t.tv_nsec;
}

} // namespace

bool FileState::isDir() const
{
    return S_ISDIR(st_mode);
}

bool FileState::sameMetadata(const FileState &other) const
{
    return st_mode == other.st_mode && uid == other.uid && gid == other.gid && size == other.size &&
           mtimeNs == other.mtimeNs && rdev == other.rdev && linkTarget == other.linkTarget;
}

std::optional<FileState> FileState::read(const QString &path)
{
    struct stat st = {};
    const QByteArray native = QFile::encodeName(path);
    if (::lstat(native.constData(), &st) != 0)
        return std::nullopt;
    FileState s;
    s.st_mode = st.st_mode;
    s.uid = st.st_uid;
    s.gid = st.st_gid;
    s.size = S_ISREG(st.st_mode) ? qint64(st.st_size) : 0;
    s.mtimeNs = nanoseconds(st.st_mtim);
    s.ctimeNs = nanoseconds(st.st_ctim);
    s.inode = st.st_ino;
    s.rdev = st.st_rdev;
    struct statx sx = {};
    if (::statx(AT_FDCWD, native.constData(), AT_SYMLINK_NOFOLLOW, STATX_BTIME, &sx) == 0 &&
        (sx.stx_mask & STATX_BTIME))
        s.birthNs = qint64(sx.stx_btime.tv_sec) * 1000000000 + sx.stx_btime.tv_nsec;
    if (S_ISLNK(st.st_mode)) {
        QByteArray buffer(4096, Qt::Uninitialized);
        const ssize_t n = ::readlink(native.constData(), buffer.data(), buffer.size());
        if (n >= 0)
            s.linkTarget = QFile::decodeName(buffer.left(n));
    }
    return s;
}

Expected<RootfsSnapshot> RootfsSnapshot::capture(const QString &root, const CancellationToken &cancel)
{
    RootfsSnapshot snapshot;
    const std::optional<FileState> top = FileState::read(root);
    if (!top || !top->isDir())
        return fail(QStringLiteral("%1 is not a directory").arg(root));
    snapshot.m_states.insert(QString(), *top);
    if (!snapshot.walk(root, QString(), cancel))
        return failCancelled();
    return snapshot;
}

bool RootfsSnapshot::walk(const QString &root, const QString &relative, const CancellationToken &cancel)
{
    if (cancel.isCancelled())
        return false;
    const QString dir = relative.isEmpty() ? root : root + u'/' + relative;
    QStringList names = QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Unsorted);
    std::sort(names.begin(), names.end());
    m_children.insert(relative, names);
    for (const QString &name : std::as_const(names)) {
        const QString childRelative = relative.isEmpty() ? name : relative + u'/' + name;
        const std::optional<FileState> state = FileState::read(dir + u'/' + name);
        if (!state)
            continue;
        m_states.insert(childRelative, *state);
        if (state->isDir() && !walk(root, childRelative, cancel))
            return false;
    }
    return true;
}

const FileState *RootfsSnapshot::find(const QString &relative) const
{
    const auto it = m_states.constFind(relative);
    return it == m_states.cend() ? nullptr : &*it;
}

QStringList RootfsSnapshot::children(const QString &relativeDir) const
{
    return m_children.value(relativeDir);
}

} // namespace stagecraft
