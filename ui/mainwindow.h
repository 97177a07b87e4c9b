// The Stagecraft window: the Dockerfile editor on the left, the live stage graph on the
// right, problems below; files, examples, zoom for projectors and the preferences.
#pragma once

#include "ui/liveanalysis.h"
#include "ui/preferences.h"

#include <QMainWindow>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QMenu;
class QSplitter;
class QTabWidget;
class QTreeView;

namespace stagecraft::ui {

class DockerfileEditor;
class FilesView;
class LayersView;
class ProblemsModel;
class StageGraphView;

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
    // Brings a view to the front beside the editor: "graph", "layers" or "files".
    void showView(const QString &name);
    ProblemsModel *problemsModel() const { return m_problemsModel; }
    QTreeView *problemsView() const { return m_problemsView; }
    QComboBox *targetBox() const { return m_targetBox; }
    QAction *action(const QString &objectName) const; // by object name, e.g. "actionSave"

    void applyPreferences(const Preferences &preferences);

Q_SIGNALS:
    void analysisApplied(); // the editor, graph and problems show a new analysis

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createStatusBar();
    void createProblemsDock();
    void readWindowSettings();
    void writeWindowSettings() const;

    bool maybeSave();
    void openInteractive();
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

    LiveAnalysis *m_analysis;
    DockerfileEditor *m_editor;
    StageGraphView *m_graphView;
    LayersView *m_layersView;
    FilesView *m_filesView;
    QTabWidget *m_views;
    QSplitter *m_splitter;
    ProblemsModel *m_problemsModel;
    QTreeView *m_problemsView = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QComboBox *m_targetBox = nullptr;
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
};

} // namespace stagecraft::ui
