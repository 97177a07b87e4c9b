// One level of an image's bytes, for the treemap and its sortable list: the children of a
// directory of the final filesystem (a directory with the bytes below it), or, grouped by
// package, the packages (and what no package owns), then one package's files. Each item
// knows the layer that holds most of its bytes and its bytes per layer, so the view can
// colour by layer and dim what a picked layer did not write. Wraps immutable snapshots
// (the analysis, the package report); data() only reads the current level.
#pragma once

#include "core/analysis/imageanalysis.h"
#include "core/analysis/packagesizes.h"

#include <QAbstractTableModel>
#include <QList>
#include <QStringList>

#include <memory>

namespace stagecraft::ui {

struct TreemapItem
{
    QString name;   // a file's or directory's name, a package's name, or a package file's path
    QString detail; // a package's manager and version
    qint64 bytes = 0;
    int layer = -1;           // the layer holding most of its bytes (-1: none)
    QList<qint64> layerBytes; // bytes per layer, bottom first
    int node = -1;            // its node in the final tree, -1 for a package
    int package = -1;         // grouped: the package's index in the report; kNoPackage for the rest
    int line = 0; // a package's Dockerfile line: the step that made its installing layer (0: unknown)
    bool drillable = false;
    // A directory's own children, largest first (at most kMaxChildren), so the map can show
    // one level further down inside it; empty below the top level of a drill.
    QList<TreemapItem> children;
};

class TreemapModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { NameColumn, SizeColumn, LayerColumn, LineColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // name, bytes or layer, for a QSortFilterProxyModel
        BytesRole,
        LayerRole,
        DrillableRole,
        LineRole,
    };
    static constexpr int kNoPackage = -2;
    static constexpr int kMaxChildren = 200;

    explicit TreemapModel(QObject *parent = nullptr);

    // A new image: back to its root directory, packages forgotten.
    void setImage(std::shared_ptr<const ImageAnalysis> analysis);
    // The packages of the same image (PackageSizes::ofImage); each file counts for the
    // largest package that lists it, so the levels still add up to the image's bytes.
    void setPackages(std::shared_ptr<const PackageSizeReport> packages);
    bool hasPackages() const { return m_packages != nullptr; }
    void setGroupByPackage(bool group);
    bool groupByPackage() const { return m_grouped; }
    // Each layer's Dockerfile line (0: not known), bottom first, from the build that made
    // the image; a package shows the line of the layer that installed it.
    void setLayerLines(const QList<int> &lines);
    bool hasLines() const;

    // Drills into the item of `row`; false when it has nothing below it.
    bool drillInto(int row);
    bool goUp();
    // Back to the `index`th level of crumbs() (0: the top).
    void goToCrumb(int index);
    // The levels from the top to the current one: "/", "usr", "lib" or "Packages", "golang-go".
    QStringList crumbs() const;
    QString currentPath() const; // the directory shown, "/" in the package view

    const QList<TreemapItem> &items() const { return m_items; } // largest first
    qint64 levelBytes() const;                                  // the current level's total
    int layerCount() const;
    std::shared_ptr<const ImageAnalysis> analysis() const { return m_analysis; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void levelChanged();

private:
    void rebuild();
    void directoryLevel();
    void packageLevel();
    void packageFilesLevel();
    TreemapItem itemForNode(int id) const;
    void finishItem(TreemapItem &item) const;
    void assignFiles();

    std::shared_ptr<const ImageAnalysis> m_analysis;
    std::shared_ptr<const PackageSizeReport> m_packages;
    QList<QList<int>> m_packageFiles; // per package, the files it is credited with
    bool m_grouped = false;
    QList<int> m_layerLines;
    QList<int> m_path;  // directory nodes from the root's child down
    int m_package = -1; // grouped: the package shown, -1 for the package list
    QList<TreemapItem> m_items;
};

} // namespace stagecraft::ui
