#include "core/builder/buildrun.h"

#include "core/builder/archiveentries.h"
#include "core/builder/download.h"
#include "core/builder/layertree.h"
#include "core/builder/stagepaths.h"
#include "core/context/pathglob.h"
#include "core/exec/idmap.h"
#include "core/plan/containerpath.h"
#include "core/store/imagereference.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <functional>

#include <sys/stat.h>
#include <unistd.h>

// COPY and ADD: the entries of the step's layer, from heredocs, another stage or image
// (--from), the build context, or URLs and archives (ADD), with --chown, --chmod,
// --exclude, --parents and --link, hardlinks kept and parent directories as the stage has
// them.

namespace stagecraft {

// One COPY or ADD as it is worked out: its destination, its flags, and the entries it
// writes so far, keyed by their path in the layer.
struct CopyJob
{
    bool isAdd = false;
    bool parents = false;
    std::optional<bool> unpack;
    QStringList sources;
    QString destRel;
    bool destIsDir = false;
    std::optional<qint64> uid, gid;
    std::optional<FileModeChange> chmod;
    QString checksum;
    QList<QRegularExpression> excludes;
    qint64 now = 0;
    QMap<QString, LayerSourceEntry> out;

    bool excluded(const QString &relative) const
    {
        for (const QRegularExpression &re : excludes)
            if (re.match(relative).hasMatch() || re.match(relative.section(QLatin1Char('/'), -1)).hasMatch())
                return true;
        return false;
    }

    void add(LayerSourceEntry e)
    {
        if (uid) {
            e.entry.uid = *uid;
            e.entry.gid = *gid;
        }
        if (chmod && e.entry.type != EntryType::Symlink && e.entry.type != EntryType::Hardlink)
            e.entry.mode = chmod->apply(e.entry.mode, e.entry.type == EntryType::Directory);
        out.insert(e.entry.path, e);
    }
};

namespace {

QString join(const QString &dir, const QString &name)
{
    return dir.isEmpty() ? name : name.isEmpty() ? dir : dir + QLatin1Char('/') + name;
}

// --parents keeps a source's path below the context (or the stage root), or below
// its `/./` pivot when it has one.
QString pivotOf(const QString &source)
{
    QString s = source;
    while (s.startsWith(QLatin1Char('/')))
        s.remove(0, 1);
    while (s.startsWith(QStringLiteral("./")))
        s.remove(0, 2);
    const qsizetype pivot = s.indexOf(QStringLiteral("/./"));
    return pivot < 0 ? QString() : cleanInside(s.left(pivot)).value_or(QString());
}

QString belowPivot(const QString &path, const QString &pivot)
{
    if (pivot.isEmpty())
        return path;
    if (path == pivot)
        return QString();
    return path.startsWith(pivot + QLatin1Char('/')) ? path.mid(pivot.size() + 1) : path;
}

// The container's ids of a file of a stage: stage files carry host ids (the sandbox's
// shifted or subordinate ids); layers record the container's.
void setContainerOwner(LayerEntry &entry, const struct stat &st)
{
    const Expected<IdMap> &idMap = IdMap::current();
    entry.uid = idMap ? idMap->containerUid(st.st_uid) : st.st_uid;
    entry.gid = idMap ? idMap->containerGid(st.st_gid) : st.st_gid;
}

// --chown's part of the cache key. Numeric ids as they are. A name as the name, as
// BuildKit keys a chown by name: what it resolves to is decided by the stage's
// /etc/passwd and /etc/group, which the parent key already pins (the same parent key,
// the same files below), so a cached COPY --chown=NAME is found without extracting the
// stage to read them.
QString ownerKey(const Ownership &chown)
{
    bool uidNumeric = false;
    bool gidNumeric = false;
    const qint64 uid = chown.user.toLongLong(&uidNumeric);
    const qint64 gid = chown.group.isEmpty() ? uid : chown.group.toLongLong(&gidNumeric);
    if (uidNumeric && (chown.group.isEmpty() || gidNumeric))
        return QStringLiteral("owner:%1:%2\n").arg(uid).arg(gid);
    return QStringLiteral("owner-name:%1:%2\n").arg(chown.user, chown.group);
}

// --chown: names resolve through the stage's /etc/passwd and /etc/group.
Expected<void> readOwnership(const std::optional<Ownership> &chown, const LayerTree &stageTree, CopyJob &job,
                             QString *keyExtra)
{
    if (!chown)
        return {};
    const QString &user = chown->user;
    const QString group = chown->group.isEmpty() ? user : chown->group;
    job.uid = lookupId(stageTree, QStringLiteral("etc/passwd"), user);
    if (!job.uid)
        return fail(
            QStringLiteral("--chown=%1: no user \"%2\" in the stage's /etc/passwd").arg(chown->text, user));
    job.gid = lookupId(stageTree, QStringLiteral("etc/group"), group);
    if (!job.gid) {
        if (!chown->group.isEmpty())
            return fail(QStringLiteral("--chown=%1: no group \"%2\" in the stage's /etc/group")
                            .arg(chown->text, group));
        job.gid = job.uid;
    }
    *keyExtra += ownerKey(*chown);
    return {};
}

// Adds `srcRel` of a stage's tree (a whole directory tree) as `dstRel`. Files with more
// than one link are noted in `inodes` with the paths they were copied to.
void addStageTree(CopyJob &job, const LayerTree &tree, const QString &srcRel, const QString &dstRel,
                  QMap<QPair<quint64, quint64>, QStringList> &inodes)
{
    const auto path = tree.find(srcRel);
    if (!path)
        return;
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(*path).constData(), &st) != 0)
        return;
    if (job.excluded(srcRel))
        return;
    LayerSourceEntry e;
    e.entry.path = dstRel;
    e.entry.mode = st.st_mode & 07777;
    setContainerOwner(e.entry, st);
    e.entry.mtime = st.st_mtime;
    if (S_ISDIR(st.st_mode)) {
        e.entry.type = EntryType::Directory;
        if (!dstRel.isEmpty())
            job.add(e);
        for (const QString &name : tree.list(srcRel))
            addStageTree(job, tree, join(srcRel, name), join(dstRel, name), inodes);
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        e.entry.type = EntryType::Symlink;
        char buf[4096];
        const ssize_t n = ::readlink(QFile::encodeName(*path).constData(), buf, sizeof buf - 1);
        e.entry.linkTarget = n > 0 ? QFile::decodeName(QByteArray(buf, int(n))) : QString();
    } else if (S_ISREG(st.st_mode)) {
        e.entry.type = EntryType::File;
        e.entry.size = st.st_size;
        e.sourcePath = *path;
        if (st.st_nlink > 1)
            inodes[qMakePair(quint64(st.st_dev), quint64(st.st_ino))].append(dstRel);
    } else {
        return;
    }
    job.add(e);
}

// The copies of one inode stay hardlinked as the stage had them.
void linkSameInodes(CopyJob &job, const QMap<QPair<quint64, quint64>, QStringList> &inodes)
{
    for (QStringList paths : inodes) {
        paths.removeDuplicates();
        if (paths.size() < 2)
            continue;
        // The first path in tar order carries the content, as LayerWriter writes them.
        std::sort(paths.begin(), paths.end(),
                  [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        for (qsizetype i = 1; i < paths.size(); ++i) {
            auto it = job.out.find(paths[i]);
            if (it == job.out.end() || it->entry.type != EntryType::File)
                continue;
            it->entry.type = EntryType::Hardlink;
            it->entry.linkTarget = paths.first();
            it->entry.size = 0;
            it->sourcePath.clear();
        }
    }
}

// The files of one context match, placed below the destination.
void addContextFiles(CopyJob &job, const ContextMatch &m, qsizetype matchCount, const QString &pivot,
                     QMap<QPair<quint64, quint64>, QStringList> &inodes)
{
    for (const ContextFile &f : m.files) {
        if (job.excluded(f.path))
            continue;
        LayerSourceEntry e;
        if (job.parents) {
            e.entry.path = join(job.destRel, belowPivot(f.path, pivot));
        } else if (m.type == ContextFileType::Directory) {
            const QString rel = m.path.isEmpty() ? f.path : f.path.mid(m.path.size() + 1);
            e.entry.path = f.path == m.path ? job.destRel : join(job.destRel, rel);
        } else {
            const QString name = m.path.section(QLatin1Char('/'), -1);
            e.entry.path = job.destIsDir || matchCount > 1 ? join(job.destRel, name) : job.destRel;
        }
        if (e.entry.path.isEmpty())
            continue;
        e.entry.mode = f.mode;
        e.entry.mtime = f.mtime;
        switch (f.type) {
        case ContextFileType::Directory: e.entry.type = EntryType::Directory; break;
        case ContextFileType::Symlink:
            e.entry.type = EntryType::Symlink;
            e.entry.linkTarget = f.linkTarget;
            break;
        case ContextFileType::File:
            e.entry.type = EntryType::File;
            e.entry.size = f.size;
            e.sourcePath = f.absolutePath;
            if (f.links > 1)
                inodes[qMakePair(f.device, f.inode)].append(e.entry.path);
            break;
        case ContextFileType::Other: continue;
        }
        job.add(e);
    }
}

// A tar names a hardlink's target before the link: the first path of each group in
// the layer's (byte) order carries the content, the others link to it.
void orderHardlinks(QMap<QString, LayerSourceEntry> &out)
{
    QHash<QString, QStringList> linkGroups;
    for (const LayerSourceEntry &e : std::as_const(out))
        if (e.entry.type == EntryType::Hardlink)
            linkGroups[e.entry.linkTarget].append(e.entry.path);
    for (auto group = linkGroups.begin(); group != linkGroups.end(); ++group) {
        auto target = out.find(group.key());
        if (target == out.end() || target->entry.type != EntryType::File) {
            // Links to a file outside this copy have nothing to point at in the layer.
            for (const QString &path : std::as_const(group.value()))
                out.remove(path);
            continue;
        }
        QStringList paths = group.value();
        paths.append(group.key());
        std::sort(paths.begin(), paths.end(),
                  [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); });
        if (paths.first() == group.key())
            continue;
        LayerSourceEntry carrier = *target;
        carrier.entry.path = paths.first();
        for (const QString &path : std::as_const(paths)) {
            LayerSourceEntry &e = out[path];
            if (path == paths.first()) {
                e = carrier;
            } else {
                e.entry.type = EntryType::Hardlink;
                e.entry.linkTarget = paths.first();
                e.entry.size = 0;
                e.sourcePath.clear();
                e.content.clear();
            }
        }
    }
}

// Parent directories: existing ones as the stage has them, missing ones root 0755.
void addParentDirectories(QMap<QString, LayerSourceEntry> &out, const LayerTree &destTree, qint64 now)
{
    const QStringList paths = out.keys();
    for (const QString &path : paths) {
        QString parent = path.section(QLatin1Char('/'), 0, -2);
        while (!parent.isEmpty() && !out.contains(parent)) {
            LayerSourceEntry e;
            e.entry.path = parent;
            e.entry.type = EntryType::Directory;
            e.entry.mode = 0755;
            e.entry.mtime = now;
            if (const auto existing = destTree.find(parent)) {
                struct stat st
                {
                };
                if (::stat(QFile::encodeName(*existing).constData(), &st) == 0) {
                    e.entry.mode = st.st_mode & 07777;
                    setContainerOwner(e.entry, st);
                }
            }
            out.insert(parent, e);
            parent = parent.section(QLatin1Char('/'), 0, -2);
        }
    }
}

// BuildKit's history text: the sources, then the heredocs, then the destination.
QString copyHistoryText(const CopyCommand &copy, const AddCommand *add)
{
    QStringList words = copy.sources;
    for (const HeredocSource &doc : copy.heredocSources)
        words.append(QStringLiteral("<<") + doc.name);
    words.append(copy.destination);
    return (add ? QStringLiteral("ADD") : QStringLiteral("COPY")) + QLatin1Char(' ') +
           words.join(QLatin1Char(' ')) + QStringLiteral(" # buildkit");
}

} // namespace

Expected<QList<LayerSourceEntry>> BuildRun::copyEntries(const CopyCommand &copy, const AddCommand *add,
                                                        const StepPlace &place, const StageState &state,
                                                        const QString &scratchDir, QString *createdBy,
                                                        QString *keyExtra)
{
    CopyJob job;
    job.now = QDateTime::currentSecsSinceEpoch();
    job.isAdd = add != nullptr;
    job.parents = copy.parents;
    job.unpack = add ? add->unpack : std::nullopt;
    job.checksum = add ? add->checksum : QString();
    job.chmod = copy.chmod;
    job.sources = copy.sources;
    for (const QString &pattern : copy.excludes)
        job.excludes.append(QRegularExpression(QRegularExpression::wildcardToRegularExpression(
            pattern, QRegularExpression::UnanchoredWildcardConversion)));
    const QString keyword = add ? QStringLiteral("ADD") : QStringLiteral("COPY");
    auto lowers = lowerDirs(state);
    if (!lowers)
        return std::unexpected(lowers.error());
    // The stage as it is (for --chown names) and as the copy may see it: with --link the
    // files land in an empty directory that becomes a layer of its own, so nothing of the
    // previous layers decides where they go (BuildKit's rule).
    const LayerTree stageTree(*lowers);
    const LayerTree destTree(copy.link ? QStringList() : *lowers);
    const ContainerConfig &config = state.config.config;
    const QString workdir = config.workingDir.isEmpty() ? QStringLiteral("/") : config.workingDir;

    const QString &dest = copy.destination;
    if (dest.isEmpty() || (job.sources.isEmpty() && copy.heredocSources.isEmpty()))
        return fail(QStringLiteral("%1 needs a source and a destination").arg(keyword));
    // Through the stage's symlinks, the last one too, as BuildKit resolves a destination:
    // COPY into /link/ where /link -> /real writes /real.
    job.destRel = destTree.resolve(ContainerPath::resolve(workdir, dest).mid(1));
    job.destIsDir = dest.endsWith(QLatin1Char('/')) || dest.endsWith(QStringLiteral("/.")) ||
                    dest == QLatin1String(".") || job.sources.size() + copy.heredocSources.size() > 1 ||
                    job.parents || destTree.isDirectory(destTree.resolveParents(job.destRel));

    if (auto owned = readOwnership(copy.chown, stageTree, job, keyExtra); !owned)
        return std::unexpected(owned.error());

    for (const HeredocSource &doc : copy.heredocSources) {
        LayerSourceEntry e;
        e.entry.path = job.destIsDir ? join(job.destRel, doc.name) : job.destRel;
        e.entry.type = EntryType::File;
        e.entry.mode = 0644;
        e.content = doc.content.toUtf8();
        e.entry.size = e.content.size();
        e.entry.mtime = job.now;
        job.add(e);
    }

    auto added = copy.from.isEmpty()
                     ? copyFromContext(job, scratchDir, keyExtra)
                     : copyFromStage(job, copy.from, m_plan->stageReference(copy.from, place.stage),
                                     place.base, keyExtra);
    if (!added)
        return std::unexpected(added.error());
    orderHardlinks(job.out);
    addParentDirectories(job.out, destTree, job.now);

    *createdBy = copyHistoryText(copy, add);
    return job.out.values();
}

bool BuildRun::copyKeyInputs(const CopyCommand &copy, const AddCommand *add, const StepPlace &place,
                             QString *createdBy, QString *keyExtra)
{
    // The same inputs in the same order as copyEntries adds them; anything it would read
    // the stage for, fetch, or fail on is left to it.
    if (copy.destination.isEmpty() || (copy.sources.isEmpty() && copy.heredocSources.isEmpty()))
        return false;
    if (add && !add->checksum.isEmpty())
        return false;
    QString extra;
    if (copy.chown)
        extra += ownerKey(*copy.chown);
    if (copy.from.isEmpty()) {
        for (const QString &src : copy.sources) {
            if (src.startsWith(QStringLiteral("http://")) || src.startsWith(QStringLiteral("https://")))
                return false;
            auto digest = m_context->sourceDigest(src, m_cancel);
            if (!digest)
                return false;
            extra += src + QLatin1Char('=') + *digest + QLatin1Char('\n');
        }
    } else {
        const int fromStage = m_plan->stageReference(copy.from, place.stage);
        if (fromStage < 0) {
            // An image is pinned by its manifest digest: the store's, when it has the
            // image (one to pull is left to copyEntries).
            auto ref = ImageReference::normalise(copy.from);
            if (!ref)
                return false;
            auto image = m_builder.store().image(*ref);
            if (!image)
                return false;
            extra += QStringLiteral("from-image:") + image->manifestDescriptor.digest.toString() +
                     QLatin1Char('\n');
        } else {
            const std::optional<StageState> fromState = stageResult(fromStage);
            if (!fromState)
                return false;
            extra += QStringLiteral("from-stage:") + fromState->key + QLatin1Char('\n');
        }
        for (const QString &src : copy.sources) {
            if (!cleanInside(src))
                return false;
            extra += src + QLatin1Char('\n');
        }
    }
    *keyExtra += extra;
    *createdBy = copyHistoryText(copy, add);
    return true;
}

// The layers of the --from source: a stage of this build or an image.
Expected<QStringList> BuildRun::copySourceLowers(const QString &from, int fromStage, const BuildEvent &base,
                                                 QString *keyExtra)
{
    if (fromStage >= 0) {
        const std::optional<StageState> fromState = stageResult(fromStage);
        if (!fromState)
            return fail(QStringLiteral("--from=%1: the stage was not built").arg(from));
        auto dirs = lowerDirs(*fromState);
        if (!dirs)
            return std::unexpected(dirs.error());
        *keyExtra += QStringLiteral("from-stage:") + fromState->key + QLatin1Char('\n');
        return dirs;
    }
    auto ref = ImageReference::normalise(from);
    if (!ref)
        return std::unexpected(ref.error());
    auto image = imageFor(*ref, QStringLiteral("--from=%1").arg(from), base);
    if (!image)
        return std::unexpected(image.error());
    StageState imageState;
    imageState.config = image->config;
    for (const ImageLayer &l : image->layers)
        imageState.layers.append(l.descriptor);
    auto dirs = lowerDirs(imageState);
    if (!dirs)
        return std::unexpected(dirs.error());
    *keyExtra +=
        QStringLiteral("from-image:") + image->manifestDescriptor.digest.toString() + QLatin1Char('\n');
    return dirs;
}

// COPY --from: the sources (globs allowed) resolved inside the stage or image.
Expected<void> BuildRun::copyFromStage(CopyJob &job, const QString &from, int fromStage,
                                       const BuildEvent &base, QString *keyExtra)
{
    auto fromLowers = copySourceLowers(from, fromStage, base, keyExtra);
    if (!fromLowers)
        return std::unexpected(fromLowers.error());
    const LayerTree tree(*fromLowers);
    // Files with more than one link: the paths they were copied to, per inode, so the
    // copies stay hardlinked as the stage had them.
    QMap<QPair<quint64, quint64>, QStringList> inodes;
    for (const QString &src : std::as_const(job.sources)) {
        const auto cleaned = cleanInside(src);
        if (!cleaned)
            return fail(QStringLiteral("--from=%1: \"%2\" leads outside the stage's root").arg(from, src));
        QStringList matched;
        if (PathGlob::hasMeta(*cleaned)) {
            // A wildcard that matches nothing copies nothing (BuildKit allows an empty wildcard).
            matched = expandTreeGlob(tree, *cleaned);
        } else {
            matched.append(*cleaned);
        }
        const QString pivot = pivotOf(src);
        *keyExtra += src + QLatin1Char('\n');
        for (const QString &match : std::as_const(matched)) {
            const QString srcRel = tree.resolveParents(match);
            if (!tree.find(srcRel))
                return fail(QStringLiteral("failed to compute cache key: \"/%1\" not found (in --from=%2)")
                                .arg(srcRel, from));
            if (job.parents) {
                addStageTree(job, tree, srcRel, join(job.destRel, belowPivot(match, pivot)), inodes);
            } else if (tree.isDirectory(srcRel)) {
                addStageTree(job, tree, srcRel, job.destRel, inodes);
            } else {
                const QString name = srcRel.section(QLatin1Char('/'), -1);
                addStageTree(job, tree, srcRel,
                             job.destIsDir || matched.size() > 1 ? join(job.destRel, name) : job.destRel,
                             inodes);
            }
        }
    }
    linkSameInodes(job, inodes);
    return {};
}

// Sources in the build context (ADD extracts local tar archives), and ADD's URLs.
Expected<void> BuildRun::copyFromContext(CopyJob &job, const QString &scratchDir, QString *keyExtra)
{
    // Files of the context that are hardlinks of each other stay so in the layer (BuildKit's
    // context transfer keeps them).
    QMap<QPair<quint64, quint64>, QStringList> inodes;
    for (const QString &src : std::as_const(job.sources)) {
        if (src.startsWith(QStringLiteral("http://")) || src.startsWith(QStringLiteral("https://"))) {
            if (auto fetched = copyUrl(job, src, scratchDir, keyExtra); !fetched)
                return fetched;
            continue;
        }
        if (!job.checksum.isEmpty())
            return fail(QStringLiteral("ADD --checksum works with http(s) URLs only, not with %1").arg(src));
        auto matches = m_context->select(src, m_cancel);
        if (!matches)
            return std::unexpected(matches.error());
        auto digest = m_context->sourceDigest(src, m_cancel);
        if (!digest)
            return std::unexpected(digest.error());
        *keyExtra += src + QLatin1Char('=') + *digest + QLatin1Char('\n');
        const QString pivot = pivotOf(src);
        for (const ContextMatch &m : *matches) {
            // ADD of a local tar archive (any compression Docker knows) extracts it.
            if (job.isAdd && m.type == ContextFileType::File && job.unpack.value_or(true) &&
                isTarArchive(m.files.value(0).absolutePath)) {
                const QString into =
                    job.parents
                        ? join(job.destRel, belowPivot(m.path, pivot).section(QLatin1Char('/'), 0, -2))
                        : job.destRel;
                auto entries = archiveEntries(m.files.value(0).absolutePath, src, into, scratchDir, m_cancel);
                if (!entries)
                    return std::unexpected(entries.error());
                for (const LayerSourceEntry &e : std::as_const(*entries))
                    job.add(e);
                continue;
            }
            addContextFiles(job, m, matches->size(), pivot, inodes);
        }
    }
    linkSameInodes(job, inodes);
    return {};
}

// ADD of a URL: the download as a file (Docker does not extract it unless --unpack).
Expected<void> BuildRun::copyUrl(CopyJob &job, const QString &src, const QString &scratchDir,
                                 QString *keyExtra)
{
    if (!job.isAdd)
        return fail(QStringLiteral("COPY cannot fetch %1: use ADD for URLs").arg(src));
    const QUrl url(src);
    if (!url.isValid())
        return fail(QStringLiteral("ADD %1: not a valid URL").arg(src));
    const QString file =
        scratchDir + QStringLiteral("/download-") + QString::number(job.sources.indexOf(src));
    auto fetched = download(url, file, m_cancel, m_builder.downloadOptions(job.checksum));
    if (!fetched)
        return std::unexpected(fetched.error());
    if (!job.checksum.isEmpty() && fetched->digest != job.checksum)
        return fail(QStringLiteral("ADD %1: checksum mismatch: expected %2, the download has %3")
                        .arg(src, job.checksum, fetched->digest));
    *keyExtra += src + QLatin1Char('=') + fetched->digest + QLatin1Char('\n');
    if (job.unpack.value_or(false) && isTarArchive(file)) {
        auto entries = archiveEntries(file, src, job.destRel, scratchDir, m_cancel);
        if (!entries)
            return std::unexpected(entries.error());
        for (const LayerSourceEntry &e : std::as_const(*entries))
            job.add(e);
        return {};
    }
    // Docker's rules: no extraction, mode 0600, the server's modification time.
    LayerSourceEntry e;
    e.entry.path = job.destIsDir ? join(job.destRel, fetched->fileName) : job.destRel;
    e.entry.type = EntryType::File;
    e.entry.mode = 0600;
    e.entry.size = fetched->size;
    e.entry.mtime = fetched->lastModified.value_or(job.now);
    e.sourcePath = file;
    job.add(e);
    return {};
}

} // namespace stagecraft
