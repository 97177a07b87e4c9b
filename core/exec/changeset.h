// The filesystem change of one RUN as layer entries: read from the overlay upper dir
// (whiteouts and opaque directories turned into OCI ones) or by comparing a copy with
// its snapshot. The entries are those Docker 20.10's BuildKit writes (its overlay2 differ
// tars the upper as it is): copy-ups whose content did not change included, a directory
// that replaced anything followed by an opaque marker; tests/data/changeset has its layers.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/exec/rootfs.h"
#include "core/oci/layerentry.h"

#include <QList>
#include <QString>

namespace stagecraft {

struct ChangeEntry
{
    // Owner as seen inside the sandbox: host ids mapped back through IdMap::current().
    // Whiteout / OpaqueWhiteout entries name the removed path / the opaque directory.
    LayerEntry entry;
    QString sourcePath; // file on disk holding a regular file's content; empty otherwise
};

class ChangeSet
{
public:
    // Call after Sandbox::run on the same rootfs. Entries come parents first, siblings
    // sorted, as a layer tarball lists them; the root directory itself is never one.
    static Expected<ChangeSet> capture(const Rootfs &rootfs, const CancellationToken &cancel);

    const QList<ChangeEntry> &entries() const { return m_entries; }
    LayerEntries layerEntries() const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    // Docker's byte count of a layer: the sizes of its regular files.
    qint64 byteCount() const;
    // The entry for `path`, or nullptr (whiteouts are found by the removed path).
    const ChangeEntry *find(const QString &path, EntryType type) const;

private:
    QList<ChangeEntry> m_entries;
};

} // namespace stagecraft
