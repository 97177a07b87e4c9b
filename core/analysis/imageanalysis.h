// What an image's layers cost: each layer's size as Docker counts it and what it
// changed, the merged file tree, and the wasted bytes and efficiency score computed the
// way dive computes them, so the numbers match what people already trust.
#pragma once

#include "core/analysis/filetree.h"
#include "core/analysis/layerindex.h"
#include "core/common/error.h"

#include <QList>
#include <QString>

#include <memory>

namespace stagecraft {

// One layer as analysis needs it: its index and what the image says about it.
struct AnalysisLayer
{
    LayerIndex index;
    QString digest;    // the blob's digest ("sha256:…"), may be empty for hand-made layers
    QString createdBy; // the history entry's created_by
    QString comment;   // the history entry's comment
};

struct LayerReport
{
    int index = 0;
    QString digest;
    QString diffId;
    QString createdBy;
    QString comment;
    qint64 size = 0;           // Docker's count, see ImageAnalysis::dockerLayerSize()
    qint64 compressedSize = 0; // the blob as stored
    qint64 fileBytes = 0;      // the regular files' bytes (dive's layer size)
    int entryCount = 0;
    LayerDiff changes; // against the tree of the layers below
};

struct InefficientFile
{
    QString path;                // absolute
    int count = 0;               // how many layers hold a version (or a removal) of the path
    qint64 wastedBytes = 0;      // dive's "cumulative size": every version's bytes, the last one included
    qint64 reclaimableBytes = 0; // wastedBytes without the version the image keeps

    friend bool operator==(const InefficientFile &, const InefficientFile &) = default;
};

enum class WasteModel {
    // dive's rule, except that a removed directory (a whiteout of a directory or an
    // opaque-directory marker) counts as the removal of each file below it, like a
    // file whiteout in dive: so `rm -rf dir` in a later layer shows as waste.
    PerFile,
    // dive's rule to the letter: opaque-directory markers are ignored (in the score and
    // in the merged tree used to size whiteouts), and a removed directory is one path
    // whose size is everything that was below it, listed once, which hides the waste.
    Dive,
};

struct AnalysisOptions
{
    WasteModel wasteModel = WasteModel::PerFile;
};

class ImageAnalysis
{
public:
    // Layers bottom first.
    static ImageAnalysis analyze(const QList<AnalysisLayer> &layers, const AnalysisOptions &options = {});

    // What `docker history` shows for a layer. Docker records the byte count when a
    // layer enters the engine: for a layer it built, the sum of the regular files in
    // the tar; for a layer `docker import` unpacked, the size of the unpacked directory,
    // in which every symlink counts its target's length. The history entry's comment
    // ("Imported from …") tells the two apart.
    static qint64 dockerLayerSize(const LayerIndex &index, const QString &historyComment);

    const QList<LayerReport> &layers() const { return m_layers; }
    // The merged filesystem after the last layer. An analysis read back from the cache
    // decodes it on the first call (safe from any thread).
    const FileTree &finalTree() const { return *finalTreePointer(); }
    std::shared_ptr<const FileTree> finalTreePointer() const;
    WasteModel wasteModel() const { return m_model; }

    qint64 totalSize() const { return m_totalSize; } // sum of the layers' sizes (`docker inspect` Size)
    qint64 userSize() const { return m_userSize; }   // the same without the first layer
    qint64 compressedSize() const { return m_compressedSize; }
    // dive's wasted bytes: over every path held by more than one layer (a version or a
    // removal), the sum of all its versions' sizes.
    qint64 wastedBytes() const { return m_wastedBytes; }
    // Stagecraft's reclaimable bytes: over every path held by more than one layer, the sum
    // of its versions' sizes minus the size of the version the final image keeps (0 when
    // the path was removed). What a rebuild that wrote each such path once, in its final
    // form, would save: dive's wasted figure counts the kept copy too.
    qint64 reclaimableBytes() const { return m_reclaimableBytes; }
    // dive's score: sum over paths of the smallest version's size, divided by the sum
    // over paths of all versions' sizes; 1 when the image holds no bytes at all.
    double efficiency() const { return m_efficiency; }
    // dive's "highest-user-wasted-percent" figure: all wasted bytes divided by the bytes
    // of every layer but the first (a fraction, 0.1 = 10 %); infinite when only the first
    // layer holds bytes yet something is wasted.
    double userWastedPercent() const { return m_userWastedPercent; }
    // Paths with wasted bytes, largest first (paths whose versions are all empty, such as
    // a directory listed again, change neither figure and are left out).
    const QList<InefficientFile> &inefficientFiles() const { return m_inefficientFiles; }

    // The whole result in a compact binary form for AnalysisCache. decode() checks the
    // structure (not a checksum: the cache file carries one) and refuses what does not
    // fit; the merged tree is kept encoded until finalTree() needs it.
    QByteArray encode() const;
    // `offset`: where the encoded form starts in `bytes` (the cache file after its header).
    static Expected<ImageAnalysis> decode(const QByteArray &bytes, qsizetype offset = 0);

private:
    struct TreeHolder;

    QList<LayerReport> m_layers;
    std::shared_ptr<TreeHolder> m_tree;
    WasteModel m_model = WasteModel::PerFile;
    qint64 m_totalSize = 0;
    qint64 m_userSize = 0;
    qint64 m_compressedSize = 0;
    qint64 m_wastedBytes = 0;
    qint64 m_reclaimableBytes = 0;
    double m_efficiency = 1.0;
    double m_userWastedPercent = 0.0;
    QList<InefficientFile> m_inefficientFiles;
};

} // namespace stagecraft
