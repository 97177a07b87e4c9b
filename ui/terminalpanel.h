// An interactive terminal in the window: a text view on a pseudo-terminal that shows what
// a process writes and sends it the keys typed (Ctrl+C and Ctrl+D as the control bytes a
// terminal sends), the pty sized to the view in characters. Whatever runs on the pty is
// the caller's: a container of the built image, or a shell in a failed step's filesystem.
// It runs on a worker thread, so the window stays responsive; Stop cancels it.
#pragma once

#include "core/common/cancellation.h"
#include "core/common/error.h"

#include <QList>
#include <QSize>
#include <QUrl>
#include <QWidget>

#include <functional>
#include <memory>
#include <thread>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSocketNotifier;

namespace stagecraft {
class PseudoTerminal;
}

namespace stagecraft::ui {

class TerminalTranscript;

class TerminalPanel : public QWidget
{
    Q_OBJECT

public:
    // Starts a process on `ptySlaveFd` (its stdio and controlling terminal) and returns
    // its exit code when it ends, or an error when it could not run. Called on a worker
    // thread; it must return soon after `cancel` is set.
    using PtyProcess = std::function<Expected<int>(int ptySlaveFd, const CancellationToken &cancel)>;

    explicit TerminalPanel(QWidget *parent = nullptr);
    ~TerminalPanel() override; // cancels the process and waits for it

    // Clears the view and runs `process` on a new pty titled `title`; false (with `error`)
    // when one is still running or no pty could be made.
    bool start(const QString &title, PtyProcess process, QString *error = nullptr);
    void stop();
    bool isRunning() const { return m_running; }

    // Addresses to show as links while the process runs (published ports).
    void setLinks(const QList<QUrl> &links);

    QPlainTextEdit *view() const { return m_view; }
    // The pty's size: columns and rows of the view's font that fit.
    QSize terminalSize() const;

Q_SIGNALS:
    void started();
    // `exitCode` -1 and `error` set when the process could not run.
    void finished(int exitCode, const QString &error);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void readOutput();
    void showOutput(const QByteArray &bytes);
    void appendNote(const QString &text);
    void send(const QByteArray &bytes);
    void updateWindowSize();
    void onFinished(int exitCode, const QString &error);

    QLabel *m_title;
    QLabel *m_links;
    QLabel *m_status;
    QPushButton *m_stop;
    QPlainTextEdit *m_view;
    std::unique_ptr<TerminalTranscript> m_transcript;
    std::unique_ptr<PseudoTerminal> m_pty;
    QSocketNotifier *m_notifier = nullptr;
    std::thread m_worker;
    CancellationToken m_cancel;
    quint64 m_generation = 0;
    bool m_running = false;
    QSize m_sentSize;
};

} // namespace stagecraft::ui
