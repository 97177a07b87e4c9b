#include "core/context/buildcontext.h"

#include "core/common/sha256.h"
#include "core/context/gopath.h"
#include "core/context/pathglob.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QPair>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <sys/stat.h>
#include <unistd.h>

namespace stagecraft {

namespace {

constexpr int maxSymlinkHops = 40;

QString joinRelative(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + u'/' + name;
}

bool lstatPath(const QString &path, struct stat &st)
{
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0;
}

ContextFileType typeOf(const struct stat &st)
{
    if (S_ISREG(st.st_mode))
        return ContextFileType::File;
    if (S_ISDIR(st.st_mode))
        return ContextFileType::Directory;
    if (S_ISLNK(st.st_mode))
        return ContextFileType::Symlink;
    return ContextFileType::Other;
}

QString readLink(const QString &path)
{
    QByteArray buffer(4096, Qt::Uninitialized);
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer.data(), buffer.size());
    if (n < 0)
        return {};
    return QFile::decodeName(buffer.left(n));
}

ContextFile describeFile(const QString &relative, const QString &absolute, const struct stat &st)
{
    ContextFile f;
    f.path = relative;
    f.absolutePath = absolute;
    f.type = typeOf(st);
    f.mode = st.st_mode & 07777;
    f.size = f.type == ContextFileType::File ? qint64(st.st_size) : 0;
    f.mtime = st.st_mtim.tv_sec;
    f.device = quint64(st.st_dev);
    f.inode = quint64(st.st_ino);
    f.links = quint64(st.st_nlink);
    if (f.type == ContextFileType::Symlink)
        f.linkTarget = readLink(absolute);
    return f;
}

QStringList sortedEntries(const QString &dir)
{
    QStringList names = QDir(dir).entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Unsorted);
    std::sort(names.begin(), names.end());
    return names;
}

void addNumber(Sha256 &h, qint64 value)
{
    h.addData(QByteArray::number(value));
    h.addData(QByteArrayView("\0", 1));
}

} // namespace

Expected<BuildContext> BuildContext::open(const QString &directory, const QString &dockerfile)
{
    const QFileInfo info(directory);
    if (!info.isDir())
        return fail(QStringLiteral("build context %1 is not a directory").arg(directory));
    BuildContext context;
    context.m_root = info.canonicalFilePath();

    QStringList candidates;
    if (!dockerfile.isEmpty())
        candidates.append(QFileInfo(dockerfile).absoluteFilePath() + QStringLiteral(".dockerignore"));
    candidates.append(context.m_root + QStringLiteral("/.dockerignore"));
    for (const QString &candidate : candidates) {
        if (!QFileInfo(candidate).isFile())
            continue;
        Expected<DockerIgnore> rules = DockerIgnore::load(candidate);
        if (!rules)
            return std::unexpected(rules.error());
        context.m_ignore = std::move(*rules);
        context.m_ignoreFile = candidate;
        break;
    }
    return context;
}

Expected<QString> BuildContext::resolveInside(const QString &relative, const QString &source) const
{
    QStringList pending = relative.split(u'/', Qt::SkipEmptyParts);
    QStringList done;
    int hops = 0;
    const auto outside = [&] {
        return fail(QStringLiteral("forbidden path outside the build context: %1").arg(source));
    };
    while (!pending.isEmpty()) {
        const QString component = pending.takeFirst();
        if (component == u".")
            continue;
        if (component == u"..") {
            if (done.isEmpty())
                return outside();
            done.removeLast();
            continue;
        }
        const QString candidate = m_root + u'/' + (done + QStringList{component}).join(u'/');
        struct stat st = {};
        if (!lstatPath(candidate, st)) {
            done.append(component);
            done.append(pending);
            break;
        }
        if (S_ISLNK(st.st_mode)) {
            if (++hops > maxSymlinkHops)
                return fail(QStringLiteral("too many levels of symbolic links in %1").arg(source));
            const QString target = readLink(candidate);
            if (target.startsWith(u'/'))
                return outside();
            pending = target.split(u'/', Qt::SkipEmptyParts) + pending;
            continue;
        }
        done.append(component);
    }
    return done.isEmpty() ? m_root : m_root + u'/' + done.join(u'/');
}

Expected<QStringList> BuildContext::expandGlob(const QString &cleaned, const CancellationToken &cancel) const
{
    QStringList candidates{QString()};
    for (const QString &component : cleaned.split(u'/')) {
        QStringList next;
        for (const QString &parent : std::as_const(candidates)) {
            if (cancel.isCancelled())
                return failCancelled();
            if (!PathGlob::hasMeta(component)) {
                const QString path = joinRelative(parent, component);
                Expected<QString> abs = resolveInside(path, cleaned);
                if (!abs)
                    return std::unexpected(abs.error());
                if (QFileInfo::exists(*abs))
                    next.append(path);
                continue;
            }
            Expected<QString> dir = resolveInside(parent, cleaned);
            if (!dir)
                return std::unexpected(dir.error());
            for (const QString &name : sortedEntries(*dir)) {
                const PathGlob::Result r = PathGlob::match(component, name);
                if (r == PathGlob::Result::BadPattern)
                    return fail(QStringLiteral("syntax error in source pattern \"%1\"").arg(cleaned));
                if (r == PathGlob::Result::Match)
                    next.append(joinRelative(parent, name));
            }
        }
        candidates = next;
    }
    return candidates;
}

bool BuildContext::collect(const QString &relative, const QString &absolute, QList<ContextFile> &out,
                           const CancellationToken &cancel) const
{
    bool any = false;
    for (const QString &name : sortedEntries(absolute)) {
        if (cancel.isCancelled())
            return any;
        const QString childRelative = joinRelative(relative, name);
        const QString childAbsolute = absolute + u'/' + name;
        struct stat st = {};
        if (!lstatPath(childAbsolute, st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (m_ignore.canSkipDirectory(childRelative))
                continue;
            QList<ContextFile> below;
            const bool hasIncluded = collect(childRelative, childAbsolute, below, cancel);
            // An excluded directory still appears when an exception re-includes
            // something inside it.
            if (!m_ignore.isExcluded(childRelative) || hasIncluded) {
                out.append(describeFile(childRelative, childAbsolute, st));
                out.append(below);
                any = true;
            }
        } else if (!m_ignore.isExcluded(childRelative)) {
            out.append(describeFile(childRelative, childAbsolute, st));
            any = true;
        }
    }
    return any;
}

Expected<ContextMatch> BuildContext::describe(const QString &relative, const QString &source,
                                              const CancellationToken &cancel) const
{
    Expected<QString> absolute = resolveInside(relative, source);
    if (!absolute)
        return std::unexpected(absolute.error());
    struct stat st = {};
    if (!lstatPath(*absolute, st))
        return fail(QStringLiteral("\"%1\": not found in the build context").arg(source));
    ContextMatch match;
    match.path = relative;
    match.type = typeOf(st);
    match.files.append(describeFile(relative, *absolute, st));
    if (match.type == ContextFileType::Directory) {
        const bool hasIncluded = collect(relative, *absolute, match.files, cancel);
        if (!relative.isEmpty() && m_ignore.isExcluded(relative) && !hasIncluded)
            return fail(QStringLiteral("\"%1\": not found in the build context (excluded by %2)")
                            .arg(source, QFileInfo(m_ignoreFile).fileName()));
    } else if (m_ignore.isExcluded(relative)) {
        return fail(QStringLiteral("\"%1\": not found in the build context (excluded by %2)")
                        .arg(source, QFileInfo(m_ignoreFile).fileName()));
    }
    if (cancel.isCancelled())
        return failCancelled();
    return match;
}

Expected<QList<ContextMatch>> BuildContext::select(const QString &source,
                                                   const CancellationToken &cancel) const
{
    QString relative = source;
    while (relative.startsWith(u'/'))
        relative.remove(0, 1);
    relative = GoPath::clean(relative);
    if (relative == u".." || relative.startsWith(QStringLiteral("../")))
        return fail(QStringLiteral("forbidden path outside the build context: %1").arg(source));
    if (relative == u".")
        relative.clear();

    QList<ContextMatch> matches;
    if (relative.isEmpty() || !PathGlob::hasMeta(relative)) {
        Expected<ContextMatch> m = describe(relative, source, cancel);
        if (!m)
            return std::unexpected(m.error());
        matches.append(std::move(*m));
        return matches;
    }
    Expected<QStringList> paths = expandGlob(relative, cancel);
    if (!paths)
        return std::unexpected(paths.error());
    for (const QString &path : std::as_const(*paths)) {
        Expected<ContextMatch> m = describe(path, source, cancel);
        if (m)
            matches.append(std::move(*m));
        else if (cancel.isCancelled())
            return std::unexpected(m.error());
    }
    // A wildcard that matches nothing selects nothing, as BuildKit's Dockerfile COPY and ADD
    // allow (an empty layer); a plain path that is missing is an error (describe() above).
    return matches;
}

namespace {

Expected<QByteArray> hashSubtree(const QList<ContextFile> &files, qsizetype &index, ContentHashCache &cache,
                                 const CancellationToken &cancel)
{
    const ContextFile &f = files[index++];
    Sha256 h;
    switch (f.type) {
    case ContextFileType::File: {
        h.addData(QByteArrayView("file\0", 5));
        addNumber(h, f.mode);
        addNumber(h, f.size);
        Expected<QByteArray> content = cache.fileDigest(f.absolutePath, cancel);
        if (!content)
            return std::unexpected(content.error());
        h.addData(*content);
        break;
    }
    case ContextFileType::Symlink:
        h.addData(QByteArrayView("symlink\0", 8));
        h.addData(f.linkTarget.toUtf8());
        break;
    case ContextFileType::Other:
        h.addData(QByteArrayView("other\0", 6));
        addNumber(h, f.mode);
        break;
    case ContextFileType::Directory: {
        h.addData(QByteArrayView("dir\0", 4));
        addNumber(h, f.mode);
        const QString prefix = f.path.isEmpty() ? QString() : f.path + u'/';
        while (index < files.size() && (prefix.isEmpty() || files[index].path.startsWith(prefix))) {
            const QString name = files[index].path.mid(prefix.size());
            Expected<QByteArray> child = hashSubtree(files, index, cache, cancel);
            if (!child)
                return child;
            h.addData(name.toUtf8());
            h.addData(QByteArrayView("\0", 1));
            h.addData(*child);
        }
        break;
    }
    }
    return h.result();
}

} // namespace

Expected<QString> BuildContext::digest(const ContextMatch &match, const CancellationToken &cancel) const
{
    if (match.files.isEmpty())
        return fail(QStringLiteral("nothing to hash for \"%1\"").arg(match.path));
    qsizetype index = 0;
    Expected<QByteArray> h = hashSubtree(match.files, index, *m_cache, cancel);
    if (!h)
        return std::unexpected(h.error());
    return QStringLiteral("sha256:") + QString::fromLatin1(h->toHex());
}

Expected<QString> BuildContext::sourceDigest(const QString &source, const CancellationToken &cancel) const
{
    Expected<QList<ContextMatch>> matches = select(source, cancel);
    if (!matches)
        return std::unexpected(matches.error());
    Sha256 h;
    for (const ContextMatch &m : std::as_const(*matches)) {
        Expected<QString> d = digest(m, cancel);
        if (!d)
            return d;
        h.addData(m.path.toUtf8());
        h.addData(QByteArrayView("\0", 1));
        h.addData(d->toLatin1());
    }
    // Which selected files are hardlinks of each other: COPY keeps them linked, so a change
    // in that alone makes another layer.
    QMap<QPair<quint64, quint64>, QStringList> inodes;
    for (const ContextMatch &m : std::as_const(*matches))
        for (const ContextFile &f : m.files)
            if (f.type == ContextFileType::File && f.links > 1)
                inodes[qMakePair(f.device, f.inode)].append(f.path);
    QStringList groups;
    for (QStringList paths : std::as_const(inodes)) {
        if (paths.size() < 2)
            continue;
        paths.sort();
        groups.append(paths.join(u'\0'));
    }
    groups.sort();
    for (const QString &group : std::as_const(groups)) {
        h.addData(QByteArrayView("hardlinks\0", 10));
        h.addData(group.toUtf8());
    }
    return QStringLiteral("sha256:") + QString::fromLatin1(h.result().toHex());
}

} // namespace stagecraft
