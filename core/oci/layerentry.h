// One entry of a layer tarball as analysis sees it: a normalised path and its
// metadata, with whiteouts decoded. Shared by core/oci (reading) and core/analysis.
#pragma once

#include <QList>
#include <QString>

namespace stagecraft {

enum class EntryType {
    File,
    Directory,
    Symlink,
    Hardlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Whiteout,       // `.wh.NAME`: `path` is the removed path NAME (marker prefix stripped)
    OpaqueWhiteout, // `.wh..wh..opq`: `path` is the directory whose lower contents are hidden
};

struct LayerEntry
{
    QString path; // relative, no leading "/" or "./", no trailing "/", never ".." components
    EntryType type = EntryType::File;
    qint64 size = 0;  // bytes of a regular file (its apparent size); 0 for everything else
    quint32 mode = 0; // permission bits (and setuid/setgid/sticky), without the type bits
    qint64 uid = 0;
    qint64 gid = 0;
    QString linkTarget;      // symlink target as written, or hardlink target path (normalised)
    qint64 mtime = 0;        // seconds since the epoch
    quint32 deviceMajor = 0; // CharDevice / BlockDevice only
    quint32 deviceMinor = 0;
    bool sparse = false; // a GNU/PAX sparse file: the tar holds only its data, `size` includes the holes
};

using LayerEntries = QList<LayerEntry>;

} // namespace stagecraft
