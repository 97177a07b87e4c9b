// Go's filepath.Match: the glob syntax of COPY/ADD sources (`*`, `?`, `[a-z]`, `[^x]`,
// `\` escapes; `*` and `?` never match "/"). Also the syntax check Docker runs on
// every .dockerignore pattern.
#pragma once

#include <QString>

namespace stagecraft {

class PathGlob
{
public:
    enum class Result { NoMatch, Match, BadPattern };

    static Result match(const QString &pattern, const QString &name);
    static bool isValid(const QString &pattern) { return match(pattern, QString()) != Result::BadPattern; }
    static bool hasMeta(const QString &pattern);
};

} // namespace stagecraft
