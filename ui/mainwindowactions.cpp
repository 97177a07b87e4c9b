#include "ui/mainwindowactions.h"

#include "ui/dockerfileeditor.h"
#include "ui/enginepicker.h"
#include "ui/examplecatalog.h"
#include "ui/kitimportdialog.h"
#include "ui/mainwindow.h"
#include "ui/preferences.h"
#include "ui/presentationmode.h"
#include "ui/problemsmodel.h"
#include "ui/runpanel.h"
#include "ui/stagegraphview.h"
#include "ui/stepsummary.h"
#include "ui/stepthrough.h"
#include "ui/tintediconengine.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

#include <array>
#include <functional>

// The texts keep MainWindow's translation context: they are the window's.
namespace stagecraft::ui {

namespace {

constexpr std::array kZoomSteps{50, 67, 80, 90, 100, 110, 125, 150, 175, 200, 250, 300, 400};

QIcon themedIcon(const char *name, QStyle::StandardPixmap fallback)
{
    const QString themed = QString::fromLatin1(name);
    if (QIcon::hasThemeIcon(themed))
        return QIcon::fromTheme(themed);
    return TintedIconEngine::readable(QApplication::style()->standardIcon(fallback));
}

} // namespace

void MainWindowActions::createActions(MainWindow *w)
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
         MainWindow::tr("&New"),
         {QKeySequence::New},
         [w] {
             if (w->maybeSave())
                 w->newDocument();
         },
         themedIcon("document-new", QStyle::SP_FileIcon)},
        {"actionOpen",
         MainWindow::tr("&Open…"),
         {QKeySequence::Open},
         [w] { w->openInteractive(); },
         themedIcon("document-open", QStyle::SP_DialogOpenButton)},
        {"actionOpenBuildRecord",
         MainWindow::tr("Open Build &Record…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+O"))},
         [w] { w->openBuildRecordInteractive(); },
         themedIcon("document-open", QStyle::SP_DialogOpenButton)},
        {"actionSaveBuildRecord",
         MainWindow::tr("Save &Build Record…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+R"))},
         [w] { w->saveBuildRecordInteractive(); },
         themedIcon("document-save-as", QStyle::SP_DialogSaveButton)},
        {"actionSave",
         MainWindow::tr("&Save"),
         {QKeySequence::Save},
         [w] { w->saveInteractive(); },
         themedIcon("document-save", QStyle::SP_DialogSaveButton)},
        {"actionSaveAs",
         MainWindow::tr("Save &As…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+S"))},
         [w] { w->saveAsInteractive(); },
         themedIcon("document-save-as", QStyle::SP_DialogSaveButton)},
        {"actionExportGraph",
         MainWindow::tr("&Export Graph…"),
         {QKeySequence(QStringLiteral("Ctrl+E"))},
         [w] { w->exportGraph(); },
         themedIcon("document-export", QStyle::SP_DriveFDIcon)},
        {"actionQuit",
         MainWindow::tr("&Quit"),
         {QKeySequence(QStringLiteral("Ctrl+Q"))},
         [w] { w->close(); },
         themedIcon("application-exit", QStyle::SP_DialogCloseButton)},
        {"actionUndo",
         MainWindow::tr("&Undo"),
         {QKeySequence::Undo},
         [w] { w->m_editor->undo(); },
         themedIcon("edit-undo", QStyle::SP_ArrowBack)},
        {"actionRedo",
         MainWindow::tr("&Redo"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+Z")), QKeySequence(QStringLiteral("Ctrl+Y"))},
         [w] { w->m_editor->redo(); },
         themedIcon("edit-redo", QStyle::SP_ArrowForward)},
        {"actionCut",
         MainWindow::tr("Cu&t"),
         {QKeySequence::Cut},
         [w] { w->m_editor->cut(); },
         QIcon::fromTheme(QStringLiteral("edit-cut"))},
        {"actionCopy",
         MainWindow::tr("&Copy"),
         {QKeySequence::Copy},
         [w] { w->m_editor->copy(); },
         QIcon::fromTheme(QStringLiteral("edit-copy"))},
        {"actionPaste",
         MainWindow::tr("&Paste"),
         {QKeySequence::Paste},
         [w] { w->m_editor->paste(); },
         QIcon::fromTheme(QStringLiteral("edit-paste"))},
        {"actionSelectAll",
         MainWindow::tr("Select &All"),
         {QKeySequence::SelectAll},
         [w] { w->m_editor->selectAll(); },
         {}},
        {"actionComplete",
         MainWindow::tr("&Complete"),
         {QKeySequence(QStringLiteral("Ctrl+Space"))},
         [w] { w->m_editor->complete(true); },
         {}},
        {"actionPreferences",
         MainWindow::tr("&Preferences…"),
         {QKeySequence(QStringLiteral("Ctrl+,"))},
         [w] { w->showPreferences(); },
         themedIcon("preferences-system", QStyle::SP_FileDialogDetailedView)},
        {"actionZoomIn",
         MainWindow::tr("Zoom &In"),
         {QKeySequence(QStringLiteral("Ctrl+=")), QKeySequence(QStringLiteral("Ctrl++"))},
         [w] {
             if (w->m_presentation->isActive()) // presenting: the font grows by points
                 return w->m_presentation->changePointSize(2);
             for (int step : kZoomSteps)
                 if (step > w->m_zoomPercent) {
                     w->setZoomPercent(step);
                     return;
                 }
         },
         themedIcon("zoom-in", QStyle::SP_ArrowUp)},
        {"actionZoomOut",
         MainWindow::tr("Zoom &Out"),
         {QKeySequence(QStringLiteral("Ctrl+-"))},
         [w] {
             if (w->m_presentation->isActive())
                 return w->m_presentation->changePointSize(-2);
             for (auto it = kZoomSteps.rbegin(); it != kZoomSteps.rend(); ++it)
                 if (*it < w->m_zoomPercent) {
                     w->setZoomPercent(*it);
                     return;
                 }
         },
         themedIcon("zoom-out", QStyle::SP_ArrowDown)},
        {"actionZoomReset",
         MainWindow::tr("&Reset Zoom"),
         {QKeySequence(QStringLiteral("Ctrl+0"))},
         [w] {
             if (w->m_presentation->isActive())
                 w->m_presentation->setPointSize(PresentationMode::kMinPointSize);
             else
                 w->setZoomPercent(100);
             w->m_graphView->fitToView();
         },
         themedIcon("zoom-original", QStyle::SP_BrowserReload)},
        {"actionFitGraph",
         MainWindow::tr("&Fit Graph to Window"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+0"))},
         [w] { w->m_graphView->fitToView(); },
         themedIcon("zoom-fit-best", QStyle::SP_TitleBarMaxButton)},
        {"actionNextProblem",
         MainWindow::tr("&Next Problem"),
         {QKeySequence(QStringLiteral("F8"))},
         [w] { w->stepProblem(1); },
         {}},
        {"actionPreviousProblem",
         MainWindow::tr("P&revious Problem"),
         {QKeySequence(QStringLiteral("Shift+F8"))},
         [w] { w->stepProblem(-1); },
         {}},
        {"actionNextStep",
         MainWindow::tr("Next &Step"),
         {QKeySequence(QStringLiteral("Alt+Down"))},
         [w] { w->stepThrough(1); },
         {}},
        {"actionPreviousStep",
         MainWindow::tr("Previous S&tep"),
         {QKeySequence(QStringLiteral("Alt+Up"))},
         [w] { w->stepThrough(-1); },
         {}},
        {"actionChooseTarget",
         MainWindow::tr("Choose &Target"),
         {QKeySequence(QStringLiteral("Ctrl+T"))},
         [w] {
             w->m_targetBox->setFocus();
             w->m_targetBox->showPopup();
         },
         {}},
        {"actionFocusEditor",
         MainWindow::tr("Go to &Editor"),
         {QKeySequence(QStringLiteral("Ctrl+1"))},
         [w] {
             w->m_editor->show();
             w->m_presentation->showPane(true);
             w->m_editor->setFocus();
         },
         {}},
        {"actionFocusGraph",
         MainWindow::tr("Go to &Graph"),
         {QKeySequence(QStringLiteral("Ctrl+2"))},
         [w] {
             w->m_presentation->showPane(false);
             w->showView(QStringLiteral("graph"));
             w->m_graphView->setFocus();
         },
         {}},
        {"actionBuild",
         MainWindow::tr("&Build"),
         {QKeySequence(QStringLiteral("Ctrl+B"))},
         [w] {
             QString error;
             if (!w->startBuild(&error))
                 w->statusBar()->showMessage(error, 6000);
         },
         themedIcon("run-build", QStyle::SP_MediaPlay)},
        {"actionCancelBuild",
         MainWindow::tr("&Cancel Build"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+B"))},
         [w] { w->cancelBuild(); },
         themedIcon("process-stop", QStyle::SP_MediaStop)},
        {"actionRun",
         MainWindow::tr("&Run Image"),
         {QKeySequence(QStringLiteral("Ctrl+R"))},
         [w] { w->m_runPanel->runInteractive(); },
         themedIcon("system-run", QStyle::SP_CommandLink)},
        {"actionCheckHost",
         MainWindow::tr("Check This &Computer…"),
         {QKeySequence(QStringLiteral("Ctrl+Shift+F1"))},
         [w] { w->checkHost(false); },
         themedIcon("dialog-information", QStyle::SP_MessageBoxInformation)},
        {"actionAbout",
         MainWindow::tr("&About Stagecraft"),
         {QKeySequence(QStringLiteral("Ctrl+F1"))},
         [w] { w->showAbout(); },
         QIcon(QStringLiteral(":/stagecraft.svg"))},
    };
    for (const Spec &spec : specs) {
        auto *a = new QAction(spec.icon, spec.text, w);
        a->setObjectName(QString::fromLatin1(spec.objectName));
        a->setShortcuts(spec.keys);
        if (!spec.keys.isEmpty())
            a->setToolTip(
                QStringLiteral("%1 (%2)").arg(a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                              spec.keys.first().toString(QKeySequence::NativeText)));
        QObject::connect(a, &QAction::triggered, w, spec.run);
        w->addAction(a); // shortcuts work even while the menu bar is hidden
    }
    w->action(QStringLiteral("actionCancelBuild"))->setEnabled(false);
    w->action(QStringLiteral("actionRun"))->setEnabled(false);
    w->action(QStringLiteral("actionSaveBuildRecord"))->setEnabled(false); // until a build ends

    // Like `stagecraft build --debug-shell`: a failed RUN waits for a shell in its filesystem.
    auto *keep = new QAction(MainWindow::tr("&Keep Failed Step for a Shell"), w);
    keep->setObjectName(QStringLiteral("actionKeepFailedStep"));
    keep->setCheckable(true);
    keep->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+K")));
    keep->setChecked(QSettings().value(QStringLiteral("build/keepFailedStep"), false).toBool());
    keep->setToolTip(
        MainWindow::tr("When a RUN step fails, offer a shell in its filesystem before the build ends"));
    QObject::connect(keep, &QAction::toggled, w,
                     [](bool on) { QSettings().setValue(QStringLiteral("build/keepFailedStep"), on); });
    w->addAction(keep);
    auto *open = new QAction(themedIcon("utilities-terminal", QStyle::SP_ComputerIcon),
                             MainWindow::tr("Open a &Shell Here"), w);
    open->setObjectName(QStringLiteral("actionOpenFailedShell"));
    open->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+H")));
    open->setToolTip(MainWindow::tr("Open a shell in the failed step's filesystem in the Terminal"));
    open->setEnabled(false);
    QObject::connect(open, &QAction::triggered, w, [w] { w->m_runPanel->openFailedStepShell(); });
    w->addAction(open);
    // F5 and Esc leave it again; Ctrl+= and Ctrl+- change its font size.
    auto *present = new QAction(MainWindow::tr("Pre&sentation"), w);
    present->setObjectName(QStringLiteral("actionPresentation"));
    present->setCheckable(true);
    present->setShortcut(QKeySequence(QStringLiteral("F5")));
    present->setToolTip(MainWindow::tr("The whole window in a large font for a projector (F5; Esc leaves)"));
    w->addAction(present);
    auto *swap = new QAction(themedIcon("view-split-left-right", QStyle::SP_BrowserReload),
                             MainWindow::tr("S&witch Pane"), w);
    swap->setObjectName(QStringLiteral("actionSwitchPane"));
    swap->setShortcut(QKeySequence(QStringLiteral("F6")));
    swap->setToolTip(MainWindow::tr("Show the editor or the graph (F6)"));
    w->addAction(swap);
    w->action(QStringLiteral("actionUndo"))->setEnabled(false);
    w->action(QStringLiteral("actionRedo"))->setEnabled(false);
    QObject::connect(w->m_editor, &QPlainTextEdit::undoAvailable, w->action(QStringLiteral("actionUndo")),
                     &QAction::setEnabled);
    QObject::connect(w->m_editor, &QPlainTextEdit::redoAvailable, w->action(QStringLiteral("actionRedo")),
                     &QAction::setEnabled);
}

void MainWindowActions::createMenus(MainWindow *w)
{
    const auto a = [w](const char *name) { return w->action(QString::fromLatin1(name)); };
    QMenu *file = w->menuBar()->addMenu(MainWindow::tr("&File"));
    file->setObjectName(QStringLiteral("menuFile"));
    file->addAction(a("actionNew"));
    file->addAction(a("actionOpen"));
    w->m_recentMenu = file->addMenu(MainWindow::tr("Open &Recent"));
    w->m_recentMenu->setObjectName(QStringLiteral("menuRecent"));
    w->m_examplesMenu = file->addMenu(MainWindow::tr("E&xamples"));
    w->m_examplesMenu->setObjectName(QStringLiteral("menuExamples"));
    for (const Example &example : ExampleCatalog::examples()) {
        QAction *open = w->m_examplesMenu->addAction(ExampleCatalog::title(example));
        open->setObjectName(QStringLiteral("actionExample-") + example.id);
        open->setStatusTip(ExampleCatalog::summary(example));
        open->setToolTip(ExampleCatalog::summary(example));
        const QString id = example.id;
        QObject::connect(open, &QAction::triggered, w, [w, id] { w->openExampleInteractive(id); });
    }
    file->addSeparator();
    file->addAction(a("actionSave"));
    file->addAction(a("actionSaveAs"));
    file->addAction(a("actionExportGraph"));
    file->addSeparator();
    file->addAction(a("actionOpenBuildRecord"));
    file->addAction(a("actionSaveBuildRecord"));
    QAction *importKit = file->addAction(MainWindow::tr("Import Classroom &Kit…"));
    importKit->setObjectName(QStringLiteral("actionImportKit"));
    importKit->setShortcut(QKeySequence(QStringLiteral("Ctrl+Alt+K")));
    QObject::connect(importKit, &QAction::triggered, w, [w] {
        auto *dialog = new KitImportDialog(w->m_storeRoot, w);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        QObject::connect(dialog, &KitImportDialog::exampleChosen, w,
                         [w](const QString &path) { w->openFile(path); });
        dialog->open();
    });
    file->addSeparator();
    file->addAction(a("actionQuit"));
    w->rebuildRecentMenu();

    QMenu *edit = w->menuBar()->addMenu(MainWindow::tr("&Edit"));
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

    QMenu *view = w->menuBar()->addMenu(MainWindow::tr("&View"));
    view->setObjectName(QStringLiteral("menuView"));
    for (const char *name : {"actionZoomIn", "actionZoomOut", "actionZoomReset", "actionFitGraph"})
        view->addAction(a(name));
    view->addSeparator();
    view->addAction(a("actionPresentation"));
    view->addAction(a("actionSwitchPane"));
    view->addSeparator();
    view->addAction(a("actionProblems"));
    view->addAction(a("actionBuildLog"));
    view->addAction(a("actionTimeline"));
    view->addAction(a("actionNextProblem"));
    view->addAction(a("actionPreviousProblem"));
    view->addAction(a("actionStepSummary"));
    view->addAction(a("actionNextStep"));
    view->addAction(a("actionPreviousStep"));
    view->addSeparator();
    for (const char *name : {"actionChooseTarget", "actionFocusEditor", "actionFocusGraph"})
        view->addAction(a(name));

    QMenu *build = w->menuBar()->addMenu(MainWindow::tr("&Build"));
    build->setObjectName(QStringLiteral("menuBuild"));
    for (const char *name : {"actionBuild", "actionCancelBuild", "actionRun"})
        build->addAction(a(name));
    build->addSeparator();
    build->addAction(a("actionKeepFailedStep"));
    build->addAction(a("actionOpenFailedShell"));
    build->addSeparator();
    build->addAction(a("actionBuildLog"));
    build->addAction(a("actionTerminal"));

    QMenu *help = w->menuBar()->addMenu(MainWindow::tr("&Help"));
    help->setObjectName(QStringLiteral("menuHelp"));
    help->addAction(a("actionCheckHost"));
    help->addAction(a("actionAbout"));
}

void MainWindowActions::createToolBar(MainWindow *w)
{
    QToolBar *bar = w->addToolBar(MainWindow::tr("Main"));
    bar->setObjectName(QStringLiteral("mainToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // New, Open and Save are icons only (everyone knows them; they are in File too): at
    // 1024 pixels in German the labels pushed Run and the zoom into the overflow menu.
    for (const char *name : {"actionNew", "actionOpen", "actionSave"}) {
        QAction *a = w->action(QString::fromLatin1(name));
        bar->addAction(a);
        if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(a)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
    }
    bar->addSeparator();

    auto *targetLabel = new QLabel(MainWindow::tr("Target:"));
    targetLabel->setContentsMargins(6, 0, 6, 0);
    w->m_targetBox = new QComboBox;
    w->m_targetBox->setObjectName(QStringLiteral("targetBox"));
    w->m_targetBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    w->m_targetBox->setMinimumContentsLength(8);
    w->m_targetBox->setToolTip(
        MainWindow::tr("The stage to build; stages it does not need are dimmed (Ctrl+T)"));
    targetLabel->setBuddy(w->m_targetBox);
    bar->addWidget(targetLabel);
    bar->addWidget(w->m_targetBox);
    QObject::connect(w->m_targetBox, &QComboBox::currentIndexChanged, w, [w] {
        if (!w->m_updatingTargets)
            w->m_analysis->setTarget(w->m_targetBox->currentData().toString());
    });
    w->m_buildArgsEdit = new QLineEdit;
    w->m_buildArgsEdit->setObjectName(QStringLiteral("buildArgsEdit"));
    w->m_buildArgsEdit->setPlaceholderText(MainWindow::tr("Build arguments: KEY=VALUE …"));
    w->m_buildArgsEdit->setToolTip(
        MainWindow::tr("Build arguments for ARG, separated by spaces: VERSION=1.2 \"MSG=hello world\""));
    w->m_buildArgsEdit->setClearButtonEnabled(true);
    w->m_buildArgsEdit->setMinimumWidth(100);
    w->m_buildArgsEdit->setMaximumWidth(280);
    QObject::connect(w->m_buildArgsEdit, &QLineEdit::returnPressed, w->action(QStringLiteral("actionBuild")),
                     &QAction::trigger);
    bar->addWidget(w->m_buildArgsEdit);
    for (const char *name : {"actionBuild", "actionCancelBuild", "actionRun"})
        bar->addAction(w->action(QString::fromLatin1(name)));
    // Stop is the one icon everyone reads; its label made the bar overflow in German.
    if (auto *cancel =
            qobject_cast<QToolButton *>(bar->widgetForAction(w->action(QStringLiteral("actionCancelBuild")))))
        cancel->setToolButtonStyle(Qt::ToolButtonIconOnly);
    // The view's actions are a toolbar of their own: beside the main one normally, on a
    // row of their own while presenting (PresentationMode).
    bar = w->addToolBar(MainWindow::tr("View"));
    bar->setObjectName(QStringLiteral("viewToolBar"));
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    for (const char *name : {"actionZoomOut", "actionZoomReset", "actionZoomIn", "actionFitGraph"}) {
        bar->addAction(w->action(QString::fromLatin1(name)));
    }
    bar->addSeparator();
    bar->addAction(w->action(QStringLiteral("actionExportGraph")));
    // Export is in File too; its label pushed the view bar past 1024 pixels in German.
    if (auto *exportButton =
            qobject_cast<QToolButton *>(bar->widgetForAction(w->action(QStringLiteral("actionExportGraph")))))
        exportButton->setToolButtonStyle(Qt::ToolButtonIconOnly);
    bar->addAction(w->action(QStringLiteral("actionSwitchPane")));
    // Short labels keep the zoom buttons small; without an icon theme they are text only
    // (the style's fallback arrows would say nothing about zooming).
    const std::pair<const char *, QString> shortLabels[] = {{"actionZoomOut", QStringLiteral("\u2212")},
                                                            {"actionZoomReset", QStringLiteral("100 %")},
                                                            {"actionZoomIn", QStringLiteral("+")},
                                                            {"actionFitGraph", MainWindow::tr("Fit")}};
    for (const auto &[name, label] : shortLabels) {
        QAction *a = w->action(QString::fromLatin1(name));
        a->setIconText(label);
        if (auto *button = qobject_cast<QToolButton *>(bar->widgetForAction(a)))
            button->setToolButtonStyle(QIcon::hasThemeIcon(QStringLiteral("zoom-in"))
                                           ? Qt::ToolButtonIconOnly
                                           : Qt::ToolButtonTextOnly);
    }
}

void MainWindowActions::createStatusBar(MainWindow *w)
{
    // The engine picker sits here, not in the toolbar: at 1024 pixels in German the toolbar
    // has no room left for it.
    w->m_enginePicker = new EnginePicker;
    QObject::connect(w->m_enginePicker, &EnginePicker::engineChosen, w,
                     [w](EngineKind kind) { w->m_preferences.engine = kind; });
    w->statusBar()->addPermanentWidget(w->m_enginePicker);
    w->m_positionLabel = new QLabel;
    w->m_positionLabel->setObjectName(QStringLiteral("positionLabel"));
    w->m_stageLabel = new QLabel;
    w->m_stageLabel->setObjectName(QStringLiteral("stageLabel"));
    w->m_problemsLabel = new QLabel;
    w->m_problemsLabel->setObjectName(QStringLiteral("problemsLabel"));
    w->m_parseLabel = new QLabel;
    w->m_parseLabel->setObjectName(QStringLiteral("parseLabel"));
    for (QLabel *label : {w->m_positionLabel, w->m_stageLabel, w->m_problemsLabel, w->m_parseLabel})
        label->setContentsMargins(8, 0, 8, 0);
    w->statusBar()->addWidget(w->m_positionLabel);
    w->statusBar()->addWidget(w->m_stageLabel, 1);
    w->m_buildProgress = new QProgressBar;
    w->m_buildProgress->setObjectName(QStringLiteral("buildProgress"));
    w->m_buildProgress->setMaximumWidth(220);
    w->m_buildProgress->setTextVisible(true);
    w->m_buildProgress->setVisible(false);
    w->statusBar()->addPermanentWidget(w->m_buildProgress);
    w->statusBar()->addPermanentWidget(w->m_problemsLabel);
    w->statusBar()->addPermanentWidget(w->m_parseLabel);
}

void MainWindowActions::createProblemsDock(MainWindow *w)
{
    w->m_problemsView = new QTreeView;
    w->m_problemsView->setObjectName(QStringLiteral("problemsView"));
    w->m_problemsView->setModel(w->m_problemsModel);
    w->m_problemsView->setRootIsDecorated(false);
    w->m_problemsView->setUniformRowHeights(true);
    w->m_problemsView->setAlternatingRowColors(true);
    w->m_problemsView->setAccessibleName(MainWindow::tr("Problems"));
    w->m_problemsView->header()->setStretchLastSection(false);
    w->m_problemsView->header()->setSectionResizeMode(ProblemsModel::MessageColumn, QHeaderView::Stretch);
    w->m_problemsView->header()->setSectionResizeMode(ProblemsModel::LocationColumn,
                                                      QHeaderView::ResizeToContents);
    w->m_problemsView->header()->setSectionResizeMode(ProblemsModel::RuleColumn,
                                                      QHeaderView::ResizeToContents);
    QObject::connect(w->m_problemsView, &QTreeView::activated, w, &MainWindow::activateProblem);
    QObject::connect(w->m_problemsView, &QTreeView::clicked, w, &MainWindow::activateProblem);

    w->m_problemsDock = new QDockWidget(MainWindow::tr("Problems"), w);
    w->m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    w->m_problemsDock->setWidget(w->m_problemsView);
    w->m_problemsDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    w->addDockWidget(Qt::BottomDockWidgetArea, w->m_problemsDock);
    QAction *toggle = w->m_problemsDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionProblems"));
    toggle->setText(MainWindow::tr("&Problems"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+M")));
    w->addAction(toggle);
}

void MainWindowActions::createStepDock(MainWindow *w)
{
    w->m_stepSummary = new StepSummary;
    w->m_stepSummary->setStepActions(w->action(QStringLiteral("actionPreviousStep")),
                                     w->action(QStringLiteral("actionNextStep")));
    w->m_stepDock = new QDockWidget(MainWindow::tr("Step"), w);
    w->m_stepDock->setObjectName(QStringLiteral("stepDock"));
    w->m_stepDock->setWidget(w->m_stepSummary);
    w->m_stepDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    w->addDockWidget(Qt::BottomDockWidgetArea, w->m_stepDock);
    w->tabifyDockWidget(w->m_problemsDock, w->m_stepDock);
    w->m_problemsDock->raise();
    QAction *toggle = w->m_stepDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionStepSummary"));
    toggle->setText(MainWindow::tr("Step S&ummary"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+J")));
    w->addAction(toggle);
}

} // namespace stagecraft::ui
