// Unpacks a layer blob into a directory the way a container runtime applies a layer
// (whiteouts and opaque directories remove lower content), and never writes outside
// the directory: every path is resolved component by component with O_NOFOLLOW from
// the destination's descriptor, so `..`, absolute names, links through a previously
// extracted symlink and hardlinks out of the tree are refused.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/digest.h"

#include <QIODevice>
#include <QString>
#include <QStringList>

namespace stagecraft {

struct ExtractOptions
{
    qint64 maxFileSize = qint64(64) << 30; // an entry claiming more is refused
    qint64 maxTotalSize = -1;              // < 0: no limit on the layer's file bytes
    bool applyWhiteouts = true;            // false: keep the markers out, remove nothing
    bool createDevices = true;             // only ever done when running as root
    bool stripSetid = false;               // true: S_ISUID and S_ISGID are cleared
    bool preserveOwnership = true;         // only ever done when running as root
    // Docker strips a leading "/" silently; a layer written by a correct tool never has
    // one, so by default it is treated as a sign of a hostile archive.
    bool refuseAbsolutePaths = true;
};

struct ExtractReport
{
    int entries = 0;
    qint64 fileBytes = 0;
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
