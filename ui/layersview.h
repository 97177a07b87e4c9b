// The Layers view: images side by side as stacked bars, a segment per layer, so a
// 600 MB single-stage image and its 2 MB multi-stage twin can be compared at a glance.
// Images are loaded and analysed on a worker thread.
#pragma once

#include <QStringList>
#include <QWidget>

namespace stagecraft::ui {

class LayersView : public QWidget
{
    Q_OBJECT

public:
    explicit LayersView(QWidget *parent = nullptr);
    ~LayersView() override;

    // The store that references are resolved in (and whose layer index cache is used).
    void setStoreRoot(const QString &storeRoot);
    // Shows these images side by side: each a store reference, a `docker save` tarball
    // or an OCI layout directory. Loading happens in the background; loaded() follows.
    void compare(const QStringList &arguments);
    // A build just made `reference`: by default the view compares the last two builds.
    void addBuiltImage(const QString &reference, const QString &label);
    // Waits (running the event loop) until pending loads are done; false on timeout.
    bool waitUntilLoaded(int timeoutMs);
    // Highlights a layer without emitting layerActivated().
    void selectLayer(const QString &argument, int layerIndex);
    bool exportPng(const QString &path, QString *error = nullptr);

Q_SIGNALS:
    // A segment was clicked: layer `layerIndex` (bottom first) of image `argument`.
    void layerActivated(const QString &argument, int layerIndex, const QString &createdBy);
    void loaded();
};

} // namespace stagecraft::ui
