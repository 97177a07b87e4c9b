// The store's garbage collection and verification: marks what references, gc roots and
// live leases keep (following manifests and indexes), sweeps the rest, removes scratch
// left by dead processes and derived cache entries of images no longer stored.
// ImageStore::collectGarbage(), removeAbandoned() and verify() are its entry points.
#pragma once

#include "core/store/imagestore.h"

#include <QSet>
#include <QStringList>

namespace stagecraft {

class StoreCollector
{
public:
    explicit StoreCollector(const ImageStore &store);

    Expected<StoreGcReport> collectGarbage();
    Expected<StoreVerifyReport> verify() const;
    // With the collection lock held: removes abandoned temporary files and scratch
    // directories no live lease may be using. Returns how many entries went.
    int removeAbandoned(const LiveLeases &leases) const;

private:
    int pruneCaches(const QSet<QString> &storedDiffIds);
    void markReachable(const Descriptor &descriptor, QSet<Digest> &reachable, QStringList *problems,
                       const QString &owner, QStringList *missing, int depth = 0) const;

    const ImageStore &m_store;
};

} // namespace stagecraft
