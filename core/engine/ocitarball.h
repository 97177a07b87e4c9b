// The OCI layout tarball a buildx builder writes for `--output type=oci,dest=FILE` (the only
// way a docker-container, Kubernetes or remote builder's result leaves it), unpacked into a
// directory the store imports as an OCI layout. Only the layout's own files are written
// (`oci-layout`, `index.json`, `blobs/sha256/<hex>`, regular files, each once), so no member
// can land outside `dir`; a member no builder writes (a link, a device, another directory, a
// name leaving the layout or not a blob's under `blobs/`) refuses the whole tarball, while
// stray regular files (`manifest.json`) are skipped. The blobs' content is checked against
// their names by the store's import.
#pragma once

#include "core/common/error.h"

#include <QString>

namespace stagecraft {

class OciTarball
{
public:
    static constexpr qint64 kMaxBytes = 64LL * 1024 * 1024 * 1024; // unpacked, all blobs
    static constexpr int kMaxMembers = 100000;

    static Expected<void> extract(const QString &tarPath, const QString &dir);
};

} // namespace stagecraft
