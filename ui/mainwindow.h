// The Stagecraft window: the Dockerfile editor on the left, the live stage graph on the
// right, problems below; files, examples, zoom for projectors and the preferences.
#pragma once

#include "core/progress/buildprogress.h"
#include "ui/liveanalysis.h"
#include "ui/preferences.h"
#include "ui/runchoices.h"

#include <QHash>
#include <QMainWindow>

#include <memory>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QSplitter;
class QTabWidget;
class QTemporaryDir;
class QThread;
class QTreeView;

namespace stagecraft::ui {

class BuildController;
class CopyDropController;
class BuildLogModel;
class BuildLogView;
class BuildSession;
class DockerfileEditor;
class FilesView;
class TreemapView;
class LayersView;
class PresentationMode;
class ProblemsModel;
class RunPanel;
class StageGraphView;
class StepSummary;
class StepThrough;
class TerminalPanel;
class TimelineView;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // File operations without dialogs (the command line, tests); false with `error` set
    // on failure. The interactive actions wrap these with dialogs and prompts.
    bool openFile(const QString &path, QString *error = nullptr);
    bool saveFile(const QString &path, QString *error = nullptr);
    bool openExample(const QString &id, QString *error = nullptr);
    // A build record (or a rawjson log beside its Dockerfile): its Dockerfile as a new
    // document and its build on the graph, badges and log, with no image and no engine.
    bool openBuildRecord(const QString &path, QString *error = nullptr);
    // The last build (finished or failed) as a record.
    bool saveBuildRecord(const QString &path, QString *error = nullptr);
    const BuildProgress &buildState() const;
    void newDocument();

    QString currentFile() const { return m_currentFile; }
    bool isDocumentModified() const;
    int zoomPercent() const { return m_zoomPercent; }
    void setZoomPercent(int percent);

    // Runs a pending re-parse at once (tests, screenshots).
    void flushAnalysis();
    const AnalysisResult &analysis() const { return m_analysis->result(); }

    DockerfileEditor *editor() const { return m_editor; }
    StageGraphView *graphView() const { return m_graphView; }
    LayersView *layersView() const { return m_layersView; }
    FilesView *filesView() const { return m_filesView; }
    CopyDropController *copyDropController() const { return m_copyDrop; }
    PresentationMode *presentationMode() const { return m_presentation; }
    // Brings a view to the front beside the editor: "graph", "layers" or "files".
    void showView(const QString &name);
    // Shows only that view, without the editor and the docks (`--compare`: a chart for
    // slides); Go to Editor (Ctrl+1) shows the editor again.
    void showViewAlone(const QString &name);
    ProblemsModel *problemsModel() const { return m_problemsModel; }
    QTreeView *problemsView() const { return m_problemsView; }
    QComboBox *targetBox() const { return m_targetBox; }
    QAction *action(const QString &objectName) const; // by object name, e.g. "actionSave"

    void applyPreferences(const Preferences &preferences);

    // Builds and runs. The store defaults to ImageStore::defaultRoot(); the Layers and
    // Files views resolve references in it too.
    void setStoreRoot(const QString &root);
    QString storeRoot() const { return m_storeRoot; }
    // Builds the editor's text (saved or not) for the chosen target with the build
    // arguments of the toolbar; the context is the file's directory. False with `error`
    // when a build cannot start (one is running, bad build arguments).
    bool startBuild(QString *error = nullptr);
    void cancelBuild();
    // Runs the last built image and streams its output into the build log.
    bool startRun(QString *error = nullptr);
    // Runs the last built image as `choices` say: published ports, environment, command,
    // and in the Terminal panel (keys go to it) or with its output in the build log.
    bool startRun(const RunChoices &choices, QString *error = nullptr);
    // What the Run dialog starts from for the last built image: the answers given last
    // time for this Dockerfile and target, else ports from its EXPOSE and a terminal.
    RunChoices runChoicesForLastImage() const;
    // Checks the machine off the GUI thread (`stagecraft doctor`'s checks) and shows the
    // results; `automatic` (the window's start) shows them only when something a build
    // needs is missing and was not dismissed.
    void checkHost(bool automatic);
    // "K=V K2=V2" (shell quoting allowed) → arguments; false with `error` on a bad word.
    static bool parseBuildArgs(const QString &text, QHash<QString, QString> *args, QString *error);
    // Where a pull's bytes go when the builder pulls a missing base image: the progress
    // bar then shows bytes instead of steps until the pull ends (done == total).
    void setPullProgress(qint64 done, qint64 total);

    BuildSession *buildSession() const { return m_session; }
    BuildLogModel *buildLogModel() const { return m_logModel; }
    BuildLogView *buildLogView() const { return m_logView; }
    TerminalPanel *terminalPanel() const;
    TimelineView *timelineView() const { return m_timeline; }
    QProgressBar *buildProgress() const { return m_buildProgress; }
    QLineEdit *buildArgsEdit() const { return m_buildArgsEdit; }
    QString lastBuiltImage() const; // "sha256:<manifest hex>"
    // The manifest the last successful build found for a stage ("" when none).
    QString stageManifest(int stageIndex) const;
    // The editor line of the instruction that made layer `layerDigest` in the last build.
    int lineOfLayer(const QString &layerDigest) const;
    // Next/Previous Step (direction 1/-1): the Step dock comes to the front with the step.
    void stepThrough(int direction);
    StepThrough *stepper() const { return m_stepThrough; }
    StepSummary *stepSummary() const { return m_stepSummary; }

Q_SIGNALS:
    void analysisApplied(); // the editor, graph and problems show a new analysis
    void buildFinished(bool ok);
    void runFinished(int exitCode);

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    friend class MainWindowActions; // builds the actions, menus and bars over these members
    void onBuildFinished(bool ok);
    void updateBuildActions();
    void showStageFiles(int stageIndex);
    QStringList layerDigestsOf(const QString &argument);
    int stageOfImage(const QString &argument); // the last build's stage that made it, or -1
    void selectLayerLine(const QString &argument, int layerIndex);
    void selectLayersForLine(int line);
    void readWindowSettings();
    void writeWindowSettings() const;

    bool maybeSave();
    void openInteractive();
    void openBuildRecordInteractive();
    void saveBuildRecordInteractive();
    bool saveInteractive();
    bool saveAsInteractive();
    void openRecent(const QString &path);
    void openExampleInteractive(const QString &id);
    void exportGraph();
    void showPreferences();
    void showAbout();

    void addRecentFile(const QString &path);
    void rebuildRecentMenu();
    void updateTitle();
    void applyAnalysis();
    void updateTargetBox();
    void updateCursorStatus();
    void activateProblem(const QModelIndex &index);
    void stepProblem(int direction);
    void selectStageLines(int stageIndex);
    void setDocumentText(const QString &text, const QString &path);
    void showError(const QString &title, const QString &message);
    // Files → Copy to Stage…: asks for the stage and destination, then inserts like a drop.
    void copyToStageInteractive(const QByteArray &payload);

    LiveAnalysis *m_analysis;
    DockerfileEditor *m_editor;
    StageGraphView *m_graphView;
    LayersView *m_layersView;
    FilesView *m_filesView;
    TreemapView *m_bytesView = nullptr;
    QTabWidget *m_views;
    QSplitter *m_splitter;
    ProblemsModel *m_problemsModel;
    QTreeView *m_problemsView = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QComboBox *m_targetBox = nullptr;
    class EnginePicker *m_enginePicker = nullptr;
    QLineEdit *m_buildArgsEdit = nullptr;
    QProgressBar *m_buildProgress = nullptr;
    BuildSession *m_session = nullptr;
    BuildLogModel *m_logModel = nullptr;
    BuildLogView *m_logView = nullptr;
    TimelineView *m_timeline = nullptr;
    CopyDropController *m_copyDrop = nullptr;
    RunPanel *m_runPanel = nullptr;
    PresentationMode *m_presentation = nullptr; // the Build Log, Terminal and Timeline docks; runs
    QThread *m_hostCheck = nullptr;
    QLabel *m_positionLabel = nullptr;
    QLabel *m_stageLabel = nullptr;
    QLabel *m_parseLabel = nullptr;
    QLabel *m_problemsLabel = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_examplesMenu = nullptr;

    QString m_currentFile;
    Preferences m_preferences;
    int m_zoomPercent = 100;
    int m_cursorStage = -1;
    bool m_selectingFromGraph = false; // a node click moves the cursor; do not echo it back
    bool m_updatingTargets = false;
    quint64 m_shownGeneration = 0;

    QString m_storeRoot;
    std::unique_ptr<QTemporaryDir> m_buildDir;  // the empty context a new, unsaved file builds in
    BuildController *m_builds = nullptr;        // the build being shown: what each stage and step did
    QHash<QString, QStringList> m_layerDigests; // image argument → its layer digests
    QString m_filesImage;                       // the manifest the Files view shows
    bool m_linkingLayers = false;               // a layer click moves the cursor; do not echo it back
    StepSummary *m_stepSummary = nullptr;       // the Step dock: what the picked step changed
    QDockWidget *m_stepDock = nullptr;
    StepThrough *m_stepThrough = nullptr; // a step picked anywhere → its layer in Files and the summary
};

} // namespace stagecraft::ui
