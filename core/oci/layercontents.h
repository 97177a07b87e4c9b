// Everything one pass over a layer blob yields: its entries in tar order, the diff ID
// (digest of the uncompressed tar), the uncompressed size and the compression found.
#pragma once

#include "core/oci/compression.h"
#include "core/oci/digest.h"
#include "core/oci/layerentry.h"

namespace stagecraft {

struct LayerContents
{
    LayerEntries entries;
    Digest diffId;
    qint64 uncompressedSize = 0;
    Compression compression = Compression::None;

    // The bytes of the regular files: Docker's count of a layer's size for layers it
    // built (`docker import` layers also count symlink target lengths).
    qint64 fileBytes() const
    {
        qint64 total = 0;
        for (const LayerEntry &e : entries)
            if (e.type == EntryType::File)
                total += e.size;
        return total;
    }
};

} // namespace stagecraft
