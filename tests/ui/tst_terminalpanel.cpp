// The terminal panel on a real pty with /bin/sh of the host: typed keys reach the shell,
// its output shows, Ctrl+C and Ctrl+D act as in a terminal, the exit status is shown,
// the pty has the view's size, Stop ends the process. And the transcript's escapes.
#include "ui/dockerfileeditor.h"
#include "ui/mainwindow.h"
#include "ui/terminalpanel.h"
#include "ui/terminaltranscript.h"

#include <QDockWidget>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTranslator>
#include <QtTest>

#include <csignal>

#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace stagecraft;
using namespace stagecraft::ui;
using namespace Qt::StringLiterals;

namespace {

// Starts the host's /bin/sh on the pty as a terminal would (a new session whose
// controlling terminal is the pty) and waits for it; cancelling kills its session.
Expected<int> runHostShell(int slave, const CancellationToken &cancel)
{
    const pid_t pid = ::fork();
    if (pid < 0)
        return fail(QStringLiteral("fork failed"));
    if (pid == 0) {
        ::setsid();
        ::ioctl(slave, TIOCSCTTY, 0);
        ::dup2(slave, 0);
        ::dup2(slave, 1);
        ::dup2(slave, 2);
        char *const argv[] = {const_cast<char *>("sh"), const_cast<char *>("-i"), nullptr};
        char *const envp[] = {const_cast<char *>("PS1=$ "), const_cast<char *>("PATH=/usr/bin:/bin"),
                              const_cast<char *>("TERM=dumb"), nullptr};
        ::execve("/bin/sh", argv, envp);
        ::_exit(127);
    }
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (cancel.isCancelled())
            ::kill(-pid, SIGKILL);
        QThread::msleep(10);
    }
}

QStringList lines(const TerminalPanel &panel)
{
    return panel.view()->toPlainText().split(u'\n');
}

// Types `command` and Enter once the shell shows its prompt (keys typed earlier are echoed
// before the prompt, as in any terminal, which would make the output harder to read).
bool typeCommand(TerminalPanel &panel, const QString &command)
{
    if (!QTest::qWaitFor([&] { return panel.view()->toPlainText().endsWith(QStringLiteral("$ ")); }, 10000))
        return false;
    QTest::keyClicks(panel.view(), command);
    QTest::keyClick(panel.view(), Qt::Key_Return);
    return true;
}

} // namespace

class TestTerminalPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void transcript_data();
    void transcript();
    void typedCommandRunsAndCtrlDEnds();
    void ctrlCInterrupts();
    void windowSizeFollowsTheView();
    void stopKillsTheProcess();
    void reportsAProcessThatCannotRun();
    void inTheWindow_data();
    void inTheWindow();
};

void TestTerminalPanel::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("stagecraft-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_terminalpanel"));
    QSettings().clear();
}

void TestTerminalPanel::transcript_data()
{
    QTest::addColumn<QByteArray>("output");
    QTest::addColumn<QStringList>("lines"); // finished lines, then the current one
    QTest::addRow("lines") << QByteArray("a\nb\r\nc") << QStringList{u"a"_s, u"b"_s, u"c"_s};
    QTest::addRow("carriage-return-overwrites") << QByteArray("50%\r100%") << QStringList{u"100%"_s};
    QTest::addRow("backspace-erase") << QByteArray("ls -x\b \b\bl") << QStringList{u"ls l "_s};
    QTest::addRow("colours-dropped") << QByteArray("\x1b[1;31mred\x1b[0m ok") << QStringList{u"red ok"_s};
    QTest::addRow("erase-to-end") << QByteArray("abcdef\r\x1b[Kxy") << QStringList{u"xy"_s};
    QTest::addRow("erase-line") << QByteArray("abcdef\x1b[2Kxy") << QStringList{u"      xy"_s};
    QTest::addRow("cursor-left-right") << QByteArray("abc\x1b[2DX\x1b[CY") << QStringList{u"aXcY"_s};
    QTest::addRow("title-dropped") << QByteArray("\x1b]0;title\x07$ ") << QStringList{u"$ "_s};
    QTest::addRow("clear-screen") << QByteArray("old\n\x1b[H\x1b[2Jnew") << QStringList{u"new"_s};
    QTest::addRow("tab") << QByteArray("a\tb") << QStringList{u"a       b"_s};
    QTest::addRow("utf8") << QByteArray("gr\xc3\xbc\xc3\x9f") << QStringList{u"grüß"_s};
}

void TestTerminalPanel::transcript()
{
    QFETCH(QByteArray, output);
    QFETCH(QStringList, lines);
    // Fed one byte at a time: escapes and UTF-8 split across reads must still be whole.
    for (const int chunk : {int(output.size()), 1}) {
        TerminalTranscript transcript;
        QStringList shown;
        for (qsizetype i = 0; i < output.size(); i += chunk) {
            const TerminalTranscript::Update update = transcript.feed(output.mid(i, chunk));
            if (update.cleared)
                shown.clear();
            shown += update.finishedLines;
        }
        shown.append(transcript.currentLine());
        QCOMPARE(shown, lines);
    }
}

void TestTerminalPanel::typedCommandRunsAndCtrlDEnds()
{
    TerminalPanel panel;
    panel.resize(640, 300);
    panel.show();
    QSignalSpy finished(&panel, &TerminalPanel::finished);
    QString error;
    QVERIFY2(panel.start(QStringLiteral("sh"), runHostShell, &error), qPrintable(error));
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.start(QStringLiteral("again"), runHostShell, &error));

    QVERIFY(typeCommand(panel, QStringLiteral("echo hi")));
    QTRY_VERIFY2_WITH_TIMEOUT(lines(panel).contains(QStringLiteral("hi")),
                              qPrintable(panel.view()->toPlainText()), 10000);
    // Backspace and Tab reach the shell as a terminal sends them.
    QVERIFY(QTest::qWaitFor([&] { return panel.view()->toPlainText().endsWith(QStringLiteral("$ ")); }));
    QTest::keyClicks(panel.view(), QStringLiteral("echo abX"));
    QTest::keyClick(panel.view(), Qt::Key_Backspace);
    QTest::keyClicks(panel.view(), QStringLiteral("c"));
    QTest::keyClick(panel.view(), Qt::Key_Return);
    QTRY_VERIFY_WITH_TIMEOUT(lines(panel).contains(QStringLiteral("abc")), 10000);

    QVERIFY(QTest::qWaitFor([&] { return panel.view()->toPlainText().endsWith(QStringLiteral("$ ")); }));
    QTest::keyClick(panel.view(), Qt::Key_D, Qt::ControlModifier);
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toInt(), 0);
    QVERIFY(finished.first().at(1).toString().isEmpty());
    QVERIFY(!panel.isRunning());
    auto *status = panel.findChild<QLabel *>(QStringLiteral("terminalStatus"));
    QVERIFY(status);
    QCOMPARE(status->text(), QStringLiteral("Exited with code 0"));
    QVERIFY(panel.view()->toPlainText().endsWith(QStringLiteral("[Exited with code 0]")));
    QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("terminalStop"))->isEnabled());
}

void TestTerminalPanel::ctrlCInterrupts()
{
    TerminalPanel panel;
    panel.show();
    QSignalSpy finished(&panel, &TerminalPanel::finished);
    QVERIFY(panel.start(QStringLiteral("sh"), runHostShell));
    QVERIFY(typeCommand(panel, QStringLiteral("sleep 60; echo slept")));
    QTest::qWait(300);
    QTest::keyClick(panel.view(), Qt::Key_C, Qt::ControlModifier);
    QVERIFY(typeCommand(panel, QStringLiteral("echo after")));
    QTRY_VERIFY_WITH_TIMEOUT(lines(panel).contains(QStringLiteral("after")), 10000);
    QVERIFY(!lines(panel).contains(QStringLiteral("slept")));
    QVERIFY(typeCommand(panel, QStringLiteral("exit 3")));
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toInt(), 3);
}

void TestTerminalPanel::windowSizeFollowsTheView()
{
    TerminalPanel panel;
    panel.resize(700, 400);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy finished(&panel, &TerminalPanel::finished);
    QVERIFY(panel.start(QStringLiteral("sh"), runHostShell));
    for (const QSize &widget : {QSize(700, 400), QSize(420, 260)}) {
        panel.resize(widget);
        QCoreApplication::processEvents();
        const QSize size = panel.terminalSize();
        QVERIFY(size.width() > 10 && size.height() > 3);
        QVERIFY(typeCommand(panel, QStringLiteral("stty size")));
        const QString expected = QStringLiteral("%1 %2").arg(size.height()).arg(size.width());
        QTRY_VERIFY2_WITH_TIMEOUT(lines(panel).contains(expected),
                                  qPrintable(expected + u" in " + panel.view()->toPlainText()), 10000);
    }
    QVERIFY(QTest::qWaitFor([&] { return panel.view()->toPlainText().endsWith(QStringLiteral("$ ")); }));
    QTest::keyClick(panel.view(), Qt::Key_D, Qt::ControlModifier);
    QVERIFY(finished.wait(10000));
}

void TestTerminalPanel::stopKillsTheProcess()
{
    TerminalPanel panel;
    panel.show();
    QSignalSpy finished(&panel, &TerminalPanel::finished);
    QVERIFY(panel.start(QStringLiteral("sh"), runHostShell));
    auto *stop = panel.findChild<QPushButton *>(QStringLiteral("terminalStop"));
    QVERIFY(stop && stop->isEnabled());
    QTest::mouseClick(stop, Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toInt(), 128 + SIGKILL);
    // The panel can run again after a process ended.
    QVERIFY(panel.start(QStringLiteral("sh"), runHostShell));
    QVERIFY(panel.view()->toPlainText().isEmpty() || !panel.view()->toPlainText().contains(u"Exited"));
    panel.stop();
    QVERIFY(finished.wait(10000));
}

void TestTerminalPanel::reportsAProcessThatCannotRun()
{
    TerminalPanel panel;
    QSignalSpy finished(&panel, &TerminalPanel::finished);
    QVERIFY(panel.start(QStringLiteral("nothing"), [](int, const CancellationToken &) -> Expected<int> {
        return fail(QStringLiteral("no such image"));
    }));
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(0).toInt(), -1);
    QCOMPARE(finished.first().at(1).toString(), QStringLiteral("no such image"));
    QVERIFY(panel.view()->toPlainText().contains(QStringLiteral("[no such image]")));
}

void TestTerminalPanel::inTheWindow_data()
{
    QTest::addColumn<QString>("language");
    QTest::addRow("en") << u"en"_s;
    QTest::addRow("de") << u"de"_s;
}

// The Terminal dock of a 1024×768 window leaves the shell a usable size, shows the
// published ports as links, and with STAGECRAFT_SCREENSHOTS set is saved as
// /tmp/stagecraft-terminal-<language>.png to look at.
void TestTerminalPanel::inTheWindow()
{
    QFETCH(QString, language);
    QTranslator translator;
    if (language == u"de") {
        QVERIFY(translator.load(u":/i18n/stagecraft_de.qm"_s));
        QCoreApplication::installTranslator(&translator);
    }
    {
        MainWindow window;
        window.resize(1024, 768);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // The editor keeps a usable share of the width beside the views.
        QVERIFY2(window.editor()->width() >= 300, qPrintable(QString::number(window.editor()->width())));
        TerminalPanel *panel = window.terminalPanel();
        auto *dock = window.findChild<QDockWidget *>(u"terminalDock"_s);
        QVERIFY(dock);
        QSignalSpy finished(panel, &TerminalPanel::finished);
        QVERIFY(panel->start(u"Running sha256:3f2a91c4"_s, runHostShell));
        panel->setLinks({QUrl(u"http://127.0.0.1:8080"_s), QUrl(u"http://127.0.0.1:3000"_s)});
        dock->show();
        dock->raise();
        QVERIFY(typeCommand(*panel, u"printf 'GET / 200\\n\\033[32mready\\033[0m on :80\\n'"_s));
        QTRY_VERIFY_WITH_TIMEOUT(lines(*panel).contains(u"ready on :80"_s), 10000);
        QVERIFY(typeCommand(*panel, u"stty size"_s));
        const QSize size = panel->terminalSize();
        QVERIFY2(size.width() >= 60 && size.height() >= 5,
                 qPrintable(u"%1×%2"_s.arg(size.width()).arg(size.height())));
        QTRY_VERIFY_WITH_TIMEOUT(lines(*panel).contains(u"%1 %2"_s.arg(size.height()).arg(size.width())),
                                 10000);
        auto *links = panel->findChild<QLabel *>(u"terminalLinks"_s);
        QVERIFY(links->isVisible());
        QVERIFY(links->text().contains(u"href=\"http://127.0.0.1:8080\""_s));
        QVERIFY(!window.action(u"actionBuild"_s)->isEnabled());
        QVERIFY(QTest::qWaitFor([&] { return panel->view()->toPlainText().endsWith(u"$ "_s); }));
        const QPixmap shot = window.grab();
        QVERIFY(!shot.isNull());
        if (qEnvironmentVariableIsSet("STAGECRAFT_SCREENSHOTS")) // to look at by eye
            shot.save(u"/tmp/stagecraft-terminal-%1.png"_s.arg(language));
        panel->stop();
        QVERIFY(finished.wait(10000));
        QVERIFY(!links->isVisible());
        QVERIFY(window.action(u"actionBuild"_s)->isEnabled());
    }
    QCoreApplication::removeTranslator(&translator);
}

QTEST_MAIN(TestTerminalPanel)
#include "tst_terminalpanel.moc"
