// What `verify` and garbage collection of the ImageStore found and did, for the
// command line to print and tests to check.
#pragma once

#include <QString>
#include <QStringList>

namespace stagecraft {

struct StoreVerifyReport
{
    int blobsChecked = 0;
    QStringList corrupt;  // "sha256:… (content has sha256:…)"
    QStringList missing;  // "sha256:… (layer of name:tag)"
    QStringList problems; // unreadable manifests, refs.json problems
    bool ok() const { return corrupt.isEmpty() && missing.isEmpty() && problems.isEmpty(); }
};

struct StoreGcReport
{
    int blobsKept = 0;
    int blobsRemoved = 0;
    qint64 bytesFreed = 0;
    int temporaryFilesRemoved = 0;
    int cacheFilesRemoved = 0; // derived data of images no longer stored, stale temporary files
};

} // namespace stagecraft
