// The decompressors hostile archives are read with: those an image layer, a `docker save`
// tarball or an ADD archive can use (plain, gzip, bzip2, xz, zstd), all inside libarchive.
// Never archive_read_support_filter_all(): for lrzip, grzip, lzop and lz4 data libarchive
// may start an external program, picked by the archive's first bytes.
#pragma once

#include <archive.h>

namespace stagecraft {

inline void supportInProcessFilters(struct archive *a)
{
    archive_read_support_filter_none(a);
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_bzip2(a);
    archive_read_support_filter_xz(a);
    archive_read_support_filter_zstd(a);
}

} // namespace stagecraft
