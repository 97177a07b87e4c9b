// One instruction's text after its continuation lines are joined, with the map from
// offsets in that text back to line/column in the file, so every word keeps its range.
#pragma once

#include "core/common/sourcerange.h"

#include <QString>
#include <QStringView>
#include <QVarLengthArray>

namespace stagecraft {

class LogicalLine
{
public:
    void clear();
    // Appends a piece of one physical line; `column` is the 1-based column of piece[0].
    void append(QStringView piece, int line, int column);

    QStringView text() const { return m_text; }
    bool isEmpty() const { return m_text.isEmpty(); }

    // Where the character at `offset` sits; offset == size() gives the place after the last one.
    SourcePosition positionAt(qsizetype offset) const;
    // The range of text()[begin, end). An empty range sits at `begin`.
    SourceRange rangeOf(qsizetype begin, qsizetype end) const;

private:
    struct Segment
    {
        qsizetype offset = 0; // where the piece starts in text()
        int line = 0;
        int column = 0;
    };

    // Without continuation lines the text stays a view of the file: no copy.
    QStringView m_text;
    QString m_buffer;
    QVarLengthArray<Segment, 4> m_segments;
};

} // namespace stagecraft
