// Two analysed images side by side: their layers' sizes pairwise (the shared base
// recognised by diff ID) and the paths found in one final filesystem but not the other,
// or with different sizes, largest differences first.
#pragma once

#include "core/analysis/imageanalysis.h"

#include <QList>
#include <QString>

namespace stagecraft {

struct LayerPair
{
    int index = 0;
    qint64 leftSize = -1; // -1 where that image has no layer at this position
    qint64 rightSize = -1;
    QString leftCreatedBy;
    QString rightCreatedBy;
    bool shared = false; // the same diff ID, and every layer below is shared too
};

struct PathDifference
{
    QString path;         // absolute; a directory found on one side only is listed once
    qint64 leftSize = -1; // bytes (a directory's aggregate); -1 when absent from that side
    qint64 rightSize = -1;
    EntryType type = EntryType::File;

    qint64 delta() const { return qMax<qint64>(rightSize, 0) - qMax<qint64>(leftSize, 0); }
    friend bool operator==(const PathDifference &, const PathDifference &) = default;
};

class ImageComparison
{
public:
    static ImageComparison compare(const ImageAnalysis &left, const ImageAnalysis &right);

    const QList<LayerPair> &layers() const { return m_layers; }
    int sharedLayerCount() const { return m_sharedLayers; }
    qint64 leftTotal() const { return m_leftTotal; }
    qint64 rightTotal() const { return m_rightTotal; }
    // Each list sorted by the size of the difference, largest first, then by path.
    const QList<PathDifference> &onlyInLeft() const { return m_onlyInLeft; }
    const QList<PathDifference> &onlyInRight() const { return m_onlyInRight; }
    const QList<PathDifference> &changed() const { return m_changed; } // in both, other size or type

private:
    QList<LayerPair> m_layers;
    int m_sharedLayers = 0;
    qint64 m_leftTotal = 0;
    qint64 m_rightTotal = 0;
    QList<PathDifference> m_onlyInLeft;
    QList<PathDifference> m_onlyInRight;
    QList<PathDifference> m_changed;
};

} // namespace stagecraft
