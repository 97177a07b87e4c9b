#include "core/store/storecollector.h"

#include "core/fs/rootdirectory.h"
#include "core/oci/blobfile.h"
#include "core/oci/imageindex.h"
#include "core/store/storelock.h"

#include <QDateTime>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>

namespace stagecraft {

namespace {

// Scratch entries the builder makes in cache/tmp while holding a lease (RUN's upper and
// work directories, COPY downloads, layers being written).
const QStringList kLeasedScratchPrefixes{QStringLiteral("run-"), QStringLiteral("copy-"),
                                         QStringLiteral("layer-"), QString(TemporaryBlobPrefix)};

} // namespace

StoreCollector::StoreCollector(const ImageStore &store)
    : m_store(store)
{}

void StoreCollector::markReachable(const Descriptor &descriptor, QSet<Digest> &reachable,
                                   QStringList *problems, const QString &owner, QStringList *missing,
                                   int depth) const
{
    if (reachable.contains(descriptor.digest) || depth > 8)
        return;
    if (!m_store.m_blobs->contains(descriptor.digest)) {
        if (missing)
            *missing << QStringLiteral("%1 (%2)").arg(descriptor.digest.toString(), owner);
        return;
    }
    reachable.insert(descriptor.digest);
    QFile f(m_store.blobPath(descriptor.digest));
    if (!f.open(QIODevice::ReadOnly) || f.size() > 64 * 1024 * 1024) {
        if (problems)
            *problems
                << QStringLiteral("cannot read manifest %1 (%2)").arg(descriptor.digest.toString(), owner);
        return;
    }
    const QByteArray bytes = f.readAll();
    const QJsonObject object = QJsonDocument::fromJson(bytes).object();
    if (object.contains(QLatin1String("manifests"))) {
        auto index = ImageIndex::parse(bytes);
        if (!index) {
            if (problems)
                *problems << QStringLiteral("index %1 (%2): %3")
                                 .arg(descriptor.digest.toString(), owner, index.error().message);
            return;
        }
        for (const Descriptor &d : index->manifests)
            markReachable(d, reachable, problems, owner, missing, depth + 1);
        return;
    }
    auto manifest = ImageManifest::parse(bytes);
    if (!manifest) {
        if (problems)
            *problems << QStringLiteral("manifest %1 (%2): %3")
                             .arg(descriptor.digest.toString(), owner, manifest.error().message);
        return;
    }
    const auto markBlob = [&](const Descriptor &d, const QString &what) {
        if (m_store.m_blobs->contains(d.digest))
            reachable.insert(d.digest);
        else if (missing)
            *missing << QStringLiteral("%1 (%2 of %3)").arg(d.digest.toString(), what, owner);
    };
    markBlob(manifest->config, QStringLiteral("config"));
    for (const Descriptor &layer : manifest->layers)
        markBlob(layer, QStringLiteral("layer"));
}

Expected<StoreGcReport> StoreCollector::collectGarbage()
{
    auto lock = m_store.collectionLock();
    if (!lock)
        return std::unexpected(lock.error());
    // Under the lock no lease changes: what they keep now is all they keep until we finish.
    const LiveLeases leases = m_store.liveLeases();
    auto refs = m_store.readReferences();
    if (!refs)
        return std::unexpected(refs.error());
    QSet<Digest> reachable;
    QStringList problems;
    for (auto it = refs->begin(); it != refs->end(); ++it)
        markReachable(it.value(), reachable, &problems, it.key(), nullptr);
    const auto markRoot = [&](const Digest &digest, const QString &owner) {
        // A lease may keep a blob its holder has not written yet: it writes without this
        // lock, so the blob can appear while the sweep below runs, and must survive it.
        if (!m_store.m_blobs->contains(digest)) {
            reachable.insert(digest);
            return;
        }
        Descriptor d;
        d.digest = digest;
        // Only manifests and indexes are followed; other blobs are kept as they are.
        QFile blob(m_store.blobPath(digest));
        if (blob.open(QIODevice::ReadOnly) && blob.size() < 4 * 1024 * 1024 && blob.peek(1) == "{") {
            const QJsonObject o = QJsonDocument::fromJson(blob.readAll()).object();
            if (o.contains(QLatin1String("layers")) || o.contains(QLatin1String("manifests"))) {
                markReachable(d, reachable, nullptr, owner, nullptr);
                return;
            }
        }
        reachable.insert(digest);
    };
    QDirIterator roots(m_store.m_root + QStringLiteral("/cache/gc-roots"), QDir::Files);
    while (roots.hasNext()) {
        QFile f(roots.next());
        if (f.fileName().section(QLatin1Char('/'), -1).startsWith(TemporaryBlobPrefix) ||
            !f.open(QIODevice::ReadOnly))
            continue;
        for (const QByteArray &line : f.readAll().split('\n'))
            if (auto digest = Digest::parse(QString::fromLatin1(line.trimmed())))
                markRoot(*digest, f.fileName());
    }
    for (const Digest &digest : leases.kept)
        markRoot(digest, QStringLiteral("a lease"));
    if (!problems.isEmpty())
        return fail(
            QStringLiteral("garbage collection stopped, the store has unreadable manifests (run `stagecraft "
                           "store verify`): %1")
                .arg(problems.join(QStringLiteral("; "))));
    StoreGcReport report;
    QDirIterator blobs(m_store.m_root + QStringLiteral("/blobs/sha256"), QDir::Files | QDir::Hidden);
    while (blobs.hasNext()) {
        const QFileInfo fi(blobs.next());
        if (fi.fileName().startsWith(TemporaryBlobPrefix))
            continue; // removeAbandonedLocked() decides
        auto digest = Digest::parse(QStringLiteral("sha256:") + fi.fileName());
        if (digest && reachable.contains(*digest)) {
            ++report.blobsKept;
            continue;
        }
        const qint64 size = fi.size();
        if (QFile::remove(fi.filePath())) {
            ++report.blobsRemoved;
            report.bytesFreed += size;
        }
    }
    report.temporaryFilesRemoved = removeAbandoned(leases);
    // The diff IDs of every image a reference still names: their derived data stays.
    QSet<QString> diffIds;
    for (auto it = refs->begin(); it != refs->end(); ++it) {
        auto img = Image::load(m_store.m_blobs, it.value());
        if (!img) // an index without a manifest for this platform: keep nothing specific
            continue;
        for (const ImageLayer &l : std::as_const(img->layers))
            diffIds.insert(l.diffId.hex());
    }
    report.cacheFilesRemoved = pruneCaches(diffIds);
    return report;
}

int StoreCollector::removeAbandoned(const LiveLeases &leases) const
{
    // Writers without a lease hold the collection lock while they write, and the caller
    // holds it exclusively: a temporary entry is in use only if a live lease holder may
    // have made it, i.e. it changed after the oldest live lease began.
    int removed = 0;
    const auto sweep = [&](const QString &dir, const QStringList &prefixes) {
        QDirIterator entries(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
        while (entries.hasNext()) {
            const QString path = entries.next();
            const QString name = entries.fileName();
            const bool scratch = std::any_of(prefixes.begin(), prefixes.end(),
                                             [&](const QString &p) { return name.startsWith(p); });
            if (scratch && !leases.mayBeInUse(path) && RootDirectory::removeTree(path))
                ++removed;
        }
    };
    const QStringList temporary{QString(TemporaryBlobPrefix)};
    sweep(m_store.tempDir(), temporary);
    sweep(m_store.m_root, temporary);
    sweep(m_store.m_root + QStringLiteral("/blobs/sha256"), temporary);
    sweep(m_store.m_root + QStringLiteral("/cache/tmp"), kLeasedScratchPrefixes);
    sweep(m_store.m_root + QStringLiteral("/cache/layers"), {QStringLiteral(".extract-")});
    return removed;
}

int StoreCollector::pruneCaches(const QSet<QString> &storedDiffIds)
{
    int removed = 0;
    const auto remove = [&removed](const QString &path) {
        if (QFile::remove(path))
            ++removed;
    };
    // Cache writers do not take the GC lock, so only temporary files old enough that no
    // writer can still be busy with them are abandoned.
    const QDateTime staleBefore = QDateTime::currentDateTimeUtc().addSecs(-10 * 60);
    QDirIterator dirs(m_store.m_root + QStringLiteral("/cache"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (dirs.hasNext()) {
        QDirIterator files(dirs.next(), QDir::Files | QDir::Hidden);
        while (files.hasNext()) {
            const QFileInfo fi(files.next());
            if (fi.fileName().startsWith(TemporaryBlobPrefix) && fi.lastModified().toUTC() < staleBefore)
                remove(fi.filePath());
        }
    }
    static const QRegularExpression analysisName(QStringLiteral("^sha256-([0-9a-f]{64})-.*\\.analysis$"));
    QDirIterator analyses(m_store.m_root + QStringLiteral("/cache/analysis"), QDir::Files);
    while (analyses.hasNext()) {
        const QFileInfo fi(analyses.next());
        const QRegularExpressionMatch m = analysisName.match(fi.fileName());
        if (!m.hasMatch())
            continue;
        auto config = Digest::parse(QStringLiteral("sha256:") + m.captured(1));
        if (config && !m_store.m_blobs->contains(*config))
            remove(fi.filePath());
    }
    static const QRegularExpression indexName(QStringLiteral("^sha256-([0-9a-f]{64})\\.idx$"));
    QDirIterator indexes(m_store.m_root + QStringLiteral("/cache/layer-index"), QDir::Files);
    while (indexes.hasNext()) {
        const QFileInfo fi(indexes.next());
        const QRegularExpressionMatch m = indexName.match(fi.fileName());
        if (m.hasMatch() && !storedDiffIds.contains(m.captured(1)))
            remove(fi.filePath());
    }
    static const QRegularExpression sizeName(QStringLiteral("^[0-9a-f]{64}$"));
    QDirIterator sizes(m_store.m_root + QStringLiteral("/cache/layer-sizes"), QDir::Files);
    while (sizes.hasNext()) {
        const QFileInfo fi(sizes.next());
        if (sizeName.match(fi.fileName()).hasMatch() && !storedDiffIds.contains(fi.fileName()))
            remove(fi.filePath());
    }
    return removed;
}

Expected<StoreVerifyReport> StoreCollector::verify() const
{
    StoreVerifyReport report;
    QDirIterator blobs(m_store.m_root + QStringLiteral("/blobs/sha256"), QDir::Files | QDir::Hidden);
    while (blobs.hasNext()) {
        const QFileInfo fi(blobs.next());
        if (fi.fileName().startsWith(TemporaryBlobPrefix))
            continue;
        auto digest = Digest::parse(QStringLiteral("sha256:") + fi.fileName());
        if (!digest) {
            report.problems << QStringLiteral("unexpected file %1 among the blobs").arg(fi.filePath());
            continue;
        }
        ++report.blobsChecked;
        QFile f(fi.filePath());
        if (!f.open(QIODevice::ReadOnly)) {
            report.corrupt << QStringLiteral("%1 (unreadable: %2)").arg(digest->toString(), f.errorString());
            continue;
        }
        auto actual = Digest::ofDevice(&f);
        if (!actual)
            report.corrupt << QStringLiteral("%1 (%2)").arg(digest->toString(), actual.error().message);
        else if (*actual != *digest)
            report.corrupt
                << QStringLiteral("%1 (content has %2)").arg(digest->toString(), actual->toString());
    }
    auto refs = m_store.readReferences();
    if (!refs) {
        report.problems << refs.error().message;
        return report;
    }
    QSet<Digest> reachable;
    for (auto it = refs->begin(); it != refs->end(); ++it)
        markReachable(it.value(), reachable, &report.problems, it.key(), &report.missing);
    return report;
}

} // namespace stagecraft
