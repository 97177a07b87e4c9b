// The Layers view: images side by side as stacked bars, a segment per layer, so a
// 600 MB single-stage image and its 2 MB multi-stage twin can be compared at a glance.
// Images are loaded and analysed on a worker thread.
#pragma once

#include "core/common/cancellation.h"

#include <QList>
#include <QPair>
#include <QStringList>
#include <QThreadPool>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QStandardItemModel;
class QTabWidget;
class QToolButton;
class QTreeView;

namespace stagecraft::ui {

class ImageDiffView;
class LayersChart;
struct ChartImage;

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
    // Waits (running the event loop) until pending loads and the file comparison are done;
    // false on timeout.
    bool waitUntilLoaded(int timeoutMs);
    // Highlights a layer without emitting layerActivated().
    void selectLayer(const QString &argument, int layerIndex);
    bool exportPng(const QString &path, QString *error = nullptr);

    // What is shown: the arguments compared, and one sentence per image that could not be
    // opened (empty when all loaded).
    QStringList arguments() const { return m_arguments; }
    QStringList errors() const { return m_errors; }
    bool isLoading() const;
    // "612 MB vs 1.9 MB — 322× smaller", and on a second line the pull sizes of the images
    // that have one ("pull size 259 MB vs 0.8 MB (compressed)").
    QString headline() const;
    // Whether the view follows the last two builds (the default until someone picks images).
    bool followsBuilds() const { return m_followBuilds; }
    void setFollowsBuilds(bool follow);
    void setLogScale(bool log);

    LayersChart *chart() const { return m_chart; }
    QStandardItemModel *layerModel() const { return m_model; }
    QTreeView *layerTable() const { return m_table; }
    // Below the chart: the file changes between two images and the layer table, as tabs.
    ImageDiffView *diffView() const { return m_diff; }
    QTabWidget *detailTabs() const { return m_details; }
    QComboBox *leftPicker() const { return m_leftBox; }
    QComboBox *rightPicker() const { return m_rightBox; }

Q_SIGNALS:
    // A segment was clicked: layer `layerIndex` (bottom first) of image `argument`.
    void layerActivated(const QString &argument, int layerIndex, const QString &createdBy);
    void loaded();

private:
    struct Loaded;

    void startLoad(const QStringList &arguments);
    void finishOne(quint64 generation, int slot, const std::shared_ptr<const Loaded> &result);
    void showLoaded();
    QString sizesHeadline() const; // the headline's first line
    void refreshPickers();
    void addPickerItem(const QString &argument, const QString &text);
    void setPickers(const QStringList &arguments);
    void pickersChanged();
    void openFileInteractive(bool directory);
    void exportInteractive();
    void onSegmentClicked(int image, int layer);
    void onTableRowActivated(int row);
    void selectTableRow(int image, int layer);
    void activate(int image, int layer);

    QString m_storeRoot;
    QStringList m_arguments;
    QStringList m_errors;
    QList<QPair<QString, QString>> m_builds; // reference, label; newest last
    QStringList m_opened;                    // files and directories opened here
    bool m_followBuilds = true;
    bool m_updatingPickers = false;
    bool m_updatingTable = false;

    quint64 m_generation = 0;
    int m_pending = 0;
    QList<std::shared_ptr<const Loaded>> m_results;
    CancellationToken m_cancel;
    QThreadPool m_pool;

    QComboBox *m_leftBox = nullptr;
    QComboBox *m_rightBox = nullptr;
    QToolButton *m_lastBuildsButton = nullptr;
    QToolButton *m_openButton = nullptr;
    QToolButton *m_logBox = nullptr;
    QToolButton *m_exportButton = nullptr;
    QLabel *m_headline = nullptr;
    QLabel *m_status = nullptr;
    LayersChart *m_chart = nullptr;
    QStandardItemModel *m_model = nullptr;
    QTreeView *m_table = nullptr;
    ImageDiffView *m_diff = nullptr;
    QTabWidget *m_details = nullptr;
    bool m_userPickedTab = false; // until then two images show their file changes first
};

} // namespace stagecraft::ui
