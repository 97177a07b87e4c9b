// Text from an image (history, tags, file names, error messages naming entries) may hold
// terminal escape sequences; this makes it inert before it reaches a terminal. Control
// characters become `\u001b`-style escapes, which read the same in plain text and are
// valid JSON string escapes, so escaping JSON output keeps it valid and equal.
#pragma once

#include <QString>

namespace stagecraft {

enum class LineBreaks {
    Keep,   // a whole message or document: "\n" and "\t" stay
    Escape, // one field of a line (a file name, a tag): they are escaped too
};

// C0 controls (U+0000–U+001F, ESC among them), DEL and the C1 controls (U+0080–U+009F).
inline bool isControlCharacter(char16_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

inline QString escapeControlCharacters(const QString &text, LineBreaks lineBreaks = LineBreaks::Escape)
{
    qsizetype first = 0;
    for (; first < text.size(); ++first) {
        const char16_t c = text[first].unicode();
        if (isControlCharacter(c) && !(lineBreaks == LineBreaks::Keep && (c == u'\n' || c == u'\t')))
            break;
    }
    if (first == text.size())
        return text;
    QString out = text.left(first);
    out.reserve(text.size() + 16);
    for (qsizetype i = first; i < text.size(); ++i) {
        const char16_t c = text[i].unicode();
        if (!isControlCharacter(c) || (lineBreaks == LineBreaks::Keep && (c == u'\n' || c == u'\t')))
            out += QChar(c);
        else
            out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
    }
    return out;
}

// A field from an image (history text, a step) on one line of a table: line breaks and
// tabs become spaces, other controls are escaped, and past `width` (> 0) it is cut with "...".
inline QString oneLineField(QString text, int width)
{
    text.replace(u'\n', u' ');
    text.replace(u'\t', u' ');
    text = escapeControlCharacters(text);
    if (width > 0 && text.size() > width)
        text = text.left(width - 3) + QStringLiteral("...");
    return text;
}

} // namespace stagecraft
