// Stepping through a build in the window, in English and German: a step picked on its
// editor line, from a Layers segment, a timeline bar or a graph node shows its layer in the
// Files view and what it changed in the Step dock (counts, bytes, size change in the
// reader's number format); Next/Previous Step (Alt+Down/Alt+Up) move through the steps; ENV
// says it makes no layer. Offline: Docker's own `build` image of tests/data/images, matched
// to its Dockerfile by its history, and an embedded build on the busybox fixture.
#include "germanlocale.h"

#include "core/analysis/imagesource.h"
#include "core/analysis/layerstep.h"
#include "core/exec/sandbox.h"
#include "core/store/imagestore.h"
#include "ui/buildcontroller.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/filetreemodel.h"
#include "ui/layersview.h"
#include "ui/mainwindow.h"
#include "ui/sizetext.h"
#include "ui/stagegraphview.h"
#include "ui/stepsummary.h"
#include "ui/stepthrough.h"
#include "ui/timelineview.h"

#include <QAction>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>

#include <functional>

using namespace stagecraft;
using namespace stagecraft::ui;
using stagecraft::test::GermanLocale;

namespace {

QString imagesDir()
{
    return qEnvironmentVariable("STAGECRAFT_SOURCE_DIR") + QStringLiteral("/tests/data/images");
}

void putCursorOnLine(MainWindow &window, int line)
{
    window.editor()->setTextCursor(QTextCursor(window.editor()->document()->findBlockByNumber(line - 1)));
}

int cursorLine(const MainWindow &window)
{
    return window.editor()->textCursor().blockNumber() + 1;
}

// The status of `path` in the Files view's tree (Unchanged when it is not listed).
FileTreeModel::Status statusOf(const FilesView &files, const QString &path)
{
    const QAbstractItemModel &model = *files.fileModel();
    std::function<QModelIndex(const QModelIndex &)> find = [&](const QModelIndex &parent) -> QModelIndex {
        for (int row = 0; row < model.rowCount(parent); ++row) {
            const QModelIndex index = model.index(row, 0, parent);
            if (index.data(FileTreeModel::PathRole).toString() == path)
                return index;
            if (const QModelIndex below = find(index); below.isValid())
                return below;
        }
        return {};
    };
    const QModelIndex index = find({});
    return index.isValid() ? FileTreeModel::Status(index.data(FileTreeModel::StatusRole).toInt())
                           : FileTreeModel::Status::Unchanged;
}

// For looking at the window by eye (STAGECRAFT_SCREENSHOTS=1); not an assertion.
void grabTo(QWidget &widget, const QString &path)
{
    if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS"))
        widget.grab().save(path);
}

} // namespace

class TestStepThrough : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_stepthrough"));
        QSettings().clear();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_storeRoot = m_dir->filePath(QStringLiteral("store"));
    }

    void summaryTexts_data()
    {
        QTest::addColumn<bool>("german");
        QTest::addRow("english") << false;
        QTest::addRow("german") << true;
    }

    // The headline and the signed delta speak the reader's language and number format.
    void summaryTexts()
    {
        QFETCH(bool, german);
        const GermanLocale translation(german);
        if (german && !translation.installed())
            QSKIP("the German translation is not built in");
        LayerStep step;
        step.layer = 4;
        step.addedFiles = 3;
        step.addedBytes = 1'500'000;
        step.largest = {{QStringLiteral("/usr/lib/go"), 1'200'000, 2},
                        {QStringLiteral("/etc/x"), 300'000, 1}};
        QCOMPARE(StepSummary::headline(step),
                 (german
                      ? QStringLiteral("Schicht 4 fügte 1,5 MB hinzu: /usr/lib/go (1,2 MB), /etc/x (300 kB)")
                      : QStringLiteral("Layer 4 added 1.5 MB: /usr/lib/go (1.2 MB), /etc/x (300 kB)")));
        step.removedPaths = 1;
        step.removedBytes = 2'000'000;
        QVERIFY2(StepSummary::headline(step).startsWith(german ? QStringLiteral("Schicht 4 gab 500 kB frei")
                                                               : QStringLiteral("Layer 4 freed 500 kB")),
                 qPrintable(StepSummary::headline(step)));
        QCOMPARE(StepSummary::signedSize(-500'000), QString(QChar(0x2212)) + sizeText(500'000));
        QCOMPARE(StepSummary::signedSize(2'500'000),
                 german ? QStringLiteral("+2,5 MB") : QStringLiteral("+2.5 MB"));
        QCOMPARE(StepSummary::headline(LayerStep{}), QString());
    }

    // An image's paths and a step's text may be any length: the panel stays narrow enough
    // for a 1024-pixel window, and names them elided.
    void hostileLengths()
    {
        StepSummary summary;
        StepPick pick;
        pick.state = StepPick::State::Layer;
        pick.line = 3;
        pick.text = QStringLiteral("RUN ") + QString(5000, QLatin1Char('x'));
        pick.layer = 1;
        pick.changes.layer = 1;
        pick.changes.addedFiles = 1;
        pick.changes.addedBytes = 10;
        const QString longPath = QLatin1Char('/') + QString(10000, QLatin1Char('a')) + QStringLiteral("/end");
        pick.changes.largest = {{longPath, 10, 1}};
        summary.showPick(pick);
        summary.resize(600, 200);
        summary.show();
        QVERIFY(QTest::qWaitForWindowExposed(&summary));
        QVERIFY2(summary.minimumSizeHint().width() < 400,
                 qPrintable(QString::number(summary.minimumSizeHint().width())));
        QVERIFY2(summary.headlineText().size() < 200, qPrintable(summary.headlineText()));
        QVERIFY(summary.headlineText().contains(QStringLiteral("/end (")));
        QVERIFY(summary.largestText().size() < 200);
    }

    void arrowsGrowWithTheFont()
    {
        // A projector's 20 pt: the Previous/Next arrows are as tall as the title's text.
        StepSummary summary;
        QAction previous(QStringLiteral("Previous Step"));
        QAction next(QStringLiteral("Next Step"));
        next.setShortcut(QKeySequence(Qt::ALT | Qt::Key_Down));
        summary.setStepActions(&previous, &next);
        const auto buttons = summary.findChildren<QToolButton *>();
        QCOMPARE(buttons.size(), 2);
        for (QToolButton *button : buttons)
            QVERIFY(!button->icon().isNull()); // an icon scales; the style's arrow glyph does not
        QVERIFY2(summary.headlineText().contains(next.shortcut().toString(QKeySequence::NativeText)),
                 qPrintable(summary.headlineText()));
        const int small = buttons[0]->iconSize().height();
        QFont big = summary.font();
        big.setPointSize(20);
        summary.setFont(big);
        const int tall = QFontMetrics(big).height();
        QVERIFY2(tall > small, qPrintable(QStringLiteral("%1 %2").arg(tall).arg(small)));
        for (QToolButton *button : buttons)
            QCOMPARE(button->iconSize().height(), tall);

        // The buttons act for their actions and follow their state.
        QSignalSpy triggered(&next, &QAction::triggered);
        QToolButton *nextButton =
            buttons[0]->toolTip().startsWith(QStringLiteral("Next")) ? buttons[0] : buttons[1];
        QVERIFY(nextButton->toolTip().contains(QStringLiteral("Down")));
        nextButton->click();
        QCOMPARE(triggered.count(), 1);
        next.setEnabled(false);
        QVERIFY(!nextButton->isEnabled());
    }

    void imageWithHistory_data()
    {
        QTest::addColumn<bool>("german");
        QTest::addRow("english") << false;
        QTest::addRow("german") << true;
    }

    // An image that no build here made (Docker's `build` stage, opened in the Layers view)
    // beside its Dockerfile: lines find their layers through the image's history.
    void imageWithHistory()
    {
        QFETCH(bool, german);
        const GermanLocale translation(german);
        if (german && !translation.installed())
            QSKIP("the German translation is not built in");
        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.resize(1024, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString error;
        QVERIFY2(window.openFile(imagesDir() + QStringLiteral("/context/Dockerfile"), &error),
                 qPrintable(error));
        window.flushAnalysis();
        StepThrough *stepper = window.stepper();
        StepSummary *summary = window.stepSummary();
        QVERIFY(stepper && summary);
        FilesView *files = window.filesView();

        // A Layers segment of an image: the Files view opens it at that layer.
        const QString image = imagesDir() + QStringLiteral("/build.docker.tar");
        Q_EMIT window.layersView()->layerActivated(image, 4, QString());
        QCOMPARE(files->argument(), image);
        QCOMPARE(stepper->current().state, StepPick::State::Loading);
        QVERIFY(files->waitUntilLoaded(30000));
        QCOMPARE(files->selectedLayer(), 4);
        QCOMPARE(stepper->current().state, StepPick::State::Layer);
        QCOMPARE(stepper->current().layer, 4);
        QCOMPARE(stepper->current().line, 5); // RUN mkdir -p /out && head -c 1048576 …
        QCOMPARE(cursorLine(window), 5);      // the editor shows the step's line
        QCOMPARE(statusOf(*files, QStringLiteral("/out/blob.bin")), FileTreeModel::Status::Added);
        const LayerStep expected = LayerStep::of(*files->analysis(), 4);
        QCOMPARE(expected.addedFiles, 2); // blob.bin and app
        QCOMPARE(summary->headlineText(), StepSummary::headline(expected));
        QVERIFY2(summary->headlineText().startsWith(german
                                                        ? QStringLiteral("Schicht 4 fügte 1,0 MB hinzu: /out")
                                                        : QStringLiteral("Layer 4 added 1.0 MB: /out")),
                 qPrintable(summary->headlineText()));
        QVERIFY2(summary->countsText().contains(german ? QStringLiteral("Hinzugefügt: 2 Dateien")
                                                       : QStringLiteral("Added: 2 files")),
                 qPrintable(summary->countsText()));
        QVERIFY2(summary->countsText().contains(StepSummary::signedSize(expected.sizeDelta())),
                 qPrintable(summary->countsText()));
        QVERIFY2(summary->titleText().startsWith(german ? QStringLiteral("Zeile 5: RUN mkdir")
                                                        : QStringLiteral("Line 5: RUN mkdir")),
                 qPrintable(summary->titleText()));

        // The cursor on a line: the next RUN removed the blob and rewrote /out/app.
        putCursorOnLine(window, 6);
        QCOMPARE(files->selectedLayer(), 5);
        QVERIFY(files->waitUntilLoaded(10000));
        QCOMPARE(stepper->current().layer, 5);
        QCOMPARE(statusOf(*files, QStringLiteral("/out/blob.bin")), FileTreeModel::Status::Removed);
        QCOMPARE(statusOf(*files, QStringLiteral("/out/app")), FileTreeModel::Status::Modified);
        QVERIFY2(summary->countsText().contains(german ? QStringLiteral("Entfernt: 1 Pfad")
                                                       : QStringLiteral("Removed: 1 path")),
                 qPrintable(summary->countsText()));
        QVERIFY2(summary->headlineText().startsWith(
                     german ? QStringLiteral("Schicht 5 gab 1,0 MB frei; schrieb /out/app (3 B)")
                            : QStringLiteral("Layer 5 freed 1.0 MB; wrote /out/app (3 B)")),
                 qPrintable(summary->headlineText()));
        if (german)
            QVERIFY2(!summary->countsText().contains(QStringLiteral("Added")),
                     qPrintable(summary->countsText()));

        // ENV made no layer, and says so; the Files view stays where it was.
        putCursorOnLine(window, 9);
        QCOMPARE(stepper->current().state, StepPick::State::NoLayer);
        QCOMPARE(stepper->current().keyword, QStringLiteral("ENV"));
        QCOMPARE(summary->headlineText(),
                 german ? QStringLiteral("ENV erzeugt keine Schicht: Es ändert die Konfiguration des Images, "
                                         "nicht seine Dateien.")
                        : QStringLiteral(
                              "ENV makes no layer: it changes the image's configuration, not its files."));
        QVERIFY(summary->countsText().isEmpty());
        QCOMPARE(files->selectedLayer(), 5);

        // FROM of the stage, and the final stage's steps, which this image does not have.
        putCursorOnLine(window, 1);
        QCOMPARE(stepper->current().state, StepPick::State::From);
        putCursorOnLine(window, 13);
        QCOMPARE(stepper->current().state, StepPick::State::NotBuilt);

        // Next and Previous Step, by their keys: line 4 (COPY hello.txt) is layer 3.
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        window.editor()->setFocus();
        putCursorOnLine(window, 5);
        QTest::keyClick(window.editor(), Qt::Key_Up, Qt::AltModifier);
        QCOMPARE(cursorLine(window), 4);
        QCOMPARE(stepper->current().layer, 3);
        QCOMPARE(files->selectedLayer(), 3);
        QVERIFY(files->waitUntilLoaded(10000));
        QCOMPARE(statusOf(*files, QStringLiteral("/src/hello.txt")), FileTreeModel::Status::Added);
        QTest::keyClick(window.editor(), Qt::Key_Down, Qt::AltModifier);
        QTest::keyClick(window.editor(), Qt::Key_Down, Qt::AltModifier);
        QCOMPARE(cursorLine(window), 6);
        QCOMPARE(files->selectedLayer(), 5);
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("stepDock"));
        QVERIFY(dock && dock->isVisible());
        QCOMPARE(window.findChild<QTabWidget *>(QStringLiteral("views"))->currentWidget(), files);
        // The actions are in the View menu, named in the reader's language.
        QAction *next = window.action(QStringLiteral("actionNextStep"));
        QAction *previous = window.action(QStringLiteral("actionPreviousStep"));
        QVERIFY(next && previous);
        QCOMPARE(next->text(), german ? QStringLiteral("Nächster &Schritt") : QStringLiteral("Next &Step"));
        QCOMPARE(previous->text(),
                 german ? QStringLiteral("Vorheriger Sc&hritt") : QStringLiteral("Previous S&tep"));
        auto *viewMenu = window.findChild<QMenu *>(QStringLiteral("menuView"));
        QVERIFY(viewMenu && viewMenu->actions().contains(next) && viewMenu->actions().contains(previous));
        // Stepping past the last step stays on it.
        putCursorOnLine(window, 16);
        next->trigger();
        QCOMPARE(cursorLine(window), 16);

        // A layer with no line here (the base image's): the steps are its neighbours.
        Q_EMIT files->layerActivated(0);
        QCOMPARE(stepper->current().layer, 0);
        QCOMPARE(stepper->current().line, 0);
        next->trigger();
        QCOMPARE(stepper->current().layer, 1);
        QCOMPARE(files->selectedLayer(), 1);
        QCOMPARE(cursorLine(window), 2); // RUN /bin/busybox --install: a line again

        putCursorOnLine(window, 5);
        QVERIFY(files->waitUntilLoaded(10000));
        dock->raise();
        const QString suffix = german ? QStringLiteral("de") : QStringLiteral("en");
        grabTo(window, QStringLiteral("/tmp/stagecraft-step-%1.png").arg(suffix));
        grabTo(*dock, QStringLiteral("/tmp/stagecraft-step-dock-%1.png").arg(suffix));
    }

    // An embedded build: each line's layer found by the build's layer digests; a timeline
    // bar and a graph node pick steps through the cursor.
    void embeddedBuild()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY(store);
        auto imported = store->import(imagesDir() + QStringLiteral("/base.docker.tar"),
                                      QStringLiteral("busybox:fixture"));
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.editor()->setPlainText(
            QStringLiteral("FROM busybox:fixture\n"
                           "RUN mkdir /data && head -c 300000 /dev/zero > /data/blob\n"
                           "ENV MODE=release\n"
                           "WORKDIR /\n"
                           "RUN rm /data/blob && echo hi > /data/small\n"));
        window.flushAnalysis();
        // Before the build: no layer to show yet.
        putCursorOnLine(window, 2);
        QCOMPARE(window.stepper()->current().state, StepPick::State::NotBuilt);
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QString error;
        QVERIFY2(window.startBuild(&error), qPrintable(error));
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        FilesView *files = window.filesView();
        QVERIFY(files->waitUntilLoaded(30000));
        QCOMPARE(files->layerCount(), 4); // the base, RUN, WORKDIR (empty, as BuildKit makes it), RUN

        StepThrough *stepper = window.stepper();
        putCursorOnLine(window, 2);
        QVERIFY(files->waitUntilLoaded(10000));
        QCOMPARE(stepper->current().state, StepPick::State::Layer);
        QCOMPARE(stepper->current().layer, 1);
        QCOMPARE(files->selectedLayer(), 1);
        QCOMPARE(statusOf(*files, QStringLiteral("/data/blob")), FileTreeModel::Status::Added);
        QCOMPARE(stepper->current().changes.addedBytes, 300000);
        window.timelineView()->refresh();
        QCOMPARE(window.timelineView()->selectedBar(), window.timelineView()->layout().barOf(0, 1));
        QVERIFY(window.timelineView()->selectedBar() >= 0);
        QVERIFY2(
            window.stepSummary()->headlineText().startsWith(QStringLiteral("Layer 1 added 300 kB: /data")),
            qPrintable(window.stepSummary()->headlineText()));

        putCursorOnLine(window, 3);
        QCOMPARE(stepper->current().state, StepPick::State::NoLayer);
        QVERIFY2(window.stepSummary()->headlineText().startsWith(QStringLiteral("ENV makes no layer")),
                 qPrintable(window.stepSummary()->headlineText()));
        putCursorOnLine(window, 4);
        QCOMPARE(stepper->current().state, StepPick::State::Layer);
        QCOMPARE(stepper->current().layer, 2);
        QCOMPARE(window.stepSummary()->headlineText(), QStringLiteral("Layer 2 changed no files"));

        window.stepThrough(1);
        QCOMPARE(cursorLine(window), 5);
        QCOMPARE(stepper->current().layer, 3);
        QCOMPARE(files->selectedLayer(), 3);
        QVERIFY(files->waitUntilLoaded(10000));
        QCOMPARE(statusOf(*files, QStringLiteral("/data/blob")), FileTreeModel::Status::Removed);
        QCOMPARE(stepper->current().changes.sizeDelta(), 3 - 300000);

        // A timeline bar and a graph node move the cursor; the step follows.
        window.timelineView()->refresh();
        Q_EMIT window.timelineView()->stepActivated(0, 1, 2, 2);
        QCOMPARE(stepper->current().line, 2);
        QCOMPARE(files->selectedLayer(), 1);
        Q_EMIT window.graphView()->stageActivated(0);
        QCOMPARE(stepper->current().line, 5); // the stage's last step
        QCOMPARE(files->selectedLayer(), 3);

        // A Layers click on the built image shows it as its stage: its files can be dragged.
        Q_EMIT window.layersView()->layerActivated(window.lastBuiltImage(), 1, QString());
        QVERIFY(files->waitUntilLoaded(10000));
        QCOMPARE(files->stageName(), QStringLiteral("0"));
        QCOMPARE(files->selectedLayer(), 1);
        QCOMPARE(stepper->current().line, 2);

        // A step typed after the build has no layer yet.
        QTextCursor end(window.editor()->document());
        end.movePosition(QTextCursor::End);
        end.insertText(QStringLiteral("RUN echo new > /new\n"));
        window.flushAnalysis();
        putCursorOnLine(window, 6);
        QCOMPARE(stepper->current().state, StepPick::State::NotBuilt);
        QCOMPARE(stepper->current().keyword, QStringLiteral("RUN"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_storeRoot;
};

QTEST_MAIN(TestStepThrough)
#include "tst_stepthrough.moc"
