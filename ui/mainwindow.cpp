#include "ui/mainwindow.h"

#include "core/analysis/bytesize.h"
#include "core/store/imagestore.h"
#include "ui/buildcontroller.h"
#include "ui/buildlogmodel.h"
#include "ui/buildlogview.h"
#include "ui/buildsession.h"
#include "ui/copydropcontroller.h"
#include "ui/dockerfileeditor.h"
#include "ui/enginepicker.h"
#include "ui/examplecatalog.h"
#include "ui/filesview.h"
#include "ui/hostcheckdialog.h"
#include "ui/kitimportdialog.h"
#include "ui/layersview.h"
#include "ui/preferencesdialog.h"
#include "ui/problemsmodel.h"
#include "ui/rundialog.h"
#include "ui/stagegraphview.h"
#include "ui/terminalpanel.h"
#include "ui/timelineview.h"
#include "ui/tintediconengine.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBlock>
#include <QThread>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <array>

#include <unistd.h>

namespace stagecraft::ui {

namespace {

constexpr int kMaxRecentFiles = 8;
constexpr std::array kZoomSteps{50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300, 400};

QIcon themedIcon(const char *name, QStyle::StandardPixmap fallback)
{
    const QString themed = QString::fromLatin1(name);
    if (QIcon::hasThemeIcon(themed))
        return QIcon::fromTheme(themed);
    return TintedIconEngine::readable(QApplication::style()->standardIcon(fallback));
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_analysis(new LiveAnalysis(this))
    , m_editor(new DockerfileEditor)
    , m_graphView(new StageGraphView)
    , m_layersView(new LayersView)
    , m_filesView(new FilesView)
    , m_views(new QTabWidget)
    , m_splitter(new QSplitter(Qt::Horizontal))
    , m_problemsModel(new ProblemsModel(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/stagecraft.svg")));
    m_editor->setObjectName(QStringLiteral("editor"));
    m_graphView->setObjectName(QStringLiteral("graphView"));
    m_layersView->setObjectName(QStringLiteral("layersView"));
    m_filesView->setObjectName(QStringLiteral("filesView"));
    m_views->setObjectName(QStringLiteral("views"));
    m_views->setDocumentMode(true);
    m_views->addTab(m_graphView, tr("Graph"));
    m_views->addTab(m_layersView, tr("Layers"));
    m_views->addTab(m_filesView, tr("Files"));
    // A drag from the Files tab switches to the Graph tab when it hovers over it, so a
    // file goes onto another stage's node in one gesture.
    m_views->tabBar()->setChangeCurrentOnDrag(true);
    m_views->tabBar()->setAcceptDrops(true);
    // The views' toolbars want more width than a 1024-pixel window has beside 60 columns
    // of code: they scroll instead of squeezing the editor (whose minimum is its columns).
    auto *viewsScroll = new QScrollArea;
    viewsScroll->setObjectName(QStringLiteral("viewsScroll"));
    viewsScroll->setWidget(m_views);
    viewsScroll->setWidgetResizable(true);
    viewsScroll->setFrameShape(QFrame::NoFrame);
    viewsScroll->setMinimumWidth(200);
    m_splitter->setObjectName(QStringLiteral("splitter"));
    m_splitter->addWidget(m_editor);
    m_splitter->addWidget(viewsScroll);
    m_splitter->setStretchFactor(0, 1);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    connect(m_splitter, &QSplitter::splitterMoved, this,
            [this] { QSettings().setValue(QStringLiteral("window/splitter"), m_splitter->saveState()); });
    setCentralWidget(m_splitter);

    m_session = new BuildSession(this);
    m_logModel = new BuildLogModel(this);
    createActions();
    createProblemsDock();
    createBuildLogDock();
    createTerminalDock();
    createTimelineDock();
    createMenus();
    createToolBar();
    createStatusBar();

    connect(m_editor, &QPlainTextEdit::textChanged, this,
            [this] { m_analysis->setText(m_editor->toPlainText()); });
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, &QWidget::setWindowModified);
    connect(m_editor, &QPlainTextEdit::cursorPositionChanged, this, &MainWindow::updateCursorStatus);
    connect(m_editor, &DockerfileEditor::stageLinkActivated, m_graphView, &StageGraphView::selectStage);
    connect(m_analysis, &LiveAnalysis::analyzed, this, &MainWindow::applyAnalysis);
    connect(m_graphView, &StageGraphView::stageActivated, this, &MainWindow::selectStageLines);
    m_builds =
        new BuildController(m_session, {m_editor, m_graphView, m_logModel, m_logView, m_buildProgress}, this);
    m_timeline->setProgress(&m_builds->buildState());
    connect(m_builds, &BuildController::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(m_builds, &BuildController::finished, this, &MainWindow::onBuildFinished);
    connect(m_session, &BuildSession::busyChanged, this, &MainWindow::updateBuildActions);
    connect(m_session, &BuildSession::failedStepHeld, this,
            [this](const QString &instruction, int, int exitCode) { showFailedStep(instruction, exitCode); });
    connect(m_session, &BuildSession::failedStepReleased, this, [this] {
        m_failedStepBar->hide();
        action(QStringLiteral("actionOpenFailedShell"))->setEnabled(false);
    });
    connect(m_session, &BuildSession::runOutput, this, [this](const QString &line) {
        m_logModel->append(-1, tr("run"), BuildLogModel::Kind::Output, line);
    });
    connect(m_session, &BuildSession::runFinished, this, [this](int exitCode, const QString &error) {
        m_running = false;
        if (error.isEmpty())
            m_logModel->append(-1, tr("run"), BuildLogModel::Kind::Info,
                               tr("The container exited with code 0."));
        else
            m_logModel->append(-1, tr("run"), BuildLogModel::Kind::Error, error);
        statusBar()->showMessage(error.isEmpty() ? tr("The run finished.") : error, 5000);
        Q_EMIT runFinished(exitCode);
    });
    connect(m_layersView, &LayersView::layerActivated, this,
            [this](const QString &argument, int layerIndex, const QString &) {
                selectLayerLine(argument, layerIndex);
            });
    connect(m_filesView, &FilesView::layerActivated, this,
            [this](int layerIndex) { selectLayerLine(m_filesImage, layerIndex); });
    auto *copyDrop = new CopyDropController(m_editor, m_graphView, this);
    connect(copyDrop, &CopyDropController::copyInserted, this, &MainWindow::flushAnalysis);
    setStoreRoot(ImageStore::defaultRoot());

    m_preferences = Preferences::load();
    m_enginePicker->setPreferences(m_preferences);
    m_zoomPercent = m_preferences.zoomPercent;
    m_editor->setEditorFont(m_preferences.editorFont);
    setZoomPercent(m_zoomPercent);

    resize(1280, 800);
    m_splitter->setSizes({560, 720});
    resizeDocks({m_problemsDock}, {130}, Qt::Vertical);
    readWindowSettings();
    newDocument();
}

MainWindow::~MainWindow()
{
    if (m_hostCheck) {
        m_hostCheck->wait();
        delete m_hostCheck;
    }
}

void MainWindow::showViewAlone(const QString &name)
{
    showView(name);
    m_editor->hide();
    for (QDockWidget *dock : findChildren<QDockWidget *>())
        dock->hide();
}

void MainWindow::showView(const QString &name)
{
    if (name == QLatin1String("graph"))
        m_views->setCurrentWidget(m_graphView);
    else if (name == QLatin1String("layers"))
        m_views->setCurrentWidget(m_layersView);
    else if (name == QLatin1String("files"))
        m_views->setCurrentWidget(m_filesView);
}

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::createActions()
{
    struct Spec
    {
        const char *objectName;
        QString text;
        QList<QKeySequence> keys;
        std::function<void()> run;
        QIcon icon;
    };
    const QList<Spec> specs{
        {"actionNew",
         tr("&New"),
         {QKeySequence::New},
         [this] {
             if (maybeSave())
                 newDocument();
         },
         themedIcon("document-new", QStyle::SP_FileIcon)},
        {"actionOpen",
         tr("&Open…"),
         {QKeySequence::Open},
         [this] { openInteractive(); },
         themedIcon("document-open", QStyle::SP_DialogOpenButton)},
        {"actionOpenBuildRecord",
         tr("Open Build &Record…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+O"))},
         [this] { openBuildRecordInteractive(); },
         themedIcon("document-open", QStyle::SP_DialogOpenButton)},
        {"actionSaveBuildRecord",
         tr("Save &Build Record…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+R"))},
         [this] { saveBuildRecordInteractive(); },
         themedIcon("document-save-as", QStyle::SP_DialogSaveButton)},
        {"actionSave",
         tr("&Save"),
         {QKeySequence::Save},
         [this] { saveInteractive(); },
         themedIcon("document-save", QStyle::SP_DialogSaveButton)},
        {"actionSaveAs",
         tr("Save &As…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+S"))},
         [this] { saveAsInteractive(); },
         themedIcon("document-save-as", QStyle::SP_DialogSaveButton)},
        {"actionExportGraph",
         tr("&Export Graph…"),
         {QKeySequence(QStringLiteral("Ctrl+E"))},
         [this] { exportGraph(); },
         themedIcon("document-export", QStyle::SP_DriveFDIcon)},
        {"actionQuit",
         tr("&Quit"),
         {QKeySequence(QStringLiteral("Ctrl+Q"))},
         [this] { close(); },
         themedIcon("application-exit", QStyle::SP_DialogCloseButton)},
        {"actionUndo",
         tr("&Undo"),
         {QKeySequence::Undo},
         [this] { m_editor->undo(); },
         themedIcon("edit-undo", QStyle::SP_ArrowBack)},
        {"actionRedo",
         tr("&Redo"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+Z")), QKeySequence(QStringLiteral("Ctrl+Y"))},
         [this] { m_editor->redo(); },
         themedIcon("edit-redo", QStyle::SP_ArrowForward)},
        {"actionCut",
         tr("Cu&t"),
         {QKeySequence::Cut},
         [this] { m_editor->cut(); },
         QIcon::fromTheme(QStringLiteral("edit-cut"))},
        {"actionCopy",
         tr("&Copy"),
         {QKeySequence::Copy},
         [this] { m_editor->copy(); },
         QIcon::fromTheme(QStringLiteral("edit-copy"))},
        {"actionPaste",
         tr("&Paste"),
         {QKeySequence::Paste},
         [this] { m_editor->paste(); },
         QIcon::fromTheme(QStringLiteral("edit-paste"))},
        {"actionSelectAll",
         tr("Select &All"),
         {QKeySequence::SelectAll},
         [this] { m_editor->selectAll(); },
         {}},
        {"actionComplete",
         tr("&Complete"),
         {QKeySequence(QStringLiteral("Ctrl+Space"))},
         [this] { m_editor->complete(true); },
         {}},
        {"actionPreferences",
         tr("&Preferences…"),
         {QKeySequence(QStringLiteral("Ctrl+,"))},
         [this] { showPreferences(); },
         themedIcon("preferences-system", QStyle::SP_FileDialogDetailedView)},
        {"actionZoomIn",
         tr("Zoom &In"),
         {QKeySequence(QStringLiteral("Ctrl+=")), QKeySequence(QStringLiteral("Ctrl++"))},
         [this] {
             for (int step : kZoomSteps)
                 if (step > m_zoomPercent) {
                     setZoomPercent(step);
                     return;
                 }
         },
         themedIcon("zoom-in", QStyle::SP_ArrowUp)},
        {"actionZoomOut",
         tr("Zoom &Out"),
         {QKeySequence(QStringLiteral("Ctrl+-"))},
         [this] {
             for (auto it = kZoomSteps.rbegin(); it != kZoomSteps.rend(); ++it)
                 if (*it < m_zoomPercent) {
                     setZoomPercent(*it);
                     return;
                 }
         },
         themedIcon("zoom-out", QStyle::SP_ArrowDown)},
        {"actionZoomReset",
         tr("&Reset Zoom"),
         {QKeySequence(QStringLiteral("Ctrl+0"))},
         [this] {
             setZoomPercent(100);
             m_graphView->fitToView();
         },
         themedIcon("zoom-original", QStyle::SP_BrowserReload)},
        {"actionFitGraph",
         tr("&Fit Graph to Window"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+0"))},
         [this] { m_graphView->fitToView(); },
         themedIcon("zoom-fit-best", QStyle::SP_TitleBarMaxButton)},
        {"actionNextProblem",
         tr("&Next Problem"),
         {QKeySequence(QStringLiteral("F8"))},
         [this] { stepProblem(1); },
         {}},
        {"actionPreviousProblem",
         tr("P&revious Problem"),
         {QKeySequence(QStringLiteral("Shift+F8"))},
         [this] { stepProblem(-1); },
         {}},
        {"actionChooseTarget",
         tr("Choose &Target"),
         {QKeySequence(QStringLiteral("Ctrl+T"))},
         [this] {
             m_targetBox->setFocus();
             m_targetBox->showPopup();
         },
         {}},
        {"actionFocusEditor",
         tr("Go to &Editor"),
         {QKeySequence(QStringLiteral("Ctrl+1"))},
         [this] {
             m_editor->show();
             m_editor->setFocus();
         },
         {}},
        {"actionFocusGraph",
         tr("Go to &Graph"),
         {QKeySequence(QStringLiteral("Ctrl+2"))},
         [this] {
             showView(QStringLiteral("graph"));
             m_graphView->setFocus();
         },
         {}},
        {"actionBuild",
         tr("&Build"),
         {QKeySequence(QStringLiteral("Ctrl+B")), QKeySequence(QStringLiteral("F5"))},
         [this] {
             QString error;
             if (!startBuild(&error))
                 statusBar()->showMessage(error, 6000);
         },
         themedIcon("run-build", QStyle::SP_MediaPlay)},
        {"actionCancelBuild",
         tr("&Cancel Build"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+B"))},
         [this] { cancelBuild(); },
         themedIcon("process-stop", QStyle::SP_MediaStop)},
        {"actionRun",
         tr("&Run Image"),
         {QKeySequence(QStringLiteral("Ctrl+R"))},
         [this] { runInteractive(); },
         themedIcon("system-run", QStyle::SP_CommandLink)},
        {"actionCheckHost",
         tr("Check This &Computer…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+F1"))},
         [this] { checkHost(false); },
         themedIcon("dialog-information", QStyle::SP_MessageBoxInformation)},
        {"actionAbout",
         tr("&About Stagecraft"),
         {QKeySequence(QStringLiteral("Ctrl+F1"))},
         [this] { showAbout(); },
         QIcon(QStringLiteral(":/stagecraft.svg"))},
    };
    for (const Spec &spec : specs) {
        auto *a = new QAction(spec.icon, spec.text, this);
        a->setObjectName(QString::fromLatin1(spec.objectName));
        a->setShortcuts(spec.keys);
        if (!spec.keys.isEmpty())
            a->setToolTip(
                QStringLiteral("%1 (%2)").arg(a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                              spec.keys.first().toString(QKeySequence::NativeText)));
        connect(a, &QAction::triggered, this, spec.run);
        addAction(a); // shortcuts work even while the menu bar is hidden
    }
    action(QStringLiteral("actionCancelBuild"))->setEnabled(false);
    action(QStringLiteral("actionRun"))->setEnabled(false);
    action(QStringLiteral("actionSaveBuildRecord"))->setEnabled(false); // until a build ends

    // Like `stagecraft build --debug-shell`: a failed RUN waits for a shell in its filesystem.
    auto *keep = new QAction(tr("&Keep Failed Step for a Shell"), this);
    keep->setObjectName(QStringLiteral("actionKeepFailedStep"));
    keep->setCheckable(true);
    keep->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+K")));
    keep->setChecked(QSettings().value(QStringLiteral("build/keepFailedStep"), false).toBool());
    keep->setToolTip(tr("When a RUN step fails, offer a shell in its filesystem before the build ends"));
    connect(keep, &QAction::toggled, this,
            [](bool on) { QSettings().setValue(QStringLiteral("build/keepFailedStep"), on); });
    addAction(keep);
    auto *open = new QAction(themedIcon("utilities-terminal", QStyle::SP_ComputerIcon),
                             tr("Open a &Shell Here"), this);
    open->setObjectName(QStringLiteral("actionOpenFailedShell"));
    open->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+H")));
    open->setToolTip(tr("Open a shell in the failed step's filesystem in the Terminal"));
    open->setEnabled(false);
    connect(open, &QAction::triggered, this, &MainWindow::openFailedStepShell);
    addAction(open);
    action(QStringLiteral("actionUndo"))->setEnabled(false);
    action(QStringLiteral("actionRedo"))->setEnabled(false);
    connect(m_editor, &QPlainTextEdit::undoAvailable, action(QStringLiteral("actionUndo")),
            &QAction::setEnabled);
    connect(m_editor, &QPlainTextEdit::redoAvailable, action(QStringLiteral("actionRedo")),
            &QAction::setEnabled);
}

void MainWindow::createProblemsDock()
{
    m_problemsView = new QTreeView;
    m_problemsView->setObjectName(QStringLiteral("problemsView"));
    m_problemsView->setModel(m_problemsModel);
    m_problemsView->setRootIsDecorated(false);
    m_problemsView->setUniformRowHeights(true);
    m_problemsView->setAlternatingRowColors(true);
    m_problemsView->setAccessibleName(tr("Problems"));
    m_problemsView->header()->setStretchLastSection(false);
    m_problemsView->header()->setSectionResizeMode(ProblemsModel::MessageColumn, QHeaderView::Stretch);
    m_problemsView->header()->setSectionResizeMode(ProblemsModel::LocationColumn,
                                                   QHeaderView::ResizeToContents);
    m_problemsView->header()->setSectionResizeMode(ProblemsModel::RuleColumn, QHeaderView::ResizeToContents);
    connect(m_problemsView, &QTreeView::activated, this, &MainWindow::activateProblem);
    connect(m_problemsView, &QTreeView::clicked, this, &MainWindow::activateProblem);

    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problemsView);
    m_problemsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    QAction *toggle = m_problemsDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionProblems"));
    toggle->setText(tr("&Problems"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+M")));
    addAction(toggle);
}

void MainWindow::createBuildLogDock()
{
    m_logView = new BuildLogView(m_logModel);
    m_logView->setObjectName(QStringLiteral("buildLogView"));
    connect(m_logView, &BuildLogView::lineActivated, this, [this](int line) { m_editor->goTo(line, 1); });
    // The bar over the log that offers a failed step's shell while the build holds it.
    m_failedStepBar = new QWidget;
    m_failedStepBar->setObjectName(QStringLiteral("failedStepBar"));
    m_failedStepBar->setAutoFillBackground(true);
    m_failedStepBar->setBackgroundRole(QPalette::ToolTipBase);
    m_failedStepBar->setForegroundRole(QPalette::ToolTipText);
    auto *barLayout = new QHBoxLayout(m_failedStepBar);
    barLayout->setContentsMargins(6, 3, 6, 3);
    m_failedStepLabel = new QLabel;
    m_failedStepLabel->setObjectName(QStringLiteral("failedStepLabel"));
    m_failedStepLabel->setTextFormat(Qt::PlainText);
    barLayout->addWidget(m_failedStepLabel, 1);
    auto *openButton = new QToolButton;
    openButton->setObjectName(QStringLiteral("openFailedShellButton"));
    openButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    openButton->setDefaultAction(action(QStringLiteral("actionOpenFailedShell")));
    barLayout->addWidget(openButton);
    auto *declineButton = new QPushButton(tr("&End the Build"));
    declineButton->setObjectName(QStringLiteral("declineFailedShellButton"));
    connect(declineButton, &QPushButton::clicked, this, [this] { m_session->releaseFailedStep(); });
    barLayout->addWidget(declineButton);
    m_failedStepBar->hide();
    auto *logPane = new QWidget;
    auto *logLayout = new QVBoxLayout(logPane);
    logLayout->setContentsMargins(0, 0, 0, 0);
    logLayout->setSpacing(0);
    logLayout->addWidget(m_failedStepBar);
    logLayout->addWidget(m_logView, 1);

    m_logDock = new QDockWidget(tr("Build Log"), this);
    m_logDock->setObjectName(QStringLiteral("buildLogDock"));
    m_logDock->setWidget(logPane);
    m_logDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    tabifyDockWidget(m_problemsDock, m_logDock);
    m_problemsDock->raise();
    QAction *toggle = m_logDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionBuildLog"));
    toggle->setText(tr("Build &Log"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+L")));
    addAction(toggle);
}

void MainWindow::createTimelineDock()
{
    m_timeline = new TimelineView;
    m_timeline->setObjectName(QStringLiteral("timelineView"));
    connect(m_timeline, &TimelineView::stepActivated, this,
            [this](int, int, int firstLine, int lastLine) { m_editor->selectLines(firstLine, lastLine); });
    m_timelineDock = new QDockWidget(tr("Timeline"), this);
    m_timelineDock->setObjectName(QStringLiteral("timelineDock"));
    m_timelineDock->setWidget(m_timeline);
    m_timelineDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);
    tabifyDockWidget(m_logDock, m_timelineDock);
    m_problemsDock->raise();
    QAction *toggle = m_timelineDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionTimeline"));
    toggle->setText(tr("Ti&meline"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+I")));
    addAction(toggle);
}

void MainWindow::createTerminalDock()
{
    m_terminal = new TerminalPanel;
    m_terminal->setObjectName(QStringLiteral("terminalPanel"));
    m_terminalDock = new QDockWidget(tr("Terminal"), this);
    m_terminalDock->setObjectName(QStringLiteral("terminalDock"));
    m_terminalDock->setWidget(m_terminal);
    m_terminalDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    addDockWidget(Qt::BottomDockWidgetArea, m_terminalDock);
    tabifyDockWidget(m_logDock, m_terminalDock);
    m_problemsDock->raise();
    QAction *toggle = m_terminalDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionTerminal"));
    toggle->setText(tr("&Terminal"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+T")));
    addAction(toggle);
    connect(m_terminal, &TerminalPanel::started, this, [this] {
        updateBuildActions();
        m_terminalDock->show();
        m_terminalDock->raise();
        // The bottom docks start low (a few problems fit); a shell needs rows to be usable.
        if (m_terminalDock->height() < height() / 3)
            resizeDocks({m_terminalDock}, {height() / 3}, Qt::Vertical);
    });
    connect(m_terminal, &TerminalPanel::finished, this, [this](int exitCode, const QString &error) {
        if (m_shellOpen) {
            m_shellOpen = false;
            updateBuildActions();
            statusBar()->showMessage(
                error.isEmpty() ? tr("The shell exited with code %1; the build ends.").arg(exitCode) : error,
                5000);
            return;
        }
        m_running = false;
        updateBuildActions();
        statusBar()->showMessage(
            error.isEmpty() ? tr("The container exited with code %1.").arg(exitCode) : error, 5000);
        Q_EMIT runFinished(exitCode);
    });
}

void MainWindow::createMenus()
{
    const auto a = [this](const char *name) { return action(QString::fromLatin1(name)); };
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->addAction(a("actionNew"));
    file->addAction(a("actionOpen"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("menuRecent"));
    m_examplesMenu = file->addMenu(tr("E&xamples"));
    m_examplesMenu->setObjectName(QStringLiteral("menuExamples"));
    for (const Example &example : ExampleCatalog::examples()) {
        QAction *open = m_examplesMenu->addAction(ExampleCatalog::title(example));
        open->setObjectName(QStringLiteral("actionExample-") + example.id);
        open->setStatusTip(ExampleCatalog::summary(example));
        open->setToolTip(ExampleCatalog::summary(example));
        const QString id = example.id;
        connect(open, &QAction::triggered, this, [this, id] { openExampleInteractive(id); });
    }
    file->addSeparator();
    file->addAction(a("actionSave"));
    file->addAction(a("actionSaveAs"));
    file->addAction(a("actionExportGraph"));
    file->addSeparator();
    file->addAction(a("actionOpenBuildRecord"));
    file->addAction(a("actionSaveBuildRecord"));
    QAction *importKit = file->addAction(tr("Import Classroom &Kit…"));
    importKit->setObjectName(QStringLiteral("actionImportKit"));
    importKit->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+K")));
    connect(importKit, &QAction::triggered, this, [this] {
        auto *dialog = new KitImportDialog(m_storeRoot, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &KitImportDialog::exampleChosen, this,
                [this](const QString &path) { openFile(path); });
        dialog->open();
    });
    file->addSeparator();
    file->addAction(a("actionQuit"));
    rebuildRecentMenu();

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->setObjectName(QStringLiteral("menuEdit"));
    for (const char *name : {"actionUndo", "actionRedo"})
        edit->addAction(a(name));
    edit->addSeparator();
    for (const char *name : {"actionCut", "actionCopy", "actionPaste", "actionSelectAll"})
        edit->addAction(a(name));
    edit->addSeparator();
    edit->addAction(a("actionComplete"));
    edit->addSeparator();
    edit->addAction(a("actionPreferences"));

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    for (const char *name : {"actionZoomIn", "actionZoomOut", "actionZoomReset", "actionFitGraph"})
        view->addAction(a(name));
    view->addSeparator();
    view->addAction(a("actionProblems"));
    view->addAction(a("actionBuildLog"));
    view->addAction(a("actionTimeline"));
    view->addAction(a("actionNextProblem"));
    view->addAction(a("actionPreviousProblem"));
    view->addSeparator();
    for (const char *name : {"actionChooseTarget", "actionFocusEditor", "actionFocusGraph"})
        view->addAction(a(name));

    QMenu *build = menuBar()->addMenu(tr("&Build"));
    build->setObjectName(QStringLiteral("menuBuild"));
    for (const char *name : {"actionBuild", "actionCancelBuild", "actionRun"})
        build->addAction(a(name));
    build->addSeparator();
    build->addAction(a("actionKeepFailedStep"));
    build->addAction(a("actionOpenFailedShell"));
    build->addSeparator();
    build->addAction(a("actionBuildLog"));
    build->addAction(a("actionTerminal"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    help->addAction(a("actionCheckHost"));
    help->addAction(a("actionAbout"));
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // New, Open and Save are icons only (everyone knows them; they are in File too): at
    // 1024 pixels in German the labels pushed Run and the zoom into the overflow menu.
    for (const char *name : {"actionNew", "actionOpen", "actionSave"}) {
        QAction *a = action(QString::fromLatin1(name));
        bar->addAction(a);
        if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(a)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    bar->addSeparator();

    auto *targetLabel = new QLabel(tr("Target:"));
    targetLabel->setContentsMargins(6, 0, 6, 0);
    m_targetBox = new QComboBox;
    m_targetBox->setObjectName(QStringLiteral("targetBox"));
    m_targetBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_targetBox->setMinimumContentsLength(8);
    m_targetBox->setToolTip(tr("The stage to build; stages it does not need are dimmed (Ctrl+T)"));
    targetLabel->setBuddy(m_targetBox);
    bar->addWidget(targetLabel);
    bar->addWidget(m_targetBox);
    connect(m_targetBox, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updatingTargets)
            m_analysis->setTarget(m_targetBox->currentData().toString());
    });
    m_buildArgsEdit = new QLineEdit;
    m_buildArgsEdit->setObjectName(QStringLiteral("buildArgsEdit"));
    m_buildArgsEdit->setPlaceholderText(tr("Build arguments: KEY=VALUE …"));
    m_buildArgsEdit->setToolTip(
        tr("Build arguments for ARG, separated by spaces: VERSION=1.2 \"MSG=hello world\""));
    m_buildArgsEdit->setClearButtonEnabled(true);
    m_buildArgsEdit->setMinimumWidth(100);
    m_buildArgsEdit->setMaximumWidth(280);
    connect(m_buildArgsEdit, &QLineEdit::returnPressed, action(QStringLiteral("actionBuild")),
            &QAction::trigger);
    bar->addWidget(m_buildArgsEdit);
    for (const char *name : {"actionBuild", "actionCancelBuild", "actionRun"})
        bar->addAction(action(QString::fromLatin1(name)));
    // Stop is the one icon everyone reads; its label made the bar overflow in German.
    if (auto *cancel =
            qobject_cast<QToolButton *>(bar->widgetForAction(action(QStringLiteral("actionCancelBuild")))))
        cancel->setToolButtonStyle(Qt::ToolButtonIconOnly);
    bar->addSeparator();
    for (const char *name : {"actionZoomOut", "actionZoomReset", "actionZoomIn", "actionFitGraph"}) {
        bar->addAction(action(QString::fromLatin1(name)));
    }
    bar->addSeparator();
    bar->addAction(action(QStringLiteral("actionExportGraph")));
    // Short labels keep the zoom buttons small; without an icon theme they are text only
    // (the style's fallback arrows would say nothing about zooming).
    const std::pair<const char *, QString> shortLabels[] = {{"actionZoomOut", QStringLiteral("\u2212")},
                                                            {"actionZoomReset", QStringLiteral("100 %")},
                                                            {"actionZoomIn", QStringLiteral("+")},
                                                            {"actionFitGraph", tr("Fit")}};
    for (const auto &[name, label] : shortLabels) {
        QAction *a = action(QString::fromLatin1(name));
        a->setIconText(label);
        if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(a)))
            button->setToolButtonStyle(QIcon::hasThemeIcon(QStringLiteral("zoom-in"))
                                           ? Qt::ToolButtonIconOnly
                                           : Qt::ToolButtonTextOnly);
    }
}

void MainWindow::createStatusBar()
{
    // The engine picker sits here, not in the toolbar: at 1024 pixels in German the toolbar
    // has no room left for it.
    m_enginePicker = new EnginePicker;
    connect(m_enginePicker, &EnginePicker::engineChosen, this,
            [this](EngineKind kind) { m_preferences.engine = kind; });
    statusBar()->addPermanentWidget(m_enginePicker);
    m_positionLabel = new QLabel;
    m_positionLabel->setObjectName(QStringLiteral("positionLabel"));
    m_stageLabel = new QLabel;
    m_stageLabel->setObjectName(QStringLiteral("stageLabel"));
    m_problemsLabel = new QLabel;
    m_problemsLabel->setObjectName(QStringLiteral("problemsLabel"));
    m_parseLabel = new QLabel;
    m_parseLabel->setObjectName(QStringLiteral("parseLabel"));
    for (QLabel *label : {m_positionLabel, m_stageLabel, m_problemsLabel, m_parseLabel})
        label->setContentsMargins(8, 0, 8, 0);
    statusBar()->addWidget(m_positionLabel);
    statusBar()->addWidget(m_stageLabel, 1);
    m_buildProgress = new QProgressBar;
    m_buildProgress->setObjectName(QStringLiteral("buildProgress"));
    m_buildProgress->setMaximumWidth(220);
    m_buildProgress->setTextVisible(true);
    m_buildProgress->setVisible(false);
    statusBar()->addPermanentWidget(m_buildProgress);
    statusBar()->addPermanentWidget(m_problemsLabel);
    statusBar()->addPermanentWidget(m_parseLabel);
}

void MainWindow::readWindowSettings()
{
    QSettings settings;
    const QByteArray geometry = settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (!geometry.isEmpty())
        restoreGeometry(geometry);
    const QByteArray state = settings.value(QStringLiteral("window/state")).toByteArray();
    if (!state.isEmpty())
        restoreState(state);
    const QByteArray splitter = settings.value(QStringLiteral("window/splitter")).toByteArray();
    if (!splitter.isEmpty())
        m_splitter->restoreState(splitter);
}

void MainWindow::writeWindowSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("view/zoomPercent"), m_zoomPercent);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    if (m_session->isBusy()) {
        // Closing stops the build or run and waits for its processes to end.
        m_session->cancel();
        m_session->waitUntilIdle(10000);
    }
    m_terminal->stop(); // its destructor waits for the container's end
    writeWindowSettings();
    event->accept();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        updateTitle();
    QMainWindow::changeEvent(event);
}

bool MainWindow::isDocumentModified() const
{
    return m_editor->document()->isModified();
}

bool MainWindow::maybeSave()
{
    if (!isDocumentModified())
        return true;
    const QString name = m_currentFile.isEmpty() ? tr("Untitled") : QFileInfo(m_currentFile).fileName();
    const auto answer = QMessageBox::warning(
        this, tr("Unsaved Changes"), tr("“%1” has unsaved changes. Save them before closing it?").arg(name),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save)
        return saveInteractive();
    return answer == QMessageBox::Discard;
}

void MainWindow::setDocumentText(const QString &text, const QString &path)
{
    // The build shown was of the other document: its states, badges and image go with it.
    if (m_session->isBusy())
        m_session->cancel();
    m_builds->reset();
    m_builds->forgetImage();
    updateBuildActions();
    m_currentFile = path;
    m_editor->setPlainText(text);
    m_editor->document()->setModified(false);
    m_editor->moveCursor(QTextCursor::Start);
    setWindowModified(false);
    updateTitle();
    m_analysis->analyzeNow(text);
    m_graphView->fitToView();
}

void MainWindow::newDocument()
{
    setDocumentText(QString(), QString());
}

bool MainWindow::openFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("Cannot open %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    const QByteArray bytes = file.readAll();
    setDocumentText(QString::fromUtf8(bytes), QFileInfo(path).absoluteFilePath());
    addRecentFile(m_currentFile);
    return true;
}

bool MainWindow::saveFile(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(m_editor->toPlainText().toUtf8()) < 0 ||
        !file.commit()) {
        if (error)
            *error = tr("Cannot save %1: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    m_currentFile = QFileInfo(path).absoluteFilePath();
    m_editor->document()->setModified(false);
    addRecentFile(m_currentFile);
    updateTitle();
    return true;
}

bool MainWindow::openExample(const QString &id, QString *error)
{
    const QString path = ExampleCatalog::materialize(id, error);
    if (path.isEmpty())
        return false;
    if (!openFile(path, error))
        return false;
    return true;
}

void MainWindow::showError(const QString &title, const QString &message)
{
    QMessageBox::warning(this, title, message);
}

void MainWindow::openInteractive()
{
    if (!maybeSave())
        return;
    const QString dir = m_currentFile.isEmpty() ? QDir::homePath() : QFileInfo(m_currentFile).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Dockerfile"), dir,
                                                      tr("Dockerfiles (Dockerfile *.Dockerfile Dockerfile.* "
                                                         "Containerfile);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!openFile(path, &error))
        showError(tr("Open Dockerfile"), error);
}

bool MainWindow::saveInteractive()
{
    if (m_currentFile.isEmpty())
        return saveAsInteractive();
    QString error;
    if (!saveFile(m_currentFile, &error)) {
        showError(tr("Save Dockerfile"), error);
        return false;
    }
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(m_currentFile)), 3000);
    return true;
}

bool MainWindow::saveAsInteractive()
{
    const QString suggestion =
        m_currentFile.isEmpty() ? QDir::homePath() + QStringLiteral("/Dockerfile") : m_currentFile;
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Dockerfile As"), suggestion);
    if (path.isEmpty())
        return false;
    QString error;
    if (!saveFile(path, &error)) {
        showError(tr("Save Dockerfile"), error);
        return false;
    }
    return true;
}

void MainWindow::openRecent(const QString &path)
{
    if (!maybeSave())
        return;
    QString error;
    if (!openFile(path, &error)) {
        showError(tr("Open Recent"), error);
        QSettings settings;
        QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
        recent.removeAll(path);
        settings.setValue(QStringLiteral("recentFiles"), recent);
        rebuildRecentMenu();
    }
}

void MainWindow::openExampleInteractive(const QString &id)
{
    if (!maybeSave())
        return;
    QString error;
    if (!openExample(id, &error))
        showError(tr("Open Example"), error);
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentFiles)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    int number = 1;
    for (const QString &path : recent) {
        const QString label = number < 10
                                  ? QStringLiteral("&%1  %2").arg(number).arg(QDir::toNativeSeparators(path))
                                  : QDir::toNativeSeparators(path);
        QAction *open = m_recentMenu->addAction(label);
        connect(open, &QAction::triggered, this, [this, path] { openRecent(path); });
        ++number;
    }
    if (recent.isEmpty()) {
        m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    m_recentMenu->addSeparator();
    connect(m_recentMenu->addAction(tr("&Clear List")), &QAction::triggered, this, [this] {
        QSettings().remove(QStringLiteral("recentFiles"));
        rebuildRecentMenu();
    });
}

void MainWindow::exportGraph()
{
    const QString base = m_currentFile.isEmpty() ? QDir::homePath() : QFileInfo(m_currentFile).absolutePath();
    QString selectedFilter;
    const QString svgFilter = tr("SVG image (*.svg)");
    const QString pngFilter = tr("PNG image (*.png)");
    QString path =
        QFileDialog::getSaveFileName(this, tr("Export Graph"), base + QStringLiteral("/stage-graph.svg"),
                                     svgFilter + QStringLiteral(";;") + pngFilter, &selectedFilter);
    if (path.isEmpty())
        return;
    const bool png =
        path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive) ||
        (selectedFilter == pngFilter && !path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive));
    if (png && !path.endsWith(QLatin1String(".png"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    const bool ok = png ? m_graphView->exportPng(path) : m_graphView->exportSvg(path);
    if (!ok)
        showError(tr("Export Graph"), tr("Cannot write %1.").arg(QDir::toNativeSeparators(path)));
    else
        statusBar()->showMessage(tr("Exported the graph to %1").arg(QDir::toNativeSeparators(path)), 4000);
}

void MainWindow::showPreferences()
{
    Preferences current = m_preferences;
    current.zoomPercent = m_zoomPercent;
    PreferencesDialog dialog(current, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const Preferences chosen = dialog.preferences();
    const bool languageChanged = chosen.language != m_preferences.language;
    chosen.save();
    applyPreferences(chosen);
    if (languageChanged)
        QMessageBox::information(this, tr("Language"),
                                 tr("The new language is used the next time Stagecraft starts."));
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    m_preferences = preferences;
    m_enginePicker->setPreferences(preferences);
    Theme::apply(preferences.theme);
    m_editor->setEditorFont(preferences.editorFont);
    setZoomPercent(preferences.zoomPercent);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Stagecraft"),
                       tr("<h3>Stagecraft %1</h3><p>See multi-stage Dockerfiles as a graph while you type, "
                          "build them without a Docker daemon and compare the layers of the images.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::setZoomPercent(int percent)
{
    m_zoomPercent = std::clamp(percent, Preferences::kMinZoom, Preferences::kMaxZoom);
    m_editor->setZoomPercent(m_zoomPercent);
    m_graphView->setFontScale(m_zoomPercent / 100.0);
    m_timeline->setFontScale(m_zoomPercent / 100.0);
    // The projector zoom is the whole window's: menus, toolbar, tabs, docks, log and chart
    // take a scaled font. The graph, the timeline and the editor scale themselves, so they
    // keep the unscaled font (else they would grow twice).
    const QFont base = QApplication::font();
    QFont scaled = base;
    scaled.setPointSizeF(std::max(6.0, base.pointSizeF() * m_zoomPercent / 100.0));
    m_graphView->setFont(base);
    m_timeline->setFont(base);
    setFont(scaled);
    // Menus are windows of their own and do not inherit the window's font.
    for (QMenu *menu : findChildren<QMenu *>())
        menu->setFont(scaled);
    m_positionLabel->setToolTip(tr("Zoom %1 %").arg(m_zoomPercent));
    // The zoom button shows the zoom; clicking it goes back to 100 %.
    if (QAction *reset = action(QStringLiteral("actionZoomReset")))
        reset->setIconText(QStringLiteral("%1 %").arg(m_zoomPercent));
}

void MainWindow::updateTitle()
{
    const QString name = m_currentFile.isEmpty() ? tr("Untitled") : QFileInfo(m_currentFile).fileName();
    const QString where =
        m_currentFile.isEmpty()
            ? QString()
            : QStringLiteral(" (%1)").arg(QDir::toNativeSeparators(QFileInfo(m_currentFile).absolutePath()));
    setWindowTitle(QStringLiteral("%1[*]%2 — Stagecraft").arg(name, where));
    setWindowFilePath(m_currentFile);
}

void MainWindow::flushAnalysis()
{
    m_analysis->flush();
}

void MainWindow::applyAnalysis()
{
    const AnalysisResult &r = m_analysis->result();
    m_editor->setAnalysis(r.dockerfile, r.plan, r.diagnostics);
    m_problemsModel->setDiagnostics(r.diagnostics);
    if (r.graphIsCurrent)
        m_graphView->setGraph(r.graph, r.graphDockerfile);
    updateTargetBox();

    int errors = 0;
    int warnings = 0;
    for (const Diagnostic &d : r.diagnostics)
        if (d.severity != Severity::Info) // hints are listed, not counted as problems
            (d.severity == Severity::Error ? errors : warnings)++;
    if (errors == 0 && warnings == 0)
        m_problemsLabel->setText(tr("No problems"));
    else
        m_problemsLabel->setText(tr("%n error(s)", nullptr, errors) + QStringLiteral(", ") +
                                 tr("%n warning(s)", nullptr, warnings));
    m_parseLabel->setText(tr("Parsed in %1 ms").arg(QLocale().toString(r.elapsedMicros / 1000.0, 'f', 1)));
    m_parseLabel->setToolTip(r.graphIsCurrent ? QString()
                                              : tr("The graph shows the last version without errors."));
    m_shownGeneration = r.generation;
    m_cursorStage = -2; // re-select the cursor's stage in the new graph
    updateCursorStatus();
    Q_EMIT analysisApplied();
}

void MainWindow::updateTargetBox()
{
    const StageGraph &plan = m_analysis->result().plan;
    QStringList keys{QString()};
    QStringList labels{tr("Last stage")};
    for (const Stage &stage : plan.stages) {
        keys.append(stage.name.isEmpty() ? QString::number(stage.index) : stage.name);
        labels.append(stage.name.isEmpty() ? tr("Stage %1").arg(stage.index) : stage.name);
    }
    bool same = m_targetBox->count() == keys.size();
    for (int i = 0; same && i < keys.size(); ++i)
        same = m_targetBox->itemData(i).toString() == keys.at(i) && m_targetBox->itemText(i) == labels.at(i);
    if (same)
        return;
    m_updatingTargets = true;
    const QString current = m_analysis->target();
    m_targetBox->clear();
    for (int i = 0; i < keys.size(); ++i)
        m_targetBox->addItem(labels.at(i), keys.at(i));
    const int index = m_targetBox->findData(current);
    m_targetBox->setCurrentIndex(index < 0 ? 0 : index);
    m_updatingTargets = false;
}

void MainWindow::updateCursorStatus()
{
    const QTextCursor cursor = m_editor->textCursor();
    const int line = cursor.blockNumber() + 1;
    const int column = cursor.positionInBlock() + 1;
    m_positionLabel->setText(tr("Line %1, Column %2").arg(line).arg(column));
    const StageGraph &plan = m_analysis->result().plan;
    const int stage = plan.stageAt(line);
    if (stage >= 0 && stage < plan.stages.size())
        m_stageLabel->setText(tr("Stage: %1").arg(plan.stages.at(stage).displayName()));
    else
        m_stageLabel->clear();
    if (stage != m_cursorStage) {
        m_cursorStage = stage;
        if (!m_selectingFromGraph && m_analysis->result().graphIsCurrent)
            m_graphView->selectStage(stage);
        if (stage >= 0)
            showStageFiles(stage);
    }
    selectLayersForLine(line);
}

void MainWindow::selectStageLines(int stageIndex)
{
    const StageGraph &graph = m_analysis->result().graph;
    if (stageIndex < 0 || stageIndex >= graph.stages.size())
        return;
    const SourceRange range = graph.stages.at(stageIndex).range;
    int last = range.end.line;
    if (range.end.column <= 1 && last > range.start.line)
        --last; // the exclusive end sits at the start of the next line
    m_selectingFromGraph = true;
    m_editor->selectLines(range.start.line, std::max(range.start.line, last));
    m_selectingFromGraph = false;
    m_graphView->selectStage(stageIndex);
    m_cursorStage = stageIndex;
}

void MainWindow::activateProblem(const QModelIndex &index)
{
    if (!index.isValid())
        return;
    const int line = index.data(ProblemsModel::LineRole).toInt();
    const int column = index.data(ProblemsModel::ColumnRole).toInt();
    if (line > 0)
        m_editor->goTo(line, column);
}

void MainWindow::stepProblem(int direction)
{
    const int rows = m_problemsModel->rowCount();
    if (rows == 0)
        return;
    const int line = m_editor->textCursor().blockNumber() + 1;
    const int column = m_editor->textCursor().positionInBlock() + 1;
    const SourcePosition here{line, column};
    int pick = direction > 0 ? 0 : rows - 1;
    for (int i = 0; i < rows; ++i) {
        const int row = direction > 0 ? i : rows - 1 - i;
        const SourcePosition p = m_problemsModel->diagnostics().at(row).range.start;
        if ((direction > 0 && p > here) || (direction < 0 && p < here)) {
            pick = row;
            break;
        }
    }
    const QModelIndex index = m_problemsModel->index(pick, 0);
    m_problemsView->setCurrentIndex(index);
    activateProblem(index);
}

} // namespace stagecraft::ui

namespace stagecraft::ui {

void MainWindow::setStoreRoot(const QString &root)
{
    m_storeRoot = root;
    m_layersView->setStoreRoot(root);
    m_filesView->setStoreRoot(root);
    m_layerDigests.clear();
}

bool MainWindow::parseBuildArgs(const QString &text, QHash<QString, QString> *args, QString *error)
{
    args->clear();
    for (const QString &word : QProcess::splitCommand(text)) {
        const qsizetype equals = word.indexOf(QLatin1Char('='));
        if (equals <= 0) {
            if (error)
                *error = tr("The build argument “%1” has no value; write it as NAME=VALUE.").arg(word);
            return false;
        }
        args->insert(word.left(equals), word.mid(equals + 1));
    }
    return true;
}

bool MainWindow::startBuild(QString *error)
{
    const auto failWith = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (m_session->isBusy())
        return failWith(tr("A build or run is in progress; cancel it first."));
    BuildRequest request;
    QString argsError;
    if (!parseBuildArgs(m_buildArgsEdit->text(), &request.buildArgs, &argsError))
        return failWith(argsError);
    auto store = ImageStore::open(m_storeRoot);
    if (!store)
        return failWith(tr("Cannot open the image store %1: %2").arg(m_storeRoot, store.error().message));
    // The editor's text is what gets built, saved or not, as the live analysis parsed it;
    // the context is the file's directory (an empty one for a new file).
    m_analysis->flush();
    request.parsed = std::make_shared<const Dockerfile>(m_analysis->result().dockerfile);
    if (!m_currentFile.isEmpty()) {
        request.contextDir = QFileInfo(m_currentFile).absolutePath();
        request.dockerfile = m_currentFile;
    } else {
        m_buildDir = std::make_unique<QTemporaryDir>();
        if (!m_buildDir->isValid())
            return failWith(tr("Cannot create a temporary directory for the build."));
        QDir(m_buildDir->path()).mkpath(QStringLiteral("context"));
        request.contextDir = m_buildDir->filePath(QStringLiteral("context"));
        request.dockerfile = request.contextDir + QStringLiteral("/Dockerfile");
    }
    request.target = m_targetBox->currentData().toString();

    const QString description =
        request.buildArgs.isEmpty()
            ? tr("Building %1").arg(m_targetBox->currentText())
            : tr("Building %1 with %2").arg(m_targetBox->currentText(), m_buildArgsEdit->text());
    m_session->setKeepFailedStep(action(QStringLiteral("actionKeepFailedStep"))->isChecked());
    m_session->setEngine(m_preferences.engine, m_preferences.dockerOptions());
    if (!m_builds->startBuild(*store, request, m_editor->toPlainText(), engineKindName(m_preferences.engine),
                              description, error))
        return false;
    m_logDock->show();
    m_logDock->raise();
    statusBar()->showMessage(tr("Building…"));
    return true;
}

bool MainWindow::openBuildRecord(const QString &path, QString *error)
{
    if (m_session->isBusy()) {
        if (error)
            *error = tr("A build or run is in progress; cancel it first.");
        return false;
    }
    BuildProgress recorded;
    Expected<BuildRecord> record = BuildController::readRecord(path, recorded);
    if (!record) {
        if (error)
            *error = record.error().message;
        return false;
    }
    // A new, unsaved document: the record's text may differ from any file on disk.
    setDocumentText(record->dockerfile, QString());
    m_builds->showRecord(*record, recorded);
    m_logDock->show();
    m_logDock->raise();
    updateBuildActions();
    statusBar()->showMessage(
        tr("Build record %1: %2").arg(QFileInfo(path).fileName(), progressStateName(recorded.state())));
    return true;
}

bool MainWindow::saveBuildRecord(const QString &path, QString *error)
{
    if (Expected<void> written = m_builds->saveRecord(path); !written) {
        if (error)
            *error = written.error().message;
        return false;
    }
    return true;
}

void MainWindow::openBuildRecordInteractive()
{
    if (!maybeSave())
        return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Build Record"), QDir::homePath(),
                                     tr("Build records, rawjson logs and .dockerbuild archives (*.json "
                                        "*.jsonl *.log *.dockerbuild);;All files (*)"));
    QString error;
    if (!path.isEmpty() && !openBuildRecord(path, &error))
        showError(tr("Open Build Record"), error);
}

void MainWindow::saveBuildRecordInteractive()
{
    const QString dir = m_currentFile.isEmpty() ? QDir::homePath() : QFileInfo(m_currentFile).absolutePath();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Build Record"),
                                                      dir + QStringLiteral("/build-record.json"),
                                                      tr("Build records (*.json)"));
    QString error;
    if (!path.isEmpty() && !saveBuildRecord(path, &error))
        showError(tr("Save Build Record"), error);
}

void MainWindow::showFailedStep(const QString &instruction, int exitCode)
{
    m_failedStepLabel->setText(
        tr("%1 failed with exit code %2. Its filesystem is kept until you end the build.")
            .arg(instruction)
            .arg(exitCode));
    m_failedInstruction = instruction;
    m_failedStepBar->show();
    action(QStringLiteral("actionOpenFailedShell"))->setEnabled(!m_terminal->isRunning());
    m_logDock->show();
    m_logDock->raise();
    statusBar()->showMessage(
        tr("A RUN step failed; open a shell in it from the Build Log or end the build."));
}

void MainWindow::openFailedStepShell()
{
    if (!m_session->hasFailedStep() || m_terminal->isRunning())
        return;
    auto shell = m_session->openFailedStepShell();
    m_failedStepBar->hide();
    action(QStringLiteral("actionOpenFailedShell"))->setEnabled(false);
    QString error;
    m_shellOpen = true;
    if (!m_terminal->start(tr("Shell in the failed step: %1").arg(m_failedInstruction), shell, &error)) {
        m_shellOpen = false;
        statusBar()->showMessage(error, 6000);
        m_session->releaseFailedStep(); // no shell: let the build end as failed
        return;
    }
    m_terminal->view()->setFocus();
    statusBar()->showMessage(tr("Exit the shell to end the build."));
}

void MainWindow::cancelBuild()
{
    m_terminal->stop();
    if (!m_session->isBusy())
        return;
    m_session->cancel();
    statusBar()->showMessage(tr("Cancelling…"));
}

bool MainWindow::startRun(QString *error)
{
    return startRun(RunChoices{}, error);
}

QString MainWindow::runKey() const
{
    const QString file = m_currentFile.isEmpty() ? QStringLiteral("untitled") : m_currentFile;
    return file + u'#' + m_builds->buildTarget();
}

RunChoices MainWindow::runChoicesForLastImage() const
{
    if (const std::optional<RunChoices> remembered = RunChoices::load(runKey()))
        return *remembered;
    RunChoices choices;
    choices.terminal = true;
    if (auto store = ImageStore::open(m_storeRoot)) {
        if (Expected<Image> image = store->image(m_builds->lastImage()))
            choices.ports = RunChoices::portsFromExposed(image->config.config.exposedPorts);
    }
    return choices;
}

void MainWindow::runInteractive()
{
    if (m_builds->lastImage().isEmpty() || m_session->isBusy() || m_terminal->isRunning())
        return;
    const QString name =
        m_targetBox->currentText().isEmpty() ? m_builds->lastImage().left(19) : m_targetBox->currentText();
    RunDialog dialog(name, runChoicesForLastImage(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const RunChoices choices = dialog.choices();
    choices.save(runKey());
    QString error;
    if (!startRun(choices, &error))
        statusBar()->showMessage(error, 6000);
}

void MainWindow::checkHost(bool automatic)
{
    if (m_hostCheck)
        return; // one check at a time; its dialog follows
    auto results = std::make_shared<QList<HostCheckResult>>();
    m_hostCheck = QThread::create([results, root = m_storeRoot] { *results = HostCheck::run(root); });
    connect(m_hostCheck, &QThread::finished, this, [this, results, automatic] {
        m_hostCheck->deleteLater();
        m_hostCheck = nullptr;
        if (!automatic)
            statusBar()->clearMessage();
        if (automatic && !HostCheckDialog::shouldShow(*results))
            return;
        auto *dialog = new HostCheckDialog(*results, this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    if (!automatic)
        statusBar()->showMessage(tr("Checking this computer…"));
    m_hostCheck->start();
}

bool MainWindow::startRun(const RunChoices &choices, QString *error)
{
    if (m_session->isBusy() || m_terminal->isRunning()) {
        if (error)
            *error = tr("A build or run is in progress; cancel it first.");
        return false;
    }
    if (m_builds->lastImage().isEmpty()) {
        if (error)
            *error = tr("Build the image first; Run starts the last built image.");
        return false;
    }
    auto store = ImageStore::open(m_storeRoot);
    if (!store) {
        if (error)
            *error = tr("Cannot open the image store %1: %2").arg(m_storeRoot, store.error().message);
        return false;
    }
    Expected<ContainerOptions> options = choices.containerOptions(m_builds->lastImage());
    if (!options) {
        if (error)
            *error = options.error().message;
        return false;
    }
    QList<QUrl> links;
    for (const PortForward &port : std::as_const(options->ports)) {
        if (port.udp)
            continue;
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(port.hostAddress == u"0.0.0.0" || port.hostAddress == u"::" ? QStringLiteral("127.0.0.1")
                                                                                : port.hostAddress);
        url.setPort(port.hostPort);
        links.append(url);
    }
    if (choices.terminal) {
        const ImageStore runStore = *store;
        const ContainerOptions runOptions = *options;
        const auto run = [runStore, runOptions](int slave, const CancellationToken &cancel) -> Expected<int> {
            ContainerOptions withTerminal = runOptions;
            withTerminal.terminalFd = slave;
            // Notes from the sandbox (a network fallback) go to the terminal too.
            const auto say = [slave](const QString &line) {
                const QByteArray bytes = line.toUtf8() + '\n';
                [[maybe_unused]] const ssize_t n = ::write(slave, bytes.constData(), size_t(bytes.size()));
            };
            return BuildSession::runImage(runStore, withTerminal, cancel, say);
        };
        if (!m_terminal->start(tr("Running %1").arg(m_builds->lastImage().left(19)), run, error))
            return false;
        m_running = true;
        m_terminal->setLinks(links);
        m_terminal->view()->setFocus();
        statusBar()->showMessage(tr("Running the image…"), 3000);
        return true;
    }
    m_running = true;
    m_logView->setStageFilter(-1);
    m_logModel->append(-1, tr("run"), BuildLogModel::Kind::Step,
                       tr("Running %1").arg(m_builds->lastImage().left(19)));
    for (const QUrl &link : std::as_const(links))
        m_logModel->append(-1, tr("run"), BuildLogModel::Kind::Info,
                           tr("Published on %1").arg(link.toString()));
    m_session->startRun(*store, *options);
    m_logDock->show();
    m_logDock->raise();
    // The docks start low (a few problems fit); a program's output needs rows to be read.
    if (m_logDock->height() < height() / 3)
        resizeDocks({m_logDock}, {height() / 3}, Qt::Vertical);
    statusBar()->showMessage(tr("Running the image…"));
    return true;
}

void MainWindow::setPullProgress(qint64 done, qint64 total)
{
    m_builds->setPullProgress(done, total);
}

void MainWindow::updateBuildActions()
{
    const bool busy = m_session->isBusy() || m_terminal->isRunning();
    action(QStringLiteral("actionBuild"))->setEnabled(!busy);
    action(QStringLiteral("actionCancelBuild"))->setEnabled(busy);
    action(QStringLiteral("actionRun"))->setEnabled(!busy && !m_builds->lastImage().isEmpty());
    action(QStringLiteral("actionOpenBuildRecord"))->setEnabled(!busy);
    action(QStringLiteral("actionSaveBuildRecord"))
        ->setEnabled(!busy && m_builds->buildState().state() != ProgressState::Idle &&
                     m_builds->buildState().state() != ProgressState::Running);
    m_buildArgsEdit->setEnabled(!busy);
    m_targetBox->setEnabled(!busy);
}

void MainWindow::onBuildFinished(bool ok)
{
    if (!ok) {
        updateBuildActions();
        Q_EMIT buildFinished(false);
        return;
    }
    const QString buildTarget = m_builds->buildTarget();
    const QString targetLabel = m_targetBox->findData(buildTarget) >= 0
                                    ? m_targetBox->itemText(m_targetBox->findData(buildTarget))
                                    : buildTarget;
    m_layersView->addBuiltImage(m_builds->lastImage(),
                                tr("Build %1 (%2)").arg(m_builds->buildCount()).arg(targetLabel));
    m_filesImage.clear();
    const QHash<int, QString> &manifests = m_builds->stageManifests();
    const int stage = m_cursorStage >= 0 && manifests.contains(m_cursorStage) ? m_cursorStage : -1;
    if (stage >= 0)
        showStageFiles(stage);
    else if (!manifests.isEmpty()) {
        QList<int> stages = manifests.keys();
        showStageFiles(*std::max_element(stages.begin(), stages.end()));
    }
    updateBuildActions();
    Q_EMIT buildFinished(true);
}

void MainWindow::showStageFiles(int stageIndex)
{
    const QString manifest = m_builds->stageManifests().value(stageIndex);
    if (manifest.isEmpty() || manifest == m_filesImage)
        return;
    m_filesImage = manifest;
    const Stage stage = m_analysis->result().plan.stages.value(stageIndex);
    m_filesView->showImage(manifest, stage.name.isEmpty() ? QString::number(stageIndex) : stage.name);
}

QStringList MainWindow::layerDigestsOf(const QString &argument)
{
    if (argument.isEmpty())
        return {};
    const auto known = m_layerDigests.constFind(argument);
    if (known != m_layerDigests.constEnd())
        return *known;
    QStringList digests;
    // Reading a manifest and its config is a couple of small files: fine on this thread.
    if (auto store = ImageStore::open(m_storeRoot); store)
        if (auto image = store->image(argument); image)
            for (const ImageLayer &layer : image->layers)
                digests.append(layer.descriptor.digest.toString());
    m_layerDigests.insert(argument, digests);
    return digests;
}

const BuildProgress &MainWindow::buildState() const
{
    return m_builds->buildState();
}

QString MainWindow::lastBuiltImage() const
{
    return m_builds->lastImage();
}

QString MainWindow::stageManifest(int stageIndex) const
{
    return m_builds->stageManifests().value(stageIndex);
}

int MainWindow::lineOfLayer(const QString &layerDigest) const
{
    return m_builds->lineOfLayer(layerDigest);
}

void MainWindow::selectLayerLine(const QString &argument, int layerIndex)
{
    const int line = lineOfLayer(layerDigestsOf(argument).value(layerIndex));
    if (line <= 0)
        return;
    m_linkingLayers = true;
    m_editor->goTo(line, 1);
    m_linkingLayers = false;
}

void MainWindow::selectLayersForLine(int line)
{
    if (m_linkingLayers || m_builds->builtSteps().isEmpty())
        return;
    for (const BuildController::BuiltStep &step : m_builds->builtSteps()) {
        if (step.line != line || !step.makesLayer)
            continue;
        const int inImage = int(layerDigestsOf(m_builds->lastImage()).indexOf(step.layerDigest));
        if (inImage >= 0)
            m_layersView->selectLayer(m_builds->lastImage(), inImage);
        showStageFiles(step.stage);
        const int inStage = int(layerDigestsOf(m_filesImage).indexOf(step.layerDigest));
        if (inStage >= 0)
            m_filesView->selectLayer(inStage);
        return;
    }
}

} // namespace stagecraft::ui
