// The chart of the Layers view: one stacked bar per image, one segment per layer (bottom
// layer at the bottom), on a linear or a logarithmic byte scale. It only draws what it is
// given; loading and the pickers live in LayersView.
#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QString>

class QBarSet;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;

namespace stagecraft::ui {

struct ChartLayer
{
    int index = 0; // position in the image, bottom first
    QString createdBy;
    qint64 size = 0;           // uncompressed, as `docker images` counts
    qint64 compressedSize = 0; // the blob as stored: what a pull downloads when compressed (0: not known)
};

struct ChartImage
{
    QString argument; // what the image was opened from
    QString label;
    QList<ChartLayer> layers;
    qint64 totalSize = 0;
    qint64 pullSize = -1; // what a pull downloads, compressed (pullSize()); -1: the image has no such figure
};

class LayersChart : public QChartView
{
    Q_OBJECT

public:
    explicit LayersChart(QWidget *parent = nullptr);
    ~LayersChart() override;

    void setImages(const QList<ChartImage> &images);
    const QList<ChartImage> &images() const { return m_images; }

    // On the log scale a bar's height is its image's total (logarithmic, so 2 MB and 600 MB
    // both stay visible), and its segments split that height by each layer's share of the
    // total; the axis title says so, because a segment's height then is not its own size.
    void setLogScale(bool log);
    bool logScale() const { return m_log; }

    // Highlights one segment; (-1, -1) clears the highlight. Emits nothing.
    void setSelectedLayer(int image, int layer);
    int selectedImage() const { return m_selectedImage; }
    int selectedLayer() const { return m_selectedLayer; }

    // The tooltip of a segment: the instruction (shortened) and the layer's size.
    QString segmentToolTip(int image, int layer) const;
    // The colour a segment is drawn in: different layers differ, of one image or of two; a
    // layer two images share (same place, instruction and size) has one colour in both.
    QColor segmentColor(int image, int layer) const;
    QColor stubColor(int image) const; // a hairline bar's visible minimum
    // Where a segment is drawn, in viewport coordinates (empty when it has no height).
    QRectF segmentRect(int image, int layer) const;
    // The axis title in use (tests, and the log scale's explanation).
    QString axisTitle() const;

    // Every bar carries its image's size above it, even when the bar is a hairline beside a
    // big one (the bar then gets a visible minimum height and the label points at it).
    QStringList calloutTexts() const;
    static constexpr qreal kMinimumBarPixels = 3;

    // The chart as a picture for slides: `size` pixels, the headline as the title, a legend
    // of the layers and axis titles in a presentation font.
    QImage renderForSlides(const QString &headline, const QSize &size = {1920, 1080}) const;

    // "/bin/sh -c #(nop)  COPY file:… in /app" → "COPY file:… in /app", BuildKit's
    // "RUN /bin/sh -c make # buildkit" → "RUN make", elided to `maxLength` characters.
    static QString shortInstruction(const QString &createdBy, int maxLength = 90);

Q_SIGNALS:
    // A segment was clicked.
    void segmentClicked(int image, int layer);

protected:
    void changeEvent(QEvent *event) override;

private:
    void placeCallouts();
    void rebuild();
    void applyTheme();
    void applySelection();
    double plotted(int image, int layer) const; // a segment's height in axis units
    void onHovered(int image, int layer, bool status);

    QList<ChartImage> m_images;
    QList<QBarSet *> m_sets;                     // one per layer of each image, owned by the series
    QList<std::pair<int, int>> m_setLayers;      // the image and layer of each set
    QList<QGraphicsSimpleTextItem *> m_callouts; // one per image, owned by the scene
    QList<QGraphicsRectItem *> m_stubs;          // a hairline bar's visible minimum
    bool m_log = false;
    int m_selectedImage = -1;
    int m_selectedLayer = -1;
    double m_logFloor = 3; // log10 of the axis' lowest value on the log scale (1 kB)
    bool m_applyingTheme = false;
};

} // namespace stagecraft::ui
