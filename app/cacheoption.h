// `--cache-to` and `--cache-from` of `stagecraft build`, in BuildKit's form
// (`type=local,dest=DIR`, `type=local,src=DIR`, `type=registry,ref=HOST/REPO:TAG`): the
// parsed value, the cache source a build asks, and the export after a build.
#pragma once

#include "core/builder/stepcachesource.h"
#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace stagecraft {
class RegistrySettings;
}

namespace stagecraft::app {

struct CacheOption
{
    enum class Type { Local, Registry };
    Type type = Type::Local;
    QString path; // local: dest= (export) or src= (import)
    QString ref;  // registry: ref=

    // `exporting`: --cache-to (dest=), else --cache-from (src=).
    static Expected<CacheOption> parse(const QString &text, bool exporting);

    // The cache a build asks: a local export opened and verified, or the registry's
    // pulled into `store` first.
    Expected<std::shared_ptr<const StepCacheSource>> open(ImageStore &store,
                                                          const RegistrySettings &settings) const;
    // Exports the store's step cache entries for `keys`; returns a line saying what was written.
    Expected<QString> write(const ImageStore &store, const QStringList &keys,
                            const RegistrySettings &settings) const;
};

} // namespace stagecraft::app
