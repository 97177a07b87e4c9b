#include "ui/terminalpanel.h"

#include "core/exec/pseudoterminal.h"
#include "ui/terminaltranscript.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSocketNotifier>
#include <QTextBlock>
#include <QVBoxLayout>

#include <cerrno>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace stagecraft::ui {

namespace {

// What a terminal sends for a key (xterm's sequences in normal cursor mode).
QByteArray keyBytes(const QKeyEvent *event)
{
    const Qt::KeyboardModifiers modifiers = event->modifiers();
    switch (event->key()) {
    case Qt::Key_Return:
    case Qt::Key_Enter: return QByteArrayLiteral("\r");
    case Qt::Key_Backspace: return QByteArrayLiteral("\x7f");
    case Qt::Key_Tab: return QByteArrayLiteral("\t");
    case Qt::Key_Backtab: return QByteArrayLiteral("\x1b[Z");
    case Qt::Key_Escape: return QByteArrayLiteral("\x1b");
    case Qt::Key_Up: return QByteArrayLiteral("\x1b[A");
    case Qt::Key_Down: return QByteArrayLiteral("\x1b[B");
    case Qt::Key_Right: return QByteArrayLiteral("\x1b[C");
    case Qt::Key_Left: return QByteArrayLiteral("\x1b[D");
    case Qt::Key_Home: return QByteArrayLiteral("\x1b[H");
    case Qt::Key_End: return QByteArrayLiteral("\x1b[F");
    case Qt::Key_Delete: return QByteArrayLiteral("\x1b[3~");
    case Qt::Key_PageUp: return QByteArrayLiteral("\x1b[5~");
    case Qt::Key_PageDown: return QByteArrayLiteral("\x1b[6~");
    default: break;
    }
    if ((modifiers & Qt::ControlModifier) && event->key() >= Qt::Key_A && event->key() <= Qt::Key_Z)
        return QByteArray(1, char(event->key() - Qt::Key_A + 1)); // Ctrl+C → ETX, Ctrl+D → EOT
    return event->text().toUtf8();
}

bool isCopyOrPaste(const QKeyEvent *event)
{
    // Ctrl+C belongs to the program, so copying and pasting use Ctrl+Shift as in terminals.
    return event->modifiers() == (Qt::ControlModifier | Qt::ShiftModifier) &&
           (event->key() == Qt::Key_C || event->key() == Qt::Key_V);
}

} // namespace

TerminalPanel::TerminalPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_links(new QLabel)
    , m_status(new QLabel)
    , m_stop(new QPushButton(tr("Stop")))
    , m_view(new QPlainTextEdit)
    , m_transcript(std::make_unique<TerminalTranscript>())
{
    m_title->setObjectName(QStringLiteral("terminalTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_links->setObjectName(QStringLiteral("terminalLinks"));
    m_links->setTextFormat(Qt::RichText);
    m_links->setOpenExternalLinks(true);
    m_links->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
    m_links->hide();
    m_status->setObjectName(QStringLiteral("terminalStatus"));
    m_stop->setObjectName(QStringLiteral("terminalStop"));
    m_stop->setEnabled(false);
    m_stop->setToolTip(tr("Stop the process and everything it started"));
    connect(m_stop, &QPushButton::clicked, this, &TerminalPanel::stop);

    m_view->setObjectName(QStringLiteral("terminalView"));
    m_view->setReadOnly(true);
    // Read-only keeps typing out of the document; the keys go to the pty instead. The
    // cursor stays visible where the program's cursor is.
    m_view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_view->setUndoRedoEnabled(false);
    m_view->setMaximumBlockCount(10000);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setCursorWidth(QFontMetrics(m_view->font()).horizontalAdvance(u'M'));
    m_view->installEventFilter(this);
    m_view->viewport()->installEventFilter(this);

    auto *header = new QHBoxLayout;
    header->addWidget(m_title);
    header->addWidget(m_links);
    header->addStretch(1);
    header->addWidget(m_status);
    header->addWidget(m_stop);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(header);
    layout->addWidget(m_view, 1);
}

TerminalPanel::~TerminalPanel()
{
    m_cancel.cancel();
    if (m_worker.joinable())
        m_worker.join();
}

bool TerminalPanel::start(const QString &title, PtyProcess process, QString *error)
{
    if (m_running) {
        if (error)
            *error = tr("A process is still running in the terminal; stop it first.");
        return false;
    }
    if (m_worker.joinable())
        m_worker.join();
    Expected<std::unique_ptr<PseudoTerminal>> pty = PseudoTerminal::open(-1);
    if (!pty) {
        if (error)
            *error = tr("Cannot open a terminal: %1").arg(pty.error().message);
        return false;
    }
    m_pty = std::move(*pty);
    const int master = m_pty->masterFd();
    ::fcntl(master, F_SETFL, ::fcntl(master, F_GETFL) | O_NONBLOCK);

    m_transcript = std::make_unique<TerminalTranscript>();
    m_view->clear();
    m_title->setText(title);
    m_status->setText(tr("Running"));
    m_stop->setEnabled(true);
    m_sentSize = QSize();
    updateWindowSize();
    m_notifier = new QSocketNotifier(master, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &TerminalPanel::readOutput);

    ++m_generation;
    m_cancel = CancellationToken();
    m_running = true;
    const quint64 generation = m_generation;
    const int slave = m_pty->slaveFd();
    m_worker = std::thread([this, generation, process = std::move(process), slave, cancel = m_cancel] {
        const Expected<int> ran = process(slave, cancel);
        const int exitCode = ran ? *ran : -1;
        const QString message = ran ? QString() : ran.error().message;
        QMetaObject::invokeMethod(
            this,
            [this, generation, exitCode, message] {
                if (generation == m_generation)
                    onFinished(exitCode, message);
            },
            Qt::QueuedConnection);
    });
    m_view->setFocus();
    Q_EMIT started();
    return true;
}

void TerminalPanel::stop()
{
    if (!m_running)
        return;
    m_cancel.cancel();
    m_status->setText(tr("Stopping…"));
}

void TerminalPanel::setLinks(const QList<QUrl> &links)
{
    QStringList anchors;
    for (const QUrl &url : links) {
        const QString text = url.toString().toHtmlEscaped();
        anchors.append(QStringLiteral("<a href=\"%1\">%1</a>").arg(text));
    }
    m_links->setText(anchors.join(QStringLiteral(" ")));
    m_links->setVisible(!anchors.isEmpty() && m_running);
}

QSize TerminalPanel::terminalSize() const
{
    const QFontMetrics metrics(m_view->font());
    const int margin = 2 * int(m_view->document()->documentMargin());
    const int columns = (m_view->viewport()->width() - margin) / std::max(1, metrics.horizontalAdvance(u'M'));
    const int rows = (m_view->viewport()->height() - margin) / std::max(1, metrics.lineSpacing());
    return {std::max(columns, 2), std::max(rows, 1)};
}

bool TerminalPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize) {
        updateWindowSize();
        return false;
    }
    if (watched != m_view || !m_running)
        return QWidget::eventFilter(watched, event);
    if (event->type() == QEvent::ShortcutOverride) {
        // Keys typed into a running terminal are the program's, not the window's shortcuts.
        auto *key = static_cast<QKeyEvent *>(event);
        if (!isCopyOrPaste(key) && !keyBytes(key).isEmpty()) {
            event->accept();
            return true;
        }
        return false;
    }
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (isCopyOrPaste(key)) {
            if (key->key() == Qt::Key_C)
                m_view->copy();
            else
                send(QApplication::clipboard()->text().toUtf8());
            return true;
        }
        const QByteArray bytes = keyBytes(key);
        if (bytes.isEmpty())
            return false;
        send(bytes);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

void TerminalPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateWindowSize();
}

void TerminalPanel::updateWindowSize()
{
    if (!m_pty)
        return;
    const QSize size = terminalSize();
    if (size == m_sentSize)
        return;
    m_sentSize = size;
    winsize window{};
    window.ws_col = static_cast<unsigned short>(size.width());
    window.ws_row = static_cast<unsigned short>(size.height());
    // The kernel tells the foreground process group (SIGWINCH), so a shell rewraps.
    ::ioctl(m_pty->masterFd(), TIOCSWINSZ, &window);
}

void TerminalPanel::send(const QByteArray &bytes)
{
    if (!m_pty)
        return;
    // Non-blocking: a program that stopped reading fills the pty's input buffer (some
    // kilobytes); further keys are dropped rather than freezing the window.
    qsizetype offset = 0;
    while (offset < bytes.size()) {
        const ssize_t n =
            ::write(m_pty->masterFd(), bytes.constData() + offset, size_t(bytes.size() - offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        offset += n;
    }
}

void TerminalPanel::readOutput()
{
    if (!m_pty)
        return;
    // At most 256 KiB per wake-up so that a flood of output cannot starve the window.
    QByteArray bytes;
    char buffer[16384];
    while (bytes.size() < 256 * 1024) {
        const ssize_t n = ::read(m_pty->masterFd(), buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        bytes.append(buffer, n);
    }
    if (!bytes.isEmpty())
        showOutput(bytes);
}

void TerminalPanel::showOutput(const QByteArray &bytes)
{
    const TerminalTranscript::Update update = m_transcript->feed(bytes);
    if (update.cleared)
        m_view->clear();
    QString text;
    for (const QString &line : update.finishedLines)
        text += line + u'\n';
    text += m_transcript->currentLine();
    // The last block is the line being written: replace it with what it has become.
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
    cursor.insertText(text);
    cursor.movePosition(QTextCursor::StartOfBlock);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor,
                        std::min(m_transcript->cursorColumn(), cursor.block().length() - 1));
    m_view->setTextCursor(cursor);
    m_view->ensureCursorVisible();
}

void TerminalPanel::appendNote(const QString &text)
{
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    if (cursor.block().length() > 1)
        cursor.insertText(QStringLiteral("\n"));
    cursor.insertText(text);
    m_view->setTextCursor(cursor);
    m_view->ensureCursorVisible();
}

void TerminalPanel::onFinished(int exitCode, const QString &error)
{
    readOutput(); // what the process wrote last is still in the pty
    delete m_notifier;
    m_notifier = nullptr;
    m_pty.reset();
    if (m_worker.joinable())
        m_worker.join(); // it has just posted this and is returning
    m_running = false;
    m_stop->setEnabled(false);
    m_links->hide();
    const QString status = error.isEmpty() ? tr("Exited with code %1").arg(exitCode) : tr("Failed to run");
    m_status->setText(status);
    appendNote(error.isEmpty() ? QStringLiteral("[%1]").arg(status) : QStringLiteral("[%1]").arg(error));
    Q_EMIT finished(exitCode, error);
}

} // namespace stagecraft::ui
