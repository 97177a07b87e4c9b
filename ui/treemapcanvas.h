// Draws a TreemapModel's current level as a squarified treemap, each rectangle coloured by
// the layer that holds most of its bytes; a picked layer dims what it did not write.
// Clicking a rectangle asks to drill into it; hovering names it.
#pragma once

#include <QList>
#include <QRectF>
#include <QWidget>

class QPainter;

namespace stagecraft::ui {

class TreemapModel;
struct TreemapItem;

class TreemapCanvas : public QWidget
{
    Q_OBJECT

public:
    explicit TreemapCanvas(TreemapModel *model, QWidget *parent = nullptr);

    // -1 shows every layer at full strength.
    void setHighlightLayer(int layer);
    int highlightLayer() const { return m_highlight; }
    // The rectangle of the model's row `row` (after the last layout), for tests.
    QRectF itemRect(int row) const { return m_rects.value(row); }
    int rowAt(const QPointF &point) const;

    // A colour per layer that neighbours tell apart.
    static QColor layerColor(int layer);

Q_SIGNALS:
    void itemClicked(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    void relayout();
    QRectF childArea(const QRectF &r) const; // where an item's children go inside it
    void paintItem(QPainter &painter, const TreemapItem &item, const QRectF &r, bool label) const;

    TreemapModel *m_model;
    QList<QRectF> m_rects;
    QList<QList<QRectF>> m_childRects; // per item, its children's rectangles (may be empty)
    int m_highlight = -1;
};

} // namespace stagecraft::ui
