// The Files view: a stage's or a layer's filesystem as a tree with sizes, what each layer
// added, modified or removed, and the wasted space; files drag onto other stages.
#pragma once

#include "core/common/cancellation.h"
#include "ui/filetreemodel.h"

#include <QThreadPool>
#include <QWidget>

#include <memory>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QToolButton;
class QTreeView;

namespace stagecraft::ui {

class FilesView : public QWidget
{
    Q_OBJECT

public:
    explicit FilesView(QWidget *parent = nullptr);
    ~FilesView() override;

    void setStoreRoot(const QString &storeRoot);
    QString storeRoot() const { return m_storeRoot; }
    // Shows the filesystem of `argument` (a store reference or manifest digest, a
    // `docker save` tarball or an OCI layout directory) as stage `stageName`'s, the name
    // drags carry as their source. Loads in the background; loaded() follows.
    void showImage(const QString &argument, const QString &stageName);
    // Shows the tree after layer `layerIndex` with that layer's changes marked; -1: the
    // whole filesystem. Does not emit layerActivated().
    void selectLayer(int layerIndex);
    bool waitUntilLoaded(int timeoutMs);

    int selectedLayer() const { return m_layer; }
    int layerCount() const;
    // The image shown, analysed (null until one has loaded): the step summary reads a
    // layer's changes from it instead of reading the image again.
    std::shared_ptr<const ImageAnalysis> analysis() const;
    bool isLoading() const { return m_pending > 0; }
    QString argument() const { return m_argument; }
    QString stageName() const { return m_stageName; }
    QString errorText() const { return m_error; } // why the image could not be shown, or empty

    FileTreeModel *fileModel() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QTreeView *treeView() const { return m_tree; }
    QLineEdit *filterEdit() const { return m_filter; }
    QCheckBox *changesOnlyBox() const { return m_changesOnly; }
    QComboBox *layerBox() const { return m_layerBox; }
    QToolButton *largestButton() const { return m_largest; }
    QLabel *statusLabel() const { return m_status; }
    QMenu *contextMenu() const { return m_contextMenu; }
    QAction *copyToStageAction() const { return m_copyToStage; }
    QAction *whereFromAction() const { return m_whereFrom; }
    // The drag's payload (application/x-stagecraft-artifact) for a row of the tree, or
    // empty when the row cannot be copied (removed, or no stage shown).
    QByteArray copyPayload(const QModelIndex &proxyIndex) const;

Q_SIGNALS:
    void layerActivated(int layerIndex);
    void loaded();
    // Copy to Stage… was chosen on a file; `payload` is what a drag of it would carry.
    void copyToStageRequested(const QByteArray &payload);
    // Where Did This Come From? was chosen on `path` (absolute) of the image shown.
    void provenanceRequested(const QString &path);

protected:
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Loaded;

    void rebuild();
    void finishLoad(quint64 generation, const std::shared_ptr<const Loaded> &result);
    void finishSnapshot(quint64 generation, const std::shared_ptr<const FileTreeModel::Snapshot> &snapshot);
    void fillLayerBox();
    void updateStatus();
    void onLayerBoxChanged(int comboIndex);
    void finishOne();
    void showContextMenu(const QModelIndex &index, QPoint globalPos = {});
    void requestCopyToStage();

    QString m_storeRoot;
    QString m_argument;
    QString m_stageName;
    QString m_error;
    int m_layer = -1;
    std::shared_ptr<const Loaded> m_loaded;

    quint64 m_loadGeneration = 0;
    quint64 m_snapshotGeneration = 0;
    int m_pending = 0;
    bool m_updatingBox = false;
    CancellationToken m_cancel;
    QThreadPool m_pool;

    QComboBox *m_layerBox = nullptr;
    QLineEdit *m_filter = nullptr;
    QCheckBox *m_changesOnly = nullptr;
    QToolButton *m_largest = nullptr;
    QLabel *m_status = nullptr;
    QTreeView *m_tree = nullptr;
    FileTreeModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QMenu *m_contextMenu = nullptr;
    QAction *m_copyToStage = nullptr;
    QAction *m_whereFrom = nullptr;
};

} // namespace stagecraft::ui
