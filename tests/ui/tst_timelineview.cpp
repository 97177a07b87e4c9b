// The Timeline: build events give rows per stage and bars per step (parallel stages overlap
// on different rows, cached and failed steps flagged, running steps end at "now"), the axis
// ticks are round and increasing, a click on a bar gives its Dockerfile lines, a live build
// redraws coalesced and grows with the clock, and a real build of the busybox seed is drawn
// (TIMELINE_SHOTS=/some/dir saves the pictures to look at).
#include "../core/busyboxlayout.h"
#include "core/builder/builder.h"
#include "core/exec/sandbox.h"
#include "core/progress/buildprogress.h"
#include "core/store/imagestore.h"
#include "ui/dockerfileeditor.h"
#include "ui/mainwindow.h"
#include "ui/theme.h"
#include "ui/timelinelayout.h"
#include "ui/timelineview.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QLocale>
#include <QMenu>
#include <QScopeGuard>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolTip>
#include <QTranslator>

#include <unistd.h>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

using Events = QList<BuildEvent>;

// Events are written as the builder stamps them: the kind, the stage, the step and its
// Dockerfile line, the time in ms since the build started.
BuildEvent ev(BuildEventKind kind, int stage, qint64 t, int step = 0, int line = 0, const QString &text = {})
{
    BuildEvent e;
    e.kind = kind;
    e.stage = stage;
    e.stageName = QList<QString>{u"build"_s, u"test"_s, u"2"_s}.value(stage);
    e.stepCount = 3;
    e.step = step;
    e.timeMs = t;
    e.text = text;
    if (line > 0) {
        e.instruction = line - 1;
        e.range.start = {line, 1};
        e.range.end = {line + 1, 1}; // the instruction's line, up to the next one's start
    }
    return e;
}

// A step from `from` to `to` on `line`: started, then done (with a layer) or cached.
Events stepSpan(int stage, int step, int line, qint64 from, qint64 to, bool cached = false)
{
    BuildEvent started = ev(BuildEventKind::StepStarted, stage, from, step, line, u"RUN step %1"_s.arg(line));
    BuildEvent ended =
        ev(cached ? BuildEventKind::StepCached : BuildEventKind::StepDone, stage, to, step, line);
    ended.layerDigest = u"sha256:%1"_s.arg(QString(64, QLatin1Char('a' + line % 6)));
    ended.layerSize = 1000 * line;
    return {started, ended};
}

// Stages "build" and "test" run side by side, stage 2 starts after both and its RUN fails.
Events parallelThenFailure()
{
    Events e{ev(BuildEventKind::StageQueued, 0, 0), ev(BuildEventKind::StageQueued, 1, 0),
             ev(BuildEventKind::StageQueued, 2, 0), ev(BuildEventKind::StageStarted, 0, 0),
             ev(BuildEventKind::StageStarted, 1, 0)};
    e += stepSpan(0, 0, 1, 0, 5);
    e += stepSpan(1, 0, 5, 0, 3);
    e += stepSpan(1, 1, 6, 3, 800, true);
    e += stepSpan(0, 1, 2, 5, 1200);
    e += stepSpan(1, 2, 7, 800, 1500);
    e += stepSpan(0, 2, 3, 1200, 1210, true);
    e += ev(BuildEventKind::StageDone, 0, 1210);
    e += ev(BuildEventKind::StageDone, 1, 1500);
    e += ev(BuildEventKind::StageStarted, 2, 1500);
    e += stepSpan(2, 0, 9, 1500, 1505);
    e += stepSpan(2, 1, 10, 1505, 1600);
    e += ev(BuildEventKind::StepStarted, 2, 1600, 2, 11, u"RUN make test <all>"_s);
    e += ev(BuildEventKind::StageFailed, 2, 2400, 2, 11, u"RUN exited with 2"_s);
    e += ev(BuildEventKind::BuildFailed, -1, 2400, 0, 0, u"RUN exited with 2"_s);
    return e;
}

// Two stages still running: a RUN in "build" and the FROM of "test".
Events stillRunning()
{
    Events e{ev(BuildEventKind::StageQueued, 0, 0), ev(BuildEventKind::StageQueued, 1, 0),
             ev(BuildEventKind::StageStarted, 0, 0), ev(BuildEventKind::StageStarted, 1, 20)};
    e += stepSpan(0, 0, 1, 0, 10);
    e += ev(BuildEventKind::StepStarted, 0, 10, 1, 2, u"RUN sleep 60"_s);
    e += ev(BuildEventKind::StepStarted, 1, 20, 0, 5, u"FROM busybox"_s);
    return e;
}

QString barsOnRows(const TimelineLayout &layout)
{
    QStringList rows;
    for (const TimelineBar &bar : layout.bars())
        rows.append(u"%1.%2@%3"_s.arg(bar.stage).arg(bar.step).arg(bar.row));
    return rows.join(u' ');
}

} // namespace

class TestTimelineView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void layout_data();
    void layout();
    void parallelStagesOverlap();
    void flags();
    void ticks_data();
    void ticks();
    void ticksStayReadable();
    void durations();
    void clickSelectsLine();
    void toolTips_data();
    void toolTips();
    void liveBuildCoalescesAndGrows();
    void inTheWindow();
    void realBuild();
};

void TestTimelineView::initTestCase()
{
    QLocale::setDefault(QLocale::c()); // decimal points in the expected labels
    QApplication::setPalette(Theme::lightPalette());
}

void TestTimelineView::layout_data()
{
    QTest::addColumn<Events>("events");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<QString>("expected");

    QTest::addRow("nothing") << Events{} << qint64(-1) << QString();
    QTest::addRow("parallel-then-failure")
        << parallelThenFailure() << qint64(-1)
        << u"build 0-1210: 0[0-5 done] 1[5-1200 done] 2[1200-1210 cached]\n"
           u"test 0-1500: 0[0-3 done] 1[3-800 cached] 2[800-1500 done]\n"
           u"2 1500-2400: 0[1500-1505 done] 1[1505-1600 done] 2[1600-2400 failed]"_s;
    // Running steps and stages reach "now"; a queued stage has a row and no bars yet.
    QTest::addRow("running-at-now") << stillRunning() << qint64(3000)
                                    << u"build 0-3000: 0[0-10 done] 1[10-3000 running]\n"
                                       u"test 20-3000: 0[20-3000 running]"_s;
    // Without a clock (a record), running things end at the latest time the model holds.
    QTest::addRow("running-without-clock") << stillRunning() << qint64(-1)
                                           << u"build 0-20: 0[0-10 done] 1[10-20 running]\n"
                                              u"test 20-20: 0[20-20 running]"_s;
    Events queuedOnly{ev(BuildEventKind::StageQueued, 0, 0), ev(BuildEventKind::StageQueued, 1, 0)};
    QTest::addRow("queued-only") << queuedOnly << qint64(50) << u"build:\ntest:"_s;
    // Cancelled: the running step stops where its stage stopped.
    Events cancelled = stillRunning();
    cancelled += ev(BuildEventKind::StageFailed, 0, 700, 1, 2, u"cancelled"_s);
    cancelled.last().errorKind = ErrorKind::Cancelled;
    cancelled += ev(BuildEventKind::BuildFailed, -1, 710, 0, 0, u"cancelled"_s);
    cancelled.last().errorKind = ErrorKind::Cancelled;
    QTest::addRow("cancelled") << cancelled << qint64(5000)
                               << u"build 0-700: 0[0-10 done] 1[10-700 cancelled]\n"
                                  u"test 20-710: 0[20-710 cancelled]"_s;
}

void TestTimelineView::layout()
{
    QFETCH(Events, events);
    QFETCH(qint64, now);
    QFETCH(QString, expected);
    BuildProgress progress;
    progress.replay(events);
    const TimelineLayout layout = TimelineLayout::compute(progress, now);
    QCOMPARE(layout.describe(), expected);
    QCOMPARE(layout.isEmpty(), events.isEmpty());
    for (const TimelineBar &bar : layout.bars()) {
        QVERIFY(bar.endMs >= bar.startMs);
        QVERIFY(bar.endMs <= layout.endMs());
    }
}

void TestTimelineView::parallelStagesOverlap()
{
    BuildProgress progress;
    progress.replay(parallelThenFailure());
    const TimelineLayout layout = TimelineLayout::compute(progress);
    QCOMPARE(layout.rows().size(), 3);
    QCOMPARE(barsOnRows(layout), u"0.0@0 0.1@0 0.2@0 1.0@1 1.1@1 1.2@1 2.0@2 2.1@2 2.2@2"_s);
    const TimelineRow &build = layout.rows()[0];
    const TimelineRow &test = layout.rows()[1];
    const TimelineRow &last = layout.rows()[2];
    // The two stages' spans overlap in time, on different rows; the third follows both.
    QVERIFY(build.startMs < test.endMs && test.startMs < build.endMs);
    QVERIFY(last.startMs >= std::max(build.endMs, test.endMs));
    // So do two of their steps: build's RUN (5-1200) and test's cached RUN (3-800).
    const TimelineBar &run = layout.bars()[layout.barOf(0, 1)];
    const TimelineBar &cachedRun = layout.bars()[layout.barOf(1, 1)];
    QVERIFY(run.startMs < cachedRun.endMs && cachedRun.startMs < run.endMs);
    QCOMPARE(layout.endMs(), 2400);
    // Within a stage, steps follow one another.
    for (int i = 1; i < layout.bars().size(); ++i)
        if (layout.bars()[i].row == layout.bars()[i - 1].row)
            QVERIFY(layout.bars()[i].startMs >= layout.bars()[i - 1].endMs);
}

void TestTimelineView::flags()
{
    BuildProgress progress;
    progress.replay(parallelThenFailure());
    const TimelineLayout layout = TimelineLayout::compute(progress);
    QStringList cached;
    QStringList failed;
    for (const TimelineBar &bar : layout.bars()) {
        if (bar.cached)
            cached.append(u"%1.%2"_s.arg(bar.stage).arg(bar.step));
        if (bar.state == ProgressState::Failed)
            failed.append(u"%1.%2"_s.arg(bar.stage).arg(bar.step));
        QVERIFY(!bar.running);
    }
    QCOMPARE(cached, (QStringList{u"0.2"_s, u"1.1"_s}));
    QCOMPARE(failed, QStringList{u"2.2"_s});
    const TimelineBar &failing = layout.bars()[layout.barOf(2, 2)];
    QCOMPARE(failing.firstLine(), 11);
    QCOMPARE(failing.lastLine(), 11);
    QCOMPARE(failing.error, u"RUN exited with 2"_s);
    QCOMPARE(failing.text, u"RUN make test <all>"_s);
    QCOMPARE(layout.bars()[layout.barOf(0, 1)].layerSize, 2000);
    QCOMPARE(layout.rows()[2].state, ProgressState::Failed);
    QCOMPARE(layout.rows()[1].state, ProgressState::Done);
}

void TestTimelineView::ticks_data()
{
    QTest::addColumn<qint64>("end");
    QTest::addColumn<int>("maxIntervals");
    QTest::addColumn<QString>("labels");

    QTest::addRow("1ms") << qint64(0) << 8 << u"0|1 ms"_s;
    QTest::addRow("850ms") << qint64(850) << 8 << u"0|200 ms|400 ms|600 ms|800 ms|1000 ms"_s;
    QTest::addRow("1.5s") << qint64(1500) << 8 << u"0|0.2 s|0.4 s|0.6 s|0.8 s|1.0 s|1.2 s|1.4 s|1.6 s"_s;
    QTest::addRow("4.3s") << qint64(4300) << 8 << u"0|1 s|2 s|3 s|4 s|5 s"_s;
    QTest::addRow("38s") << qint64(38000) << 4 << u"0|10 s|20 s|30 s|40 s"_s;
    QTest::addRow("95s") << qint64(95000) << 8
                         << u"0|15 s|30 s|45 s|1 min|1 min 15 s|1 min 30 s|1 min 45 s"_s;
    QTest::addRow("12min") << qint64(12 * 60000 + 5000) << 6 << u"0|5 min|10 min|15 min"_s;
    QTest::addRow("3h20") << qint64(200 * 60000) << 8
                          << u"0|30 min|1 h|1 h 30 min|2 h|2 h 30 min|3 h|3 h 30 min"_s;
    QTest::addRow("one-interval") << qint64(4300) << 1 << u"0|5 s"_s;
}

void TestTimelineView::ticks()
{
    QFETCH(qint64, end);
    QFETCH(int, maxIntervals);
    QFETCH(QString, labels);
    QStringList got;
    for (const TimelineTick &tick : TimelineLayout::ticks(end, maxIntervals))
        got.append(tick.label);
    QCOMPARE(got.join(u'|'), labels);
}

void TestTimelineView::ticksStayReadable()
{
    // From a millisecond to the ten years a record may claim, at every density a view asks.
    for (qint64 end = 1; end < qint64(400) * 24 * 3600 * 1000 * 10; end = end * 3 + 7) {
        for (int maxIntervals : {1, 2, 5, 8, 12, 30}) {
            const QList<TimelineTick> ticks = TimelineLayout::ticks(end, maxIntervals);
            const QString where = u"end %1 ms, at most %2 intervals"_s.arg(end).arg(maxIntervals);
            QVERIFY2(ticks.size() >= 2, qPrintable(where));
            QVERIFY2(ticks.size() - 1 <= maxIntervals, qPrintable(where));
            QCOMPARE(ticks.first().ms, 0);
            QVERIFY2(ticks.last().ms >= end, qPrintable(where));
            // The axis ends within one interval of the data: no half-empty picture.
            const qint64 interval = ticks[1].ms - ticks[0].ms;
            QVERIFY2(ticks.last().ms - interval < std::max<qint64>(end, 1), qPrintable(where));
            QStringList labels;
            for (int i = 0; i < ticks.size(); ++i) {
                if (i > 0)
                    QCOMPARE(ticks[i].ms - ticks[i - 1].ms, interval);
                QVERIFY2(!ticks[i].label.isEmpty() && ticks[i].label.size() <= 12,
                         qPrintable(where + u": "_s + ticks[i].label));
                labels.append(ticks[i].label);
            }
            labels.removeDuplicates();
            QVERIFY2(labels.size() == ticks.size(), qPrintable(where + u": "_s + labels.join(u'|')));
        }
    }
}

void TestTimelineView::durations()
{
    QCOMPARE(TimelineLayout::durationText(0), u"0 ms"_s);
    QCOMPARE(TimelineLayout::durationText(340), u"340 ms"_s);
    QCOMPARE(TimelineLayout::durationText(12345), u"12.3 s"_s);
    QCOMPARE(TimelineLayout::durationText(125000), u"2 min 5 s"_s);
    QCOMPARE(TimelineLayout::durationText(3720000), u"1 h 2 min"_s);
}

void TestTimelineView::clickSelectsLine()
{
    BuildProgress progress;
    progress.replay(parallelThenFailure());
    TimelineView view;
    view.resize(1024, 400);
    view.setProgress(&progress);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy activated(&view, &TimelineView::stepActivated);

    // Every bar answers for its own step, even the ones a few ms long.
    for (int i = 0; i < view.layout().bars().size(); ++i) {
        const TimelineBar &bar = view.layout().bars()[i];
        const QPoint centre = view.barRect(i).center().toPoint();
        QCOMPARE(view.barAt(centre), i);
        QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, centre);
        QCOMPARE(activated.size(), i + 1);
        const QList<QVariant> args = activated.last();
        QCOMPARE(args.at(0).toInt(), bar.stage);
        QCOMPARE(args.at(1).toInt(), bar.step);
        QCOMPARE(args.at(2).toInt(), bar.firstLine());
        QCOMPARE(args.at(3).toInt(), bar.lastLine());
        QCOMPARE(view.selectedBar(), i);
    }
    // The failed RUN: line 11, drawn in the error colour.
    const int failing = view.layout().barOf(2, 2);
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, view.barRect(failing).center().toPoint());
    QCOMPARE(activated.last().at(2).toInt(), 11);
    // Bars of parallel stages overlap horizontally and sit on different rows.
    const QRectF run = view.barRect(view.layout().barOf(0, 1));
    const QRectF cachedRun = view.barRect(view.layout().barOf(1, 1));
    QVERIFY(run.left() < cachedRun.right() && cachedRun.left() < run.right());
    QVERIFY(cachedRun.top() >= run.bottom());

    const QImage image = view.grab().toImage();
    const QRectF failedRect = view.barRect(failing);
    const QColor sample = image.pixelColor(QPoint(int(failedRect.right() - 8), int(failedRect.center().y())));
    QVERIFY2(sample.red() > sample.green() + 60 && sample.red() > sample.blue() + 60,
             qPrintable(u"%1 is not a red"_s.arg(sample.name())));

    // Empty space and the axis select nothing.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(view.viewport()->width() - 5, 5));
    QCOMPARE(activated.size(), view.layout().bars().size() + 1);
    if (const QString dir = qEnvironmentVariable("TIMELINE_SHOTS"); !dir.isEmpty())
        view.grab().save(dir + u"/timeline-synthetic.png"_s);
}

void TestTimelineView::toolTips_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<int>("stage");
    QTest::addColumn<int>("step");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("en-built") << u"en"_s << 0 << 1
                              << QStringList{u"<b>RUN step 2</b>"_s, u"Stage build, line 2"_s,
                                             u"Built in 1.2 s"_s, u"Layer: 1.95 KiB"_s};
    QTest::addRow("en-cached") << u"en"_s << 1 << 1
                               << QStringList{u"<b>RUN step 6</b>"_s, u"Stage test, line 6"_s,
                                              u"Cached (797 ms)"_s};
    // The instruction is the Dockerfile's text, shown as text, never as markup.
    QTest::addRow("en-failed") << u"en"_s << 2 << 2
                               << QStringList{u"<b>RUN make test &lt;all&gt;</b>"_s, u"Stage 2, line 11"_s,
                                              u"Failed after 800 ms"_s, u"RUN exited with 2"_s};
    QTest::addRow("de-built") << u"de"_s << 0 << 1
                              << QStringList{u"Stufe build, Zeile 2"_s, u"In 1,2 s gebaut"_s, u"Schicht: "_s};
    QTest::addRow("de-cached") << u"de"_s << 1 << 1 << QStringList{u"Aus dem Cache (797 ms)"_s};
    QTest::addRow("de-failed") << u"de"_s << 2 << 2
                               << QStringList{u"Stufe 2, Zeile 11"_s, u"Nach 800 ms fehlgeschlagen"_s};
}

void TestTimelineView::toolTips()
{
    QFETCH(QString, language);
    QFETCH(int, stage);
    QFETCH(int, step);
    QFETCH(QStringList, expected);
    QTranslator translator;
    if (language == u"de") {
        QVERIFY(translator.load(u":/i18n/stagecraft_de.qm"_s));
        QCoreApplication::installTranslator(&translator);
        QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    }
    const auto restore = qScopeGuard([&] {
        QCoreApplication::removeTranslator(&translator);
        QLocale::setDefault(QLocale::c());
    });
    BuildProgress progress;
    progress.replay(parallelThenFailure());
    TimelineView view;
    view.resize(1024, 400);
    view.setProgress(&progress);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QPoint pos = view.barRect(view.layout().barOf(stage, step)).center().toPoint();
    QHelpEvent help(QEvent::ToolTip, pos, view.viewport()->mapToGlobal(pos));
    QApplication::sendEvent(view.viewport(), &help);
    QTRY_VERIFY(QToolTip::isVisible());
    const QStringList lines = QToolTip::text().split(u"<br>"_s);
    for (const QString &line : expected)
        QVERIFY2(lines.contains(line) || (line.endsWith(u' ') && QToolTip::text().contains(line)),
                 qPrintable(u"\"%1\" not in \"%2\""_s.arg(line, QToolTip::text())));
    QToolTip::hideText();
}

void TestTimelineView::liveBuildCoalescesAndGrows()
{
    BuildProgress progress;
    TimelineView view;
    view.resize(800, 300);
    view.setProgress(&progress);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.layout().isEmpty());

    // A burst of events is laid out once, after the refresh interval, not per event.
    for (const BuildEvent &e : stillRunning())
        progress.apply(e);
    QVERIFY(view.layout().isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(view.layout().rows().size(), 2, 2000);
    const int run = view.layout().barOf(0, 1);
    QVERIFY(run >= 0);
    QVERIFY(view.layout().bars()[run].running);
    const qint64 first = view.layout().bars()[run].endMs;
    // With no further event the running bar keeps growing towards now.
    QTRY_VERIFY_WITH_TIMEOUT(
        view.layout().bars()[view.layout().barOf(0, 1)].endMs >= first + 2 * TimelineView::kRefreshMs, 3000);

    // A new build clears the picture.
    progress.clear();
    QTRY_VERIFY_WITH_TIMEOUT(view.layout().isEmpty(), 2000);
}

void TestTimelineView::inTheWindow()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(u"stagecraft-tests"_s);
    QCoreApplication::setApplicationName(u"tst_timelineview"_s);
    QSettings().clear();
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // A dock tabbed with the Build Log, toggled from the View menu, showing the window's build.
    auto *dock = window.findChild<QDockWidget *>(u"timelineDock"_s);
    auto *logDock = window.findChild<QDockWidget *>(u"buildLogDock"_s);
    QVERIFY(dock && logDock);
    QCOMPARE(dock->widget(), window.timelineView());
    QVERIFY(window.tabifiedDockWidgets(logDock).contains(dock));
    QAction *toggle = window.action(u"actionTimeline"_s);
    QVERIFY(toggle);
    QVERIFY(window.findChild<QMenu *>(u"menuView"_s)->actions().contains(toggle));
    QVERIFY(toggle->isChecked() && !dock->isHidden());
    toggle->trigger();
    QVERIFY(dock->isHidden());
    toggle->trigger();
    QVERIFY(!dock->isHidden());
    QVERIFY(window.timelineView()->progress());

    // A bar's click selects its instruction's lines in the editor.
    window.editor()->setPlainText(u"FROM busybox AS build\nRUN echo a \\\n  && echo b\nFROM busybox\n"_s);
    Q_EMIT window.timelineView()->stepActivated(0, 1, 2, 3);
    const QTextCursor cursor = window.editor()->textCursor();
    QCOMPARE(window.editor()->document()->findBlock(cursor.selectionStart()).blockNumber(), 1);
    QCOMPARE(window.editor()->document()->findBlock(cursor.selectionEnd()).blockNumber(), 2);
}

void TestTimelineView::realBuild()
{
    QString reason;
    if (!Sandbox::isAvailable(&reason))
        QSKIP(qPrintable(reason));
    const QString source = QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto store = ImageStore::open(dir.filePath(u"store"_s));
    QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
    // The seed's base: Debian's busybox as an image (the saved busybox has no /etc/motd to remove).
    const QString base = dir.filePath(u"base"_s);
    if (test::busyboxBinary().isEmpty())
        QSKIP("busybox is not installed (Debian: apt-get install busybox-static)");
    const QString made = test::makeBusyboxLayout(base, u"fixture"_s);
    QVERIFY2(made.isEmpty(), qPrintable(made));
    auto imported = store->import(base, u"busybox:fixture"_s);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));

    TimelineView view;
    view.resize(1024, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QString shots = qEnvironmentVariable("TIMELINE_SHOTS");
    for (int round = 0; round < 2; ++round) {
        Events events;
        Builder builder(*store);
        BuildRequest request;
        request.contextDir = source + u"/tests/data/seeds/busybox"_s;
        request.tags = {u"timeline:test"_s};
        auto built = builder.build(request, [&](const BuildEvent &e) { events.append(e); });
        QVERIFY2(built, qPrintable(built ? QString() : built.error().message));

        BuildProgress progress;
        progress.replay(events);
        view.setProgress(&progress);
        const TimelineLayout &layout = view.layout();
        QCOMPARE(layout.rows().size(), 2);
        // Every step of the seed has a bar on its stage's row: FROM and 6 steps, FROM and 16.
        QCOMPARE(progress.totalSteps(), 7 + 17);
        QCOMPARE(layout.bars().size(), progress.totalSteps());
        for (int i = 0; i < layout.bars().size(); ++i) {
            const TimelineBar &bar = layout.bars()[i];
            QCOMPARE(bar.row, bar.stage);
            QVERIFY(bar.firstLine() > 0);
            // The FROM is never a cached step; every other one is, the second time.
            QCOMPARE(bar.cached, round == 1 && bar.step > 0);
            QVERIFY(view.barRect(i).width() >= 1 && view.barRect(i).right() <= view.viewport()->width());
        }
        const QImage image = view.grab().toImage();
        QCOMPARE(image.size(), QSize(1024, 768));
        if (!shots.isEmpty()) {
            view.grab().save(shots +
                             u"/timeline-busybox-%1.png"_s.arg(round == 0 ? u"built"_s : u"cached"_s));
            if (round == 0) {
                QApplication::setPalette(Theme::darkPalette());
                QApplication::processEvents();
                view.grab().save(shots + u"/timeline-busybox-dark.png"_s);
                view.setFontScale(1.6);
                view.grab().save(shots + u"/timeline-busybox-zoomed.png"_s);
                view.setFontScale(1.0);
                QApplication::setPalette(Theme::lightPalette());
                QApplication::processEvents();
            }
        }
        view.setProgress(nullptr);
    }

    // The window's own build, on a fresh store: its events reach the Timeline dock.
    auto freshStore = ImageStore::open(dir.filePath(u"window-store"_s));
    QVERIFY2(freshStore, qPrintable(freshStore ? QString() : freshStore.error().message));
    imported = freshStore->import(base, u"busybox:fixture"_s);
    QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    MainWindow window;
    window.setStoreRoot(dir.filePath(u"window-store"_s));
    window.resize(1024, 768);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(window.openFile(source + u"/tests/data/seeds/busybox/Dockerfile"_s, &error), qPrintable(error));
    window.flushAnalysis();
    QSignalSpy finished(&window, &MainWindow::buildFinished);
    QVERIFY2(window.startBuild(&error), qPrintable(error));
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    window.findChild<QDockWidget *>(u"timelineDock"_s)->raise();
    TimelineView *timeline = window.timelineView();
    QTRY_COMPARE(timeline->layout().bars().size(), 7 + 17);
    // The view coalesces a live build's updates, so the last step's end may still be on its
    // way when the bars are all there: wait for it, and name a bar that never gets there.
    const auto notDone = [timeline] {
        for (const TimelineBar &bar : timeline->layout().bars())
            if (bar.cached || bar.state != ProgressState::Done)
                return u"stage %1 step %2: %3%4"_s.arg(bar.stage).arg(bar.step).arg(
                    progressStateName(bar.state), bar.cached ? u" (cached)"_s : QString());
        return QString();
    };
    QTRY_COMPARE(notDone(), QString());
    if (!shots.isEmpty())
        window.grab().save(shots + u"/timeline-window.png"_s);
}

QTEST_MAIN(TestTimelineView)
#include "tst_timelineview.moc"
