// Unpacks a layer blob into a directory the way a container runtime applies a layer
// (whiteouts and opaque directories remove lower content), and never writes outside
// the directory: every path is resolved component by component with O_NOFOLLOW from
// the destination's descriptor, so `..`, absolute names, links through a previously
// extracted symlink and hardlinks out of the tree are refused. Files are written with
// holes where the tar stores none (a sparse entry's gaps) or only zeros, so a small layer cannot
// fill the disk with a huge sparse or zero file.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

namespace stagecraft {

// Every bound is on what the layer's headers claim, checked before anything is written,
// so a hostile layer fails fast with the entry and the numbers in the message.
struct ExtractOptions
{
    qint64 maxFileSize = qint64(64) << 30;  // one entry's apparent size (holes included)
    qint64 maxTotalSize = qint64(64) << 30; // all entries' apparent sizes together; < 0: no cap
    // The apparent bytes a layer may declare per byte of its blob, once past
    // `expansionAllowance`: gzip cannot exceed about 1032:1 on stored data, so a layer far
    // beyond this is made of sparse holes or a hand-made zstd stream.
    qint64 maxExpansionRatio = 4096;
    qint64 expansionAllowance = qint64(256) << 20; // declared bytes allowed whatever the ratio
    qint64 maxEntries = 1000000;                   // tar entries, whiteouts included
    qint64 maxPathLength = 4095;                   // bytes of an entry's path or link target (PATH_MAX - 1)
    int maxDepth = 256;                            // components of an entry's path
    bool applyWhiteouts = true;                    // false: keep the markers out, remove nothing
    bool createDevices = true;                     // only ever done when running as root
    bool preserveOwnership = true;                 // only ever done when running as root
    // Added to every uid/gid when preserving ownership: the host ids of a user namespace
    // whose container ids 0… start there (the sandbox's shifted range as root).
    qint64 uidShift = 0;
    qint64 gidShift = 0;
    bool stripSetid = false; // clear setuid/setgid on files (Docker keeps them)
    // Docker strips a leading "/" silently; a layer written by a correct tool never has
    // one, so by default it is treated as a sign of a hostile archive.
    bool refuseAbsolutePaths = true;
};

struct ExtractReport
{
    int entries = 0;
    qint64 fileBytes = 0; // apparent sizes of the files (a sparse file's holes count)
    Digest diffId;
    QStringList skipped; // entries not created, with the reason ("dev/null: device node, not root")
};

class LayerExtractor
{
public:
    // Unpacks `blob` (tar, tar+gzip, tar+zstd) into `destination` (created if needed),
    // on top of what is already there. Stops at the first unsafe or damaged entry with an
    // Error naming it; what was extracted before stays, always inside `destination`.
    static Expected<ExtractReport> extract(QIODevice *blob, const QString &destination,
                                           const ExtractOptions &options = {},
                                           const CancellationToken &cancel = {});
};

} // namespace stagecraft
