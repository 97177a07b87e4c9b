#include "app/checkimage.h"

#include "core/imagechecks/lastbuildimage.h"

namespace stagecraft::app {

Expected<void> CheckImage::addTo(BuildCheckOptions &options, const QString &argument, const ImageStore *store,
                                 const BuildPlan &plan)
{
    Expected<LastBuildImage> image = LastBuildImage::open(argument, store);
    if (!image)
        return std::unexpected(image.error());
    image->addTo(options, plan);
    return {};
}

} // namespace stagecraft::app
