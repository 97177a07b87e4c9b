// Build states drawn as shapes: each state's mark differs from every other's even in one
// colour (a washed-out projector), and idle draws nothing.
#include "ui/statemark.h"

#include <QImage>
#include <QPainter>
#include <QTest>

using namespace stagecraft::ui;

namespace {

QImage markOf(StageState state)
{
    QImage image(32, 32, QImage::Format_ARGB32);
    image.fill(Qt::transparent);
    QPainter painter(&image);
    StateMark::draw(&painter, QRectF(2, 2, 28, 28), state, Qt::black);
    return image;
}

int inkedPixels(const QImage &image)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            count += qAlpha(image.pixel(x, y)) > 128 ? 1 : 0;
    return count;
}

int differentPixels(const QImage &a, const QImage &b)
{
    int count = 0;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            count += (qAlpha(a.pixel(x, y)) > 128) != (qAlpha(b.pixel(x, y)) > 128) ? 1 : 0;
    return count;
}

} // namespace

class TestStateMark : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void idleDrawsNothing() { QCOMPARE(inkedPixels(markOf(StageState::Idle)), 0); }

    void everyStateHasItsOwnShape()
    {
        const QList<StageState> states{StageState::Queued, StageState::Running, StageState::Cached,
                                       StageState::Done, StageState::Failed};
        for (StageState state : states)
            QVERIFY2(inkedPixels(markOf(state)) > 40, qPrintable(QString::number(int(state))));
        for (qsizetype i = 0; i < states.size(); ++i)
            for (qsizetype j = i + 1; j < states.size(); ++j)
                QVERIFY2(differentPixels(markOf(states[i]), markOf(states[j])) > 60,
                         qPrintable(QStringLiteral("%1 vs %2").arg(int(states[i])).arg(int(states[j]))));
    }
};

QTEST_MAIN(TestStateMark)
#include "tst_statemark.moc"
