#include "core/dockerfile/shelllex.h"

#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace stagecraft {

namespace {

constexpr int kEof = -1;

// BuildKit classifies characters with Go's unicode package; these mirror its choices
// (Latin-1 handled by hand, the rest by the Unicode category, as Go does).
bool isShellSpace(int c)
{
    if (c < 0)
        return false;
    if (c <= 0xFF)
        return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0;
    return QChar::isSpace(char32_t(c));
}

bool isNameLetter(int c)
{
    return c >= 0 && QChar::isLetter(char32_t(c));
}

bool isNameDigit(int c)
{
    if (c < 0)
        return false;
    if (c <= 0xFF)
        return c >= '0' && c <= '9';
    return QChar::isDigit(char32_t(c));
}

// POSIX special parameters ($@, $*, …); never set in a Dockerfile but parsed as names.
bool isSpecialParam(int c)
{
    switch (c) {
    case '@':
    case '*':
    case '#':
    case '?':
    case '-':
    case '$':
    case '!':
    case '0': return true;
    default: return false;
    }
}

QString toQString(const std::u32string &s)
{
    return QString::fromStdU32String(s);
}

std::u32string toU32(const QString &s)
{
    return s.toStdU32String();
}

QString reversedString(const QString &s)
{
    std::u32string u = toU32(s);
    std::reverse(u.begin(), u.end());
    return toQString(u);
}

// Reverses a glob pattern but keeps each `\x` escape pair in order, so that a suffix
// match can run as a prefix match on the reversed value.
QString reversedPattern(const QString &pattern)
{
    const std::u32string in = toU32(pattern);
    std::u32string out(in.size(), U'\0');
    const qsizetype last = qsizetype(in.size()) - 1;
    for (qsizetype i = 0; i <= last;) {
        const qsizetype outIdx = last - i;
        if (in[size_t(i)] == U'\\' && i != last) {
            out[size_t(outIdx - 1)] = U'\\';
            out[size_t(outIdx)] = in[size_t(i + 1)];
            i += 2;
        } else {
            out[size_t(outIdx)] = in[size_t(i)];
            ++i;
        }
    }
    return toQString(out);
}

// Go's Regexp.Expand rules for the replacement of ${v//p/r}: `$$` is a dollar, `$0` or
// `${0}` the whole match, other valid references are empty (the pattern has no groups),
// and a `$` that starts no valid reference stays literal.
QString expandReplacement(const QString &replacement, const QString &match)
{
    const std::u32string t = toU32(replacement);
    std::u32string out;
    size_t i = 0;
    while (i < t.size()) {
        if (t[i] != U'$') {
            out += t[i++];
            continue;
        }
        ++i;
        if (i < t.size() && t[i] == U'$') {
            out += U'$';
            ++i;
            continue;
        }
        size_t j = i;
        const bool brace = j < t.size() && t[j] == U'{';
        if (brace)
            ++j;
        const size_t nameStart = j;
        while (j < t.size() && (isNameLetter(int(t[j])) || isNameDigit(int(t[j])) || t[j] == U'_'))
            ++j;
        const std::u32string name = t.substr(nameStart, j - nameStart);
        bool valid = !name.empty();
        if (valid && brace) {
            if (j < t.size() && t[j] == U'}')
                ++j;
            else
                valid = false;
        }
        if (!valid) {
            out += U'$';
            continue;
        }
        i = j;
        if (name == U"0")
            out += toU32(match);
    }
    return toQString(out);
}

// Collects the words of ProcessWords: unquoted whitespace (also inside expanded values)
// separates words; quoted and escaped characters never do.
struct WordSplitter
{
    std::u32string word;
    std::vector<std::u32string> words;
    bool inWord = false;
    bool enabled = true; // off when no one reads the words: it would copy every character

    void addChar(int ch)
    {
        if (!enabled)
            return;
        if (isShellSpace(ch)) {
            if (inWord && !word.empty()) {
                words.push_back(std::move(word));
                word.clear();
                inWord = false;
            }
        } else {
            addRawChar(ch);
        }
    }
    void addRawChar(int ch)
    {
        if (!enabled)
            return;
        word += char32_t(ch);
        inWord = true;
    }
    void addString(const std::u32string &s)
    {
        if (!enabled)
            return;
        for (char32_t ch : s)
            addChar(int(ch));
    }
    void addRawString(const std::u32string &s)
    {
        if (!enabled)
            return;
        word += s;
        inWord = true;
    }
    std::vector<std::u32string> finish()
    {
        if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
            inWord = false;
        }
        return std::move(words);
    }
};

struct LexOptions
{
    int escape = '\\';
    bool rawQuotes = false;
    bool rawEscapes = false;
    bool skipProcessQuotes = false;
    bool skipUnsetEnv = false;
    bool splitWords = false; // ProcessWords: fill ShellResult::words too
    ShellLimits limits;
    ExpansionBudget *budget = nullptr;
};

// One expansion of one word: a cursor over its code points plus what was looked up.
class Expansion
{
public:
    Expansion(const LexOptions &options, const QString &source, const ShellLex::EnvLookup &env)
        : m_options(options)
        , m_src(toU32(source))
        , m_env(env)
        , m_rawEscapes(options.rawEscapes)
    {}

    bool run(std::u32string &result, std::vector<std::u32string> &words)
    {
        return processStopOn(kEof, m_options.rawEscapes, result, &words);
    }

    QString error() const { return m_error; }
    ShellErrorKind errorKind() const { return m_errorKind; }
    // The UTF-16 index in the word of the reference a limit stopped at.
    qsizetype errorOffset() const
    {
        if (m_errorKind == ShellErrorKind::None || m_errorKind == ShellErrorKind::Syntax)
            return -1;
        qsizetype offset = 0;
        for (size_t i = 0; i < m_errorPos && i < m_src.size(); ++i)
            offset += m_src[i] > 0xFFFF ? 2 : 1;
        return offset;
    }
    QStringList matched() const { return m_matched; }
    QStringList unmatched() const { return m_unmatched; }

private:
    int peek() const { return m_pos < m_src.size() ? int(m_src[m_pos]) : kEof; }
    int next() { return m_pos < m_src.size() ? int(m_src[m_pos++]) : kEof; }

    bool fail(const QString &message)
    {
        // A limit is the real reason; the syntax errors its unwinding may provoke are not.
        if (m_errorKind == ShellErrorKind::None || m_errorKind == ShellErrorKind::Syntax) {
            m_error = message;
            m_errorKind = ShellErrorKind::Syntax;
        }
        return false;
    }

    bool failLimit(ShellErrorKind kind, size_t position, const QString &message)
    {
        if (m_errorKind != ShellErrorKind::None && m_errorKind != ShellErrorKind::Syntax)
            return false;
        m_errorKind = kind;
        m_errorPos = position;
        m_error = message;
        return false;
    }

    // Counts `n` substituted characters of the reference starting at `reference` against the
    // word's limit and the pass's budget.
    bool charge(size_t n, size_t reference)
    {
        m_substituted += n;
        if (m_substituted > size_t(m_options.limits.maxWordSize)) {
            return failLimit(ShellErrorKind::Size, reference,
                             QStringLiteral("expansion substitutes more than %1 characters, the limit for "
                                            "one word")
                                 .arg(m_options.limits.maxWordSize));
        }
        if (m_options.budget && n > 0 && !m_options.budget->take(qint64(n))) {
            return failLimit(ShellErrorKind::Budget, reference,
                             QStringLiteral("expansion exceeds the budget of %1 substituted characters for "
                                            "the whole Dockerfile")
                                 .arg(m_options.budget->total()));
        }
        return true;
    }

    size_t allowance() const
    {
        const size_t limit = size_t(m_options.limits.maxWordSize);
        return m_substituted >= limit ? 0 : limit - m_substituted;
    }

    // Keeps the nesting depth of ${…} while one is being read.
    struct DepthGuard
    {
        explicit DepthGuard(int &depth)
            : m_depth(depth)
        {
            ++m_depth;
        }
        ~DepthGuard() { --m_depth; }
        DepthGuard(const DepthGuard &) = delete;
        DepthGuard &operator=(const DepthGuard &) = delete;
        int &m_depth;
    };

    // Reads up to `stopChar` (consumed) or the end of the word when stopChar is kEof.
    bool processStopOn(int stopChar, bool rawEscapes, std::u32string &result,
                       std::vector<std::u32string> *wordsOut)
    {
        WordSplitter words;
        words.enabled = wordsOut && m_options.splitWords;
        const bool savedRawEscapes = m_rawEscapes;
        m_rawEscapes = rawEscapes;
        const bool ok = processStopOnImpl(stopChar, result, words);
        m_rawEscapes = savedRawEscapes;
        if (ok && wordsOut)
            *wordsOut = words.finish();
        return ok;
    }

    bool processStopOnImpl(int stopChar, std::u32string &result, WordSplitter &words)
    {
        while (peek() != kEof) {
            int ch = peek();
            if (stopChar != kEof && ch == stopChar) {
                next();
                return true;
            }
            if (ch == '$') {
                std::u32string value;
                if (!processDollar(value))
                    return false;
                result += value;
                words.addString(value);
                continue;
            }
            if (!m_options.skipProcessQuotes && (ch == '\'' || ch == '"')) {
                std::u32string value;
                if (!(ch == '\'' ? processSingleQuote(value) : processDoubleQuote(value)))
                    return false;
                result += value;
                words.addRawString(value);
                continue;
            }
            ch = next();
            if (ch == m_options.escape) {
                if (m_rawEscapes) {
                    words.addRawChar(ch);
                    result += char32_t(ch);
                }
                // An escape escapes the next character; at the end of the word it is dropped.
                ch = next();
                if (ch == kEof)
                    break;
                words.addRawChar(ch);
            } else {
                words.addChar(ch);
            }
            result += char32_t(ch);
        }
        if (stopChar != kEof) {
            return fail(QStringLiteral("unexpected end of statement while looking for matching %1")
                            .arg(QChar(char16_t(stopChar))));
        }
        return true;
    }

    // Everything up to the next ' is literal; a ' cannot be escaped inside.
    bool processSingleQuote(std::u32string &result)
    {
        int ch = next();
        if (m_options.rawQuotes)
            result += char32_t(ch);
        for (;;) {
            ch = next();
            if (ch == kEof)
                return fail(
                    QStringLiteral("unexpected end of statement while looking for matching single-quote"));
            if (ch == '\'') {
                if (m_options.rawQuotes)
                    result += char32_t(ch);
                return true;
            }
            result += char32_t(ch);
        }
    }

    // Literal except for $ expansions; the escape character escapes only ", $ and itself,
    // before anything else it stays literal (as sh does with \).
    bool processDoubleQuote(std::u32string &result)
    {
        int ch = next();
        if (m_options.rawQuotes)
            result += char32_t(ch);
        for (;;) {
            switch (peek()) {
            case kEof:
                return fail(
                    QStringLiteral("unexpected end of statement while looking for matching double-quote"));
            case '"':
                ch = next();
                if (m_options.rawQuotes)
                    result += char32_t(ch);
                return true;
            case '$': {
                std::u32string value;
                if (!processDollar(value))
                    return false;
                result += value;
                break;
            }
            default:
                ch = next();
                if (ch == m_options.escape) {
                    if (m_rawEscapes)
                        result += char32_t(ch);
                    const int following = peek();
                    if (following == kEof)
                        continue; // reported as the missing closing quote
                    if (following == '"' || following == '$' || following == m_options.escape)
                        ch = next();
                }
                result += char32_t(ch);
                break;
            }
        }
    }

    std::u32string processName()
    {
        std::u32string name;
        while (peek() != kEof) {
            int ch = peek();
            if (name.empty() && isNameDigit(ch)) {
                // Positional parameters: all the digits form the name ($10 is one name).
                while (isNameDigit(peek()))
                    name += char32_t(next());
                return name;
            }
            if (name.empty() && isSpecialParam(ch))
                return std::u32string(1, char32_t(next()));
            if (!isNameLetter(ch) && !isNameDigit(ch) && ch != '_')
                break;
            name += char32_t(next());
        }
        return name;
    }

    std::optional<std::u32string> getEnv(const std::u32string &name)
    {
        const QString key = toQString(name);
        std::optional<QString> value = m_env ? m_env(key) : std::nullopt;
        QStringList &list = value ? m_matched : m_unmatched;
        QSet<QString> &seen = value ? m_matchedSet : m_unmatchedSet;
        if (!seen.contains(key)) {
            seen.insert(key);
            list.append(key);
        }
        if (!value)
            return std::nullopt;
        return toU32(*value);
    }

    bool processDollar(std::u32string &result)
    {
        const size_t reference = m_pos;
        next(); // '$'
        if (peek() != '{') {
            const std::u32string name = processName();
            if (name.empty()) {
                result.assign(1, U'$');
                return true;
            }
            const auto value = getEnv(name);
            if (!value && m_options.skipUnsetEnv)
                result = U"$" + name;
            else
                result = value.value_or(std::u32string());
            return charge(value ? result.size() : 0, reference);
        }

        // Each nested ${…} costs a few stack frames: refuse before the stack runs out.
        if (m_depth >= m_options.limits.maxDepth) {
            return failLimit(
                ShellErrorKind::Depth, reference,
                QStringLiteral("${} nested more than %1 levels deep").arg(m_options.limits.maxDepth));
        }
        const DepthGuard guard(m_depth);
        next(); // '{'
        switch (peek()) {
        case kEof: return fail(QStringLiteral("syntax error: missing '}'"));
        case '{':
        case '}':
        case ':': return fail(QStringLiteral("syntax error: bad substitution"));
        default: break;
        }
        const std::u32string name = processName();
        int ch = next();
        if (ch == kEof)
            return fail(QStringLiteral("syntax error: missing '}'"));
        std::u32string modifier(1, char32_t(ch));
        bool nullIsUnset = false;

        switch (ch) {
        case '}': {
            const auto value = getEnv(name);
            if (!value && m_options.skipUnsetEnv)
                result = U"${" + name + U"}";
            else
                result = value.value_or(std::u32string());
            return charge(value ? result.size() : 0, reference);
        }
        case ':':
        case '+':
        case '-':
        case '?':
        case '#':
        case '%': {
            if (ch == ':') {
                nullIsUnset = true;
                ch = next();
                if (ch != kEof)
                    modifier += char32_t(ch);
            }
            // Patterns keep their escapes so that `\*` stays a literal star.
            const bool rawEscapes = ch == '#' || ch == '%';
            std::u32string word;
            if (!processStopOn('}', rawEscapes, word, nullptr)) {
                if (peek() == kEof)
                    return fail(QStringLiteral("syntax error: missing '}'"));
                return false;
            }
            const auto value = getEnv(name);
            if (!value && m_options.skipUnsetEnv) {
                result = U"${" + name + modifier + word + U"}";
                return true;
            }
            const bool treatAsUnset = !value || (nullIsUnset && value->empty());
            switch (ch) {
            case '-':
                if (treatAsUnset) {
                    result = word; // its substitutions were counted as it was read
                    return true;
                }
                result = *value;
                return charge(result.size(), reference);
            case '+': result = treatAsUnset ? std::u32string() : word; return true;
            case '?':
                if (treatAsUnset) {
                    QString message = toQString(word);
                    if (message.isEmpty()) {
                        message = value ? QStringLiteral("is not allowed to be empty")
                                        : QStringLiteral("is not allowed to be unset");
                    }
                    return fail(toQString(name) + QStringLiteral(": ") + message);
                }
                result = *value;
                return charge(result.size(), reference);
            case '%':
            case '#': {
                // One #/% removes the shortest match, a doubled one the longest.
                bool greedy = false;
                if (!word.empty() && int(word.front()) == ch) {
                    greedy = true;
                    word.erase(0, 1);
                }
                QString trimmed;
                const QString subject = toQString(value.value_or(std::u32string()));
                const bool ok = ch == '%' ? trimSuffix(toQString(word), subject, greedy, trimmed)
                                          : trimPrefix(toQString(word), subject, greedy, trimmed);
                if (!ok)
                    return false;
                result = toU32(trimmed);
                return charge(result.size(), reference);
            }
            default:
                return fail(
                    QStringLiteral("unsupported modifier (%1) in substitution").arg(toQString(modifier)));
            }
        }
        case '/': {
            const bool replaceAll = peek() == '/';
            if (replaceAll)
                next();
            std::u32string pattern;
            if (!processStopOn('/', true, pattern, nullptr)) {
                if (peek() == kEof)
                    return fail(QStringLiteral("syntax error: missing '/' in ${}"));
                return false;
            }
            std::u32string replacement;
            if (!processStopOn('}', true, replacement, nullptr)) {
                if (peek() == kEof)
                    return fail(QStringLiteral("syntax error: missing '}'"));
                return false;
            }
            const auto value = getEnv(name);
            if (!value && m_options.skipUnsetEnv) {
                result = U"${" + name + (replaceAll ? U"//" : U"/") + pattern + U"/" + replacement + U"}";
                return true;
            }
            QString regexError;
            const QString regexText = ShellLex::globToRegex(toQString(pattern), true, false, &regexError);
            const QRegularExpression re(regexText);
            if (!regexError.isEmpty() || !re.isValid()) {
                return fail(
                    QStringLiteral("invalid pattern (%1) in substitution: %2")
                        .arg(toQString(pattern), regexError.isEmpty() ? re.errorString() : regexError));
            }
            const QString subject = toQString(value.value_or(std::u32string()));
            const QString repl = toQString(replacement);
            // Every match may insert the replacement: stop as soon as the word's limit is passed.
            const QString replaced = replaceAll ? replaceEvery(re, subject, repl, qsizetype(allowance()))
                                                : replaceFirst(re, subject, repl);
            result = toU32(replaced);
            return charge(result.size(), reference);
        }
        default:
            return fail(QStringLiteral("unsupported modifier (%1) in substitution").arg(toQString(modifier)));
        }
    }

    bool trimPrefix(const QString &pattern, const QString &value, bool greedy, QString &out)
    {
        QString regexError;
        const QString regexText = ShellLex::globToRegex(pattern, greedy, true, &regexError);
        const QRegularExpression re(regexText);
        if (!regexError.isEmpty() || !re.isValid()) {
            return fail(QStringLiteral("invalid pattern (%1) in substitution: %2")
                            .arg(pattern, regexError.isEmpty() ? re.errorString() : regexError));
        }
        const QRegularExpressionMatch m = re.match(value);
        out = m.hasMatch() ? value.mid(m.capturedEnd()) : value;
        return true;
    }

    // Regular expressions find the leftmost match, not the rightmost, so a suffix is
    // removed by matching the reversed pattern against the reversed value.
    bool trimSuffix(const QString &pattern, const QString &value, bool greedy, QString &out)
    {
        QString reversed;
        if (!trimPrefix(reversedPattern(pattern), reversedString(value), greedy, reversed))
            return false;
        out = reversedString(reversed);
        return true;
    }

    static QString replaceFirst(const QRegularExpression &re, const QString &value,
                                const QString &replacement)
    {
        const QRegularExpressionMatch m = re.match(value);
        if (!m.hasMatch())
            return value;
        return value.left(m.capturedStart()) + replacement + value.mid(m.capturedEnd());
    }

    // Non-overlapping matches left to right; an empty match right after a previous match
    // is skipped (Go's ReplaceAllString, which BuildKit uses).
    // Stops early once the result is longer than `limit`; the caller then reports the limit.
    static QString replaceEvery(const QRegularExpression &re, const QString &value,
                                const QString &replacement, qsizetype limit)
    {
        QString out;
        qsizetype lastMatchEnd = 0;
        qsizetype searchPos = 0;
        // The first match checks that the subject is valid UTF-16 (and fails when it is not);
        // checking the whole subject again at every match would make this quadratic.
        QRegularExpression::MatchOptions options = QRegularExpression::NoMatchOption;
        while (searchPos <= value.size()) {
            if (out.size() > limit)
                return out;
            const QRegularExpressionMatch m =
                re.match(value, searchPos, QRegularExpression::NormalMatch, options);
            options = QRegularExpression::DontCheckSubjectStringMatchOption;
            if (!m.hasMatch())
                break;
            const qsizetype start = m.capturedStart();
            const qsizetype end = m.capturedEnd();
            out += QStringView(value).mid(lastMatchEnd, start - lastMatchEnd);
            if (end > lastMatchEnd || start == 0)
                out += expandReplacement(replacement, m.captured());
            lastMatchEnd = end;
            qsizetype width = 0;
            if (searchPos < value.size()) {
                width = (value.at(searchPos).isHighSurrogate() && searchPos + 1 < value.size() &&
                         value.at(searchPos + 1).isLowSurrogate())
                            ? 2
                            : 1;
            }
            if (searchPos + width > end)
                searchPos += width;
            else if (searchPos + 1 > end)
                ++searchPos;
            else
                searchPos = end;
        }
        out += QStringView(value).mid(lastMatchEnd);
        return out;
    }

    LexOptions m_options;
    std::u32string m_src;
    size_t m_pos = 0;
    const ShellLex::EnvLookup &m_env;
    bool m_rawEscapes = false;
    QString m_error;
    ShellErrorKind m_errorKind = ShellErrorKind::None;
    size_t m_errorPos = 0;
    int m_depth = 0;
    size_t m_substituted = 0;
    QStringList m_matched;
    QStringList m_unmatched;
    QSet<QString> m_matchedSet; // the lists' contents, for lookups in words naming many variables
    QSet<QString> m_unmatchedSet;
};

QString quoted(const QString &s)
{
    QString out = s;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1String("\\\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

ShellLex::EnvLookup lookupIn(const QHash<QString, QString> &env)
{
    return [&env](const QString &name) -> std::optional<QString> {
        const auto it = env.constFind(name);
        if (it == env.constEnd())
            return std::nullopt;
        return *it;
    };
}

} // namespace

SourceRange rangeInWord(const SourceRange &word, qsizetype offset)
{
    if (offset <= 0 || word.start.line != word.end.line)
        return word;
    SourcePosition at = word.start;
    at.column = int(
        std::min<qsizetype>(word.start.column + offset, std::max(word.start.column, word.end.column - 1)));
    return {at, word.end};
}

ShellLex::ShellLex(QChar escape)
    : m_escape(escape)
{}

ShellResult ShellLex::processWord(const QString &word, const EnvLookup &env) const
{
    return expand(word, env, false);
}

ShellResult ShellLex::expand(const QString &word, const EnvLookup &env, bool splitWords) const
{
    LexOptions options;
    options.splitWords = splitWords;
    options.escape = m_escape.unicode();
    options.rawQuotes = m_rawQuotes;
    options.rawEscapes = m_rawEscapes;
    options.skipProcessQuotes = m_skipProcessQuotes;
    options.skipUnsetEnv = m_skipUnsetEnv;
    options.limits = m_limits;
    options.budget = m_budget;

    Expansion expansion(options, word, env);
    std::u32string value;
    std::vector<std::u32string> words;
    ShellResult result;
    if (expansion.run(value, words)) {
        result.value = toQString(value);
        result.words.reserve(qsizetype(words.size()));
        for (const std::u32string &w : words)
            result.words.append(toQString(w));
    } else {
        // A word long enough to hit a limit would swamp the message: show its start.
        constexpr qsizetype kShownLength = 48;
        const QString shown = expansion.errorKind() != ShellErrorKind::Syntax && word.size() > kShownLength
                                  ? word.left(kShownLength) + QStringLiteral("…")
                                  : word;
        result.error = QStringLiteral("failed to process %1: %2").arg(quoted(shown), expansion.error());
        result.errorKind = expansion.errorKind();
        result.errorOffset = expansion.errorOffset();
    }
    result.matched = expansion.matched();
    result.unmatched = expansion.unmatched();
    return result;
}

ShellResult ShellLex::processWord(const QString &word, const QHash<QString, QString> &env) const
{
    return processWord(word, lookupIn(env));
}

ShellResult ShellLex::processWords(const QString &word, const EnvLookup &env) const
{
    return expand(word, env, true);
}

ShellResult ShellLex::processWords(const QString &word, const QHash<QString, QString> &env) const
{
    return expand(word, lookupIn(env), true);
}

QString ShellLex::globToRegex(const QString &pattern, bool greedy, bool anchored, QString *error)
{
    const std::u32string p = toU32(pattern);
    // `.` would also stop at \r under some PCRE newline settings; Go's stops only at \n.
    const QString anyChar = QStringLiteral("[^\\n]");
    const QString star = anyChar + (greedy ? QStringLiteral("*") : QStringLiteral("*?"));
    QString out;
    if (anchored)
        out += QLatin1Char('^');
    for (size_t i = 0; i < p.size(); ++i) {
        const char32_t tok = p[i];
        if (tok == U'*') {
            out += star;
            continue;
        }
        if (tok == U'?') {
            out += anyChar;
            continue;
        }
        if (tok == U'\\') {
            const char32_t following = i + 1 < p.size() ? p[i + 1] : U'\0';
            // Inside ${} a `\}` or `\/` only protects the delimiter; it is not a pattern escape.
            if (i + 1 < p.size() && (following == U'}' || following == U'/'))
                continue;
            if (i + 1 >= p.size()) {
                if (error)
                    *error = QStringLiteral("trailing '\\' in pattern");
                return {};
            }
            if (following != U'*' && following != U'?' && following != U'\\') {
                if (error)
                    *error =
                        QStringLiteral("invalid escape '\\%1'").arg(toQString(std::u32string(1, following)));
                return {};
            }
            ++i;
            out += QRegularExpression::escape(toQString(std::u32string(1, following)));
            continue;
        }
        out += QRegularExpression::escape(toQString(std::u32string(1, tok)));
    }
    if (error)
        error->clear();
    return out;
}

} // namespace stagecraft
