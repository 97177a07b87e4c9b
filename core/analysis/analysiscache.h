// A directory of whole ImageAnalysis results (normally under the store's cache
// directory), one file per image content and waste model: reopening an image analysed
// before then costs one file read instead of loading every layer index and merging the
// layers again.
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/common/error.h"
#include "core/oci/digest.h"
#include "core/oci/image.h"

#include <QString>

namespace stagecraft {

class AnalysisCache
{
public:
    // Bumped whenever the encoding or the analysis rules change; older files then miss.
    static constexpr quint32 FormatVersion = 2;

    explicit AnalysisCache(QString directory);

    const QString &directory() const { return m_directory; }

    // What a result depends on, hashed: the config (diff IDs and history), every layer
    // blob's digest and size, the waste model and FormatVersion. 64 hex digits.
    static QString keyFor(const Image &image, const AnalysisOptions &options);
    // DIR/<config algorithm>-<config hex>-<first 16 digits of the key>.analysis: named by
    // the config so garbage collection can tell when the image is gone.
    QString pathFor(const Image &image, const AnalysisOptions &options) const;
    // The config digest an entry's file name starts with; invalid for other names.
    static Digest configDigestOf(const QString &fileName);

    // The cached result; an error when it is missing, damaged, of another format or of
    // other content (the caller then analyses again).
    Expected<ImageAnalysis> load(const Image &image, const AnalysisOptions &options) const;
    // Writes atomically (a reader never sees half a file); creates the directory.
    Expected<void> save(const Image &image, const AnalysisOptions &options,
                        const ImageAnalysis &analysis) const;

private:
    QString m_directory;
};

} // namespace stagecraft
