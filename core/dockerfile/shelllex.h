// Shell-word expansion as BuildKit's Dockerfile frontend does it: $VAR and ${VAR…} forms,
// quote removal, escapes and word splitting, without ever running a shell.
#pragma once

#include "core/common/sourcerange.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace stagecraft {

// Why an expansion failed. Syntax errors are the Dockerfile's (BuildKit reports them too);
// the limits are ours: they keep a hostile word from exhausting the stack, memory or time.
enum class ShellErrorKind {
    None,
    Syntax, // `${a`, `${a?unset}`, a bad pattern …
    Depth,  // `${…}` nested deeper than ShellLimits::maxDepth
    Size,   // one word substituted more than ShellLimits::maxWordSize characters
    Budget, // the ExpansionBudget shared by a whole pass over the file is spent
};

// Bounds on one expansion. Substituted characters are those variable values (and pattern
// replacements) add, at every nesting level; the word's own text does not count.
struct ShellLimits
{
    static constexpr int kDefaultMaxDepth = 64;
    static constexpr qsizetype kDefaultMaxWordSize = qsizetype(1) << 20; // 1 MiB of characters

    int maxDepth = kDefaultMaxDepth;
    qsizetype maxWordSize = kDefaultMaxWordSize;
};

// Substituted characters left for a whole pass over one Dockerfile (a check run, a stage
// graph, a build), so that many words each under ShellLimits (`ARG b1=$big`, `ARG b2=$big`,
// …) cannot add up without bound. Thread-safe: a build expands in parallel stages.
class ExpansionBudget
{
public:
    static constexpr qint64 kDefaultTotal = qint64(16) << 20; // 16 MiB of characters

    explicit ExpansionBudget(qint64 total = kDefaultTotal)
        : m_total(total)
        , m_remaining(total)
    {}

    qint64 total() const { return m_total; }
    bool exhausted() const { return m_remaining.load(std::memory_order_relaxed) < 0; }
    // Takes `n` characters; false (and the budget stays spent) when there were not enough.
    bool take(qint64 n) { return m_remaining.fetch_sub(n, std::memory_order_relaxed) - n >= 0; }

private:
    qint64 m_total;
    std::atomic<qint64> m_remaining;
};

// The outcome of expanding one word. On failure only `error` (and the names seen before
// the failure) are meaningful.
struct ShellResult
{
    QString value;         // expanded, quotes removed, as one string (BuildKit's ProcessWord)
    QStringList words;     // the same, split into words after expansion (only from processWords)
    QStringList matched;   // variable names that were looked up and set, first use first
    QStringList unmatched; // variable names that were looked up and unset (includes $1, $@, …)
    QString error;         // e.g. `failed to process "${a": syntax error: missing '}'`
    ShellErrorKind errorKind = ShellErrorKind::None;
    qsizetype errorOffset = -1; // where in the word (UTF-16 index) a limit stopped expansion

    bool ok() const { return error.isEmpty(); }
    bool limitExceeded() const
    {
        return errorKind == ShellErrorKind::Depth || errorKind == ShellErrorKind::Size ||
               errorKind == ShellErrorKind::Budget;
    }
};

// Where `offset` characters into a word written at `word` fall, for a diagnostic that points
// at a reference inside the word. A word continued over several lines has no single column
// for its inside, so its start stands for it.
SourceRange rangeInWord(const SourceRange &word, qsizetype offset);

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
    // Bounds on each word; the defaults apply unless changed.
    void setLimits(const ShellLimits &limits) { m_limits = limits; }
    ShellLimits limits() const { return m_limits; }
    // A budget shared with other lexers of the same pass; not owned, may be null (no total).
    void setBudget(ExpansionBudget *budget) { m_budget = budget; }

    // Expands `word` into value (ProcessWord); processWords also fills words (ProcessWords),
    // which costs a second copy of every character, so only callers that split ask for it.
    ShellResult processWord(const QString &word, const EnvLookup &env) const;
    ShellResult processWord(const QString &word, const QHash<QString, QString> &env) const;
    ShellResult processWords(const QString &word, const EnvLookup &env) const;
    ShellResult processWords(const QString &word, const QHash<QString, QString> &env) const;

    // Converts a `${v#pattern}` style glob (`*`, `?`, `\` escapes) into a regular expression
    // pattern for QRegularExpression; empty error on success. Exposed for tests.
    static QString globToRegex(const QString &pattern, bool greedy, bool anchored, QString *error);

private:
    ShellResult expand(const QString &word, const EnvLookup &env, bool splitWords) const;

    QChar m_escape;
    bool m_rawQuotes = false;
    bool m_rawEscapes = false;
    bool m_skipProcessQuotes = false;
    bool m_skipUnsetEnv = false;
    ShellLimits m_limits;
    ExpansionBudget *m_budget = nullptr;
};

} // namespace stagecraft
