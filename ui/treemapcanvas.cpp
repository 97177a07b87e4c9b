#include "ui/treemapcanvas.h"

#include "ui/sizetext.h"
#include "ui/treemaplayout.h"
#include "ui/treemapmodel.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace stagecraft::ui {

TreemapCanvas::TreemapCanvas(TreemapModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
{
    setMinimumSize(200, 150);
    setMouseTracking(true);
    connect(m_model, &TreemapModel::modelReset, this, [this] {
        relayout();
        update();
    });
}

QColor TreemapCanvas::layerColor(int layer)
{
    if (layer < 0)
        return QColor(0x80, 0x80, 0x80);
    // The golden angle keeps neighbouring layers' hues far apart.
    const int hue = int(std::fmod(200.0 + layer * 137.508, 360.0));
    return QColor::fromHsv(hue, 140, 215);
}

void TreemapCanvas::setHighlightLayer(int layer)
{
    m_highlight = layer;
    update();
}

int TreemapCanvas::rowAt(const QPointF &point) const
{
    for (qsizetype i = 0; i < m_rects.size(); ++i)
        if (m_rects[i].contains(point))
            return int(i);
    return -1;
}

void TreemapCanvas::relayout()
{
    QList<qint64> weights;
    for (const TreemapItem &item : m_model->items())
        weights.append(item.bytes);
    m_rects = TreemapLayout::squarify(weights, QRectF(rect()).adjusted(1, 1, -1, -1));
    m_childRects.clear();
    const QList<TreemapItem> &items = m_model->items();
    for (qsizetype i = 0; i < items.size(); ++i) {
        QList<qint64> childWeights;
        const QRectF area = childArea(m_rects.value(i));
        if (!area.isEmpty())
            for (const TreemapItem &child : items[i].children)
                childWeights.append(child.bytes);
        m_childRects.append(TreemapLayout::squarify(childWeights, area));
    }
}

QRectF TreemapCanvas::childArea(const QRectF &r) const
{
    // Room for the item's name on top and a frame; small items show no children.
    const qreal header = QFontMetrics(font()).height() + 4;
    if (r.width() < 60 || r.height() < header + 30)
        return {};
    return r.adjusted(3, header, -3, -3);
}

void TreemapCanvas::paintItem(QPainter &painter, const TreemapItem &item, const QRectF &r, bool label) const
{
    QColor fill = TreemapCanvas::layerColor(item.layer);
    const bool dimmed = m_highlight >= 0 && item.layerBytes.value(m_highlight) == 0;
    if (dimmed)
        fill = QColor::fromHsv(fill.hsvHue(), 20, palette().base().color().value() < 128 ? 110 : 235);
    painter.fillRect(r, fill);
    // The share of a mixed item that the picked layer wrote: a band along its bottom.
    if (m_highlight >= 0 && !dimmed && item.bytes > 0 && item.layer != m_highlight) {
        const double share = double(item.layerBytes.value(m_highlight)) / double(item.bytes);
        painter.fillRect(QRectF(r.left(), r.bottom() - r.height() * share, r.width(), r.height() * share),
                         layerColor(m_highlight));
    }
    painter.setPen(QPen(palette().color(QPalette::Window), 1));
    painter.drawRect(r);
    const QFontMetrics metrics(font());
    if (label && r.width() > 40 && r.height() > metrics.height() + 4) {
        painter.setPen(dimmed ? QColor(0x70, 0x70, 0x70) : QColor(0x10, 0x10, 0x10));
        const QRectF inner = r.adjusted(4, 2, -4, -2);
        QString text = metrics.elidedText(item.name + (item.drillable ? QStringLiteral("/") : QString()),
                                          Qt::ElideMiddle, int(inner.width()));
        if (inner.height() > 2 * metrics.height())
            text += u'\n' + sizeText(item.bytes);
        painter.drawText(inner, Qt::AlignLeft | Qt::AlignTop, text);
    }
}

void TreemapCanvas::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    relayout();
}

void TreemapCanvas::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().base());
    const QList<TreemapItem> &items = m_model->items();
    if (items.isEmpty() || m_model->levelBytes() == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("Nothing here takes any bytes."));
        return;
    }
    for (qsizetype i = 0; i < items.size() && i < m_rects.size(); ++i) {
        const QRectF r = m_rects[i];
        if (r.width() < 1 || r.height() < 1)
            continue;
        const TreemapItem &item = items[i];
        const QList<QRectF> &children = m_childRects.value(i);
        if (children.isEmpty()) {
            paintItem(painter, item, r, true);
            continue;
        }
        // A directory: its name on a header strip, its children's map inside.
        paintItem(painter, item, r, false);
        const QFontMetrics metrics(font());
        painter.setPen(QColor(0x10, 0x10, 0x10));
        painter.drawText(r.adjusted(4, 1, -4, 0), Qt::AlignLeft | Qt::AlignTop,
                         metrics.elidedText(QStringLiteral("%1/  %2").arg(item.name, sizeText(item.bytes)),
                                            Qt::ElideMiddle, int(r.width() - 8)));
        for (qsizetype c = 0; c < item.children.size() && c < children.size(); ++c)
            if (children[c].width() >= 1 && children[c].height() >= 1)
                paintItem(painter, item.children[c], children[c], true);
        painter.setPen(QPen(palette().color(QPalette::Window), 2));
        painter.drawRect(r);
    }
}

void TreemapCanvas::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton)
        if (const int row = rowAt(event->position()); row >= 0)
            Q_EMIT itemClicked(row);
    QWidget::mouseReleaseEvent(event);
}

bool TreemapCanvas::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int row = rowAt(help->pos());
        if (row >= 0) {
            const TreemapItem &item = m_model->items()[row];
            QToolTip::showText(
                help->globalPos(),
                tr("%1\n%2, mostly layer %3").arg(item.name, sizeText(item.bytes)).arg(item.layer), this);
        } else {
            QToolTip::hideText();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace stagecraft::ui
