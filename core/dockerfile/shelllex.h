// Shell-word expansion as BuildKit's Dockerfile frontend does it: $VAR and ${VAR…} forms,
// quote removal, escapes and word splitting, without ever running a shell.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace stagecraft {

// The outcome of expanding one word. On failure only `error` (and the names seen before
// the failure) are meaningful.
struct ShellResult
{
    QString value;         // expanded, quotes removed, as one string (BuildKit's ProcessWord)
    QStringList words;     // the same, split into words after expansion (ProcessWords)
    QStringList matched;   // variable names that were looked up and set, first use first
    QStringList unmatched; // variable names that were looked up and unset (includes $1, $@, …)
    QString error;         // e.g. `failed to process "${a": syntax error: missing '}'`

    bool ok() const { return error.isEmpty(); }
};

class ShellLex
{
public:
    // Returns the value of a variable, or nullopt when it is unset (set-but-empty is "").
    using EnvLookup = std::function<std::optional<QString>(const QString &name)>;

    explicit ShellLex(QChar escape = QLatin1Char('\\'));

    QChar escape() const { return m_escape; }

    // Keep quote characters in the result (BuildKit's RawQuotes).
    void setRawQuotes(bool on) { m_rawQuotes = on; }
    // Keep escape characters in the result (RawEscapes; used for heredoc bodies).
    void setRawEscapes(bool on) { m_rawEscapes = on; }
    // Treat ' and " as ordinary characters (SkipProcessQuotes).
    void setSkipProcessQuotes(bool on) { m_skipProcessQuotes = on; }
    // Leave references to unset variables as written instead of expanding them to ""
    // (SkipUnsetEnv), for passes that expand only what is already known.
    void setSkipUnsetEnv(bool on) { m_skipUnsetEnv = on; }

    // Expands `word`. value and words are both filled; the two names say which one the
    // caller means to use, as BuildKit's ProcessWord and ProcessWords do.
    ShellResult processWord(const QString &word, const EnvLookup &env) const;
    ShellResult processWord(const QString &word, const QHash<QString, QString> &env) const;
    ShellResult processWords(const QString &word, const EnvLookup &env) const;
    ShellResult processWords(const QString &word, const QHash<QString, QString> &env) const;

    // Converts a `${v#pattern}` style glob (`*`, `?`, `\` escapes) into a regular expression
    // pattern for QRegularExpression; empty error on success. Exposed for tests.
    static QString globToRegex(const QString &pattern, bool greedy, bool anchored, QString *error);

private:
    QChar m_escape;
    bool m_rawQuotes = false;
    bool m_rawEscapes = false;
    bool m_skipProcessQuotes = false;
    bool m_skipUnsetEnv = false;
};

} // namespace stagecraft
