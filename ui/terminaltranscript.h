// A program's terminal output as plain text lines for a text view: the escapes a shell
// and simple programs send are interpreted (carriage return, backspace, cursor left and
// right, erase in line, clear screen) and the rest (colours, titles) dropped, so that a
// prompt edited with Backspace or a progress line redrawn with \r reads as it would in a
// terminal. UTF-8 split across reads is joined.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringDecoder>
#include <QStringList>

namespace stagecraft::ui {

class TerminalTranscript
{
public:
    struct Update
    {
        QStringList finishedLines; // lines ended by a newline since the last feed
        bool cleared = false;      // the screen was cleared: drop what was shown before
    };

    // Interprets `bytes`; the line being written is currentLine() afterwards.
    Update feed(const QByteArray &bytes);

    QString currentLine() const { return m_line; }
    int cursorColumn() const { return int(m_column); }

private:
    void put(QChar c);
    void putText(const QString &text);
    void csi(QChar final, const QString &parameters, Update &update);

    enum class State { Text, Escape, Csi, Osc, OscEscape };
    State m_state = State::Text;
    QString m_parameters;
    QByteArray m_pendingText; // bytes of text not yet decoded
    QStringDecoder m_decoder{QStringDecoder::Utf8};
    QString m_line;
    qsizetype m_column = 0;
};

} // namespace stagecraft::ui
