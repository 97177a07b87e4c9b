// Opens an image for analysis from whatever a person names: a reference in the local
// store, a `docker save` tarball, or an OCI layout directory (optionally "DIR:name"),
// and analyses it with the store's layer index cache. `stagecraft inspect` and the
// window's Layers view share it, so both show the same figures.
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/analysis/layerindexer.h"
#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/oci/image.h"

#include <QString>

#include <memory>
#include <optional>

namespace stagecraft {

class ImageStore;

struct OpenedImage
{
    QString argument; // what was asked for
    QString label;    // a short name for display: the reference, or the file's name
    QString source;   // "store", "OCI layout" or "docker-archive"
    Image image;
    std::shared_ptr<const ImageAnalysis> analysis;
    IndexingStats stats;
};

class ImageSource
{
public:
    // Finds the image only: a file or directory of that name first, else the store
    // (`store` may be null when there is none; then only files and directories work).
    static Expected<Image> open(const QString &argument, const ImageStore *store, QString *source = nullptr);

    // Opens and analyses. The store's layer index cache is used unless `useCache` is
    // false or there is no store.
    static Expected<OpenedImage> analyse(const QString &argument, const ImageStore *store,
                                         const AnalysisOptions &options = {}, bool useCache = true,
                                         const CancellationToken &cancel = {});
};

} // namespace stagecraft
