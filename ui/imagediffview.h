// The compare view's file changes: what differs between the final filesystems of two
// images (ImageComparison, made on a worker thread), as a sortable, filterable list of
// paths or directories with both sizes, the delta and the layer of each image, under a
// summary line ("final is 1.1 MB smaller than build: 3 paths removed, …"). The Layers
// view hands it the two analyses it loaded; a newer pair drops an older one's result.
#pragma once

#include "ui/imagediffmodel.h"

#include <QThreadPool>
#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace stagecraft::ui {

class ImageDiffView : public QWidget
{
    Q_OBJECT

public:
    explicit ImageDiffView(QWidget *parent = nullptr);
    ~ImageDiffView() override;

    // Compares `right` (B) with `left` (A) in the background; compared() follows.
    void compare(std::shared_ptr<const ImageAnalysis> left, std::shared_ptr<const ImageAnalysis> right,
                 const QString &leftLabel, const QString &rightLabel);
    // Shows no comparison, with `message` saying why.
    void clear(const QString &message);
    bool isComparing() const { return m_pending > 0; }
    bool waitUntilCompared(int timeoutMs);

    // "B (final.docker.tar) is 1.1 MB smaller than A (build.docker.tar): 3 paths removed, 1 added,
    // 2 changed." and, when the images' sizes differ by more than their files, where the rest is.
    QString summary() const;
    // The label that shows the summary's first sentence (the whole summary as its tooltip).
    // The Layers view places it above its chart: inside the pane under the chart a wrapped
    // line got one line's height and was cut off.
    QLabel *summaryLabel() const { return m_summary; }
    ImageDiffModel *model() const { return m_model; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QTreeView *table() const { return m_table; }
    QComboBox *showBox() const { return m_show; }
    QLineEdit *filterEdit() const { return m_filter; }

Q_SIGNALS:
    void compared();
    // A row was activated: the layer that wrote its path, in image 0 (A) or 1 (B); B's
    // layer where B holds the path.
    void layerActivated(int image, int layer);

private:
    void finishCompare(quint64 generation, const std::shared_ptr<const ImageDiff> &diff);
    void onActivated(const QModelIndex &index);
    void updateSummary();
    QStringList summaryParts() const;

    quint64 m_generation = 0;
    int m_pending = 0;
    QString m_message;
    QThreadPool m_pool;

    ImageDiffModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLabel *m_summary = nullptr;
    QComboBox *m_show = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeView *m_table = nullptr;
};

} // namespace stagecraft::ui
