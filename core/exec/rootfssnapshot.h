// The state of every path below a directory (type, mode, owner, size, times, inode,
// symlink target), taken before a RUN in copy mode so that the change can be found by
// comparing with the state after it.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

struct FileState
{
    quint32 st_mode = 0; // type and permission bits as lstat gives them
    qint64 uid = 0;      // on disk (host ids)
    qint64 gid = 0;
    qint64 size = 0;
    qint64 mtimeNs = 0;
    qint64 ctimeNs = 0;
    quint64 inode = 0;
    qint64 birthNs = 0; // creation time where the filesystem records it, else 0
    quint64 rdev = 0;
    QString linkTarget;

    bool isDir() const;
    // Not the same file any more: a new inode, or the inode number reused by a new file.
    bool replacedBy(const FileState &later) const
    {
        return inode != later.inode || (birthNs != 0 && later.birthNs != 0 && birthNs != later.birthNs);
    }
    // Same type, permissions, owner, size, mtime and symlink target.
    bool sameMetadata(const FileState &other) const;
    static std::optional<FileState> read(const QString &path);
};

class RootfsSnapshot
{
public:
    static Expected<RootfsSnapshot> capture(const QString &root, const CancellationToken &cancel);

    const FileState *find(const QString &relative) const;
    QStringList children(const QString &relativeDir) const; // sorted names
    qsizetype size() const { return m_states.size(); }

private:
    bool walk(const QString &root, const QString &relative, const CancellationToken &cancel);

    QHash<QString, FileState> m_states;
    QHash<QString, QStringList> m_children;
};

} // namespace stagecraft
