#include "core/build/layertree.h"

#include "core/exec/rootfs.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>

#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

bool lexists(const QString &path, struct stat *st)
{
    return ::lstat(QFile::encodeName(path).constData(), st) == 0;
}

QString parentOf(const QString &relative)
{
    const qsizetype slash = relative.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : relative.left(slash);
}

} // namespace

std::optional<QString> LayerTree::find(const QString &relative) const
{
    if (relative.isEmpty())
        return m_lowers.isEmpty() ? std::nullopt : std::optional<QString>(m_lowers.last());
    for (qsizetype i = m_lowers.size() - 1; i >= 0; --i) {
        const QString path = m_lowers[i] + QLatin1Char('/') + relative;
        struct stat st
        {
        };
        if (lexists(path, &st)) {
            if (Rootfs::isWhiteout(path))
                return std::nullopt;
            return path;
        }
        // A lower hidden by an opaque parent (or a parent whiteout) in this layer ends the search.
        QString parent = parentOf(relative);
        bool hidden = false;
        while (true) {
            const QString dir = parent.isEmpty() ? m_lowers[i] : m_lowers[i] + QLatin1Char('/') + parent;
            if (!parent.isEmpty() && Rootfs::isWhiteout(dir)) {
                hidden = true;
                break;
            }
            if (!parent.isEmpty() && Rootfs::isOpaqueDirectory(dir)) {
                hidden = true;
                break;
            }
            if (parent.isEmpty())
                break;
            parent = parentOf(parent);
        }
        if (hidden)
            return std::nullopt;
    }
    return std::nullopt;
}

bool LayerTree::isDirectory(const QString &relative) const
{
    const auto path = find(relative);
    struct stat st
    {
    };
    return path && lexists(*path, &st) && S_ISDIR(st.st_mode);
}

QStringList LayerTree::list(const QString &relative) const
{
    QSet<QString> seen;
    QStringList names;
    for (qsizetype i = m_lowers.size() - 1; i >= 0; --i) {
        const QString dir = relative.isEmpty() ? m_lowers[i] : m_lowers[i] + QLatin1Char('/') + relative;
        struct stat st
        {
        };
        if (!lexists(dir, &st))
            continue;
        if (!S_ISDIR(st.st_mode))
            break;
        const QStringList entries =
            QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        for (const QString &name : entries) {
            if (seen.contains(name))
                continue;
            seen.insert(name);
            if (!Rootfs::isWhiteout(dir + QLatin1Char('/') + name))
                names.append(name);
        }
        if (!relative.isEmpty() && Rootfs::isOpaqueDirectory(dir))
            break;
    }
    names.sort();
    return names;
}

QString LayerTree::resolveParents(const QString &relative) const
{
    QStringList done;
    const QStringList parts = relative.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    int hops = 0;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        done.append(parts[i]);
        if (i + 1 == parts.size())
            break;
        const auto path = find(done.join(QLatin1Char('/')));
        if (!path)
            continue;
        const QFileInfo info(*path);
        if (info.isSymLink() && ++hops < 40) {
            const QByteArray raw = QFile::encodeName(*path);
            char buf[4096];
            const ssize_t n = ::readlink(raw.constData(), buf, sizeof buf - 1);
            if (n <= 0)
                continue;
            const QString link = QFile::decodeName(QByteArray(buf, int(n)));
            done.removeLast();
            const QString base = link.startsWith(QLatin1Char('/'))
                                     ? link
                                     : done.join(QLatin1Char('/')) + QLatin1Char('/') + link;
            const QString cleaned = QDir::cleanPath(QLatin1Char('/') + base).mid(1);
            done = cleaned.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        }
    }
    return done.join(QLatin1Char('/'));
}

} // namespace stagecraft
