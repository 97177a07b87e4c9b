// The rules of a .dockerignore file: which context paths are left out of the build.
// Later lines win; `!` lines re-include; a path is excluded when it or one of its parent
// directories matches (Docker's MatchesOrParentMatches).
#pragma once

#include "core/common/error.h"
#include "core/context/ignorepattern.h"

#include <QList>
#include <QString>

namespace stagecraft {

class DockerIgnore
{
public:
    DockerIgnore() = default;

    // Parses file text as Docker's ignorefile.ReadAll does: a UTF-8 BOM, "#" comment
    // lines and blank lines are skipped, lines are trimmed, leading "/" and "./" are
    // cleaned away. A malformed pattern is an error naming its line.
    static Expected<DockerIgnore> parse(const QString &text);
    static Expected<DockerIgnore> fromPatterns(const QStringList &patterns);
    // Reads a file; a missing file gives empty rules.
    static Expected<DockerIgnore> load(const QString &filePath);

    bool isEmpty() const { return m_patterns.isEmpty(); }
    bool hasExceptions() const { return m_hasExceptions; }
    const QList<IgnorePattern> &patterns() const { return m_patterns; }

    // `path` is relative to the context root, "/"-separated.
    bool isExcluded(const QString &path) const;
    // True when nothing below the excluded directory `dir` can be re-included by an
    // exception, so a walk may skip it without looking inside.
    bool canSkipDirectory(const QString &dir) const;

private:
    QList<IgnorePattern> m_patterns;
    bool m_hasExceptions = false;
};

} // namespace stagecraft
