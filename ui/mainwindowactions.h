// Builds MainWindow's actions (with their shortcuts), menus, toolbar and status bar. The
// window keeps the behaviour; this is the long, flat table of what the user can reach.
#pragma once

namespace stagecraft::ui {

class MainWindow;

class MainWindowActions
{
public:
    // In this order: the menus, the toolbar and the docks find the actions by object name.
    static void createActions(MainWindow *w);
    static void createMenus(MainWindow *w);
    static void createToolBar(MainWindow *w);
    static void createStatusBar(MainWindow *w);
    static void createProblemsDock(MainWindow *w);
    // The Step dock (StepSummary), tabbed with the Problems; after the RunPanel's docks.
    static void createStepDock(MainWindow *w);
};

} // namespace stagecraft::ui
