#include "ui/mainwindow.h"

#include "core/analysis/bytesize.h"
#include "core/store/imagestore.h"
#include "ui/buildcontroller.h"
#include "ui/buildlogmodel.h"
#include "ui/buildlogview.h"
#include "ui/buildsession.h"
#include "ui/copydropcontroller.h"
#include "ui/copytostagedialog.h"
#include "ui/dockerfileeditor.h"
#include "ui/enginepicker.h"
#include "ui/examplecatalog.h"
#include "ui/filesview.h"
#include "ui/hostcheckdialog.h"
#include "ui/kitimportdialog.h"
#include "ui/layersview.h"
#include "ui/mainwindowactions.h"
#include "ui/preferencesdialog.h"
#include "ui/presentationmode.h"
#include "ui/problemsmodel.h"
#include "ui/provenancepanel.h"
#include "ui/runpanel.h"
#include "ui/stagegraphview.h"
#include "ui/stepthrough.h"
#include "ui/terminalpanel.h"
#include "ui/timelineview.h"
#include "ui/tintediconengine.h"
#include "ui/treemapview.h"

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
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QShortcut>
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
    m_bytesView = TreemapView::attach(m_views, m_filesView, m_layersView);
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
    MainWindowActions::createActions(this);
    MainWindowActions::createProblemsDock(this);
    m_runPanel = new RunPanel(this, m_session, m_logModel, m_problemsDock);
    m_logView = m_runPanel->logView();
    m_timeline = m_runPanel->timeline();
    MainWindowActions::createStepDock(this);
    MainWindowActions::createMenus(this);
    MainWindowActions::createToolBar(this);
    MainWindowActions::createStatusBar(this);
    m_presentation = new PresentationMode(this, m_splitter, m_editor, viewsScroll,
                                          findChild<QToolBar *>(QStringLiteral("viewToolBar")),
                                          action(QStringLiteral("actionSwitchPane")));
    QAction *present = action(QStringLiteral("actionPresentation"));
    connect(present, &QAction::toggled, m_presentation, &PresentationMode::setActive);
    connect(m_presentation, &PresentationMode::activeChanged, present, &QAction::setChecked);
    // Esc leaves the presentation (only while presenting: elsewhere Esc is the widgets').
    auto *leave = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    leave->setEnabled(false);
    connect(leave, &QShortcut::activated, this, [this] { m_presentation->setActive(false); });
    connect(m_presentation, &PresentationMode::activeChanged, leave, &QShortcut::setEnabled);

    connect(m_editor, &QPlainTextEdit::textChanged, this,
            [this] { m_analysis->setText(m_editor->toPlainText()); });
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, &QWidget::setWindowModified);
    connect(m_editor, &QPlainTextEdit::cursorPositionChanged, this, &MainWindow::updateCursorStatus);
    connect(m_editor, &DockerfileEditor::stageLinkActivated, m_graphView, &StageGraphView::selectStage);
    connect(m_analysis, &LiveAnalysis::analyzed, this, &MainWindow::applyAnalysis);
    connect(m_graphView, &StageGraphView::stageActivated, this, &MainWindow::selectStageLines);
    m_builds = new BuildController(
        m_session, {m_editor, m_graphView, m_logModel, m_logView, m_buildProgress, m_analysis}, this);
    m_runPanel->setBuildController(m_builds);
    m_timeline->setProgress(&m_builds->buildState());
    connect(m_builds, &BuildController::statusMessage, statusBar(), &QStatusBar::showMessage);
    connect(m_builds, &BuildController::finished, this, &MainWindow::onBuildFinished);
    connect(m_session, &BuildSession::busyChanged, this, &MainWindow::updateBuildActions);
    connect(m_runPanel, &RunPanel::busyChanged, this, &MainWindow::updateBuildActions);
    connect(m_runPanel, &RunPanel::runFinished, this, &MainWindow::runFinished);
    m_stepThrough =
        new StepThrough({m_editor, m_filesView, m_stepSummary, m_builds, m_analysis, m_timeline}, this);
    connect(m_layersView, &LayersView::layerActivated, this,
            [this](const QString &argument, int layerIndex, const QString &) {
                selectLayerLine(argument, layerIndex);
                // An image of the last build is shown as its stage, whose files can be dragged.
                const int stage = stageOfImage(argument);
                if (stage >= 0)
                    showStageFiles(stage);
                m_stepThrough->pickLayer(stage >= 0 ? m_filesImage : argument, layerIndex);
                m_filesImage = m_filesView->argument();
            });
    connect(m_filesView, &FilesView::layerActivated, this,
            [this](int layerIndex) { selectLayerLine(m_filesImage, layerIndex); });
    // The Bytes tab's packages: the line of the step that installed each, from the last build.
    m_bytesView->setLineLookup([this](const QString &layerDigest) { return lineOfLayer(layerDigest); });
    connect(m_builds, &BuildController::finished, m_bytesView, &TreemapView::refreshLines);
    connect(m_bytesView, &TreemapView::lineActivated, this, [this](int line) { m_editor->goTo(line, 1); });
    m_copyDrop = new CopyDropController(m_editor, m_graphView, this);
    connect(m_copyDrop, &CopyDropController::copyInserted, this, &MainWindow::flushAnalysis);
    connect(m_filesView, &FilesView::copyToStageRequested, this, &MainWindow::copyToStageInteractive);
    auto *provenance = new ProvenancePanel({m_editor, m_graphView});
    auto *provenanceDock = new QDockWidget(tr("Where It Came From"), this);
    provenanceDock->setObjectName(QStringLiteral("provenanceDock"));
    provenanceDock->setWidget(provenance);
    addDockWidget(Qt::BottomDockWidgetArea, provenanceDock);
    tabifyDockWidget(m_problemsDock, provenanceDock); // the window's width for the paths
    provenanceDock->hide();
    // View → Where It Came From, beside Step Summary: the dock without the Files view's menu
    // (closed, it forgets its answer and says how to ask).
    QAction *provenanceToggle = provenanceDock->toggleViewAction();
    provenanceToggle->setObjectName(QStringLiteral("actionProvenance"));
    provenanceToggle->setText(tr("Where It &Came From"));
    provenanceToggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+W")));
    addAction(provenanceToggle);
    if (QAction *next = action(QStringLiteral("actionNextStep")))
        for (QObject *owner : next->associatedObjects())
            if (auto *menu = qobject_cast<QMenu *>(owner))
                menu->insertAction(next, provenanceToggle);
    connect(m_filesView, &FilesView::provenanceRequested, this,
            [this, provenance, provenanceDock](const QString &path) {
                // The build's own text: the editor may have changed since; none when no Dockerfile is open.
                BuildRecord record = m_builds->record();
                if (m_editor->toPlainText().trimmed().isEmpty())
                    record.dockerfile.clear();
                provenance->ask({m_storeRoot, m_filesImage, m_filesView->stageName(), path, record});
                provenanceDock->show();
                provenanceDock->raise();
            });
    connect(provenanceDock, &QDockWidget::visibilityChanged, provenance,
            [provenance, provenanceDock](bool visible) {
                if (!visible && provenanceDock->isHidden())
                    provenance->clear(); // closed, not just tabbed away
            });
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
    m_presentation->setActive(false); // the settings keep the window as it was before
    m_runPanel->terminal()->stop();   // its destructor waits for the container's end
    writeWindowSettings();
    event->accept();
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    if (m_presentation)
        m_presentation->relayout();
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

void MainWindow::copyToStageInteractive(const QByteArray &payload)
{
    m_analysis->flush();
    const QJsonObject drop = QJsonDocument::fromJson(payload).object();
    const QString path = drop.value(QLatin1String("path")).toString();
    if (path.isEmpty())
        return;
    const StageGraph &plan = m_analysis->result().plan;
    auto *dialog = new CopyToStageDialog(m_editor->toPlainText(), plan.stages,
                                         drop.value(QLatin1String("stage")).toVariant().toString(), path,
                                         drop.value(QLatin1String("dir")).toBool(),
                                         plan.stageAt(m_editor->textCursor().blockNumber() + 1), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, payload] {
        // The same code path as a drop: the duplicate-line refusal and one undo step.
        m_copyDrop->copyToStage(dialog->targetStage(), payload, dialog->destination());
    });
    dialog->open();
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
    // While presenting, the zoom is the presentation's; the preference is the one before.
    current.zoomPercent = m_presentation->isActive() ? m_presentation->restoreZoomPercent() : m_zoomPercent;
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
    m_presentation->setActive(false); // a new font and zoom: the presentation starts from them again
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
    m_runPanel->showLog();
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
    m_bytesView->refreshLines(); // the record's steps name the lines of its layers
    m_runPanel->showLog();
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

void MainWindow::cancelBuild()
{
    m_runPanel->terminal()->stop();
    if (!m_session->isBusy())
        return;
    m_session->cancel();
    statusBar()->showMessage(tr("Cancelling…"));
}

bool MainWindow::startRun(QString *error)
{
    return startRun(RunChoices{}, error);
}

bool MainWindow::startRun(const RunChoices &choices, QString *error)
{
    return m_runPanel->startRun(choices, error);
}

RunChoices MainWindow::runChoicesForLastImage() const
{
    return m_runPanel->runChoicesForLastImage();
}

TerminalPanel *MainWindow::terminalPanel() const
{
    return m_runPanel->terminal();
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

void MainWindow::setPullProgress(qint64 done, qint64 total)
{
    m_builds->setPullProgress(done, total);
}

void MainWindow::updateBuildActions()
{
    const bool busy = m_session->isBusy() || m_runPanel->isTerminalRunning();
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

int MainWindow::stageOfImage(const QString &argument)
{
    // By content: the Layers view names the built image by reference, the stages by manifest.
    const QStringList layers = layerDigestsOf(argument);
    if (layers.isEmpty())
        return -1;
    const QHash<int, QString> &manifests = m_builds->stageManifests();
    for (auto it = manifests.constBegin(); it != manifests.constEnd(); ++it)
        if (it.value() == argument || layerDigestsOf(it.value()) == layers)
            return it.key();
    return -1;
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

void MainWindow::stepThrough(int direction)
{
    // Stepping is looking at layers: the Files view and the summary come to the front.
    m_stepDock->show();
    m_stepDock->raise();
    showView(QStringLiteral("files"));
    m_stepThrough->step(direction);
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
