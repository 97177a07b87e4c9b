// A place in a text document: 1-based line and column, end exclusive, so the
// editor can underline it and messages can say "Dockerfile:3:5".
#pragma once

#include <QMetaType>
#include <QString>

namespace stagecraft {

struct SourcePosition
{
    int line = 0;   // 1-based; 0 means "unknown"
    int column = 0; // 1-based, counted in UTF-16 code units as QString counts them

    friend bool operator==(const SourcePosition &, const SourcePosition &) = default;
    friend auto operator<=>(const SourcePosition &, const SourcePosition &) = default;
};

struct SourceRange
{
    SourcePosition start;
    SourcePosition end; // exclusive

    bool isValid() const { return start.line > 0; }
    bool contains(SourcePosition p) const { return start <= p && p < end; }
    friend bool operator==(const SourceRange &, const SourceRange &) = default;
};

} // namespace stagecraft

Q_DECLARE_METATYPE(stagecraft::SourceRange)
