// What "the host did not change" means in the hostile-input tests: one line per entry
// below a directory (path, type, mode, symlink target or content hash), sorted, so two
// snapshots taken before and after an operation compare equal only when nothing changed.
#pragma once

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <sys/stat.h>

namespace fixtures {

// `skip`: a subdirectory (relative) left out, e.g. the destination inside the directory.
inline QStringList treeSnapshot(const QString &dir, const QString &skip = {})
{
    QStringList lines;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString rel = QDir(dir).relativeFilePath(path);
        if (!skip.isEmpty() && (rel == skip || rel.startsWith(skip + QLatin1Char('/'))))
            continue;
        struct stat st;
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            continue;
        QString line =
            rel + QStringLiteral(" %1 %2 ").arg(int(st.st_mode >> 12)).arg(int(st.st_mode & 07777), 0, 8);
        if (S_ISLNK(st.st_mode)) {
            line += QFileInfo(path).symLinkTarget();
        } else if (S_ISREG(st.st_mode)) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                line += QString::fromLatin1(
                    QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex());
        }
        lines << line;
    }
    struct stat st;
    if (::lstat(QFile::encodeName(dir).constData(), &st) == 0)
        lines << QStringLiteral(". %1").arg(int(st.st_mode & 07777), 0, 8);
    lines.sort();
    return lines;
}

} // namespace fixtures
