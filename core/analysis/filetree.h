// The merged filesystem of an image after some of its layers: layers are applied one
// after another with overlay semantics (whiteouts, opaque directories, a file replacing
// a directory), every node knows the layer that last wrote it and its directory's
// aggregated size, and applying a layer reports what it added, modified and removed.
#pragma once

#include "core/analysis/layerindex.h"

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

namespace stagecraft {

class ByteReader;
class ByteWriter;

struct FileNode
{
    QString name; // last path component; empty for the root
    QString linkTarget;
    qint64 size = 0;      // a regular file's bytes, 0 for everything else
    qint64 totalSize = 0; // size plus every descendant's size (a directory's aggregate)
    qint64 uid = 0;
    qint64 gid = 0;
    quint32 mode = 0;
    EntryType type = EntryType::Directory;
    int layer = -1; // the layer whose entry last wrote this path; -1 for the root
    int parent = -1;
    QList<int> children; // node ids, in the order they were added
};

// One path a layer changed. Paths are absolute ("/etc/passwd") as a person reads them.
struct FileChange
{
    QString path;
    EntryType type = EntryType::File;
    qint64 size = 0; // for a directory, the bytes below it (after the layer; for a removed one, before)

    friend bool operator==(const FileChange &, const FileChange &) = default;
};

// What one layer did to the filesystem below it, each list sorted by path.
// added: paths that did not exist (including parent directories a layer implies).
// modified: paths that existed and that the layer wrote again; a directory counts only
// when its type, mode or owner changed (layers list unchanged parents of what they touch).
// removed: paths deleted by a whiteout, hidden by an opaque directory, or below a
// directory a non-directory replaced; a removed directory is listed once, not its contents.
struct LayerDiff
{
    QList<FileChange> added;
    QList<FileChange> modified;
    QList<FileChange> removed;
};

class FileTree
{
public:
    static constexpr int Root = 0;

    struct ApplyOptions
    {
        // dive ignores opaque-directory markers; ImageAnalysis's dive model needs a tree
        // built that way to size directory whiteouts as dive does.
        bool honourOpaqueDirectories = true;
    };

    FileTree();

    // The tree after layers[0..lastLayer].
    static FileTree afterLayer(const QList<LayerIndex> &layers, int lastLayer);

    // Applies one layer on top (its whiteouts first, against the layers below, then its
    // entries) and returns the difference. `layerNumber` is stored in the nodes it writes.
    LayerDiff apply(const LayerIndex &layer, int layerNumber, const ApplyOptions &options);
    LayerDiff apply(const LayerIndex &layer, int layerNumber)
    {
        return apply(layer, layerNumber, ApplyOptions{});
    }

    // The node at `path` ("a/b", "/a/b"; "" or "/" is the root), or -1.
    int find(QStringView path) const;
    // The child of directory `parent` called `name`, or -1: a walk that already holds the
    // parent's id looks its children up without spelling their paths.
    int child(int parent, QStringView name) const;
    const FileNode &node(int id) const { return m_nodes[id]; }
    QString path(int id) const; // absolute, "/" for the root
    qint64 totalSize() const { return m_nodes[Root].totalSize; }
    int nodeCount() const { return m_liveCount; }       // live nodes, without the root
    int idBound() const { return int(m_nodes.size()); } // every node id is below it
    QList<int> sortedChildren(int id) const;            // by name
    // Every node below `id`, parents before children, children in name order.
    void visitDescendants(int id, const std::function<void(int)> &visit) const;

    // One line per node ("/bin/busybox file 1982256 L0"), sorted; for tests and debugging.
    QString dump() const;

    // The live nodes in the analysis cache's encoding, parents before children, so a
    // reopened image gets its tree back without applying its layers again. decode()
    // refuses (nullopt) data that does not describe a tree: bad types, names with a
    // slash, a name twice in one directory, or counts the data cannot hold.
    void encode(ByteWriter &out) const;
    static std::optional<FileTree> decode(ByteReader &in);

private:
    // A relative path as layers spell it ("usr/lib", no leading slash), walked one
    // component at a time; "" is no node (the root is not an entry).
    int lookup(QStringView relativePath) const;
    int addNode(int parent, const QString &name);
    void removeChildren(int id);
    void detach(int id);
    void addToTotals(int id, qint64 delta);

    // The index of live nodes by (parent, name): open addressing with linear probing over
    // node ids. Keyed by the parent's id rather than by whole paths so that neither a
    // lookup nor an insertion allocates a path string (300,000 of them cost more time and
    // memory than the nodes themselves), and a walk can look up children directly.
    static constexpr int EmptySlot = -1;
    static constexpr int ErasedSlot = -2;
    struct Slot
    {
        quint32 tag = 0;
        int id = EmptySlot;
    };
    // A probe this long at half load is next to impossible by chance (they average one or
    // two slots): the names were made to collide.
    static constexpr int LongProbe = 256;
    size_t slotHash(int parent, QStringView name) const;
    static quint32 slotTag(size_t hash);
    // Indexes a node whose parent and name are set; false (and nothing indexed) when its
    // parent already has a child of that name.
    bool indexInsert(int id);
    void indexErase(int id); // before the node's parent changes
    void reserveSlots(qsizetype liveNodes, bool rehash = false);

    QList<FileNode> m_nodes;   // arena; removed nodes stay as unreachable slots
    std::vector<Slot> m_slots; // a power of two in size, at most half used
    qsizetype m_usedSlots = 0; // live and erased slots
    int m_liveCount = 0;
    bool m_seededNames = false; // see slotHash()
};

QString entryTypeName(EntryType type);

} // namespace stagecraft
