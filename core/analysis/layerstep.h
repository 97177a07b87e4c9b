// What one step (layer) of an image changed, as a person steps through a build: the
// files it added, modified and removed with their bytes, the size delta on the image's
// filesystem, and the largest trees it wrote ("layer 4 added 863 MB: /usr/lib/go-1.19 …").
// Made from an ImageAnalysis's layer reports, so it works on any image with its layers.
#pragma once

#include "core/analysis/imageanalysis.h"

#include <QList>
#include <QString>

namespace stagecraft {

// A tree the step wrote: the top-most changed path and the files' bytes below it.
struct ChangedTree
{
    QString path;
    qint64 bytes = 0;
    int files = 0;
};

class LayerStep
{
public:
    static constexpr int kLargest = 10; // trees named in the summary

    // The step of layer `layer` (0-based); an empty summary for an index out of range.
    static LayerStep of(const ImageAnalysis &analysis, int layer);

    int layer = -1;
    QString createdBy;
    qint64 layerSize = 0; // Docker's count of the layer
    int addedFiles = 0;   // non-directories
    qint64 addedBytes = 0;
    int modifiedFiles = 0;
    qint64 modifiedBytes = 0;    // the new versions' bytes
    qint64 modifiedBytesWas = 0; // what they replaced
    int removedPaths = 0;        // top-most removals (a removed directory is one)
    qint64 removedBytes = 0;     // what the removals took away
    // The filesystem's bytes after the step minus before it.
    qint64 sizeDelta() const { return addedBytes + modifiedBytes - modifiedBytesWas - removedBytes; }
    QList<ChangedTree> largest; // added or modified trees, largest first (kLargest at most)

    // "layer 4 added 863 MB: /usr/lib/go-1.19 (512 MB), /usr/share/go (300 MB) and 3 more".
    QString headline() const;
};

} // namespace stagecraft
