#include "core/dockerfile/syntaxtokens.h"

#include <QHash>
#include <QRegularExpression>

#include <optional>

namespace stagecraft {

namespace {

constexpr int kNone = -1;

bool isNameStart(QChar c)
{
    return c.isLetter() || c == QLatin1Char('_');
}

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

// Paints per character first and merges runs into tokens at the end, so later, more
// specific rules (a variable inside a string) simply overwrite earlier ones.
class LinePainter
{
public:
    explicit LinePainter(qsizetype length)
        : m_kinds(length, kNone)
    {}

    void paint(qsizetype start, qsizetype end, SyntaxTokenKind kind)
    {
        for (qsizetype i = std::max<qsizetype>(0, start); i < std::min(end, m_kinds.size()); ++i)
            m_kinds[i] = static_cast<int>(kind);
    }

    QList<SyntaxToken> tokens() const
    {
        QList<SyntaxToken> result;
        qsizetype i = 0;
        while (i < m_kinds.size()) {
            if (m_kinds[i] == kNone) {
                ++i;
                continue;
            }
            qsizetype j = i + 1;
            while (j < m_kinds.size() && m_kinds[j] == m_kinds[i])
                ++j;
            result.append({static_cast<SyntaxTokenKind>(m_kinds[i]), int(i), int(j - i)});
            i = j;
        }
        return result;
    }

private:
    QList<int> m_kinds;
};

std::optional<QChar> directiveEscape(const QString &key, const QString &value)
{
    if (key.compare(QLatin1String("escape"), Qt::CaseInsensitive) != 0)
        return std::nullopt;
    if (value == QLatin1String("`"))
        return QLatin1Char('`');
    if (value == QLatin1String("\\"))
        return QLatin1Char('\\');
    return std::nullopt;
}

bool isDirectiveKey(const QString &key)
{
    static const QStringList known{QStringLiteral("syntax"), QStringLiteral("escape"),
                                   QStringLiteral("check")};
    return known.contains(key.toLower());
}

// Whether everything after `pos` is whitespace, i.e. the escape at `pos` continues the line.
bool onlySpaceAfter(const QString &line, qsizetype pos)
{
    for (qsizetype i = pos + 1; i < line.size(); ++i)
        if (!line.at(i).isSpace())
            return false;
    return true;
}

// Scans `$X`, `${…}` starting at line[i] == '$'; returns the end (exclusive) or i when
// it is a lone dollar sign.
qsizetype variableEnd(const QString &line, qsizetype i)
{
    if (i + 1 >= line.size())
        return i;
    const QChar next = line.at(i + 1);
    if (next == QLatin1Char('{')) {
        qsizetype j = i + 2;
        int depth = 1;
        while (j < line.size() && depth > 0) {
            if (line.at(j) == QLatin1Char('{'))
                ++depth;
            else if (line.at(j) == QLatin1Char('}'))
                --depth;
            ++j;
        }
        return j;
    }
    if (isNameStart(next)) {
        qsizetype j = i + 2;
        while (j < line.size() && isNameChar(line.at(j)))
            ++j;
        return j;
    }
    if (next.isDigit())
        return i + 2;
    return i;
}

struct Word
{
    qsizetype start = 0;
    qsizetype end = 0;
};

class ArgumentScanner
{
public:
    ArgumentScanner(const QString &line, SyntaxState &state, LinePainter &painter)
        : m_line(line)
        , m_state(state)
        , m_painter(painter)
    {}

    // Scans from `pos` to the end of the line; returns whether the line ends in a
    // continuation escape.
    bool scan(qsizetype pos)
    {
        qsizetype i = pos;
        while (i < m_line.size()) {
            const QChar c = m_line.at(i);
            if (c.isSpace()) {
                ++i;
                continue;
            }
            if (c == m_state.escape && onlySpaceAfter(m_line, i)) {
                m_painter.paint(i, i + 1, SyntaxTokenKind::Escape);
                return true;
            }
            i = scanWord(i);
        }
        return false;
    }

private:
    // One whitespace-separated word (quotes may hide whitespace). Returns its end.
    qsizetype scanWord(qsizetype start)
    {
        const bool heredocCapable = m_state.kind == InstructionKind::Run ||
                                    m_state.kind == InstructionKind::Copy ||
                                    m_state.kind == InstructionKind::Add;
        qsizetype i = start;
        QChar quote;
        while (i < m_line.size()) {
            const QChar c = m_line.at(i);
            if (quote.isNull()) {
                if (c.isSpace())
                    break;
                if (c == m_state.escape) {
                    if (onlySpaceAfter(m_line, i))
                        break;
                    i += 2;
                    continue;
                }
                if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
                    quote = c;
                    m_stringStart = i;
                    ++i;
                    continue;
                }
                if (c == QLatin1Char('$')) {
                    i = paintVariable(i);
                    continue;
                }
                if (heredocCapable && m_line.mid(i, 3) == QLatin1String("<<<")) {
                    i += 3; // a shell here-string, not a heredoc
                    continue;
                }
                if (heredocCapable && m_line.mid(i, 2) == QLatin1String("<<")) {
                    const qsizetype end = scanHeredocMarker(i);
                    if (end > i) {
                        i = end;
                        continue;
                    }
                }
                ++i;
                continue;
            }
            // Inside a quoted part: escapes apply in double quotes only, as in a shell.
            if (quote == QLatin1Char('"') && c == m_state.escape && i + 1 < m_line.size()) {
                i += 2;
                continue;
            }
            if (c == quote) {
                m_painter.paint(m_stringStart, i + 1, SyntaxTokenKind::String);
                quote = QChar();
                ++i;
                continue;
            }
            if (quote == QLatin1Char('"') && c == QLatin1Char('$')) {
                m_pendingVariables.append(i);
                i = std::max(variableEnd(m_line, i), i + 1);
                continue;
            }
            ++i;
        }
        if (!quote.isNull())
            m_painter.paint(m_stringStart, i, SyntaxTokenKind::String); // unterminated: up to the end
        for (qsizetype v : std::as_const(m_pendingVariables))
            paintVariable(v);
        m_pendingVariables.clear();
        classifyWord({start, i});
        return i;
    }

    qsizetype paintVariable(qsizetype i)
    {
        const qsizetype end = variableEnd(m_line, i);
        if (end == i)
            return i + 1;
        m_painter.paint(i, end, SyntaxTokenKind::Variable);
        return end;
    }

    // `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'`: paints the marker and remembers the delimiter.
    qsizetype scanHeredocMarker(qsizetype start)
    {
        qsizetype i = start + 2;
        bool chomp = false;
        if (i < m_line.size() && m_line.at(i) == QLatin1Char('-')) {
            chomp = true;
            ++i;
        }
        QChar quote;
        if (i < m_line.size() && (m_line.at(i) == QLatin1Char('"') || m_line.at(i) == QLatin1Char('\''))) {
            quote = m_line.at(i);
            ++i;
        }
        const qsizetype nameStart = i;
        while (i < m_line.size() && (isNameChar(m_line.at(i)) || m_line.at(i) == QLatin1Char('.') ||
                                     m_line.at(i) == QLatin1Char('-')))
            ++i;
        if (i == nameStart)
            return start;
        const QString name = m_line.mid(nameStart, i - nameStart);
        if (!quote.isNull()) {
            if (i >= m_line.size() || m_line.at(i) != quote)
                return start;
            ++i;
        }
        m_state.heredocs.append(name);
        m_state.chomp.append(chomp);
        m_painter.paint(start, i, SyntaxTokenKind::Heredoc);
        return i;
    }

    void classifyWord(Word word)
    {
        const QString text = m_line.mid(word.start, word.end - word.start);
        if (m_state.flagsAllowed && text.startsWith(QLatin1String("--")) && text.size() > 2) {
            classifyFlag(word, text);
            return;
        }
        m_state.flagsAllowed = false;
        ++m_state.wordIndex;
        if (m_state.kind != InstructionKind::From)
            return;
        if (m_state.wordIndex == 2 && text.compare(QLatin1String("as"), Qt::CaseInsensitive) == 0)
            m_painter.paint(word.start, word.end, SyntaxTokenKind::Keyword);
        else if (m_state.wordIndex == 3)
            m_painter.paint(word.start, word.end, SyntaxTokenKind::StageName);
    }

    // --name[=value]: the flag in one colour, a stage reference (--from=, mount from=) in
    // another, variables in the value left as painted.
    void classifyFlag(Word word, const QString &text)
    {
        const qsizetype eq = text.indexOf(QLatin1Char('='));
        const QString name = (eq < 0 ? text.mid(2) : text.mid(2, eq - 2)).toLower();
        const qsizetype nameEnd = word.start + (eq < 0 ? text.size() : eq + 1);
        m_painter.paint(word.start, nameEnd, SyntaxTokenKind::Flag);
        if (eq < 0)
            return;
        if (name == QLatin1String("from")) {
            if (!text.mid(eq + 1).startsWith(QLatin1Char('$')))
                m_painter.paint(nameEnd, word.end, SyntaxTokenKind::StageName);
            return;
        }
        if (name != QLatin1String("mount"))
            return;
        m_painter.paint(word.start, word.end, SyntaxTokenKind::Flag);
        // --mount=type=cache,from=build,target=/x: only the from= option names a stage.
        qsizetype pos = eq + 1;
        while (pos < text.size()) {
            qsizetype comma = text.indexOf(QLatin1Char(','), pos);
            if (comma < 0)
                comma = text.size();
            const QString option = text.mid(pos, comma - pos);
            if (option.startsWith(QLatin1String("from="), Qt::CaseInsensitive) &&
                !option.mid(5).startsWith(QLatin1Char('$')))
                m_painter.paint(word.start + pos + 5, word.start + comma, SyntaxTokenKind::StageName);
            pos = comma + 1;
        }
    }

    const QString &m_line;
    SyntaxState &m_state;
    LinePainter &m_painter;
    qsizetype m_stringStart = 0;
    QList<qsizetype> m_pendingVariables;
};

} // namespace

int SyntaxState::hash() const
{
    size_t h = qHashMulti(0, int(mode), int(kind), wordIndex, flagsAllowed, directivesAllowed, escape);
    for (const QString &d : heredocs)
        h = qHashMulti(h, d);
    for (bool c : chomp)
        h = qHashMulti(h, c);
    return int(h & 0x7fffffff);
}

SyntaxLine SyntaxTokenizer::tokenizeLine(const QString &line, const SyntaxState &previous)
{
    SyntaxLine result;
    SyntaxState &state = result.state;
    state = previous;
    LinePainter painter(line.size());

    if (state.mode == SyntaxState::Mode::HeredocBody) {
        QString candidate = line;
        if (!state.chomp.isEmpty() && state.chomp.first()) {
            while (candidate.startsWith(QLatin1Char('\t')))
                candidate.remove(0, 1);
        }
        if (!state.heredocs.isEmpty() && candidate == state.heredocs.first()) {
            state.heredocs.removeFirst();
            if (!state.chomp.isEmpty())
                state.chomp.removeFirst();
        }
        painter.paint(0, line.size(), SyntaxTokenKind::Heredoc);
        if (state.heredocs.isEmpty()) {
            state.mode = SyntaxState::Mode::Instruction;
            state.chomp.clear();
        }
        result.tokens = painter.tokens();
        return result;
    }

    qsizetype i = 0;
    while (i < line.size() && line.at(i).isSpace())
        ++i;
    if (i == line.size()) {
        if (state.mode == SyntaxState::Mode::Instruction)
            state.directivesAllowed = false;
        return result;
    }

    if (line.at(i) == QLatin1Char('#')) {
        if (state.mode == SyntaxState::Mode::Instruction && state.directivesAllowed) {
            static const QRegularExpression directive(
                QStringLiteral("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.*?)\\s*$"));
            const QRegularExpressionMatch m = directive.match(line.mid(i));
            if (m.hasMatch() && isDirectiveKey(m.captured(1))) {
                painter.paint(i, line.size(), SyntaxTokenKind::Directive);
                if (const std::optional<QChar> escape = directiveEscape(m.captured(1), m.captured(2)))
                    state.escape = *escape;
                result.tokens = painter.tokens();
                return result;
            }
        }
        state.directivesAllowed = false;
        painter.paint(i, line.size(), SyntaxTokenKind::Comment);
        result.tokens = painter.tokens();
        return result;
    }

    if (state.mode == SyntaxState::Mode::Instruction) {
        state.directivesAllowed = false;
        state.wordIndex = 0;
        state.flagsAllowed = true;
        state.heredocs.clear();
        state.chomp.clear();
        qsizetype j = i;
        while (j < line.size() && !line.at(j).isSpace())
            ++j;
        state.kind = instructionKindFromKeyword(line.mid(i, j - i));
        if (state.kind != InstructionKind::Unknown)
            painter.paint(i, j, SyntaxTokenKind::Keyword);
        i = j;
        if (state.kind == InstructionKind::Onbuild) {
            while (i < line.size() && line.at(i).isSpace())
                ++i;
            j = i;
            while (j < line.size() && !line.at(j).isSpace())
                ++j;
            const InstructionKind inner = instructionKindFromKeyword(line.mid(i, j - i));
            if (inner != InstructionKind::Unknown) {
                painter.paint(i, j, SyntaxTokenKind::Keyword);
                state.kind = inner;
                i = j;
            }
        }
    }

    ArgumentScanner scanner(line, state, painter);
    const bool continues = scanner.scan(i);
    if (continues)
        state.mode = SyntaxState::Mode::Continuation;
    else if (!state.heredocs.isEmpty())
        state.mode = SyntaxState::Mode::HeredocBody;
    else
        state.mode = SyntaxState::Mode::Instruction;
    result.tokens = painter.tokens();
    return result;
}

QList<QList<SyntaxToken>> SyntaxTokenizer::tokenizeText(const QString &text)
{
    QList<QList<SyntaxToken>> lines;
    SyntaxState state;
    const QStringList split = text.split(QLatin1Char('\n'));
    for (const QString &line : split) {
        SyntaxLine tokenized = tokenizeLine(line, state);
        lines.append(tokenized.tokens);
        state = tokenized.state;
    }
    return lines;
}

QString syntaxTokenKindName(SyntaxTokenKind kind)
{
    switch (kind) {
    case SyntaxTokenKind::Keyword: return QStringLiteral("keyword");
    case SyntaxTokenKind::Flag: return QStringLiteral("flag");
    case SyntaxTokenKind::Variable: return QStringLiteral("variable");
    case SyntaxTokenKind::String: return QStringLiteral("string");
    case SyntaxTokenKind::Comment: return QStringLiteral("comment");
    case SyntaxTokenKind::Heredoc: return QStringLiteral("heredoc");
    case SyntaxTokenKind::StageName: return QStringLiteral("stage");
    case SyntaxTokenKind::Directive: return QStringLiteral("directive");
    case SyntaxTokenKind::Escape: return QStringLiteral("escape");
    }
    return {};
}

} // namespace stagecraft
