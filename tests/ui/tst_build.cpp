// Builds in the window on Docker's busybox base image, with no network: nodes turn Done
// and badges fill, a second build is all cached, the log filters by stage, the image runs,
// a cancelled RUN leaves no process behind and puts the nodes back to idle, and a failing
// RUN marks its line and moves the cursor there; RUN's fallback to the host's network
// shows once in the log as a warning. With "Keep Failed Step for a Shell" on, a failed
// RUN offers a shell in its filesystem in the Terminal dock and the build waits for it.
#include "privatedockerengine.h"

#include "core/analysis/bytesize.h"
#include "core/analysis/imageanalysis.h"
#include "core/analysis/imagesource.h"
#include "core/exec/sandbox.h"
#include "core/exec/usernetwork.h"
#include "core/store/imagestore.h"
#include "ui/buildcontroller.h"
#include "ui/buildlogmodel.h"
#include "ui/buildlogview.h"
#include "ui/buildsession.h"
#include "ui/dockerfileeditor.h"
#include "ui/filesview.h"
#include "ui/layersview.h"
#include "ui/mainwindow.h"
#include "ui/preferences.h"
#include "ui/problemsmodel.h"
#include "ui/stagegraphscene.h"
#include "ui/stagegraphview.h"
#include "ui/stagenodeitem.h"
#include "ui/terminalpanel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QToolButton>
#include <QTreeView>

#include <unistd.h>

using namespace stagecraft;
using namespace stagecraft::ui;

namespace {

QString dataDir()
{
    return QString::fromLocal8Bit(qgetenv("STAGECRAFT_SOURCE_DIR")) + QStringLiteral("/tests/data/images");
}

// The processes whose parent chain leads to this test process (sandboxes, their shells).
// Every file below `root`, relative: what a build added to the store's blobs.
QStringList filesBelow(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files.append(QDir(root).relativeFilePath(it.next()));
    files.sort();
    return files;
}

QList<qint64> descendants()
{
    QHash<qint64, qint64> parentOf;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        // "pid (comm) state ppid …"; comm may contain spaces and parentheses.
        const qsizetype close = line.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> fields = line.mid(close + 2).split(' ');
        if (fields.size() > 1 && fields.at(0) != "Z")
            parentOf.insert(pid, fields.at(1).toLongLong());
    }
    const qint64 self = ::getpid();
    QList<qint64> found;
    for (auto it = parentOf.cbegin(); it != parentOf.cend(); ++it) {
        qint64 p = it.value();
        for (int depth = 0; depth < 64 && p > 1; ++depth) {
            if (p == self) {
                found.append(it.key());
                break;
            }
            p = parentOf.value(p, 0);
        }
    }
    return found;
}

} // namespace

class TestBuild : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_build"));
        QSettings().clear();
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_storeRoot = m_dir->filePath(QStringLiteral("store"));
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().message));
        auto imported =
            store->import(dataDir() + QStringLiteral("/base.docker.tar"), QStringLiteral("busybox:fixture"));
        QVERIFY2(imported, qPrintable(imported ? QString() : imported.error().message));
    }

    void buildArguments()
    {
        QHash<QString, QString> args;
        QString error;
        QVERIFY(MainWindow::parseBuildArgs(QStringLiteral("A=1  \"MSG=two words\" EMPTY="), &args, &error));
        QCOMPARE(args.value(QStringLiteral("A")), QStringLiteral("1"));
        QCOMPARE(args.value(QStringLiteral("MSG")), QStringLiteral("two words"));
        QVERIFY(args.contains(QStringLiteral("EMPTY")));
        QVERIFY(!MainWindow::parseBuildArgs(QStringLiteral("A=1 LONELY"), &args, &error));
        QVERIFY2(error.contains(QStringLiteral("LONELY")), qPrintable(error));
    }

    void logModelAndFilter()
    {
        BuildLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        BuildLogView view(&model);
        QAbstractItemModelTester proxyTester(view.proxy(),
                                             QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.append(-1, QString(), BuildLogModel::Kind::Info, QStringLiteral("Building"));
        model.append(0, QStringLiteral("build"), BuildLogModel::Kind::Step, QStringLiteral("RUN make"), 2);
        model.append(1, QStringLiteral("1"), BuildLogModel::Kind::Output, QStringLiteral("one"));
        model.append(11, QStringLiteral("11"), BuildLogModel::Kind::Output, QStringLiteral("eleven"));
        view.setStages({{0, QStringLiteral("build")}, {1, QStringLiteral("1")}, {11, QStringLiteral("11")}});
        QCOMPARE(view.proxy()->rowCount(), 4);
        view.setStageFilter(1);
        // Stage 1 only, not stage 11 whose key also contains "1".
        QCOMPARE(view.proxy()->rowCount(), 1);
        QCOMPARE(view.proxy()->index(0, BuildLogModel::MessageColumn).data().toString(),
                 QStringLiteral("one"));
        view.stageBox()->setCurrentIndex(0);
        QCOMPARE(view.proxy()->rowCount(), 4);
        QSignalSpy activated(&view, &BuildLogView::lineActivated);
        Q_EMIT view.view()->activated(view.proxy()->index(1, 1));
        QCOMPARE(activated.size(), 1);
        QCOMPARE(activated.at(0).at(0).toInt(), 2);
        model.clear();
        QCOMPARE(view.proxy()->rowCount(), 0);
    }

    void buildTurnsNodesDoneAndFillsBadges()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        MainWindow window;
        QAbstractItemModelTester tester(window.buildLogModel(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QString dockerfile =
            QStringLiteral("FROM busybox:fixture AS build\n"
                           "ARG GREETING=hi\n"
                           "RUN echo \"compiling $GREETING\" && mkdir /out && echo data > "
                           "/out/file\n"
                           "FROM busybox:fixture\n"
                           "COPY --from=build /out/file /file\n"
                           "ENV MODE=release\n"
                           "CMD [\"cat\", \"/file\"]\n"
                           "EXPOSE 80 3000/tcp\n");
        QVERIFY(showWith(window, dockerfile));
        window.buildArgsEdit()->setText(QStringLiteral("GREETING=hello"));
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QString error;
        QVERIFY2(window.startBuild(&error), qPrintable(error));
        QVERIFY(!window.action(QStringLiteral("actionBuild"))->isEnabled());
        QVERIFY(window.action(QStringLiteral("actionCancelBuild"))->isEnabled());
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-done.png"));

        StageGraphView *graph = window.graphView();
        QCOMPARE(graph->stageState(0), StageState::Done);
        QCOMPARE(graph->stageState(1), StageState::Done);
        QCOMPARE(window.buildProgress()->maximum(), 3 + 5);
        QCOMPARE(window.buildProgress()->value(), 3 + 5);

        DockerfileEditor *editor = window.editor();
        QCOMPARE(editor->layerBadge(1).text, QString()); // FROM: no badge
        QCOMPARE(editor->layerBadge(3).kind, LayerBadge::Kind::Added);
        QVERIFY2(editor->layerBadge(3).text.startsWith(QLatin1Char('+')),
                 qPrintable(editor->layerBadge(3).text));
        QCOMPARE(editor->layerBadge(5).kind, LayerBadge::Kind::Added);
        QCOMPARE(editor->layerBadge(6).text, QStringLiteral("0 B"));
        QCOMPARE(editor->layerBadge(6).kind, LayerBadge::Kind::Empty);
        QVERIFY(editor->layerBadge(3).toolTip.contains(QStringLiteral("sha256:")));
        // Why each step ran: on its badge, on the stage's node and in the log.
        QVERIFY2(editor->layerBadge(3).toolTip.contains(
                     QStringLiteral("Not cached: no previous build of this step")),
                 qPrintable(editor->layerBadge(3).toolTip));
        QVERIFY2(graph->graphScene()->stageItem(0)->toolTip().contains(
                     QStringLiteral("step 3: no previous build of this step")),
                 qPrintable(graph->graphScene()->stageItem(0)->toolTip()));

        // Once the images are measured, badges and nodes give the uncompressed sizes that
        // the Layers view shows, with the compressed one named in the tooltip.
        auto *builds = window.findChild<BuildController *>();
        QVERIFY(builds);
        QVERIFY(builds->waitUntilMeasured(30000));
        {
            auto measuredStore = ImageStore::open(m_storeRoot);
            QVERIFY(measuredStore);
            auto finalImage = ImageSource::analyse(window.lastBuiltImage(), &*measuredStore);
            QVERIFY(finalImage);
            const LayerReport top = finalImage->analysis->layers().last();
            QCOMPARE(editor->layerBadge(5).text, QStringLiteral("+") + formatByteSize(top.size));
            QVERIFY2(editor->layerBadge(5).toolTip.contains(QStringLiteral("uncompressed")),
                     qPrintable(editor->layerBadge(5).toolTip));
            QVERIFY(builds->stageDetail(1).endsWith(formatByteSize(finalImage->analysis->totalSize())));
        }
        window.graphView()->fitToView();
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-measured.png"));
        auto *viewsScroll = window.findChild<QScrollArea *>(QStringLiteral("viewsScroll"));
        QVERIFY(viewsScroll);
        // The views' minimum widths settle after the measured sizes' texts are laid out, a
        // pass or two after the build ends: wait for it rather than catch it midway.
        QTRY_VERIFY2_WITH_TIMEOUT(!viewsScroll->horizontalScrollBar()->isVisible(),
                                  qPrintable(QStringLiteral("layers %1, files %2, room %3")
                                                 .arg(window.layersView()->minimumSizeHint().width())
                                                 .arg(window.filesView()->minimumSizeHint().width())
                                                 .arg(viewsScroll->viewport()->width())),
                                  5000);

        const QString log = window.buildLogModel()->text();
        QVERIFY2(log.contains(QStringLiteral("compiling hello")), qPrintable(log));
        QVERIFY2(log.contains(QStringLiteral("not cached: no previous build of this step")), qPrintable(log));
        window.buildLogView()->setStageFilter(1);
        QSortFilterProxyModel *proxy = window.buildLogView()->proxy();
        QVERIFY(proxy->rowCount() > 0);
        for (int row = 0; row < proxy->rowCount(); ++row)
            QCOMPARE(proxy->index(row, 0).data(BuildLogModel::StageKeyRole).toString(), QStringLiteral("1"));
        window.buildLogView()->setStageFilter(-1);

        // The layer the COPY made is the top one of the image; clicking it selects line 5,
        // and putting the cursor on line 3 finds the stage's manifest for the Files view.
        const QString image = window.lastBuiltImage();
        QVERIFY(image.startsWith(QStringLiteral("sha256:")));
        QVERIFY(!window.stageManifest(0).isEmpty());
        QVERIFY(!window.stageManifest(1).isEmpty());
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY(store);
        auto built = store->image(image);
        QVERIFY(built);
        const int top = int(built->layers.size()) - 1;
        QCOMPARE(window.lineOfLayer(built->layers.at(top).descriptor.digest.toString()), 5);
        Q_EMIT window.layersView()->layerActivated(image, top, QString());
        QCOMPARE(editor->textCursor().blockNumber() + 1, 5);

        // Run: the image's command prints the file the COPY brought.
        QSignalSpy ran(&window, &MainWindow::runFinished);
        QVERIFY2(window.startRun(&error), qPrintable(error));
        QVERIFY(ran.wait(30000));
        QCOMPARE(ran.at(0).at(0).toInt(), 0);
        QVERIFY2(window.buildLogModel()->text().contains(QStringLiteral("run | data")),
                 qPrintable(window.buildLogModel()->text()));

        // Run in the Terminal panel: the dialog starts from EXPOSE; a shell with an extra
        // variable answers typed commands, Ctrl+D ends it and the panel says how.
        RunChoices choices = window.runChoicesForLastImage();
        QCOMPARE(choices.ports, (QStringList{QStringLiteral("8080:80"), QStringLiteral("3000:3000")}));
        QVERIFY(choices.terminal);
        choices.ports.clear(); // publishing needs slirp4netns, which tst_usernetwork covers
        choices.env = {QStringLiteral("WHO=container")};
        choices.command = QStringLiteral("sh");
        ran.clear();
        QVERIFY2(window.startRun(choices, &error), qPrintable(error));
        TerminalPanel *terminal = window.terminalPanel();
        QVERIFY(terminal->isRunning());
        QVERIFY(!window.action(QStringLiteral("actionBuild"))->isEnabled());
        const auto prompt = [terminal] {
            return terminal->view()->toPlainText().endsWith(QStringLiteral("# "));
        };
        QVERIFY2(QTest::qWaitFor(prompt, 30000), qPrintable(terminal->view()->toPlainText()));
        QTest::keyClicks(terminal->view(), QStringLiteral("echo hello $WHO $MODE"));
        QTest::keyClick(terminal->view(), Qt::Key_Return);
        QTRY_VERIFY2_WITH_TIMEOUT(
            terminal->view()->toPlainText().split(u'\n').contains(QStringLiteral("hello container release")),
            qPrintable(terminal->view()->toPlainText()), 10000);
        QVERIFY(QTest::qWaitFor(prompt, 10000));
        grabTo(window, QStringLiteral("/tmp/stagecraft-run-terminal.png"));
        QTest::keyClick(terminal->view(), Qt::Key_D, Qt::ControlModifier);
        QVERIFY(ran.wait(30000));
        QCOMPARE(ran.at(0).at(0).toInt(), 0);
        QVERIFY(terminal->view()->toPlainText().endsWith(QStringLiteral("[Exited with code 0]")));
        QVERIFY(window.action(QStringLiteral("actionBuild"))->isEnabled());

        // The same build again comes from the cache.
        QVERIFY(buildEnds(window, Ending::Built));
        QCOMPARE(graph->stageState(0), StageState::Cached);
        QCOMPARE(graph->stageState(1), StageState::Cached);
        QCOMPARE(editor->layerBadge(3).text, QStringLiteral("cached"));
        QCOMPARE(editor->layerBadge(3).kind, LayerBadge::Kind::Cached);
        QCOMPARE(window.lastBuiltImage(), image);

        // Adding a line makes the badges stale: they go.
        editor->moveCursor(QTextCursor::End);
        QTest::keyClick(editor, Qt::Key_Return);
        QTest::keyClicks(editor, QStringLiteral("USER nobody"));
        QVERIFY(!editor->hasLayerBadges());

        // Another document: no build states from this one, and nothing to run.
        QVERIFY(window.action(QStringLiteral("actionRun"))->isEnabled());
        window.editor()->document()->setModified(false);
        window.newDocument();
        window.editor()->setPlainText(
            QStringLiteral("FROM busybox:fixture AS build\nFROM busybox:fixture\n"));
        window.flushAnalysis();
        QCOMPARE(graph->stageState(0), StageState::Idle);
        QCOMPARE(graph->stageState(1), StageState::Idle);
        QVERIFY(!window.action(QStringLiteral("actionRun"))->isEnabled());
        QVERIFY(window.lastBuiltImage().isEmpty());
    }

    // The Docker engine chosen in the preferences: its BuildKit steps turn the same nodes
    // done and fill the same progress bar, and the image comes into the store.
    // After a build the live checks know the image it made: WrittenThenDeleted reports the
    // bytes a deleted file still costs, saying the figure is the last build's; edit the step
    // that wrote it and the finding goes, as its figure no longer describes that text.
    void sizeRulesUseTheLastBuild()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        MainWindow window;
        const QString text = QStringLiteral("FROM busybox:fixture\n"
                                            "RUN head -c 300000 /dev/zero > /blob\n"
                                            "RUN rm /blob\n"
                                            "CMD [\"true\"]\n");
        QVERIFY(showWith(window, text));
        const auto wasteFinding = [&window]() -> QString {
            for (const Diagnostic &d : window.editor()->diagnostics())
                if (d.rule == QLatin1String("WrittenThenDeleted"))
                    return d.message;
            return {};
        };
        QVERIFY(wasteFinding().isEmpty()); // no build yet: nothing is known of sizes
        QVERIFY(buildEnds(window, Ending::Built));
        auto *builds = window.findChild<BuildController *>();
        QVERIFY(builds);
        QVERIFY(builds->waitUntilMeasured(30000));
        QVERIFY(builds->lastBuildImage());
        window.flushAnalysis();

        const QString message = wasteFinding();
        QVERIFY2(message.contains(QLatin1String("removes /blob (written by line 2)")) &&
                     message.contains(QLatin1String("293.0 KiB")) &&
                     message.contains(QLatin1String("figure from the last build")),
                 qPrintable(message));
        // The Problems view lists it with the byte figure.
        bool listed = false;
        for (int row = 0; row < window.problemsModel()->rowCount(); ++row)
            for (int column = 0; column < window.problemsModel()->columnCount(); ++column)
                listed = listed || window.problemsModel()
                                       ->index(row, column)
                                       .data()
                                       .toString()
                                       .contains(QLatin1String("293.0 KiB"));
        QVERIFY(listed);
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-size-rules.png"));

        // An edit elsewhere keeps it; editing the step that wrote the file drops it.
        window.editor()->setPlainText(QStringLiteral("# a comment\n") + text);
        window.flushAnalysis();
        QVERIFY2(wasteFinding().contains(QLatin1String("written by line 3")), qPrintable(wasteFinding()));
        QString edited = text;
        edited.replace(QStringLiteral("300000"), QStringLiteral("400000"));
        window.editor()->setPlainText(edited);
        window.flushAnalysis();
        QVERIFY2(wasteFinding().isEmpty(), qPrintable(wasteFinding()));
    }

    void dockerEngineBuild()
    {
        if (const QString reason = test::PrivateDockerEngine::unavailableReason(); !reason.isEmpty())
            QSKIP(qPrintable(reason));
        test::PrivateDockerEngine docker({}, test::PrivateDockerEngine::defaultClient(),
                                         m_dir->filePath(QStringLiteral("docker")));
        if (!docker.isRunning())
            QSKIP(qPrintable(docker.error()));
        QCOMPARE(docker.run({QStringLiteral("load"), QStringLiteral("-i"),
                             dataDir() + QStringLiteral("/base.docker.tar")}),
                 0);
        qputenv("STAGECRAFT_DOCKER", docker.client().toLocal8Bit());
        qputenv("DOCKER_CONFIG", docker.configDir().toLocal8Bit());
        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.resize(1024, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        Preferences preferences = Preferences::load();
        preferences.engine = EngineKind::Docker;
        preferences.dockerHost = docker.host();
        window.applyPreferences(preferences);
        // No RUN: the private engine has no bridge network, and the window sets none.
        window.editor()->setPlainText(QStringLiteral("FROM busybox:fixture AS build\n"
                                                     "WORKDIR /out\n"
                                                     "FROM busybox:fixture\n"
                                                     "COPY --from=build /out /out\n"
                                                     "ENV MODE=release\n"
                                                     "CMD [\"ls\", \"/out\"]\n"));
        window.flushAnalysis();
        QVERIFY(buildEnds(window, Ending::Built, 120000));
        QCOMPARE(window.graphView()->stageState(0), StageState::Done);
        QCOMPARE(window.graphView()->stageState(1), StageState::Done);
        QCOMPARE(window.buildProgress()->maximum(), 2 + 4);
        QCOMPARE(window.buildProgress()->value(), 2 + 4);
        grabTo(window, QStringLiteral("/tmp/stagecraft-docker-build.png"));
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY(store);
        QVERIFY(store->image(window.lastBuiltImage()).has_value());
        preferences.engine = EngineKind::Embedded;
        window.applyPreferences(preferences);
    }

    void cancelMidRun()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        MainWindow window;
        QVERIFY(showWith(window, QStringLiteral("FROM busybox:fixture\nRUN echo waiting && sleep 30\n")));
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QString error;
        QVERIFY2(window.startBuild(&error), qPrintable(error));
        // The RUN has started when its first output line arrives.
        QTRY_VERIFY_WITH_TIMEOUT(window.buildLogModel()->text().contains(QStringLiteral("| waiting")), 30000);
        QCOMPARE(window.graphView()->stageState(0), StageState::Running);
        QVERIFY2(!descendants().isEmpty(), "the sandboxed sleep should be running below the test");
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-running.png"));
        window.action(QStringLiteral("actionCancelBuild"))->trigger();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(window.graphView()->stageState(0), StageState::Idle);
        QVERIFY(!window.buildSession()->isBusy());
        QVERIFY(window.action(QStringLiteral("actionBuild"))->isEnabled());
        QVERIFY(window.editor()->buildFailureLine() == 0);
        QTRY_VERIFY2_WITH_TIMEOUT(descendants().isEmpty(),
                                  "a process of the cancelled build is still running", 3000);
    }

    // Without slirp4netns on the PATH (only the programs a sandbox needs are there).
    void networkFallbackWarnsInLog()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        QTemporaryDir tools;
        QVERIFY(tools.isValid());
        QVERIFY(QFile::setPermissions(tools.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                                        QFile::ReadOther | QFile::ExeOther));
        for (const char *name : {"bwrap", "rm", "newuidmap", "newgidmap"})
            if (const QString path = QStandardPaths::findExecutable(QLatin1String(name)); !path.isEmpty())
                QVERIFY(QFile::link(path, tools.filePath(QLatin1String(name))));
        const QByteArray path = qgetenv("PATH");
        auto restore = qScopeGuard([&path] { qputenv("PATH", path); });
        qputenv("PATH", QFile::encodeName(tools.path()));
        QVERIFY(!UserNetwork::isAvailable());

        MainWindow window;
        window.setStoreRoot(m_storeRoot);
        window.editor()->setPlainText(QStringLiteral("FROM busybox:fixture AS one\n"
                                                     "RUN echo first\n"
                                                     "FROM busybox:fixture\n"
                                                     "COPY --from=one /etc/passwd /copied\n"
                                                     "RUN echo second\n"));
        window.flushAnalysis();
        QVERIFY(buildEnds(window, Ending::Built));
        const BuildLogModel *log = window.buildLogModel();
        QStringList warnings;
        for (int row = 0; row < log->rowCount(); ++row)
            if (log->index(row, BuildLogModel::MessageColumn).data(BuildLogModel::KindRole).toInt() ==
                int(BuildLogModel::Kind::Warning))
                warnings.append(log->index(row, BuildLogModel::MessageColumn).data().toString());
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings.first().contains(QStringLiteral("no private network")),
                 qPrintable(warnings.first()));
        QVERIFY2(log->text().contains(QStringLiteral("second")), qPrintable(log->text()));
    }

    void failingRunMarksItsLine()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        MainWindow window;
        QVERIFY(showWith(window, QStringLiteral("FROM busybox:fixture\n"
                                                "RUN echo fine\n"
                                                "RUN echo about to fail && exit 3\n"
                                                "CMD [\"sh\"]\n")));
        window.editor()->moveCursor(QTextCursor::Start);
        QVERIFY(buildEnds(window, Ending::Failed));
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-failed.png"));
        QCOMPARE(window.graphView()->stageState(0), StageState::Failed);
        QCOMPARE(window.editor()->buildFailureLine(), 3);
        QCOMPARE(window.editor()->textCursor().blockNumber() + 1, 3);
        QVERIFY(window.editor()
                    ->lineNumberToolTip(window.editor()->cursorRect().center().y())
                    .contains(QStringLiteral("exit code: 3")));
        QCOMPARE(window.editor()->layerBadge(2).kind, LayerBadge::Kind::Added);
        const QString log = window.buildLogModel()->text();
        QVERIFY2(log.contains(QStringLiteral("about to fail")), qPrintable(log));
        QVERIFY(window.lastBuiltImage().isEmpty());
        QVERIFY(!window.action(QStringLiteral("actionRun"))->isEnabled());
    }

    // A failed build saved as a record opens in another window with no store behind it: the
    // same node states, badges, log and failing line, from the record alone.
    void buildRecordSavedAndReopened()
    {
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        const QString text = QStringLiteral("FROM busybox:fixture AS base\n"
                                            "RUN echo hello > /h\n"
                                            "\n"
                                            "FROM base\n"
                                            "ENV X=1\n"
                                            "RUN echo about to fail && exit 3\n");
        const QString record = m_dir->filePath(QStringLiteral("build-record.json"));
        QString builtState;
        {
            MainWindow window;
            window.setStoreRoot(m_storeRoot);
            QVERIFY(!window.action(QStringLiteral("actionSaveBuildRecord"))->isEnabled());
            window.editor()->setPlainText(text);
            window.flushAnalysis();
            QVERIFY(buildEnds(window, Ending::Failed));
            QVERIFY(window.action(QStringLiteral("actionSaveBuildRecord"))->isEnabled());
            QString error;
            QVERIFY2(window.saveBuildRecord(record, &error), qPrintable(error));
            builtState = window.buildState().describe();
        }

        MainWindow window;
        window.setStoreRoot(m_dir->filePath(QStringLiteral("empty-store")));
        window.resize(1024, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QString error;
        QVERIFY(!window.openBuildRecord(m_dir->filePath(QStringLiteral("missing.json")), &error));
        QVERIFY2(error.contains(QStringLiteral("no such file")), qPrintable(error));
        QVERIFY2(window.openBuildRecord(record, &error), qPrintable(error));
        QCOMPARE(window.editor()->toPlainText(), text);
        QVERIFY(window.currentFile().isEmpty());
        QCOMPARE(window.analysis().graph.stages.size(), 2);
        QCOMPARE(window.graphView()->stageState(0), StageState::Done);
        QCOMPARE(window.graphView()->stageState(1), StageState::Failed);
        QCOMPARE(window.editor()->buildFailureLine(), 6);
        QCOMPARE(window.editor()->layerBadge(2).kind, LayerBadge::Kind::Added);
        QCOMPARE(window.buildState().describe(), builtState);
        const QString log = window.buildLogModel()->text();
        QVERIFY2(log.contains(QStringLiteral("about to fail")), qPrintable(log));
        QVERIFY(window.lastBuiltImage().isEmpty());
        grabTo(window, QStringLiteral("/tmp/stagecraft-build-record.png"));

        // A file that is no record is refused and leaves the window as it was.
        QFile garbage(m_dir->filePath(QStringLiteral("garbage.json")));
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("{\"format\":\"stagecraft-build-record\",\"version\":1,\"solveStatus\":[");
        garbage.close();
        QVERIFY(!window.openBuildRecord(garbage.fileName(), &error));
        QVERIFY2(error.contains(QStringLiteral("not JSON")), qPrintable(error));
        QCOMPARE(window.graphView()->stageState(1), StageState::Failed);
    }

    // The shell sees what the failed command wrote; exiting it ends the build as failed and
    // nothing of the step is stored. Declining instead ends it at once; Cancel ends the wait.
    void failedRunOffersShell_data()
    {
        QTest::addColumn<QString>("answer");
        QTest::addRow("shell") << QStringLiteral("shell");
        QTest::addRow("decline") << QStringLiteral("decline");
        QTest::addRow("cancel") << QStringLiteral("cancel");
        QTest::addRow("cancel in shell") << QStringLiteral("cancel in shell");
    }

    void failedRunOffersShell()
    {
        QFETCH(QString, answer);
        QString reason;
        if (!Sandbox::isAvailable(&reason))
            QSKIP(qPrintable(reason));
        MainWindow window;
        window.resize(1024, 768);
        QVERIFY(showWith(window, QStringLiteral("FROM busybox:fixture\n"
                                                "RUN echo partial > /written && false\n")));
        QAction *keep = window.action(QStringLiteral("actionKeepFailedStep"));
        QAction *open = window.action(QStringLiteral("actionOpenFailedShell"));
        QVERIFY(keep && keep->isCheckable() && open);
        keep->setChecked(true);
        auto restore = qScopeGuard([keep] { keep->setChecked(false); });
        QVERIFY(!open->isEnabled());
        const QStringList blobsBefore = filesBelow(m_storeRoot + QStringLiteral("/blobs"));
        QVERIFY(!blobsBefore.isEmpty());
        QStringList refsBefore;
        {
            auto store = ImageStore::open(m_storeRoot);
            QVERIFY(store);
            auto refs = store->references();
            QVERIFY(refs);
            refsBefore = refs->keys();
        }
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QSignalSpy held(window.buildSession(), &BuildSession::failedStepHeld);
        QString error;
        QVERIFY2(window.startBuild(&error), qPrintable(error));
        QVERIFY(held.wait(60000));
        QVERIFY2(held.at(0).at(0).toString().contains(QStringLiteral("echo partial")),
                 qPrintable(held.at(0).at(0).toString()));
        QCOMPARE(held.at(0).at(2).toInt(), 1);
        // The build waits for the answer.
        QTest::qWait(300);
        QVERIFY(finished.isEmpty());
        QVERIFY(window.buildSession()->isBusy());
        auto *bar = window.findChild<QWidget *>(QStringLiteral("failedStepBar"));
        QVERIFY(bar && bar->isVisible());
        QVERIFY(open->isEnabled());
        auto *openButton = window.findChild<QToolButton *>(QStringLiteral("openFailedShellButton"));
        QVERIFY(openButton && openButton->isVisible());

        TerminalPanel *terminal = window.terminalPanel();
        if (answer.contains(QLatin1String("shell"))) {
            QTest::mouseClick(openButton, Qt::LeftButton);
            QVERIFY(terminal->isRunning());
            QVERIFY(!bar->isVisible());
            QVERIFY(!open->isEnabled());
            const auto prompt = [terminal] {
                return terminal->view()->toPlainText().trimmed().endsWith(QLatin1Char('#')) ||
                       terminal->view()->toPlainText().trimmed().endsWith(QLatin1Char('$'));
            };
            QVERIFY2(QTest::qWaitFor(prompt, 30000), qPrintable(terminal->view()->toPlainText()));
            QTest::keyClicks(terminal->view(), QStringLiteral("cat /written"));
            QTest::keyClick(terminal->view(), Qt::Key_Return);
            QTRY_VERIFY2_WITH_TIMEOUT(
                terminal->view()->toPlainText().split(u'\n').contains(QStringLiteral("partial")),
                qPrintable(terminal->view()->toPlainText()), 10000);
            grabTo(window, QStringLiteral("/tmp/stagecraft-failed-step-shell.png"));
            QVERIFY(finished.isEmpty()); // still waiting for the shell
            if (answer == QLatin1String("shell"))
                QTest::keyClick(terminal->view(), Qt::Key_D, Qt::ControlModifier);
            else
                window.action(QStringLiteral("actionCancelBuild"))->trigger();
        } else if (answer == QLatin1String("decline")) {
            QTest::mouseClick(window.findChild<QPushButton *>(QStringLiteral("declineFailedShellButton")),
                              Qt::LeftButton);
        } else {
            window.action(QStringLiteral("actionCancelBuild"))->trigger();
        }
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QVERIFY(!terminal->isRunning());
        QVERIFY(!bar->isVisible());
        QVERIFY(!open->isEnabled());
        QVERIFY(!window.buildSession()->hasFailedStep());
        QCOMPARE(window.graphView()->stageState(0),
                 answer.startsWith(QLatin1String("cancel")) ? StageState::Idle : StageState::Failed);
        QVERIFY(window.lastBuiltImage().isEmpty());
        // No blob (layer, config, manifest) and no reference of the failed step was stored.
        QCOMPARE(filesBelow(m_storeRoot + QStringLiteral("/blobs")), blobsBefore);
        auto store = ImageStore::open(m_storeRoot);
        QVERIFY(store);
        auto refs = store->references();
        QVERIFY(refs);
        QCOMPARE(refs->keys(), refsBefore);
        QTRY_VERIFY2_WITH_TIMEOUT(descendants().isEmpty(), "a process of the failed step is still running",
                                  3000);
    }

private:
    // Shows `window` on the test's store with `dockerfile` in its editor, analysed; false
    // when the window was not exposed.
    bool showWith(MainWindow &window, const QString &dockerfile)
    {
        window.setStoreRoot(m_storeRoot);
        window.show();
        if (!QTest::qWaitForWindowExposed(&window))
            return false;
        window.editor()->setPlainText(dockerfile);
        window.flushAnalysis();
        return true;
    }

    enum class Ending { Built, Failed };

    // Builds what `window` shows and waits for the end: false, saying why, when the build
    // does not start, does not end within `timeoutMs`, or ends otherwise than `expected`.
    static bool buildEnds(MainWindow &window, Ending expected, int timeoutMs = 60000)
    {
        QSignalSpy finished(&window, &MainWindow::buildFinished);
        QString error;
        if (!window.startBuild(&error)) {
            qWarning("the build did not start: %s", qPrintable(error));
            return false;
        }
        if (!finished.wait(timeoutMs)) {
            qWarning("the build did not end within %d ms", timeoutMs);
            return false;
        }
        const bool built = finished.at(0).at(0).toBool();
        if (built != (expected == Ending::Built)) {
            qWarning("the build %s:\n%s", built ? "succeeded" : "failed",
                     qPrintable(window.buildLogModel()->text()));
            return false;
        }
        return true;
    }

    static void grabTo(QWidget &widget, const QString &path)
    {
        // For looking at the window by eye; not an assertion.
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS"))
            widget.grab().save(path);
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_storeRoot;
};

QTEST_MAIN(TestBuild)
#include "tst_build.moc"
