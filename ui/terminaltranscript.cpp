#include "ui/terminaltranscript.h"

namespace stagecraft::ui {

namespace {

int firstParameter(const QString &parameters, int fallback)
{
    bool ok = false;
    const int value = parameters.section(u';', 0, 0).toInt(&ok);
    return ok && value > 0 ? value : fallback;
}

} // namespace

TerminalTranscript::Update TerminalTranscript::feed(const QByteArray &bytes)
{
    Update update;
    const auto flushText = [this] {
        if (!m_pendingText.isEmpty())
            putText(m_decoder.decode(m_pendingText));
        m_pendingText.clear();
    };
    for (const char byte : bytes) {
        const auto c = static_cast<unsigned char>(byte);
        switch (m_state) {
        case State::Text:
            if (c >= 0x20 && c != 0x7f) {
                m_pendingText.append(byte);
                break;
            }
            flushText();
            switch (c) {
            case '\n':
                update.finishedLines.append(m_line);
                m_line.clear();
                m_column = 0;
                break;
            case '\r': m_column = 0; break;
            case '\b':
                if (m_column > 0)
                    --m_column;
                break;
            case '\t': putText(QString(8 - m_column % 8, u' ')); break;
            case 0x1b: m_state = State::Escape; break;
            default: break; // BEL and other controls show nothing
            }
            break;
        case State::Escape:
            if (c == '[') {
                m_state = State::Csi;
                m_parameters.clear();
            } else if (c == ']') {
                m_state = State::Osc;
            } else {
                m_state = State::Text; // a two-byte escape (charset, keypad mode): nothing to show
            }
            break;
        case State::Csi:
            if (c >= 0x40 && c <= 0x7e) {
                csi(QChar(char16_t(c)), m_parameters, update);
                m_state = State::Text;
            } else {
                m_parameters.append(QChar(char16_t(c)));
            }
            break;
        case State::Osc: // a window title or similar, ended by BEL or ESC backslash
            if (c == 0x07)
                m_state = State::Text;
            else if (c == 0x1b)
                m_state = State::OscEscape;
            break;
        case State::OscEscape: m_state = c == '\\' ? State::Text : State::Osc; break;
        }
    }
    flushText();
    return update;
}

void TerminalTranscript::putText(const QString &text)
{
    for (const QChar c : text)
        put(c);
}

void TerminalTranscript::put(QChar c)
{
    if (m_column < m_line.size())
        m_line[m_column] = c;
    else
        m_line.append(QString(m_column - m_line.size(), u' ')).append(c);
    ++m_column;
}

void TerminalTranscript::csi(QChar final, const QString &parameters, Update &update)
{
    switch (final.unicode()) {
    case 'C': m_column += firstParameter(parameters, 1); break;
    case 'D': m_column = std::max<qsizetype>(0, m_column - firstParameter(parameters, 1)); break;
    case 'G': m_column = firstParameter(parameters, 1) - 1; break;
    case 'K': {
        const int mode = parameters.isEmpty() ? 0 : parameters.toInt();
        if (mode == 0)
            m_line.truncate(m_column);
        else if (mode == 1)
            m_line.replace(0, std::min(m_column + 1, m_line.size()),
                           QString(std::min(m_column + 1, m_line.size()), u' '));
        else
            m_line.clear();
        break;
    }
    case 'P': m_line.remove(m_column, firstParameter(parameters, 1)); break;
    case '@':
        if (m_column <= m_line.size())
            m_line.insert(m_column, QString(firstParameter(parameters, 1), u' '));
        break;
    case 'J':
        if (parameters == u"2" || parameters == u"3") {
            update.finishedLines.clear();
            update.cleared = true;
            m_line.clear();
            m_column = 0;
        }
        break;
    default: break; // colours (m), modes (h, l), cursor rows: a text view has no use for them
    }
}

} // namespace stagecraft::ui
