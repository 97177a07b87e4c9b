// The Files view: a stage's or a layer's filesystem as a tree with sizes, what each layer
// added, modified or removed, and the wasted space; files drag onto other stages.
#pragma once

#include <QWidget>

namespace stagecraft::ui {

class FilesView : public QWidget
{
    Q_OBJECT

public:
    explicit FilesView(QWidget *parent = nullptr);
    ~FilesView() override;

    void setStoreRoot(const QString &storeRoot);
    // Shows the filesystem of `argument` (a store reference or manifest digest, a
    // `docker save` tarball or an OCI layout directory) as stage `stageName`'s, the name
    // drags carry as their source. Loads in the background; loaded() follows.
    void showImage(const QString &argument, const QString &stageName);
    // Shows the tree after layer `layerIndex` with that layer's changes marked; -1: the
    // whole filesystem. Does not emit layerActivated().
    void selectLayer(int layerIndex);
    bool waitUntilLoaded(int timeoutMs);

Q_SIGNALS:
    void layerActivated(int layerIndex);
    void loaded();
};

} // namespace stagecraft::ui
