// What `stagecraft check --image REF` adds to the checks: the analysis of the image the last
// build made (a store reference, a `docker save` tarball or an OCI layout), as the facts
// WrittenThenDeleted (SC009) reports and the bytes PackageCacheInLayer (SC004) states. The
// work is core's LastBuildImage, which the window uses after a build too.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/common/error.h"

#include <QString>

namespace stagecraft {
class BuildPlan;
class ImageStore;
} // namespace stagecraft

namespace stagecraft::app {

class CheckImage
{
public:
    // Opens and analyses `argument` (`store` may be null: files and layouts only), then fills
    // options.lastBuild and options.lastBuildBytesUnder for `plan`'s steps.
    static Expected<void> addTo(BuildCheckOptions &options, const QString &argument, const ImageStore *store,
                                const BuildPlan &plan);
};

} // namespace stagecraft::app
