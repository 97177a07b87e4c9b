// The image a build made, analysed once and then lent to the build checks for any text:
// `stagecraft check --image REF` and the window after a build both fill BuildCheckOptions
// from it, so WrittenThenDeleted (SC009) reports the waste and PackageCacheInLayer states
// a cache's bytes. Steps are matched to layers again for every plan, so an edited step loses
// its figures instead of being given another step's.
#pragma once

#include "core/checks/buildcheckoptions.h"
#include "core/checks/lastbuild.h"
#include "core/common/error.h"

#include <QString>

#include <memory>

namespace stagecraft {

class BuildPlan;
class ImageAnalysis;
class ImageStore;

class LastBuildImage
{
public:
    // Paths with wasted bytes looked at, largest first: the rest are small, and hostile
    // images may list millions.
    static constexpr int kMaxPaths = 2000;

    // Opens and analyses `argument` (a store reference, a `docker save` tarball or an OCI
    // layout; `store` may be null: files and layouts only).
    static Expected<LastBuildImage> open(const QString &argument, const ImageStore *store);
    // The same from an analysis at hand; `label` names the image in the messages.
    static LastBuildImage fromAnalysis(const QString &label, std::shared_ptr<const ImageAnalysis> analysis);

    // Fills options.lastBuild and options.lastBuildBytesUnder for `plan`'s steps.
    void addTo(BuildCheckOptions &options, const BuildPlan &plan) const;

    const LastBuild &facts() const { return m_last; }

private:
    LastBuild m_last;
    std::shared_ptr<const ImageAnalysis> m_analysis;
};

} // namespace stagecraft
