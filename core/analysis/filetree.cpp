#include "core/analysis/filetree.h"

#include "core/analysis/bytereader.h"
#include "core/analysis/bytewriter.h"

#include <QSet>

#include <algorithm>
#include <vector>

namespace stagecraft {

namespace {

constexpr int Detached = -2;

QString joinPath(const QString &parent, const QString &name)
{
    return parent.isEmpty() ? name : parent + u'/' + name;
}

QString absolute(const QString &relativePath)
{
    return u'/' + relativePath;
}

void sortByPath(QList<FileChange> &changes)
{
    std::sort(changes.begin(), changes.end(),
              [](const FileChange &a, const FileChange &b) { return a.path < b.path; });
}

// The bookkeeping of one apply() call.
struct FileTreeApply
{
    int layer = 0;
    LayerDiff diff;
    QHash<QString, FileChange> removed; // relative path -> change, until a later entry re-adds it
    QSet<int> touched;                  // nodes already listed as added or modified

    void addedOrModified(const QString &relativePath, EntryType type, qint64 size, int id)
    {
        if (touched.contains(id))
            return;
        touched.insert(id);
        FileChange change{absolute(relativePath), type, size};
        if (removed.remove(relativePath))
            diff.modified.append(std::move(change)); // removed and written again in one layer
        else
            diff.added.append(std::move(change));
    }
    void modified(const QString &relativePath, EntryType type, qint64 size, int id)
    {
        if (touched.contains(id))
            return;
        touched.insert(id);
        diff.modified.append(FileChange{absolute(relativePath), type, size});
    }
};

} // namespace

QString entryTypeName(EntryType type)
{
    switch (type) {
    case EntryType::File: return QStringLiteral("file");
    case EntryType::Directory: return QStringLiteral("dir");
    case EntryType::Symlink: return QStringLiteral("symlink");
    case EntryType::Hardlink: return QStringLiteral("hardlink");
    case EntryType::CharDevice: return QStringLiteral("chardev");
    case EntryType::BlockDevice: return QStringLiteral("blockdev");
    case EntryType::Fifo: return QStringLiteral("fifo");
    case EntryType::Whiteout: return QStringLiteral("whiteout");
    case EntryType::OpaqueWhiteout: return QStringLiteral("opaque");
    }
    return {};
}

FileTree::FileTree()
{
    FileNode root;
    root.type = EntryType::Directory;
    root.mode = 0755;
    m_nodes.append(root);
}

FileTree FileTree::afterLayer(const QList<LayerIndex> &layers, int lastLayer)
{
    FileTree tree;
    for (int i = 0; i <= lastLayer && i < layers.size(); ++i)
        tree.apply(layers[i], i);
    return tree;
}

int FileTree::find(QStringView path) const
{
    while (path.startsWith(u'/'))
        path = path.mid(1);
    while (path.endsWith(u'/'))
        path.chop(1);
    if (path.isEmpty())
        return Root;
    return lookup(path);
}

int FileTree::lookup(QStringView relativePath) const
{
    if (relativePath.isEmpty())
        return -1;
    // Every component, empty ones too: a node's path is its ancestors' names joined by
    // slashes, whatever they are, so this finds exactly what the path spells.
    int id = Root;
    qsizetype start = 0;
    while (true) {
        const qsizetype slash = relativePath.indexOf(u'/', start);
        const qsizetype end = slash < 0 ? relativePath.size() : slash;
        id = child(id, relativePath.sliced(start, end - start));
        if (id < 0 || slash < 0)
            return id;
        start = slash + 1;
    }
}

size_t FileTree::slotHash(int parent, QStringView name) const
{
    const size_t seed = QHashSeed::globalSeed();
    // Qt's unseeded string hash for the name, the seed entering through the parent: walks
    // over a directory then find its siblings' slots in cache (a diff of two 300,000-file
    // trees took three times as long with the name's hash seeded too). Collisions of the
    // unseeded hash could be precomputed, though, so a tree whose probes run long (names
    // chosen to collide) switches to the seeded one.
    return m_seededNames ? qHash(name, seed) ^ qHash(parent, seed) : qHashMulti(seed, parent, name);
}

// The slot's tag is the hash's upper half, the table's position its lower bits: a probe
// that meets another key's slot moves on without reading that node (a cache miss each).
quint32 FileTree::slotTag(size_t hash)
{
    return quint32(quint64(hash) >> 32);
}

int FileTree::child(int parent, QStringView name) const
{
    if (m_slots.empty())
        return -1;
    const size_t mask = m_slots.size() - 1;
    const size_t hash = slotHash(parent, name);
    const quint32 tag = slotTag(hash);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot slot = m_slots[i];
        if (slot.id == EmptySlot)
            return -1;
        if (slot.tag == tag && slot.id >= 0 && m_nodes[slot.id].parent == parent &&
            m_nodes[slot.id].name == name)
            return slot.id;
    }
}

void FileTree::reserveSlots(qsizetype liveNodes, bool rehash)
{
    size_t size = 16;
    while (size < size_t(liveNodes) * 2 + 2)
        size *= 2;
    if (!rehash && size <= m_slots.size() && size_t(m_usedSlots) * 2 < m_slots.size())
        return;
    size = std::max(size, m_slots.size());
    std::vector<Slot> old(size);
    old.swap(m_slots);
    m_usedSlots = 0;
    const size_t mask = m_slots.size() - 1;
    for (const Slot &slot : old) {
        if (slot.id < 0)
            continue;
        // The tag too: the switch to the seeded hash changes it.
        const size_t hash = slotHash(m_nodes[slot.id].parent, m_nodes[slot.id].name);
        size_t i = hash & mask;
        while (m_slots[i].id != EmptySlot)
            i = (i + 1) & mask;
        m_slots[i] = Slot{slotTag(hash), slot.id};
        ++m_usedSlots;
    }
}

bool FileTree::indexInsert(int id)
{
    if (size_t(m_usedSlots + 1) * 2 > m_slots.size())
        reserveSlots(qsizetype(m_liveCount) + 1);
    const FileNode &node = m_nodes[id];
    const size_t mask = m_slots.size() - 1;
    const size_t hash = slotHash(node.parent, node.name);
    const quint32 tag = slotTag(hash);
    size_t free = m_slots.size(); // the first erased slot on the way, reused
    size_t i = hash & mask;
    int probes = 0;
    for (; m_slots[i].id != EmptySlot; i = (i + 1) & mask) {
        if (++probes == LongProbe && !m_seededNames) {
            m_seededNames = true;
            reserveSlots(m_liveCount, true);
            return indexInsert(id);
        }
        const Slot slot = m_slots[i];
        if (slot.id == ErasedSlot) {
            if (free == m_slots.size())
                free = i;
        } else if (slot.tag == tag && m_nodes[slot.id].parent == node.parent &&
                   m_nodes[slot.id].name == node.name) {
            return false;
        }
    }
    if (free == m_slots.size()) {
        free = i;
        ++m_usedSlots;
    }
    m_slots[free] = Slot{tag, id};
    ++m_liveCount;
    return true;
}

void FileTree::indexErase(int id)
{
    if (m_slots.empty())
        return;
    const size_t mask = m_slots.size() - 1;
    for (size_t i = slotHash(m_nodes[id].parent, m_nodes[id].name) & mask; m_slots[i].id != EmptySlot;
         i = (i + 1) & mask) {
        if (m_slots[i].id == id) {
            m_slots[i].id = ErasedSlot;
            --m_liveCount;
            return;
        }
    }
}

QString FileTree::path(int id) const
{
    if (id == Root)
        return QStringLiteral("/");
    QStringList parts;
    for (int n = id; n > Root; n = m_nodes[n].parent)
        parts.prepend(m_nodes[n].name);
    return u'/' + parts.join(u'/');
}

QList<int> FileTree::sortedChildren(int id) const
{
    QList<int> children = m_nodes[id].children;
    std::sort(children.begin(), children.end(),
              [this](int a, int b) { return m_nodes[a].name < m_nodes[b].name; });
    return children;
}

void FileTree::visitDescendants(int id, const std::function<void(int)> &visit) const
{
    for (int child : sortedChildren(id)) {
        visit(child);
        visitDescendants(child, visit);
    }
}

int FileTree::addNode(int parent, const QString &name)
{
    const int id = int(m_nodes.size());
    FileNode node;
    node.name = name;
    node.parent = parent;
    m_nodes.append(std::move(node));
    m_nodes[parent].children.append(id);
    indexInsert(id);
    return id;
}

void FileTree::addToTotals(int id, qint64 delta)
{
    if (delta == 0)
        return;
    for (int n = id; n >= 0; n = m_nodes[n].parent)
        m_nodes[n].totalSize += delta;
}

void FileTree::removeChildren(int id)
{
    const QList<int> children = std::exchange(m_nodes[id].children, {});
    qint64 removedBytes = 0;
    for (int child : children) {
        removedBytes += m_nodes[child].totalSize;
        removeChildren(child);
        indexErase(child);
        m_nodes[child].totalSize = 0;
        m_nodes[child].parent = Detached;
    }
    m_nodes[id].totalSize -= removedBytes;
    addToTotals(m_nodes[id].parent, -removedBytes);
}

void FileTree::detach(int id)
{
    removeChildren(id);
    indexErase(id);
    FileNode &node = m_nodes[id];
    const int parent = node.parent;
    addToTotals(parent, -node.totalSize);
    m_nodes[parent].children.removeOne(id);
    node.parent = Detached;
    node.totalSize = 0;
}

LayerDiff FileTree::apply(const LayerIndex &layer, int layerNumber, const ApplyOptions &options)
{
    FileTreeApply state;
    state.layer = layerNumber;
    const QList<IndexEntry> &entries = layer.entries();

    // Whiteouts hide what the layers below hold, never what this layer itself adds, so
    // they all go first whatever their place in the tar.
    for (const IndexEntry &e : entries) {
        if (e.type == EntryType::Whiteout) {
            const int id = lookup(e.path);
            if (id < 0)
                continue;
            state.removed.insert(e.path,
                                 FileChange{absolute(e.path), m_nodes[id].type, m_nodes[id].totalSize});
            detach(id);
        } else if (e.type == EntryType::OpaqueWhiteout && options.honourOpaqueDirectories) {
            const int id = e.path.isEmpty() ? Root : lookup(e.path);
            if (id < 0 || m_nodes[id].type != EntryType::Directory)
                continue;
            for (int child : std::as_const(m_nodes[id].children)) {
                const QString childPath = joinPath(e.path, m_nodes[child].name);
                state.removed.insert(childPath, FileChange{absolute(childPath), m_nodes[child].type,
                                                           m_nodes[child].totalSize});
            }
            removeChildren(id);
        }
    }

    for (const IndexEntry &e : entries) {
        if (e.type == EntryType::Whiteout || e.type == EntryType::OpaqueWhiteout || e.path.isEmpty())
            continue;
        const qsizetype slash = e.path.lastIndexOf(u'/');
        const QString parentPath = slash < 0 ? QString() : e.path.left(slash);

        // The parent chain, created where the tar implies it without listing it, and
        // turned into directories where a lower layer had something else there.
        int parent = Root;
        if (!parentPath.isEmpty()) {
            parent = lookup(parentPath);
            if (parent < 0 || m_nodes[parent].type != EntryType::Directory) {
                QStringList missing;
                QString p = parentPath;
                int existing = -1;
                while (!p.isEmpty()) {
                    existing = lookup(p);
                    if (existing >= 0 && m_nodes[existing].type == EntryType::Directory)
                        break;
                    missing.prepend(p);
                    const qsizetype s = p.lastIndexOf(u'/');
                    p = s < 0 ? QString() : p.left(s);
                }
                parent = p.isEmpty() ? Root : existing;
                for (const QString &dir : std::as_const(missing)) {
                    int id = lookup(dir);
                    if (id >= 0) { // a non-directory in the way: the directory replaces it
                        addToTotals(id, -m_nodes[id].size);
                        FileNode &n = m_nodes[id];
                        n.size = 0;
                        n.type = EntryType::Directory;
                        n.linkTarget.clear();
                        n.mode = 0755;
                        n.layer = layerNumber;
                        state.modified(dir, EntryType::Directory, 0, id);
                    } else {
                        const qsizetype s = dir.lastIndexOf(u'/');
                        id = addNode(parent, s < 0 ? dir : dir.mid(s + 1));
                        FileNode &n = m_nodes[id];
                        n.type = EntryType::Directory;
                        n.mode = 0755;
                        n.layer = layerNumber;
                        state.addedOrModified(dir, EntryType::Directory, 0, id);
                    }
                    parent = id;
                }
            }
        }

        const qint64 size = e.type == EntryType::File ? e.size : 0;
        // The parent is a directory now, so the entry's node, if any, is its child.
        const QStringView name = slash < 0 ? QStringView(e.path) : QStringView(e.path).mid(slash + 1);
        int id = child(parent, name);
        if (id < 0) {
            id = addNode(parent, name.toString());
            FileNode &n = m_nodes[id];
            n.type = e.type;
            n.size = size;
            n.linkTarget = e.linkTarget;
            n.mode = e.mode;
            n.uid = e.uid;
            n.gid = e.gid;
            n.layer = layerNumber;
            addToTotals(id, size);
            state.addedOrModified(e.path, e.type, size, id);
            continue;
        }

        const bool isDirectory = e.type == EntryType::Directory;
        if (m_nodes[id].type == EntryType::Directory && !isDirectory) {
            // A non-directory replaces a directory and everything below it.
            for (int child : std::as_const(m_nodes[id].children)) {
                const QString childPath = joinPath(e.path, m_nodes[child].name);
                state.removed.insert(childPath, FileChange{absolute(childPath), m_nodes[child].type,
                                                           m_nodes[child].totalSize});
            }
            removeChildren(id);
        }
        FileNode &n = m_nodes[id];
        const bool metadataChanged = n.type != e.type || n.mode != e.mode || n.uid != e.uid ||
                                     n.gid != e.gid || n.linkTarget != e.linkTarget;
        const qint64 delta = size - n.size;
        n.type = e.type;
        n.size = size;
        n.linkTarget = e.linkTarget;
        n.mode = e.mode;
        n.uid = e.uid;
        n.gid = e.gid;
        n.layer = layerNumber;
        addToTotals(id, delta);
        if (!isDirectory || metadataChanged)
            state.modified(e.path, e.type, isDirectory ? n.totalSize : size, id);
    }

    LayerDiff diff = std::move(state.diff);
    // A directory's entry comes before its contents, so its aggregate is known only now.
    for (QList<FileChange> *list : {&diff.added, &diff.modified}) {
        for (FileChange &change : *list) {
            if (change.type == EntryType::Directory)
                change.size = m_nodes[find(change.path)].totalSize;
        }
    }
    diff.removed = state.removed.values();
    sortByPath(diff.added);
    sortByPath(diff.modified);
    sortByPath(diff.removed);
    return diff;
}

QString FileTree::dump() const
{
    QStringList lines;
    visitDescendants(Root, [&](int id) {
        const FileNode &n = m_nodes[id];
        QString line = path(id) + u' ' + entryTypeName(n.type);
        if (n.type == EntryType::Directory)
            line += u' ' + QString::number(n.totalSize);
        else if (n.type == EntryType::File)
            line += u' ' + QString::number(n.size);
        if (!n.linkTarget.isEmpty())
            line += u" -> " + n.linkTarget;
        line += u" L" + QString::number(n.layer);
        lines.append(line);
    });
    return lines.join(u'\n');
}

namespace {

// name, type, mode, layer, uid, gid, size, totalSize, link target, child count
constexpr qsizetype EncodedNodeMinimum = 4 + 1 + 4 + 4 + 8 + 8 + 8 + 8 + 4 + 4;
constexpr int MaxEncodedType = static_cast<int>(EntryType::OpaqueWhiteout);

void encodeNode(const FileNode &n, ByteWriter &out)
{
    out.writeString(n.name);
    out.writeU8(quint8(n.type));
    out.writeU32(n.mode);
    out.writeU32(quint32(n.layer));
    out.writeI64(n.uid);
    out.writeI64(n.gid);
    out.writeI64(n.size);
    out.writeI64(n.totalSize);
    out.writeString(n.linkTarget);
    out.writeU32(quint32(n.children.size()));
}

// Reads one node's fields into `n`; returns its child count.
quint32 decodeNode(ByteReader &in, FileNode &n)
{
    n.name = in.readString();
    const quint8 type = in.readU8();
    if (type > MaxEncodedType)
        in.setFailed();
    n.type = EntryType(type);
    n.mode = in.readU32();
    n.layer = int(in.readU32());
    n.uid = in.readI64();
    n.gid = in.readI64();
    n.size = in.readI64();
    n.totalSize = in.readI64();
    n.linkTarget = in.readString();
    return in.readCount(EncodedNodeMinimum);
}

} // namespace

void FileTree::encode(ByteWriter &out) const
{
    out.writeU32(quint32(m_liveCount));
    // Depth first with an explicit stack: a deep tree must not exhaust the call stack.
    std::vector<int> stack{Root};
    while (!stack.empty()) {
        const int id = stack.back();
        stack.pop_back();
        encodeNode(m_nodes[id], out);
        const QList<int> &children = m_nodes[id].children;
        for (qsizetype i = children.size() - 1; i >= 0; --i)
            stack.push_back(children[i]);
    }
}

std::optional<FileTree> FileTree::decode(ByteReader &in)
{
    const quint32 count = in.readCount(EncodedNodeMinimum);
    if (!in.ok())
        return std::nullopt;
    FileTree tree;
    tree.m_nodes.reserve(qsizetype(count) + 1);
    tree.reserveSlots(qsizetype(count));

    struct Open
    {
        int id;
        quint32 childrenLeft;
    };
    std::vector<Open> stack;
    quint32 rootChildren = decodeNode(in, tree.m_nodes[Root]);
    if (!in.ok() || !tree.m_nodes[Root].name.isEmpty() || tree.m_nodes[Root].type != EntryType::Directory)
        return std::nullopt;
    tree.m_nodes[Root].parent = -1;
    tree.m_nodes[Root].layer = -1;
    tree.m_nodes[Root].children.reserve(rootChildren);
    stack.push_back(Open{Root, rootChildren});
    quint32 seen = 0;
    while (!stack.empty()) {
        Open &top = stack.back();
        if (top.childrenLeft == 0) {
            stack.pop_back();
            continue;
        }
        --top.childrenLeft;
        if (++seen > count)
            return std::nullopt;
        const int parent = top.id;
        const int id = int(tree.m_nodes.size());
        FileNode &n = tree.m_nodes.emplace_back();
        const quint32 children = decodeNode(in, n);
        if (!in.ok() || n.name.isEmpty() || n.name.contains(u'/') || n.name == QLatin1String(".") ||
            n.name == QLatin1String("..") || (children > 0 && n.type != EntryType::Directory))
            return std::nullopt;
        n.parent = parent;
        n.children.reserve(children);
        if (!tree.indexInsert(id))
            return std::nullopt; // one name twice in a directory
        tree.m_nodes[parent].children.append(id);
        stack.push_back(Open{id, children});
    }
    if (seen != count)
        return std::nullopt;
    return tree;
}

} // namespace stagecraft
