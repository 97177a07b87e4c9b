// Two analysed images side by side: their layers' sizes pairwise (the shared base
// recognised by diff ID), the paths found in one final filesystem but not the other or
// changed between them (size, type, mode, owner, link target), largest differences first,
// each with the layer that wrote it on either side, and the directories whose bytes differ.
// `stagecraft diff` and the compare view read it.
#pragma once

#include "core/analysis/imageanalysis.h"

#include <QList>
#include <QString>
#include <QStringList>

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

// What differs about a path found in both images (flags).
enum PathChange : quint8 {
    PathChangeType = 1,
    PathChangeSize = 2,
    PathChangeMode = 4,
    PathChangeOwner = 8,
    PathChangeLink = 16,
};

// "size", "mode,owner" …: the flags set in `changes`, in the order of PathChange.
QStringList pathChangeNames(quint8 changes);

struct PathDifference
{
    QString path;         // absolute; a directory found on one side only is listed once
    qint64 leftSize = -1; // bytes (a directory's aggregate); -1 when absent from that side
    qint64 rightSize = -1;
    EntryType type = EntryType::File; // on the side that has it (the left one when both do)
    int leftLayer = -1;               // the layer that last wrote the path on each side; -1: absent
    int rightLayer = -1;
    quint8 changes = 0; // PathChange flags, for a path in both

    qint64 delta() const { return qMax<qint64>(rightSize, 0) - qMax<qint64>(leftSize, 0); }
    friend bool operator==(const PathDifference &, const PathDifference &) = default;
};

class ImageComparison
{
public:
    struct Options
    {
        // Directories down to this depth ("/usr" is 1, "/usr/lib" 2) are listed in directories().
        int directoryDepth = 2;
    };

    static ImageComparison compare(const ImageAnalysis &left, const ImageAnalysis &right,
                                   const Options &options);
    static ImageComparison compare(const ImageAnalysis &left, const ImageAnalysis &right)
    {
        return compare(left, right, Options{});
    }

    const QList<LayerPair> &layers() const { return m_layers; }
    int sharedLayerCount() const { return m_sharedLayers; }
    qint64 leftTotal() const { return m_leftTotal; }
    qint64 rightTotal() const { return m_rightTotal; }
    qint64 growth() const { return m_rightTotal - m_leftTotal; }
    // The bytes of the final filesystems (what a container sees); the images' totals also
    // count bytes in layers that later layers removed or overwrote.
    qint64 leftFilesTotal() const { return m_leftFiles; }
    qint64 rightFilesTotal() const { return m_rightFiles; }
    // Each list sorted by the size of the difference, largest first, then by path.
    const QList<PathDifference> &onlyInLeft() const { return m_onlyInLeft; }
    const QList<PathDifference> &onlyInRight() const { return m_onlyInRight; }
    const QList<PathDifference> &changed() const { return m_changed; } // in both, not the same
    // Directories (to Options::directoryDepth) whose aggregate bytes differ, as above;
    // a directory on one side only has -1 on the other.
    const QList<PathDifference> &directories() const { return m_directories; }
    // The right image's layers that the left lacks (above the shared ones), largest first.
    QList<int> largestUnsharedLayers(int count) const;
    // The paths that grew the most (only in the right image, or larger there), largest first.
    QList<PathDifference> largestGrowth(int count) const;

private:
    QList<LayerPair> m_layers;
    int m_sharedLayers = 0;
    qint64 m_leftTotal = 0;
    qint64 m_rightTotal = 0;
    qint64 m_leftFiles = 0;
    qint64 m_rightFiles = 0;
    QList<PathDifference> m_onlyInLeft;
    QList<PathDifference> m_onlyInRight;
    QList<PathDifference> m_changed;
    QList<PathDifference> m_directories;
};

} // namespace stagecraft
