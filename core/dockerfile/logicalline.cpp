#include "core/dockerfile/logicalline.h"

#include <algorithm>

namespace stagecraft {

void LogicalLine::clear()
{
    m_text = {};
    m_buffer.truncate(0); // keeps the capacity for the next instruction
    m_segments.clear();
}

void LogicalLine::append(QStringView piece, int line, int column)
{
    if (piece.isEmpty())
        return; // an empty piece owns no character; a segment for it would shadow the next one
    m_segments.append(Segment{m_text.size(), line, column});
    if (m_segments.size() == 1) {
        m_text = piece;
        return;
    }
    if (m_segments.size() == 2) {
        m_buffer.reserve((m_text.size() + piece.size()) * 2);
        m_buffer.append(m_text);
    }
    m_buffer.append(piece);
    m_text = m_buffer;
}

SourcePosition LogicalLine::positionAt(qsizetype offset) const
{
    if (m_segments.isEmpty())
        return {};
    if (offset >= m_text.size()) {
        const Segment &last = m_segments.back();
        return {last.line, int(last.column + (m_text.size() - last.offset))};
    }
    // Usually a handful of segments: scan back; a long continued RUN gets a binary search.
    qsizetype i = m_segments.size() - 1;
    if (i > 8) {
        const auto it = std::upper_bound(m_segments.cbegin(), m_segments.cend(), offset,
                                         [](qsizetype o, const Segment &s) { return o < s.offset; });
        i = (it - m_segments.cbegin()) - 1;
    }
    while (i > 0 && m_segments[i].offset > offset)
        --i;
    const Segment &s = m_segments[i];
    return {s.line, int(s.column + (offset - s.offset))};
}

SourceRange LogicalLine::rangeOf(qsizetype begin, qsizetype end) const
{
    const SourcePosition start = positionAt(begin);
    if (end <= begin)
        return {start, start};
    // The end follows the last character, so a word ending a physical line does not
    // end at the start of the next one.
    SourcePosition last = positionAt(end - 1);
    last.column += 1;
    return {start, last};
}

} // namespace stagecraft
