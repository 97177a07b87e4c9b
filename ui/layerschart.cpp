#include "ui/layerschart.h"

#include "core/analysis/bytesize.h"
#include "ui/sizetext.h"
#include "ui/theme.h"

#include <QBarCategoryAxis>
#include <QBarLegendMarker>
#include <QBarSet>
#include <QCategoryAxis>
#include <QEvent>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QLegend>
#include <QLocale>
#include <QPainter>
#include <QRegularExpression>
#include <QSet>
#include <QStackedBarSeries>
#include <QToolTip>

#include <cmath>

namespace stagecraft::ui {

namespace {

constexpr double BarWidth = 0.55;

// Neighbouring layers get clearly different hues that read on light and dark backgrounds;
// the highlight colour is none of them.
const char *const SegmentColors[] = {"#4e79a7", "#f28e2b", "#59a14f", "#76b7b2", "#edc948",
                                     "#b07aa1", "#9c755f", "#bab0ac", "#e15759", "#86bcb6"};
const char *const HighlightColor = "#ff2d95";

// Axis labels without a needless ".0": "1 kB", "10 MB", "2.5 GB".
QString axisLabel(double bytes)
{
    QString text = sizeText(qint64(std::llround(bytes)));
    text.replace(QLocale().decimalPoint() + QStringLiteral("0 "), QStringLiteral(" "));
    return text;
}

// A step of 1, 2 or 5 times a power of ten that splits `maximum` into at most six parts.
double niceStep(double maximum)
{
    const double raw = maximum / 6;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double factor : {1.0, 2.0, 5.0})
        if (factor * magnitude >= raw)
            return factor * magnitude;
    return 10 * magnitude;
}

} // namespace

LayersChart::LayersChart(QWidget *parent)
    : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    // 200 pixels high still draw bars and callouts; the file changes below need the rest
    // of a 1024×768 window's pane.
    setMinimumSize(320, 200);
    chart()->legend()->hide();
    chart()->setMargins(QMargins(8, 8, 8, 8));
    connect(chart(), &QChart::plotAreaChanged, this, &LayersChart::placeCallouts);
    applyTheme();
    rebuild();
}

QStringList LayersChart::calloutTexts() const
{
    QStringList texts;
    for (const QGraphicsSimpleTextItem *item : m_callouts)
        texts << item->text();
    return texts;
}

void LayersChart::placeCallouts()
{
    QChart *c = chart();
    const QList<QAbstractSeries *> series = c->series();
    for (int image = 0; image < m_callouts.size() && !series.isEmpty(); ++image) {
        double total = 0;
        for (int l = 0; l < m_images[image].layers.size(); ++l)
            total += plotted(image, l);
        const QPointF top = c->mapToPosition(QPointF(image, total), series.first());
        const QPointF base = c->mapToPosition(QPointF(image, 0), series.first());
        const QPointF left = c->mapToPosition(QPointF(image - BarWidth / 2, 0), series.first());
        const QPointF right = c->mapToPosition(QPointF(image + BarWidth / 2, 0), series.first());
        QGraphicsRectItem *stub = m_stubs[image];
        // A bar thinner than a few pixels is drawn at that minimum, so it is there to see.
        const qreal height = base.y() - top.y();
        stub->setVisible(m_images[image].totalSize > 0 && height < kMinimumBarPixels);
        stub->setRect(
            QRectF(left.x(), base.y() - kMinimumBarPixels, right.x() - left.x(), kMinimumBarPixels));
        QGraphicsSimpleTextItem *label = m_callouts[image];
        const QRectF box = label->boundingRect();
        const qreal y = std::min(top.y(), base.y() - kMinimumBarPixels) - box.height() - 2;
        label->setPos(top.x() - box.width() / 2, std::max(c->plotArea().top() - box.height(), y));
    }
}

QImage LayersChart::renderForSlides(const QString &headline, const QSize &size) const
{
    QFont big = font();
    big.setPointSizeF(std::max(16.0, size.height() / 50.0));
    QFont title = big;
    title.setPointSizeF(big.pointSizeF() * 1.4);
    title.setBold(true);
    LayersChart slide;
    slide.setAttribute(Qt::WA_DontShowOnScreen);
    slide.setPalette(palette());
    slide.setFont(big); // axes, labels and the legend follow the widget's font
    slide.setLogScale(m_log);
    slide.setImages(m_images);
    slide.resize(size);
    QChart *c = slide.chart();
    c->setTitle(headline);
    c->setTitleFont(title);
    c->setTitleBrush(palette().color(QPalette::Text));
    c->setMargins(QMargins(24, 24, 24, 24));
    c->legend()->setVisible(true);
    c->legend()->setAlignment(Qt::AlignRight);
    c->legend()->setFont(big);
    c->legend()->setLabelColor(palette().color(QPalette::Text));
    // A layer both images share is one entry, not two.
    QSet<QRgb> listed;
    const auto markers = c->legend()->markers();
    for (QLegendMarker *marker : markers)
        if (auto *bar = qobject_cast<QBarLegendMarker *>(marker)) {
            const QRgb colour = bar->barset()->color().rgb();
            marker->setVisible(!listed.contains(colour));
            listed.insert(colour);
        }
    slide.show(); // off screen: lays the chart out at its size
    slide.placeCallouts();
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    QPainter painter(&image);
    slide.render(&painter);
    return image;
}

LayersChart::~LayersChart() = default;

void LayersChart::setImages(const QList<ChartImage> &images)
{
    m_images = images;
    m_selectedImage = -1;
    m_selectedLayer = -1;
    rebuild();
}

void LayersChart::setLogScale(bool log)
{
    if (log == m_log)
        return;
    m_log = log;
    rebuild();
}

QString LayersChart::shortInstruction(const QString &createdBy, int maxLength)
{
    QString text = createdBy.simplified();
    static const QRegularExpression nop(QStringLiteral("^/bin/sh -c #\\(nop\\)\\s*"));
    static const QRegularExpression shell(QStringLiteral("^(\\|\\d+ (\\S+=\\S*\\s+)*)?/bin/sh -c "));
    static const QRegularExpression buildkitRun(
        QStringLiteral("^RUN (\\|\\d+ (\\S+=\\S*\\s+)*)?/bin/sh -c "));
    static const QRegularExpression buildkitTail(QStringLiteral("\\s*# buildkit$"));
    text.remove(buildkitTail);
    if (text.contains(nop))
        text.remove(nop);
    else if (text.contains(buildkitRun))
        text.replace(buildkitRun, QStringLiteral("RUN "));
    else if (text.contains(shell))
        text.replace(shell, QStringLiteral("RUN "));
    if (text.isEmpty())
        text = tr("(no instruction recorded)");
    if (maxLength > 1 && text.size() > maxLength)
        text = text.left(maxLength - 1) + QChar(0x2026);
    return text;
}

QString LayersChart::segmentToolTip(int image, int layer) const
{
    if (image < 0 || image >= m_images.size() || layer < 0 || layer >= m_images[image].layers.size())
        return {};
    const ChartImage &shown = m_images[image];
    const ChartLayer &l = shown.layers[layer];
    const double share = shown.totalSize > 0 ? 100.0 * double(l.size) / double(shown.totalSize) : 0.0;
    return tr("%1\nLayer %2 of %3: %4 (%5 % of %6)")
        .arg(shortInstruction(l.createdBy))
        .arg(l.index + 1)
        .arg(shown.layers.size())
        .arg(sizeText(l.size))
        .arg(share, 0, 'f', share < 10 ? 1 : 0)
        .arg(shown.label);
}

double LayersChart::plotted(int image, int layer) const
{
    const ChartImage &shown = m_images[image];
    const qint64 size = shown.layers[layer].size;
    if (!m_log)
        return double(size);
    if (shown.totalSize <= 0)
        return 0;
    const double height = std::max(0.0, std::log10(double(shown.totalSize)) - m_logFloor);
    return height * double(size) / double(shown.totalSize);
}

QString LayersChart::axisTitle() const
{
    return m_log ? tr("Image size, log scale (segments split each bar by their share)")
                 : tr("Size (uncompressed)");
}

void LayersChart::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();
    const auto axes = c->axes();
    for (QAbstractAxis *axis : axes) {
        c->removeAxis(axis);
        delete axis;
    }
    m_sets.clear();
    m_setLayers.clear();

    qsizetype layerPositions = 0;
    qint64 largest = 0;
    qint64 smallest = -1;
    for (const ChartImage &image : std::as_const(m_images)) {
        layerPositions = std::max(layerPositions, image.layers.size());
        largest = std::max(largest, image.totalSize);
        if (image.totalSize > 0 && (smallest < 0 || image.totalSize < smallest))
            smallest = image.totalSize;
    }
    // The log scale starts at 1 kB, or a decade below the smallest image when it is tinier.
    m_logFloor = 3;
    if (smallest > 0)
        m_logFloor = std::clamp(std::floor(std::log10(double(smallest))), 0.0, 3.0);

    // A bar set per layer of each image (its value is zero in the other bars): a bar set
    // has one colour, and a set per layer position would paint the second image's first
    // layer (its program, say) in the colour of the first image's first layer (Debian's
    // base), as if they were the same bytes. A layer both images share (the same
    // instruction and size at the same place) keeps one colour in both.
    auto *series = new QStackedBarSeries;
    series->setBarWidth(BarWidth);
    QHash<QString, int> colourOf; // layer identity → colour index
    for (int image = 0; image < m_images.size(); ++image) {
        const ChartImage &shown = m_images[image];
        for (int layer = 0; layer < shown.layers.size(); ++layer) {
            const ChartLayer &l = shown.layers[layer];
            const QString identity = QString::number(layer) + QLatin1Char('\n') + QString::number(l.size) +
                                     QLatin1Char('\n') + l.createdBy;
            auto colour = colourOf.constFind(identity);
            if (colour == colourOf.cend())
                colour = colourOf.insert(identity, int(colourOf.size()));
            auto *set = new QBarSet(tr("%1, layer %2").arg(shown.label).arg(layer + 1));
            for (int other = 0; other < m_images.size(); ++other)
                *set << (other == image ? plotted(image, layer) : 0.0);
            set->setColor(QColor(QLatin1String(SegmentColors[*colour % std::size(SegmentColors)])));
            set->setSelectedColor(QColor(QLatin1String(HighlightColor)));
            set->setBorderColor(palette().color(QPalette::Base));
            connect(set, &QBarSet::hovered, this, [this, image, layer](bool status, int index) {
                if (index == image)
                    onHovered(image, layer, status);
            });
            connect(set, &QBarSet::clicked, this, [this, image, layer](int index) {
                if (index != image)
                    return;
                setSelectedLayer(image, layer);
                Q_EMIT segmentClicked(image, layer);
            });
            series->append(set);
            m_sets.append(set);
            m_setLayers.append({image, layer});
        }
    }
    c->addSeries(series);

    auto *categories = new QBarCategoryAxis;
    QStringList labels;
    for (const ChartImage &image : std::as_const(m_images))
        labels << tr("%1<br><b>%2</b>").arg(image.label.toHtmlEscaped(), sizeText(image.totalSize));
    categories->append(labels);
    c->addAxis(categories, Qt::AlignBottom);
    series->attachAxis(categories);

    auto *values = new QCategoryAxis;
    values->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    values->setTitleText(axisTitle());
    if (m_log) {
        const double top =
            std::max(m_logFloor + 1, std::ceil(std::log10(std::max<double>(double(largest), 1.0))));
        values->setStartValue(0);
        for (double decade = m_logFloor; decade <= top + 0.5; ++decade)
            values->append(axisLabel(std::pow(10.0, decade)), decade - m_logFloor);
        values->setRange(0, top - m_logFloor);
    } else {
        const double maximum = std::max<double>(double(largest), 1000.0);
        const double step = niceStep(maximum);
        const double top = std::ceil(maximum / step) * step;
        values->setStartValue(0);
        // QCategoryAxis needs distinct labels; the first one sits on zero.
        values->append(QStringLiteral("0"), 0);
        for (double value = step; value <= top + step / 2; value += step)
            values->append(axisLabel(value), value);
        values->setRange(0, top);
    }
    c->addAxis(values, Qt::AlignLeft);
    series->attachAxis(values);

    qDeleteAll(m_callouts);
    qDeleteAll(m_stubs);
    m_callouts.clear();
    m_stubs.clear();
    for (const ChartImage &image : std::as_const(m_images)) {
        auto *label = new QGraphicsSimpleTextItem(sizeText(image.totalSize), c);
        QFont bold = font();
        bold.setBold(true);
        label->setFont(bold);
        m_callouts.append(label);
        auto *stub = new QGraphicsRectItem(c);
        stub->setPen(Qt::NoPen);
        m_stubs.append(stub);
    }
    // A hairline bar's visible minimum in the colour of its largest layer.
    for (int image = 0; image < m_images.size(); ++image) {
        int biggest = -1;
        for (int layer = 0; layer < m_images[image].layers.size(); ++layer)
            if (biggest < 0 || m_images[image].layers[layer].size > m_images[image].layers[biggest].size)
                biggest = layer;
        m_stubs[image]->setBrush(biggest >= 0 ? segmentColor(image, biggest)
                                              : QColor(QLatin1String(SegmentColors[0])));
    }
    applyTheme();
    applySelection();
    placeCallouts();
}

void LayersChart::applyTheme()
{
    if (m_applyingTheme)
        return;
    m_applyingTheme = true;
    const QPalette p = palette();
    QChart *c = chart();
    c->setBackgroundBrush(p.color(QPalette::Base));
    c->setBackgroundRoundness(0);
    setBackgroundBrush(p.color(QPalette::Base));
    const QColor text = p.color(QPalette::Text);
    QColor grid = text;
    grid.setAlphaF(0.18);
    const auto axes = c->axes();
    for (QAbstractAxis *axis : axes) {
        // The widget's font, so the window's projector zoom reaches the chart too.
        axis->setLabelsFont(font());
        axis->setTitleFont(font());
        axis->setLabelsColor(text);
        axis->setTitleBrush(text);
        axis->setLinePenColor(grid);
        axis->setGridLineColor(grid);
    }
    for (QBarSet *set : std::as_const(m_sets))
        set->setBorderColor(p.color(QPalette::Base));
    for (QGraphicsSimpleTextItem *label : std::as_const(m_callouts))
        label->setBrush(text);
    m_applyingTheme = false;
}

void LayersChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    if (event->type() == QEvent::FontChange)
        rebuild(); // axes and size labels in the new font
}

void LayersChart::setSelectedLayer(int image, int layer)
{
    if (image < 0 || image >= m_images.size() || layer < 0 || layer >= m_images[image].layers.size()) {
        image = -1;
        layer = -1;
    }
    m_selectedImage = image;
    m_selectedLayer = layer;
    applySelection();
}

void LayersChart::applySelection()
{
    for (qsizetype i = 0; i < m_sets.size(); ++i) {
        QBarSet *set = m_sets[i];
        set->deselectAllBars();
        if (m_setLayers[i] == std::pair{m_selectedImage, m_selectedLayer})
            set->selectBar(m_selectedImage);
    }
}

QRectF LayersChart::segmentRect(int image, int layer) const
{
    if (image < 0 || image >= m_images.size() || layer < 0 || layer >= m_images[image].layers.size())
        return {};
    QChart *c = chart();
    const QList<QAbstractSeries *> series = c->series();
    if (series.isEmpty())
        return {};
    double bottom = 0;
    for (int below = 0; below < layer; ++below)
        bottom += plotted(image, below);
    const double top = bottom + plotted(image, layer);
    const QPointF a = c->mapToPosition(QPointF(image - BarWidth / 2, top), series.first());
    const QPointF b = c->mapToPosition(QPointF(image + BarWidth / 2, bottom), series.first());
    const QPointF topLeft = mapFromScene(c->mapToScene(a));
    const QPointF bottomRight = mapFromScene(c->mapToScene(b));
    return QRectF(topLeft, bottomRight).normalized();
}

void LayersChart::onHovered(int image, int layer, bool status)
{
    if (!status) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(QCursor::pos(), segmentToolTip(image, layer), this);
}

QColor LayersChart::segmentColor(int image, int layer) const
{
    const qsizetype i = m_setLayers.indexOf(std::pair{image, layer});
    return i >= 0 ? m_sets[i]->color() : QColor();
}

QColor LayersChart::stubColor(int image) const
{
    if (image < 0 || image >= m_stubs.size())
        return {};
    return m_stubs[image]->brush().color();
}

} // namespace stagecraft::ui
