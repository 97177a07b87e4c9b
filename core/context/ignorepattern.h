// One .dockerignore line compiled the way moby/patternmatcher does it: `*` and `?` stay
// within one path element, `**` spans any number of elements, `[...]` classes and `\`
// escapes follow Go's filepath.Match, a leading `!` marks an exception.
#pragma once

#include "core/common/error.h"

#include <QRegularExpression>
#include <QString>

namespace stagecraft {

class IgnorePattern
{
public:
    // `text` is one pattern as written (a leading "!" makes it an exception). It is
    // trimmed and cleaned like Go's filepath.Clean; a malformed class or a trailing
    // `\` is an error, as in Docker.
    static Expected<IgnorePattern> compile(const QString &text);

    bool isException() const { return m_exception; }
    QString pattern() const { return m_cleaned; } // cleaned, without the "!"

    // Does the pattern match this exact relative path (no parent-directory rule)?
    bool matchesExactly(const QString &path) const;
    // Does it match the path or one of its parent directories? (MatchesOrParentMatches)
    bool matches(const QString &path) const;
    // True when the pattern has no wildcard, so its text is a literal path.
    bool isLiteral() const { return m_kind == Kind::Exact; }

private:
    enum class Kind { Exact, Prefix, Suffix, Regexp };

    QString m_cleaned;
    bool m_exception = false;
    Kind m_kind = Kind::Exact;
    QRegularExpression m_regexp;
};

} // namespace stagecraft
