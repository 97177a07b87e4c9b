// The Layers view's chart on its own: what colour each image's layers get. A layer is told
// apart by its colour, so two different layers, of one image or of two, never share one,
// while one layer that two images share (the same base) keeps one colour in both bars.
// STAGECRAFT_CHART_SHOT=FILE keeps a picture of the comparison, to look at.
#include "ui/layerschart.h"

#include <QBarSet>
#include <QChart>
#include <QSet>
#include <QStackedBarSeries>
#include <QTest>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

ChartImage image(const QString &label, const QList<std::pair<QString, qint64>> &layers)
{
    ChartImage result;
    result.label = label;
    for (const auto &[createdBy, size] : layers) {
        result.layers.append({int(result.layers.size()), createdBy, size});
        result.totalSize += size;
    }
    return result;
}

} // namespace

class TestLayersChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void differentLayersGetDifferentColours()
    {
        LayersChart chart;
        chart.resize(800, 500);
        // The seeds' comparison: a Debian image with the Go toolchain, and the program alone.
        const ChartImage single = image(u"single-stage"_s, {{u"debian:bookworm base"_s, 117'000'000},
                                                            {u"RUN apt-get install golang-go"_s, 860'000'000},
                                                            {u"COPY . /src"_s, 4'000},
                                                            {u"RUN go build"_s, 5'000'000}});
        const ChartImage multi = image(u"multi-stage"_s, {{u"COPY --from=build /app /app"_s, 1'800'000}});
        chart.setImages({single, multi});
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        if (const QString shot = qEnvironmentVariable("STAGECRAFT_CHART_SHOT"); !shot.isEmpty())
            chart.grab().save(shot);

        QSet<QRgb> singleColours;
        for (int layer = 0; layer < single.layers.size(); ++layer)
            singleColours.insert(chart.segmentColor(0, layer).rgb());
        QCOMPARE(singleColours.size(), single.layers.size());
        // The multi-stage image's only layer is its program, not Debian's base layer.
        QVERIFY2(!singleColours.contains(chart.segmentColor(1, 0).rgb()),
                 qPrintable(chart.segmentColor(1, 0).name()));
        // What is drawn is what segmentColor says: the bar sets' colours per image.
        const auto *series = qobject_cast<QStackedBarSeries *>(chart.chart()->series().value(0));
        QVERIFY(series);
        QSet<QRgb> drawn;
        for (QBarSet *set : series->barSets())
            for (int i = 0; i < set->count(); ++i)
                if (set->at(i) > 0)
                    drawn.insert(set->color().rgb());
        QVERIFY(drawn.contains(chart.segmentColor(1, 0).rgb()));
        for (int layer = 0; layer < single.layers.size(); ++layer)
            QVERIFY(drawn.contains(chart.segmentColor(0, layer).rgb()));
        // The hairline bar's visible minimum is drawn in its own layer's colour.
        QCOMPARE(chart.stubColor(1).rgb(), chart.segmentColor(1, 0).rgb());
    }

    void aSharedLayerKeepsItsColour()
    {
        LayersChart chart;
        const ChartImage a =
            image(u"a"_s, {{u"alpine base"_s, 7'000'000}, {u"RUN apk add curl"_s, 3'000'000}});
        const ChartImage b = image(u"b"_s, {{u"alpine base"_s, 7'000'000}, {u"COPY app /app"_s, 1'000'000}});
        chart.setImages({a, b});
        QCOMPARE(chart.segmentColor(1, 0), chart.segmentColor(0, 0));
        QVERIFY(chart.segmentColor(1, 1) != chart.segmentColor(0, 1));
    }
};

QTEST_MAIN(TestLayersChart)
#include "tst_layerschart.moc"
