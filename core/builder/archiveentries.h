// The tar archives ADD extracts (from the context or a URL), read as the entries of the
// layer: as hostile as a layer, so bounded by the extraction limits before anything is
// written, with every member kept inside the destination.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/layerwriter.h"

#include <QList>
#include <QString>

namespace stagecraft {

// True when `path` is a tar archive (plain, gzip, bzip2, xz or zstd, told apart by
// content as Docker does) with at least one member.
bool isTarArchive(const QString &path);

// Reads the archive `path` as the entries ADD extracts below `destRel`; file contents go
// to numbered files in `scratchDir`. `source` names the archive in messages.
Expected<QList<LayerSourceEntry>> archiveEntries(const QString &path, const QString &source,
                                                 const QString &destRel, const QString &scratchDir,
                                                 const CancellationToken &cancel);

} // namespace stagecraft
