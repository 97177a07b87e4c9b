#include "core/analysis/fileprovenance.h"

#include <QDir>

namespace stagecraft {

namespace {

QString cleanAbsolute(const QString &path)
{
    QString cleaned = QDir::cleanPath(QLatin1Char('/') + path);
    while (cleaned.startsWith(QStringLiteral("//")))
        cleaned.remove(0, 1);
    return cleaned;
}

const FileChange *findChange(const QList<FileChange> &changes, const QString &path)
{
    const auto it = std::lower_bound(changes.cbegin(), changes.cend(), path,
                                     [](const FileChange &c, const QString &p) { return c.path < p; });
    return it != changes.cend() && it->path == path ? &*it : nullptr;
}

// A removed directory above `path` in this layer's removals, or "".
QString removedAncestor(const QList<FileChange> &removed, const QString &path)
{
    for (qsizetype slash = path.lastIndexOf(u'/'); slash > 0; slash = path.lastIndexOf(u'/', slash - 1)) {
        const QString parent = path.left(slash);
        if (findChange(removed, parent))
            return parent;
    }
    return {};
}

bool hasWildcard(const QString &source)
{
    return source.contains(u'*') || source.contains(u'?') || source.contains(u'[');
}

} // namespace

Expected<FileOrigin> FileProvenance::inImage(const ImageAnalysis &analysis, const QString &path)
{
    FileOrigin origin;
    origin.path = cleanAbsolute(path);
    const FileTree &tree = analysis.finalTree();
    const int id = tree.find(origin.path);
    if (id >= 0 && id != FileTree::Root) {
        const FileNode &n = tree.node(id);
        origin.present = true;
        origin.type = n.type;
        origin.size = n.type == EntryType::Directory ? n.totalSize : n.size;
        origin.linkTarget = n.linkTarget;
        origin.layer = n.layer;
    }
    const QList<LayerReport> &layers = analysis.layers();
    for (const LayerReport &layer : layers) {
        PathVersion v;
        v.layer = layer.index;
        v.createdBy = layer.createdBy;
        v.layerDigest = layer.digest;
        const FileChange *change = nullptr;
        if ((change = findChange(layer.changes.added, origin.path)))
            v.kind = PathChangeKind::Added;
        else if ((change = findChange(layer.changes.modified, origin.path)))
            v.kind = PathChangeKind::Modified;
        else if ((change = findChange(layer.changes.removed, origin.path)))
            v.kind = PathChangeKind::Removed;
        if (change) {
            v.type = change->type;
            v.size = change->size;
            origin.versions.append(v);
            continue;
        }
        const QString ancestor = removedAncestor(layer.changes.removed, origin.path);
        if (!ancestor.isEmpty() && !origin.versions.isEmpty() &&
            origin.versions.last().kind != PathChangeKind::Removed) {
            v.kind = PathChangeKind::Removed;
            v.removedBy = ancestor;
            origin.versions.append(v);
        }
    }
    if (!origin.present && origin.versions.isEmpty()) {
        QString nearest = origin.path;
        while (nearest != QLatin1String("/") && tree.find(nearest) < 0)
            nearest = cleanAbsolute(nearest.section(u'/', 0, -2));
        return fail(
            QStringLiteral("%1: no layer of the image holds it (the nearest directory that exists is %2)")
                .arg(origin.path, nearest));
    }
    return origin;
}

QStringList FileProvenance::sourceCandidates(const QString &path, const QStringList &sources,
                                             const QString &destination, const QString &workdir)
{
    const QString target = cleanAbsolute(path);
    QString dest = destination.startsWith(u'/')
                       ? destination
                       : (workdir.isEmpty() ? QStringLiteral("/") : workdir) + QLatin1Char('/') + destination;
    const bool destIsDir =
        destination.endsWith(u'/') || destination == QLatin1String(".") || sources.size() > 1;
    dest = cleanAbsolute(dest);
    QStringList candidates;
    const auto add = [&](const QString &candidate) {
        const QString c = cleanAbsolute(candidate);
        if (!candidates.contains(c))
            candidates.append(c);
    };
    const QString below = dest == QLatin1String("/")       ? target.mid(1)
                          : target.startsWith(dest + u'/') ? target.mid(dest.size() + 1)
                                                           : QString();
    for (const QString &raw : sources) {
        if (hasWildcard(raw))
            continue;
        const QString source = cleanAbsolute(raw);
        const QString name = source.section(u'/', -1);
        // A file copied to the destination itself, or into it under its own name.
        if (!destIsDir && target == dest)
            add(source);
        if (!below.isEmpty() && below == name)
            add(source);
        // A directory's contents copied into the destination.
        if (!below.isEmpty())
            add(source + u'/' + below);
        else if (target == dest)
            add(source);
    }
    return candidates;
}

QList<ProvenanceLink> FileProvenance::chain(const ProvenanceStep &first, const QString &path,
                                            const WriterLookup &writer, const ExistsLookup &exists)
{
    QList<ProvenanceLink> links{{first, cleanAbsolute(path)}};
    while (links.size() < kMaxChain) {
        const ProvenanceLink &last = links.last();
        if (last.step.copyFrom.isEmpty())
            break;
        const QString from = last.step.copyFrom;
        QString sourcePath;
        for (const QString &candidate :
             sourceCandidates(last.path, last.step.copySources, last.step.copyDestination, last.step.workdir))
            if (exists(from, candidate)) {
                sourcePath = candidate;
                break;
            }
        if (sourcePath.isEmpty())
            break;
        const std::optional<ProvenanceStep> next = writer(from, sourcePath);
        if (!next) {
            // Not written by a step of the build: the stage's base image holds it.
            ProvenanceStep base;
            base.stage = from;
            links.append({base, sourcePath});
            break;
        }
        links.append({*next, sourcePath});
    }
    return links;
}

} // namespace stagecraft
