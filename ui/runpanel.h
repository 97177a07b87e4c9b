// The bottom docks that show what a build or run does — the Build Log (with the bar that
// offers a failed step's shell), the Terminal and the Timeline — and the running of the
// last built image in them. Kept apart from MainWindow so the window stays the editor,
// the views and their wiring.
#pragma once

#include "ui/runchoices.h"

#include <QObject>
#include <QString>

class QDockWidget;
class QLabel;
class QWidget;

namespace stagecraft::ui {

class BuildController;
class BuildLogModel;
class BuildLogView;
class BuildSession;
class MainWindow;
class TerminalPanel;
class TimelineView;

class RunPanel : public QObject
{
    Q_OBJECT

public:
    // Creates the docks in `window`'s bottom area, tabbed with `problemsDock`.
    RunPanel(MainWindow *window, BuildSession *session, BuildLogModel *logModel, QDockWidget *problemsDock);

    // The build whose last image Run starts (created after the log view it writes to).
    void setBuildController(BuildController *builds) { m_builds = builds; }

    BuildLogView *logView() const { return m_logView; }
    QDockWidget *logDock() const { return m_logDock; }
    TerminalPanel *terminal() const { return m_terminal; }
    QDockWidget *terminalDock() const { return m_terminalDock; }
    TimelineView *timeline() const { return m_timeline; }
    QDockWidget *timelineDock() const { return m_timelineDock; }

    // Brings the Build Log to the front; `readable` also gives it a third of the window's
    // height (the docks start low: a few problems fit, a program's output does not).
    void showLog(bool readable = false);
    bool isTerminalRunning() const;

    // See MainWindow::startRun and MainWindow::runChoicesForLastImage.
    bool startRun(const RunChoices &choices, QString *error);
    RunChoices runChoicesForLastImage() const;
    // Asks for the run's choices in the Run dialog and starts it.
    void runInteractive();
    void showFailedStep(const QString &instruction, int exitCode);
    void openFailedStepShell();
    void hideFailedStep();

Q_SIGNALS:
    void runFinished(int exitCode);
    void busyChanged(); // the terminal started or ended: Build and Run may change

private:
    void createBuildLogDock(QDockWidget *problemsDock);
    void createTerminalDock(QDockWidget *problemsDock);
    void createTimelineDock(QDockWidget *problemsDock);
    void showReadable(QDockWidget *dock);
    QString runKey() const;

    MainWindow *m_window;
    BuildSession *m_session;
    BuildLogModel *m_logModel;
    BuildController *m_builds = nullptr;
    BuildLogView *m_logView = nullptr;
    QDockWidget *m_logDock = nullptr;
    TerminalPanel *m_terminal = nullptr;
    QDockWidget *m_terminalDock = nullptr;
    TimelineView *m_timeline = nullptr;
    QDockWidget *m_timelineDock = nullptr;
    QWidget *m_failedStepBar = nullptr;
    QLabel *m_failedStepLabel = nullptr;
    QString m_failedInstruction; // the held step's, for the shell's title
    bool m_shellOpen = false;    // the terminal shows a failed step's shell, not a container
};

} // namespace stagecraft::ui
