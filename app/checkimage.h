// What `stagecraft check --image REF` adds to the checks: the analysis of the image the last
// build made (a store reference, a `docker save` tarball or an OCI layout), as the facts
// WrittenThenDeleted (SC009) reports and the bytes PackageCacheInLayer (SC004) states.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/common/error.h"

#include <QString>

#include <memory>

namespace stagecraft {
class BuildPlan;
class ImageAnalysis;
class ImageStore;
} // namespace stagecraft

namespace stagecraft::app {

class CheckImage
{
public:
    // Paths with wasted bytes looked at, largest first: the rest are small, and hostile
    // images may list millions.
    static constexpr int kMaxPaths = 2000;

    // Opens and analyses `argument` (`store` may be null: files and layouts only), then fills
    // options.lastBuild and options.lastBuildBytesUnder for `plan`'s steps.
    static Expected<void> addTo(BuildCheckOptions &options, const QString &argument, const ImageStore *store,
                                const BuildPlan &plan);
    // The same from an analysis at hand; `label` names the image in the messages.
    static void addTo(BuildCheckOptions &options, const QString &label,
                      std::shared_ptr<const ImageAnalysis> analysis, const BuildPlan &plan);
};

} // namespace stagecraft::app
