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

    // The cache a build asks: a local export opened and verified whole, or the registry's
    // manifest and index, whose layers are fetched into `store` as steps find their keys.
    Expected<std::shared_ptr<const StepCacheSource>> open(ImageStore &store,
                                                          const RegistrySettings &settings) const;
    // After a build from a registry cache: "build cache REF: fetched N of M layers (B
    // bytes)"; empty for a local cache.
    static QString fetchSummary(const StepCacheSource &source);
    // Exports the store's step cache entries for `keys`; returns a line saying what was written.
    Expected<QString> write(const ImageStore &store, const QStringList &keys,
                            const RegistrySettings &settings) const;
};

} // namespace stagecraft::app
