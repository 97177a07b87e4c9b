// A directory of LayerIndex files named by diff ID (normally under the store's cache
// directory), so an image analysed once reopens without decompressing its layers.
#pragma once

#include "core/analysis/layerindex.h"
#include "core/common/error.h"

#include <QString>

namespace stagecraft {

class LayerIndexCache
{
public:
    explicit LayerIndexCache(QString directory);

    const QString &directory() const { return m_directory; }
    // Where the index of `diffId` lives: DIR/<algorithm>-<hex>.idx.
    QString pathFor(const QString &diffId) const;

    // The cached index of `diffId`; an error when it is missing, unreadable, corrupt,
    // of another format version or of another layer (the caller then rebuilds it).
    Expected<LayerIndex> load(const QString &diffId) const;
    // Writes atomically (a reader never sees half a file); creates the directory.
    Expected<void> save(const LayerIndex &index) const;

private:
    QString m_directory;
};

} // namespace stagecraft
