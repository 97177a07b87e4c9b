#include "core/analysis/imageanalysis.h"

#include "core/analysis/bytereader.h"
#include "core/analysis/bytewriter.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>

namespace stagecraft {

// The merged tree, or its encoded form until someone asks for it: most reopenings (the
// command line's summary, the layer list) never look at the tree.
struct ImageAnalysis::TreeHolder
{
    std::once_flag once;
    std::shared_ptr<const FileTree> tree;
    QByteArray encoded; // the whole payload; the tree starts at `offset`
    qsizetype offset = 0;
};

namespace {

// Every version of one path across the layers, as dive's efficiency pass keeps it.
struct PathVersions
{
    qint64 cumulative = 0;
    qint64 smallest = -1;
    qint64 last = 0; // the version recorded last: what the image keeps (0 when removed)
    int count = 0;
};

class VersionLedger
{
public:
    void record(const QString &relativePath, qint64 size)
    {
        PathVersions &v = m_paths[relativePath];
        v.cumulative += size;
        if (v.smallest < 0 || size < v.smallest)
            v.smallest = size;
        v.last = size;
        ++v.count;
    }
    const QHash<QString, PathVersions> &paths() const { return m_paths; }

private:
    QHash<QString, PathVersions> m_paths;
};

// Records a removal (size 0, as dive sizes a file whiteout) for every leaf below `id`.
void recordRemovedLeaves(const FileTree &tree, int id, const QString &relativePath, VersionLedger &ledger)
{
    for (int child : tree.node(id).children) {
        const FileNode &n = tree.node(child);
        const QString childPath = relativePath.isEmpty() ? n.name : relativePath + u'/' + n.name;
        if (n.children.isEmpty())
            ledger.record(childPath, 0);
        else
            recordRemovedLeaves(tree, child, childPath, ledger);
    }
}

// dive visits, per layer, only the leaves of the layer's own tree: entries nothing else
// in the same layer lies below. Opaque markers are never part of that tree.
QSet<QString> parentsWithinLayer(const QList<IndexEntry> &entries)
{
    QSet<QString> parents;
    for (const IndexEntry &e : entries) {
        if (e.type == EntryType::OpaqueWhiteout)
            continue;
        qsizetype end = e.path.lastIndexOf(u'/');
        while (end > 0) {
            const QString parent = e.path.left(end);
            if (parents.contains(parent))
                break; // its own parents were added with it
            parents.insert(parent);
            end = parent.lastIndexOf(u'/');
        }
    }
    return parents;
}

} // namespace

qint64 ImageAnalysis::dockerLayerSize(const LayerIndex &index, const QString &historyComment)
{
    if (historyComment.startsWith(QLatin1String("Imported from")))
        return index.fileBytes() + index.symlinkBytes();
    return index.fileBytes();
}

ImageAnalysis ImageAnalysis::analyze(const QList<AnalysisLayer> &layers, const AnalysisOptions &options)
{
    ImageAnalysis result;
    result.m_model = options.wasteModel;
    const bool dive = options.wasteModel == WasteModel::Dive;

    FileTree tree;
    FileTree diveTree; // only used by the dive model: stacked without opaque directories
    VersionLedger ledger;

    for (int i = 0; i < layers.size(); ++i) {
        const AnalysisLayer &layer = layers[i];
        const QList<IndexEntry> &entries = layer.index.entries();

        LayerReport report;
        report.index = i;
        report.digest = layer.digest;
        report.diffId = layer.index.diffId();
        report.createdBy = layer.createdBy;
        report.comment = layer.comment;
        report.size = dockerLayerSize(layer.index, layer.comment);
        report.compressedSize = layer.index.compressedSize();
        report.fileBytes = layer.index.fileBytes();
        report.entryCount = int(entries.size());

        // The versions this layer adds, measured against the tree below it.
        const QSet<QString> parents = parentsWithinLayer(entries);
        QHash<QString, qint64> written; // a path listed twice in one tar is one node in dive
        QSet<QString> whiteouts;
        for (const IndexEntry &e : entries) {
            if (e.type == EntryType::OpaqueWhiteout || e.path.isEmpty())
                continue;
            if (e.type == EntryType::Whiteout)
                whiteouts.insert(e.path);
            else if (!parents.contains(e.path))
                written.insert(e.path, e.size);
        }
        for (auto it = written.cbegin(); it != written.cend(); ++it)
            ledger.record(it.key(), it.value());
        for (const QString &path : std::as_const(whiteouts)) {
            if (dive) {
                // dive sizes a whiteout by what was below it when it was a directory, and
                // as 0 when it was a file.
                const int id = diveTree.find(path);
                const bool wasDirectory = id >= 0 && diveTree.node(id).type == EntryType::Directory;
                ledger.record(path, wasDirectory ? diveTree.node(id).totalSize : 0);
            } else {
                ledger.record(path, 0);
                const int id = tree.find(path);
                if (id >= 0)
                    recordRemovedLeaves(tree, id, path, ledger);
            }
        }
        if (!dive) {
            for (const IndexEntry &e : entries) {
                if (e.type != EntryType::OpaqueWhiteout)
                    continue;
                const int id = tree.find(e.path);
                if (id >= 0 && tree.node(id).type == EntryType::Directory)
                    recordRemovedLeaves(tree, id, e.path, ledger);
            }
        }

        report.changes = tree.apply(layer.index, i);
        if (dive)
            diveTree.apply(layer.index, i, FileTree::ApplyOptions{.honourOpaqueDirectories = false});

        result.m_totalSize += report.size;
        if (i > 0)
            result.m_userSize += report.size;
        result.m_compressedSize += report.compressedSize;
        result.m_layers.append(std::move(report));
    }

    qint64 smallestSum = 0;
    qint64 cumulativeSum = 0;
    const QHash<QString, PathVersions> &paths = ledger.paths();
    for (auto it = paths.cbegin(); it != paths.cend(); ++it) {
        const PathVersions &v = it.value();
        smallestSum += v.smallest;
        cumulativeSum += v.cumulative;
        if (v.count < 2)
            continue;
        result.m_wastedBytes += v.cumulative;
        result.m_reclaimableBytes += v.cumulative - v.last;
        if (v.cumulative > 0)
            result.m_inefficientFiles.append(
                InefficientFile{u'/' + it.key(), v.count, v.cumulative, v.cumulative - v.last});
    }
    result.m_efficiency = cumulativeSum == 0 ? 1.0 : double(smallestSum) / double(cumulativeSum);
    if (result.m_userSize > 0)
        result.m_userWastedPercent = double(result.m_wastedBytes) / double(result.m_userSize);
    else
        result.m_userWastedPercent = result.m_wastedBytes > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    std::sort(result.m_inefficientFiles.begin(), result.m_inefficientFiles.end(),
              [](const InefficientFile &a, const InefficientFile &b) {
                  if (a.wastedBytes != b.wastedBytes)
                      return a.wastedBytes > b.wastedBytes;
                  return a.path < b.path;
              });
    result.m_tree = std::make_shared<TreeHolder>();
    result.m_tree->tree = std::make_shared<const FileTree>(std::move(tree));
    return result;
}

std::shared_ptr<const FileTree> ImageAnalysis::finalTreePointer() const
{
    if (!m_tree) {
        static const std::shared_ptr<const FileTree> empty = std::make_shared<const FileTree>();
        return empty;
    }
    TreeHolder &holder = *m_tree;
    std::call_once(holder.once, [&holder] {
        if (holder.tree)
            return;
        ByteReader in(QByteArrayView(holder.encoded).sliced(holder.offset));
        std::optional<FileTree> tree = FileTree::decode(in);
        // decode() checked the rest of the payload when the analysis was read, and the
        // cache file's checksum covers the tree, so this only fails on a format bug: an
        // empty tree then beats a crash.
        if (tree && in.ok() && in.atEnd())
            holder.tree = std::make_shared<const FileTree>(std::move(*tree));
        else
            holder.tree = std::make_shared<const FileTree>();
        holder.encoded = QByteArray();
    });
    return holder.tree;
}

namespace {

constexpr int MaxChangeType = static_cast<int>(EntryType::OpaqueWhiteout);

void encodeChanges(const QList<FileChange> &changes, ByteWriter &out)
{
    out.writeU32(quint32(changes.size()));
    for (const FileChange &c : changes) {
        out.writeString(c.path);
        out.writeU8(quint8(c.type));
        out.writeI64(c.size);
    }
}

void decodeChanges(ByteReader &in, QList<FileChange> &changes)
{
    const quint32 count = in.readCount(4 + 1 + 8);
    changes.resize(count);
    for (FileChange &c : changes) {
        c.path = in.readString();
        const quint8 type = in.readU8();
        if (type > MaxChangeType)
            in.setFailed();
        c.type = EntryType(type);
        c.size = in.readI64();
    }
}

} // namespace

QByteArray ImageAnalysis::encode() const
{
    ByteWriter out;
    out.writeU8(quint8(m_model));
    out.writeI64(m_totalSize);
    out.writeI64(m_userSize);
    out.writeI64(m_compressedSize);
    out.writeI64(m_wastedBytes);
    out.writeI64(m_reclaimableBytes);
    out.writeDouble(m_efficiency);
    out.writeDouble(m_userWastedPercent);
    out.writeU32(quint32(m_layers.size()));
    for (const LayerReport &l : m_layers) {
        out.writeU32(quint32(l.index));
        out.writeString(l.digest);
        out.writeString(l.diffId);
        out.writeString(l.createdBy);
        out.writeString(l.comment);
        out.writeI64(l.size);
        out.writeI64(l.compressedSize);
        out.writeI64(l.fileBytes);
        out.writeU32(quint32(l.entryCount));
        encodeChanges(l.changes.added, out);
        encodeChanges(l.changes.modified, out);
        encodeChanges(l.changes.removed, out);
    }
    out.writeU32(quint32(m_inefficientFiles.size()));
    for (const InefficientFile &f : m_inefficientFiles) {
        out.writeString(f.path);
        out.writeU32(quint32(f.count));
        out.writeI64(f.wastedBytes);
        out.writeI64(f.reclaimableBytes);
    }
    finalTree().encode(out);
    return out.take();
}

Expected<ImageAnalysis> ImageAnalysis::decode(const QByteArray &bytes, qsizetype offset)
{
    if (offset < 0 || offset > bytes.size())
        return fail(QStringLiteral("the cached analysis is truncated"));
    ByteReader in(QByteArrayView(bytes).sliced(offset));
    ImageAnalysis result;
    const quint8 model = in.readU8();
    if (model > quint8(WasteModel::Dive))
        return fail(QStringLiteral("the cached analysis names an unknown waste model"));
    result.m_model = WasteModel(model);
    result.m_totalSize = in.readI64();
    result.m_userSize = in.readI64();
    result.m_compressedSize = in.readI64();
    result.m_wastedBytes = in.readI64();
    result.m_reclaimableBytes = in.readI64();
    result.m_efficiency = in.readDouble();
    result.m_userWastedPercent = in.readDouble();
    // layer number, four strings, three sizes, entry count, three change lists
    const quint32 layerCount = in.readCount(4 + 4 * 4 + 3 * 8 + 4 + 3 * 4);
    result.m_layers.resize(layerCount);
    for (LayerReport &l : result.m_layers) {
        l.index = int(in.readU32());
        l.digest = in.readString();
        l.diffId = in.readString();
        l.createdBy = in.readString();
        l.comment = in.readString();
        l.size = in.readI64();
        l.compressedSize = in.readI64();
        l.fileBytes = in.readI64();
        l.entryCount = int(in.readU32());
        decodeChanges(in, l.changes.added);
        decodeChanges(in, l.changes.modified);
        decodeChanges(in, l.changes.removed);
        if (!in.ok())
            break;
    }
    const quint32 wasteCount = in.readCount(4 + 4 + 8 + 8);
    result.m_inefficientFiles.resize(wasteCount);
    for (InefficientFile &f : result.m_inefficientFiles) {
        f.path = in.readString();
        f.count = int(in.readU32());
        f.wastedBytes = in.readI64();
        f.reclaimableBytes = in.readI64();
    }
    if (!in.ok() || std::isnan(result.m_efficiency) || result.m_reclaimableBytes < 0 ||
        result.m_reclaimableBytes > result.m_wastedBytes)
        return fail(QStringLiteral("the cached analysis is damaged"));
    // The tree is checked for being there at all; its nodes are decoded on demand.
    if (in.remaining() < 4)
        return fail(QStringLiteral("the cached analysis has no file tree"));
    result.m_tree = std::make_shared<TreeHolder>();
    result.m_tree->encoded = bytes;
    result.m_tree->offset = bytes.size() - in.remaining();
    return result;
}

} // namespace stagecraft
