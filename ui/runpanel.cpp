#include "ui/runpanel.h"

#include "core/store/imagestore.h"
#include "ui/buildcontroller.h"
#include "ui/buildlogmodel.h"
#include "ui/buildlogview.h"
#include "ui/buildsession.h"
#include "ui/dockerfileeditor.h"
#include "ui/mainwindow.h"
#include "ui/rundialog.h"
#include "ui/terminalpanel.h"
#include "ui/timelineview.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStatusBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <unistd.h>

namespace stagecraft::ui {

RunPanel::RunPanel(MainWindow *window, BuildSession *session, BuildLogModel *logModel,
                   QDockWidget *problemsDock)
    : QObject(window)
    , m_window(window)
    , m_session(session)
    , m_logModel(logModel)
{
    createBuildLogDock(problemsDock);
    createTerminalDock(problemsDock);
    createTimelineDock(problemsDock);
    connect(m_session, &BuildSession::failedStepHeld, this,
            [this](const QString &instruction, int, int exitCode) { showFailedStep(instruction, exitCode); });
    connect(m_session, &BuildSession::failedStepReleased, this, &RunPanel::hideFailedStep);
    connect(m_session, &BuildSession::runOutput, this, [this](const QString &line) {
        m_logModel->append(-1, MainWindow::tr("run"), BuildLogModel::Kind::Output, line);
    });
    connect(m_session, &BuildSession::runFinished, this, [this](int exitCode, const QString &error) {
        if (error.isEmpty())
            m_logModel->append(-1, MainWindow::tr("run"), BuildLogModel::Kind::Info,
                               MainWindow::tr("The container exited with code 0."));
        else
            m_logModel->append(-1, MainWindow::tr("run"), BuildLogModel::Kind::Error, error);
        m_window->statusBar()->showMessage(error.isEmpty() ? MainWindow::tr("The run finished.") : error,
                                           5000);
        Q_EMIT runFinished(exitCode);
    });
}

void RunPanel::showLog(bool readable)
{
    if (readable)
        showReadable(m_logDock);
    else {
        m_logDock->show();
        m_logDock->raise();
    }
}

void RunPanel::showReadable(QDockWidget *dock)
{
    dock->show();
    dock->raise();
    const int rows = m_window->height() / 3;
    if (dock->height() < rows)
        m_window->resizeDocks({dock}, {rows}, Qt::Vertical);
}

bool RunPanel::isTerminalRunning() const
{
    return m_terminal->isRunning();
}

void RunPanel::hideFailedStep()
{
    m_failedStepBar->hide();
    m_window->action(QStringLiteral("actionOpenFailedShell"))->setEnabled(false);
}

void RunPanel::createBuildLogDock(QDockWidget *problemsDock)
{
    m_logView = new BuildLogView(m_logModel);
    m_logView->setObjectName(QStringLiteral("buildLogView"));
    connect(m_logView, &BuildLogView::lineActivated, this,
            [this](int line) { m_window->editor()->goTo(line, 1); });
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
    openButton->setDefaultAction(m_window->action(QStringLiteral("actionOpenFailedShell")));
    barLayout->addWidget(openButton);
    auto *declineButton = new QPushButton(MainWindow::tr("&End the Build"));
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

    m_logDock = new QDockWidget(MainWindow::tr("Build Log"), m_window);
    m_logDock->setObjectName(QStringLiteral("buildLogDock"));
    m_logDock->setWidget(logPane);
    m_logDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    m_window->addDockWidget(Qt::BottomDockWidgetArea, m_logDock);
    m_window->tabifyDockWidget(problemsDock, m_logDock);
    problemsDock->raise();
    QAction *toggle = m_logDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionBuildLog"));
    toggle->setText(MainWindow::tr("Build &Log"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+L")));
    m_window->addAction(toggle);
}

void RunPanel::createTimelineDock(QDockWidget *problemsDock)
{
    m_timeline = new TimelineView;
    m_timeline->setObjectName(QStringLiteral("timelineView"));
    connect(m_timeline, &TimelineView::stepActivated, this, [this](int, int, int firstLine, int lastLine) {
        m_window->editor()->selectLines(firstLine, lastLine);
    });
    m_timelineDock = new QDockWidget(MainWindow::tr("Timeline"), m_window);
    m_timelineDock->setObjectName(QStringLiteral("timelineDock"));
    m_timelineDock->setWidget(m_timeline);
    m_timelineDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    m_window->addDockWidget(Qt::BottomDockWidgetArea, m_timelineDock);
    m_window->tabifyDockWidget(m_logDock, m_timelineDock);
    problemsDock->raise();
    QAction *toggle = m_timelineDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionTimeline"));
    toggle->setText(MainWindow::tr("Ti&meline"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+I")));
    m_window->addAction(toggle);
}

void RunPanel::createTerminalDock(QDockWidget *problemsDock)
{
    m_terminal = new TerminalPanel;
    m_terminal->setObjectName(QStringLiteral("terminalPanel"));
    m_terminalDock = new QDockWidget(MainWindow::tr("Terminal"), m_window);
    m_terminalDock->setObjectName(QStringLiteral("terminalDock"));
    m_terminalDock->setWidget(m_terminal);
    m_terminalDock->setFeatures(QDockWidget::DockWidgetClosable | QDockWidget::DockWidgetMovable);
    m_window->addDockWidget(Qt::BottomDockWidgetArea, m_terminalDock);
    m_window->tabifyDockWidget(m_logDock, m_terminalDock);
    problemsDock->raise();
    QAction *toggle = m_terminalDock->toggleViewAction();
    toggle->setObjectName(QStringLiteral("actionTerminal"));
    toggle->setText(MainWindow::tr("&Terminal"));
    toggle->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+T")));
    m_window->addAction(toggle);
    connect(m_terminal, &TerminalPanel::started, this, [this] {
        Q_EMIT busyChanged();
        // The bottom docks start low (a few problems fit); a shell needs rows to be usable.
        showReadable(m_terminalDock);
    });
    connect(m_terminal, &TerminalPanel::finished, this, [this](int exitCode, const QString &error) {
        if (m_shellOpen) {
            m_shellOpen = false;
            Q_EMIT busyChanged();
            m_window->statusBar()->showMessage(
                error.isEmpty()
                    ? MainWindow::tr("The shell exited with code %1; the build ends.").arg(exitCode)
                    : error,
                5000);
            return;
        }
        Q_EMIT busyChanged();
        m_window->statusBar()->showMessage(
            error.isEmpty() ? MainWindow::tr("The container exited with code %1.").arg(exitCode) : error,
            5000);
        Q_EMIT runFinished(exitCode);
    });
}

void RunPanel::showFailedStep(const QString &instruction, int exitCode)
{
    m_failedStepLabel->setText(
        MainWindow::tr("%1 failed with exit code %2. Its filesystem is kept until you end the build.")
            .arg(instruction)
            .arg(exitCode));
    m_failedInstruction = instruction;
    m_failedStepBar->show();
    m_window->action(QStringLiteral("actionOpenFailedShell"))->setEnabled(!m_terminal->isRunning());
    showLog();
    m_window->statusBar()->showMessage(
        MainWindow::tr("A RUN step failed; open a shell in it from the Build Log or end the build."));
}

void RunPanel::openFailedStepShell()
{
    if (!m_session->hasFailedStep() || m_terminal->isRunning())
        return;
    auto shell = m_session->openFailedStepShell();
    m_failedStepBar->hide();
    m_window->action(QStringLiteral("actionOpenFailedShell"))->setEnabled(false);
    QString error;
    m_shellOpen = true;
    if (!m_terminal->start(MainWindow::tr("Shell in the failed step: %1").arg(m_failedInstruction), shell,
                           &error)) {
        m_shellOpen = false;
        m_window->statusBar()->showMessage(error, 6000);
        m_session->releaseFailedStep(); // no shell: let the build end as failed
        return;
    }
    m_terminal->view()->setFocus();
    m_window->statusBar()->showMessage(MainWindow::tr("Exit the shell to end the build."));
}

QString RunPanel::runKey() const
{
    const QString file =
        m_window->currentFile().isEmpty() ? QStringLiteral("untitled") : m_window->currentFile();
    return file + u'#' + m_builds->buildTarget();
}

RunChoices RunPanel::runChoicesForLastImage() const
{
    if (const std::optional<RunChoices> remembered = RunChoices::load(runKey()))
        return *remembered;
    RunChoices choices;
    choices.terminal = true;
    if (auto store = ImageStore::open(m_window->storeRoot())) {
        if (Expected<Image> image = store->image(m_builds->lastImage()))
            choices.ports = RunChoices::portsFromExposed(image->config.config.exposedPorts);
    }
    return choices;
}

void RunPanel::runInteractive()
{
    if (m_builds->lastImage().isEmpty() || m_session->isBusy() || m_terminal->isRunning())
        return;
    const QString name = m_window->targetBox()->currentText().isEmpty()
                             ? m_builds->lastImage().left(19)
                             : m_window->targetBox()->currentText();
    RunDialog dialog(name, runChoicesForLastImage(), m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const RunChoices choices = dialog.choices();
    choices.save(runKey());
    QString error;
    if (!startRun(choices, &error))
        m_window->statusBar()->showMessage(error, 6000);
}

bool RunPanel::startRun(const RunChoices &choices, QString *error)
{
    if (m_session->isBusy() || m_terminal->isRunning()) {
        if (error)
            *error = MainWindow::tr("A build or run is in progress; cancel it first.");
        return false;
    }
    if (m_builds->lastImage().isEmpty()) {
        if (error)
            *error = MainWindow::tr("Build the image first; Run starts the last built image.");
        return false;
    }
    auto store = ImageStore::open(m_window->storeRoot());
    if (!store) {
        if (error)
            *error = MainWindow::tr("Cannot open the image store %1: %2")
                         .arg(m_window->storeRoot(), store.error().message);
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
        if (!m_terminal->start(MainWindow::tr("Running %1").arg(m_builds->lastImage().left(19)), run, error))
            return false;
        m_terminal->setLinks(links);
        m_terminal->view()->setFocus();
        m_window->statusBar()->showMessage(MainWindow::tr("Running the image…"), 3000);
        return true;
    }
    m_logView->setStageFilter(-1);
    m_logModel->append(-1, MainWindow::tr("run"), BuildLogModel::Kind::Step,
                       MainWindow::tr("Running %1").arg(m_builds->lastImage().left(19)));
    for (const QUrl &link : std::as_const(links))
        m_logModel->append(-1, MainWindow::tr("run"), BuildLogModel::Kind::Info,
                           MainWindow::tr("Published on %1").arg(link.toString()));
    m_session->startRun(*store, *options);
    showLog(true);
    m_window->statusBar()->showMessage(MainWindow::tr("Running the image…"));
    return true;
}

} // namespace stagecraft::ui
