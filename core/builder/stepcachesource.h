// A build cache from elsewhere (an exported directory, a registry, a classroom kit) that a
// build asks when the store holds no result for a step's key: with `--cache-from`, a room
// of machines reuses what one machine built instead of running the steps again. What it
// hands over is untrusted; an implementation verifies every blob (digest, size, the diff
// ID of each layer) before anything lands in the store.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"
#include "core/store/imagestore.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace stagecraft {

class StepCacheSource
{
public:
    virtual ~StepCacheSource() = default;

    // Where results come from, said in the step's event: "from the kit", "from /mnt/cache".
    virtual QString description() const = 0;

    // When the source holds step `key`: copies its blobs into `store` (verified) and
    // returns the step cache entry (the JSON the store's step cache keeps for the key).
    // std::nullopt when it does not hold the key; an error when what it holds is damaged
    // or cannot be read. Called from the builder's worker threads, possibly concurrently.
    virtual Expected<std::optional<QJsonObject>> fetch(const QString &key, ImageStore &store,
                                                       const CancellationToken &cancel) const = 0;
};

using StepCacheSources = QList<std::shared_ptr<const StepCacheSource>>;

} // namespace stagecraft
