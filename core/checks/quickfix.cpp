#include "core/checks/quickfix.h"

#include <algorithm>

namespace stagecraft {

TextLines::TextLines(QStringView text)
    : m_size(text.size())
{
    m_starts.append(0);
    for (qsizetype i = 0; i < text.size(); ++i)
        if (text.at(i) == QLatin1Char('\n'))
            m_starts.append(i + 1);
}

qsizetype TextLines::offset(SourcePosition position) const
{
    if (position.line < 1)
        return 0;
    if (position.line > m_starts.size())
        return m_size;
    const qsizetype start = m_starts.at(position.line - 1);
    // The end of the line: before its newline, or the text's end on the last line.
    const qsizetype end = position.line < m_starts.size() ? m_starts.at(position.line) - 1 : m_size;
    return std::clamp(start + qsizetype(std::max(1, position.column)) - 1, start, end);
}

SourcePosition TextLines::position(qsizetype offset) const
{
    offset = std::clamp<qsizetype>(offset, 0, m_size);
    const auto after = std::upper_bound(m_starts.cbegin(), m_starts.cend(), offset);
    const qsizetype line = after - m_starts.cbegin(); // 1-based
    return {int(line), int(offset - m_starts.at(line - 1)) + 1};
}

QuickFix QuickFix::titled(const char *source, const QStringList &args)
{
    QuickFix fix;
    fix.titleSource = source;
    fix.titleArgs = args;
    fix.title = fill(QString::fromUtf8(source), args);
    return fix;
}

QString QuickFix::fill(const QString &templ, const QStringList &args)
{
    QString out;
    out.reserve(templ.size());
    for (qsizetype i = 0; i < templ.size(); ++i) {
        const QChar c = templ.at(i);
        if (c == QLatin1Char('%') && i + 1 < templ.size() && templ.at(i + 1) >= QLatin1Char('1') &&
            templ.at(i + 1) <= QLatin1Char('9')) {
            const qsizetype n = templ.at(i + 1).unicode() - '1';
            if (n < args.size()) {
                out += args.at(n);
                ++i;
                continue;
            }
        }
        out += c;
    }
    return out;
}

Expected<QString> QuickFix::apply(QStringView text, QList<TextEdit> edits)
{
    const TextLines lines(text);
    struct Span
    {
        qsizetype begin;
        qsizetype end;
        const TextEdit *edit;
    };
    QList<Span> spans;
    spans.reserve(edits.size());
    for (const TextEdit &e : std::as_const(edits)) {
        const qsizetype b = lines.offset(e.range.start);
        const qsizetype en = std::max(b, lines.offset(e.range.end));
        spans.append({b, en, &e});
    }
    std::stable_sort(spans.begin(), spans.end(),
                     [](const Span &a, const Span &b) { return a.begin < b.begin; });
    QString out;
    out.reserve(text.size());
    qsizetype at = 0;
    for (const Span &s : std::as_const(spans)) {
        if (s.begin < at)
            return fail(
                QStringLiteral("two edits change the same text (line %1)").arg(s.edit->range.start.line),
                s.edit->range);
        out += text.mid(at, s.begin - at);
        out += s.edit->newText;
        at = s.end;
    }
    out += text.mid(at);
    return out;
}

bool QuickFix::overlaps(const QuickFix &other) const
{
    for (const TextEdit &a : edits) {
        for (const TextEdit &b : other.edits) {
            // Two insertions at one place conflict too: their order would be a guess.
            if (a.range.start < b.range.end && b.range.start < a.range.end)
                return true;
            if (a.range.start == b.range.start)
                return true;
        }
    }
    for (const FileWrite &a : files)
        for (const FileWrite &b : other.files)
            if (a.path == b.path)
                return true;
    return false;
}

} // namespace stagecraft
