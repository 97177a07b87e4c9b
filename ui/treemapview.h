// The Bytes view: where an image's bytes are, as a squarified treemap by directory and
// file coloured by layer (click to drill in, the breadcrumb or Up to go back, a layer in
// the legend or the Layers view to dim the rest) above the same level as a sortable list,
// with a switch to group by package (PackageSizes), each package with the Dockerfile line
// of the step that installed it when the window built the image. Images load on a worker
// thread; a newer request drops an older one's result.
#pragma once

#include "core/common/cancellation.h"
#include "core/oci/image.h"

#include <QThreadPool>
#include <QWidget>

#include <functional>
#include <memory>

class QCheckBox;
class QHBoxLayout;
class QLabel;
class QSortFilterProxyModel;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace stagecraft {
class ImageAnalysis;
}

namespace stagecraft::ui {

class FilesView;
class LayersView;
class TreemapCanvas;
class TreemapModel;

class TreemapView : public QWidget
{
    Q_OBJECT

public:
    explicit TreemapView(QWidget *parent = nullptr);
    ~TreemapView() override;

    // Adds the view as a "Bytes" tab of `views`, following the image the Files view shows
    // and the layer picked there or in the Layers view (`layers` may be null).
    static TreemapView *attach(QTabWidget *views, FilesView *files, LayersView *layers);

    void setStoreRoot(const QString &storeRoot) { m_storeRoot = storeRoot; }
    // Shows `argument` (a store reference, a `docker save` tarball or an OCI layout);
    // loaded() follows.
    void showImage(const QString &argument);
    // Shows an analysis already made (no package grouping unless `image` has its layers).
    void showAnalysis(std::shared_ptr<const ImageAnalysis> analysis, const Image &image = {});
    // Dims everything layer `layer` did not write; -1 shows all.
    void highlightLayer(int layer);
    // Groups by package; reads the package databases the first time (packagesLoaded() follows).
    void setGroupByPackage(bool group);
    bool waitUntilLoaded(int timeoutMs);
    // Where the window finds a layer's Dockerfile line (0: not known), by layer digest; the
    // lines are looked up again on refreshLines() and whenever an image is shown.
    void setLineLookup(std::function<int(const QString &layerDigest)> lookup);
    void refreshLines();
    // "pull size 259 MB (compressed)" for a registry, OCI or store image; -1 for none.
    qint64 pullSize() const { return m_pullSize; }
    QString statusText() const;

    QString argument() const { return m_argument; }
    QString errorText() const { return m_error; }
    bool isLoading() const { return m_pending > 0; }
    TreemapModel *model() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    TreemapCanvas *canvas() const { return m_canvas; }
    QTreeView *listView() const { return m_list; }
    QCheckBox *groupBox() const { return m_group; }
    QLabel *crumbLabel() const { return m_crumbs; }

Q_SIGNALS:
    void loaded();
    void packagesLoaded();
    // A package row with a known Dockerfile line was activated (double-click or Enter).
    void lineActivated(int line);

private:
    void finishLoad(quint64 generation, const QString &error,
                    const std::shared_ptr<const ImageAnalysis> &analysis, const Image &image,
                    qint64 pullSize);
    void activateRow(int row);
    void loadPackages();
    void updateLevel();
    void rebuildLegend();
    void drill(int row);

    QString m_storeRoot;
    QString m_argument;
    QString m_error;
    Image m_image;
    qint64 m_pullSize = -1;
    std::function<int(const QString &)> m_lineLookup;
    bool m_packagesRequested = false;
    quint64 m_generation = 0;
    int m_pending = 0;
    int m_highlight = -1;
    CancellationToken m_cancel;
    QThreadPool m_pool;

    TreemapModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    TreemapCanvas *m_canvas = nullptr;
    QTreeView *m_list = nullptr;
    QToolButton *m_up = nullptr;
    QLabel *m_crumbs = nullptr;
    QCheckBox *m_group = nullptr;
    QLabel *m_status = nullptr;
    QWidget *m_legend = nullptr;
    QHBoxLayout *m_legendLayout = nullptr;
};

} // namespace stagecraft::ui
