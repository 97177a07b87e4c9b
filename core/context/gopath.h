// Go's path/filepath Clean and Dir on slash-separated paths: Docker's pattern and
// COPY-source rules are defined in terms of them, so we reproduce them exactly.
#pragma once

#include <QString>

namespace stagecraft {

class GoPath
{
public:
    // Lexically shortest equivalent path: no "//", "." elements, resolved inner "..",
    // no trailing "/"; "" becomes ".", a ".." above "/" is dropped.
    static QString clean(const QString &path);
    // Everything but the last element, cleaned ("a/b" → "a", "a" → ".", "/a" → "/").
    static QString dir(const QString &path);
};

} // namespace stagecraft
