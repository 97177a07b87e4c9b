#include "core/dockerfile/dockerfileparser.h"

#include "core/dockerfile/jsonstringarray.h"
#include "core/dockerfile/parsedump.h"

#include <QStringBuilder>
#include <QVarLengthArray>

#include <algorithm>
#include <array>
#include <memory>
#include <span>

namespace stagecraft {

using namespace Qt::Literals::StringLiterals;

namespace {

// ONBUILD ONBUILD … is an error anyway; the cap only keeps hostile input off the stack.
constexpr int kMaxOnbuildDepth = 8;

// BuildKit splits the keyword from its arguments on [\t\v\f\r ] only.
bool isTokenSpace(QChar c)
{
    const char16_t u = c.unicode();
    return u == u' ' || u == u'\t' || u == u'\v' || u == u'\f' || u == u'\r';
}

// Go's regexp \s, used by the parser-directive pattern.
bool isDirectiveSpace(QChar c)
{
    const char16_t u = c.unicode();
    return u == u' ' || u == u'\t' || u == u'\n' || u == u'\f' || u == u'\r';
}

bool isAsciiLetter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

qsizetype leadingSpaces(QStringView s)
{
    qsizetype i = 0;
    while (i < s.size() && s[i].isSpace())
        ++i;
    return i;
}

int trimmedEndColumn(QStringView s)
{
    qsizetype end = s.size();
    while (end > 0 && s[end - 1].isSpace())
        --end;
    return int(end) + 1;
}

enum class FlagType { Bool, String, Strings };

struct FlagSpec
{
    QLatin1StringView name;
    FlagType type;
};

// The flags BuildKit's instruction parser accepts (dockerfile frontend 1.x, labs included,
// so a file written for a newer frontend does not light up with false errors).
constexpr std::array kFromFlags{FlagSpec{"platform"_L1, FlagType::String}};
constexpr std::array kRunFlags{
    FlagSpec{"mount"_L1, FlagType::Strings}, FlagSpec{"network"_L1, FlagType::String},
    FlagSpec{"security"_L1, FlagType::String}, FlagSpec{"device"_L1, FlagType::Strings}};
constexpr std::array kCopyFlags{
    FlagSpec{"from"_L1, FlagType::String},  FlagSpec{"chown"_L1, FlagType::String},
    FlagSpec{"chmod"_L1, FlagType::String}, FlagSpec{"link"_L1, FlagType::Bool},
    FlagSpec{"parents"_L1, FlagType::Bool}, FlagSpec{"exclude"_L1, FlagType::Strings}};
constexpr std::array kAddFlags{
    FlagSpec{"chown"_L1, FlagType::String},    FlagSpec{"chmod"_L1, FlagType::String},
    FlagSpec{"link"_L1, FlagType::Bool},       FlagSpec{"keep-git-dir"_L1, FlagType::Bool},
    FlagSpec{"checksum"_L1, FlagType::String}, FlagSpec{"exclude"_L1, FlagType::Strings},
    FlagSpec{"unpack"_L1, FlagType::Bool},     FlagSpec{"parents"_L1, FlagType::Bool}};
constexpr std::array kHealthcheckFlags{
    FlagSpec{"interval"_L1, FlagType::String}, FlagSpec{"timeout"_L1, FlagType::String},
    FlagSpec{"start-period"_L1, FlagType::String}, FlagSpec{"start-interval"_L1, FlagType::String},
    FlagSpec{"retries"_L1, FlagType::String}};

std::span<const FlagSpec> flagSpecs(InstructionKind kind)
{
    auto list = [](const auto &array) { return std::span<const FlagSpec>(array.begin(), array.end()); };
    switch (kind) {
    case InstructionKind::From: return list(kFromFlags);
    case InstructionKind::Run: return list(kRunFlags);
    case InstructionKind::Copy: return list(kCopyFlags);
    case InstructionKind::Add: return list(kAddFlags);
    case InstructionKind::Healthcheck: return list(kHealthcheckFlags);
    default: return {};
    }
}

int editDistance(QStringView a, QStringView b, Qt::CaseSensitivity cs)
{
    if (a.size() > 64 || b.size() > 64)
        return 1000;
    std::array<int, 65> row{};
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[size_t(j)] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int above = row[size_t(j)];
            const bool same =
                cs == Qt::CaseSensitive ? a[i - 1] == b[j - 1] : a[i - 1].toUpper() == b[j - 1].toUpper();
            row[size_t(j)] = std::min({above + 1, row[size_t(j - 1)] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[size_t(b.size())];
}

// " (did you mean X?)" when one candidate is close, the way BuildKit suggests.
QString suggestion(QStringView word, const QStringList &candidates, Qt::CaseSensitivity cs)
{
    QString best;
    int bestDistance = 3;
    for (const QString &candidate : candidates) {
        const int d = editDistance(word, candidate, cs);
        if (d < bestDistance && d < word.size()) {
            bestDistance = d;
            best = candidate;
        }
    }
    if (best.isEmpty())
        return {};
    return u" (did you mean "_s + best + u"?)"_s;
}

const QStringList &allKeywords()
{
    static const QStringList keywords = [] {
        QStringList list;
        for (int k = int(InstructionKind::From); k <= int(InstructionKind::Shell); ++k)
            list.append(instructionKeyword(InstructionKind(k)));
        return list;
    }();
    return keywords;
}

const QString &canonicalKeyword(InstructionKind kind)
{
    static const std::array<QString, int(InstructionKind::Shell) + 1> keywords = [] {
        std::array<QString, int(InstructionKind::Shell) + 1> list;
        for (int k = int(InstructionKind::From); k <= int(InstructionKind::Shell); ++k)
            list[size_t(k)] = instructionKeyword(InstructionKind(k));
        return list;
    }();
    return keywords[size_t(kind)];
}

bool isHeredocWord(QStringView word)
{
    qsizetype i = 0;
    while (i < word.size() && isAsciiDigit(word[i]))
        ++i;
    if (!word.mid(i).startsWith(u"<<"))
        return false;
    i += 2;
    if (i < word.size() && word[i] == u'-')
        ++i;
    return i < word.size() && !word.mid(i).contains(u'<');
}

} // namespace

DockerfileParser::DockerfileParser(QStringView text)
    : m_text(text)
{
    // The first line may carry a UTF-8 byte-order mark; columns count from after it.
    if (m_text.startsWith(QChar(0xFEFF)))
        m_pos = 1;
}

Dockerfile DockerfileParser::parse(QStringView text)
{
    DockerfileParser parser(text);
    parser.run();
    return std::move(parser.m_result);
}

bool DockerfileParser::readLine(QStringView *line)
{
    if (m_pos >= m_text.size())
        return false;
    const qsizetype newline = m_text.indexOf(u'\n', m_pos);
    const qsizetype end = newline < 0 ? m_text.size() : newline;
    QStringView l = m_text.mid(m_pos, end - m_pos);
    m_pos = newline < 0 ? m_text.size() : newline + 1;
    while (!l.isEmpty() && l.back() == u'\r')
        l.chop(1);
    ++m_lineNumber;
    *line = l;
    return true;
}

void DockerfileParser::addDiagnostic(Severity severity, const SourceRange &range, const QString &message)
{
    Diagnostic d;
    d.severity = severity;
    d.range = range;
    d.message = message;
    m_result.diagnostics.append(std::move(d));
}

bool DockerfileParser::trimContinuation(QStringView *line) const
{
    // BuildKit: the escape, then only blanks to the end of the line, and not itself escaped.
    QStringView s = *line;
    qsizetype end = s.size();
    while (end > 0 && (s[end - 1] == u' ' || s[end - 1] == u'\t'))
        --end;
    if (end == 0 || s[end - 1] != m_escape)
        return false;
    if (end >= 2 && s[end - 2] == m_escape)
        return false;
    *line = s.first(end - 1);
    return true;
}

void DockerfileParser::handleDirective(QStringView line, int column)
{
    // `# name = value`, names are letters and digits; anything else ends the header.
    const int lineNumber = m_lineNumber;
    auto finish = [this] { m_directivesDone = true; };
    if (!line.startsWith(u'#'))
        return finish();
    qsizetype i = 1;
    const qsizetype n = line.size();
    while (i < n && isDirectiveSpace(line[i]))
        ++i;
    const qsizetype nameBegin = i;
    if (i >= n || !isAsciiLetter(line[i]))
        return finish();
    while (i < n && (isAsciiLetter(line[i]) || isAsciiDigit(line[i])))
        ++i;
    const QStringView name = line.mid(nameBegin, i - nameBegin);
    while (i < n && isDirectiveSpace(line[i]))
        ++i;
    if (i >= n || line[i] != u'=')
        return finish();
    ++i;
    while (i < n && isDirectiveSpace(line[i]))
        ++i;
    qsizetype valueEnd = n;
    while (valueEnd > i && isDirectiveSpace(line[valueEnd - 1]))
        --valueEnd;
    if (valueEnd <= i)
        return finish();
    const QStringView value = line.mid(i, valueEnd - i);

    bool *seen = nullptr;
    if (name.compare(u"escape", Qt::CaseInsensitive) == 0)
        seen = &m_seenEscape;
    else if (name.compare(u"syntax", Qt::CaseInsensitive) == 0)
        seen = &m_seenSyntax;
    else if (name.compare(u"check", Qt::CaseInsensitive) == 0)
        seen = &m_seenCheck;
    else
        return finish();

    const SourceRange range{{lineNumber, column}, {lineNumber, column + int(line.size())}};
    const QString lowerName = name.toString().toLower();
    if (*seen) {
        addDiagnostic(Severity::Error, range,
                      u"only one "_s + lowerName + u" parser directive can be used"_s);
        return;
    }
    *seen = true;
    if (seen == &m_seenEscape) {
        if (value == u"`" || value == u"\\") {
            m_escape = value[0];
            m_result.directives.escape = m_escape;
        } else {
            addDiagnostic(Severity::Error, range,
                          u"invalid escape token '"_s + value + u"' does not match ` or \\"_s);
        }
    } else if (seen == &m_seenSyntax) {
        m_result.directives.syntax = value.toString();
    } else {
        m_result.directives.check = value.toString();
    }
}

void DockerfileParser::run()
{
    // A guess from the size (dense files have an instruction every ~30 characters):
    // over-reserving a little is cheaper than growing a list of large elements. Capped,
    // so a huge file of long lines does not reserve megabytes it never uses.
    m_result.instructions.reserve(std::min<qsizetype>(m_text.size() / 24 + 1, 8192));
    QStringList comments;
    QStringView raw;
    while (readLine(&raw)) {
        const int startLine = m_lineNumber;
        const qsizetype lead = leadingSpaces(raw);
        const QStringView trimmed = raw.mid(lead);
        const bool comment = trimmed.startsWith(u'#');
        if (comment)
            comments.append(trimmed.mid(1).trimmed().toString());
        if (!m_directivesDone)
            handleDirective(trimmed, int(lead) + 1);

        QStringView content = comment ? QStringView() : trimmed;
        bool continued = trimContinuation(&content);
        if (!continued && content.isEmpty())
            continue;

        m_line.clear();
        m_line.append(content, startLine, int(lead) + 1);
        int lastLine = startLine;
        QStringView lastText = raw;
        while (continued && readLine(&raw)) {
            lastLine = m_lineNumber;
            lastText = raw;
            const qsizetype indent = leadingSpaces(raw);
            if (indent < raw.size() && raw[indent] == u'#')
                continue; // comment lines inside a continued instruction vanish
            if (indent == raw.size()) {
                m_result.emptyContinuationLines.append(m_lineNumber);
                continue;
            }
            QStringView piece = raw;
            continued = trimContinuation(&piece);
            m_line.append(piece, m_lineNumber, 1);
        }
        if (m_line.isEmpty())
            continue; // only escapes and blank lines: nothing to parse

        const qsizetype diagnosticsBefore = m_result.diagnostics.size();
        Instruction &ins = m_result.instructions.emplaceBack();
        parseInstruction(ins, 0, m_line.text().size(), 0);
        collectHeredocs(ins, 0, m_line.text().size());
        if (!ins.heredocs.isEmpty())
            readHeredocBodies(ins, &lastLine, &lastText);
        ins.range = {{startLine, int(lead) + 1}, {lastLine, trimmedEndColumn(lastText)}};
        ins.comments = std::move(comments);
        comments.clear();
        // An instruction the parser already rejected gets no second message about its shape.
        bool rejected = false;
        for (qsizetype i = diagnosticsBefore; i < m_result.diagnostics.size(); ++i)
            rejected = rejected || m_result.diagnostics.at(i).severity == Severity::Error;
        if (rejected)
            validateFlags(ins);
        else
            validate(ins, false);
        rejectNul(ins);
    }

    if (m_result.instructions.isEmpty()) {
        const int line = std::max(1, m_lineNumber);
        addDiagnostic(Severity::Error, {{line, 1}, {line, 1}}, u"file with no instructions"_s);
    }
}

Word DockerfileParser::makeWord(qsizetype begin, qsizetype end) const
{
    return Word{m_line.text().mid(begin, end - begin).toString(), m_line.rangeOf(begin, end)};
}

void DockerfileParser::parseInstruction(Instruction &ins, qsizetype begin, qsizetype end, int depth)
{
    const QStringView t = m_line.text();
    while (begin < end && t[begin].isSpace())
        ++begin;
    while (end > begin && t[end - 1].isSpace())
        --end;

    qsizetype keywordEnd = begin;
    while (keywordEnd < end && !isTokenSpace(t[keywordEnd]))
        ++keywordEnd;
    const QStringView keyword = t.mid(begin, keywordEnd - begin);
    ins.kind = instructionKindFromKeyword(keyword);
    // Most files spell keywords in capitals: share one string instead of allocating each time.
    const QString &canonical = canonicalKeyword(ins.kind);
    ins.keyword = keyword == canonical ? canonical : keyword.toString();
    ins.keywordRange = m_line.rangeOf(begin, keywordEnd);
    ins.original = t.mid(begin, end - begin).toString();
    ins.range = m_line.rangeOf(begin, end);

    qsizetype argsBegin = keywordEnd;
    while (argsBegin < end && isTokenSpace(t[argsBegin]))
        ++argsBegin;
    argsBegin = parseFlags(ins, argsBegin, end);
    while (argsBegin < end && t[argsBegin].isSpace())
        ++argsBegin;
    parseArguments(ins, argsBegin, end, depth);
}

qsizetype DockerfileParser::parseFlags(Instruction &ins, qsizetype begin, qsizetype end)
{
    // Words starting with "--" before the arguments; quotes and backslashes in them are
    // resolved (always with '\', whatever the escape directive says, as BuildKit does).
    const QStringView t = m_line.text();
    qsizetype pos = begin;
    for (;;) {
        while (pos < end && t[pos].isSpace())
            ++pos;
        if (pos >= end)
            return end;
        if (!(t[pos] == u'-' && pos + 1 < end && t[pos + 1] == u'-'))
            return pos;
        const qsizetype wordBegin = pos;
        bool plain = true; // no quotes or backslashes: the flag is a slice of the line
        while (pos < end && !t[pos].isSpace()) {
            const char16_t c = t[pos].unicode();
            if (c == u'\'' || c == u'"' || c == u'\\') {
                plain = false;
                break;
            }
            ++pos;
        }
        QString word;
        if (plain) {
            if (pos - wordBegin == 2)
                return pos; // "--" ends the flags and is not one itself
        } else {
            pos = wordBegin;
            char16_t quote = 0;
            while (pos < end) {
                char16_t c = t[pos].unicode();
                if (quote == 0) {
                    if (QChar::isSpace(c))
                        break;
                    if (c == u'\'' || c == u'"') {
                        quote = c;
                        ++pos;
                        continue;
                    }
                } else if (c == quote) {
                    quote = 0;
                    ++pos;
                    continue;
                }
                if (c == u'\\') {
                    if (pos + 1 == end) {
                        quote = 0;
                        ++pos;
                        continue;
                    }
                    c = t[++pos].unicode();
                }
                word.append(QChar(c));
                ++pos;
            }
            if (word == u"--")
                return pos;
        }
        const QStringView text = plain ? t.mid(wordBegin, pos - wordBegin) : QStringView(word);
        Flag flag;
        const qsizetype equals = text.indexOf(u'=');
        if (equals < 0) {
            flag.name = text.mid(2).toString();
        } else {
            flag.name = text.mid(2, equals - 2).toString();
            flag.value = text.mid(equals + 1).toString();
            flag.hasValue = true;
        }
        flag.range = m_line.rangeOf(wordBegin, pos);
        ins.flags.append(std::move(flag));
    }
}

void DockerfileParser::parseArguments(Instruction &ins, qsizetype begin, qsizetype end, int depth)
{
    switch (ins.kind) {
    case InstructionKind::From:
    case InstructionKind::Expose: parseWhitespaceList(ins, begin, end); break;
    case InstructionKind::Copy:
    case InstructionKind::Add:
    case InstructionKind::Volume: parseMaybeJson(ins, begin, end, true); break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint:
    case InstructionKind::Run:
    case InstructionKind::Shell: parseMaybeJson(ins, begin, end, false); break;
    case InstructionKind::Maintainer:
    case InstructionKind::Stopsignal:
    case InstructionKind::User:
    case InstructionKind::Workdir:
        if (begin < end)
            ins.args.append(makeWord(begin, end));
        break;
    case InstructionKind::Env:
    case InstructionKind::Label: parseNameValue(ins, begin, end); break;
    case InstructionKind::Arg: parseArg(ins, begin, end); break;
    case InstructionKind::Healthcheck: parseHealthcheck(ins, begin, end); break;
    case InstructionKind::Onbuild:
        if (begin < end && depth < kMaxOnbuildDepth) {
            auto child = std::make_shared<Instruction>();
            parseInstruction(*child, begin, end, depth + 1);
            ins.onbuild = std::move(child);
        }
        break;
    case InstructionKind::Unknown: break;
    }
}

void DockerfileParser::parseWhitespaceList(Instruction &ins, qsizetype begin, qsizetype end)
{
    const QStringView t = m_line.text();
    qsizetype count = 0;
    for (qsizetype i = begin; i < end; ++i)
        count += isTokenSpace(t[i]) && !isTokenSpace(t[i - 1]) ? 1 : 0;
    ins.args.reserve(ins.args.size() + count + 1);
    qsizetype pos = begin;
    while (pos < end) {
        const qsizetype wordBegin = pos;
        while (pos < end && !isTokenSpace(t[pos]))
            ++pos;
        ins.args.append(makeWord(wordBegin, pos));
        while (pos < end && isTokenSpace(t[pos]))
            ++pos;
    }
}

void DockerfileParser::parseMaybeJson(Instruction &ins, qsizetype begin, qsizetype end, bool toList)
{
    if (begin >= end)
        return;
    const QStringView t = m_line.text();
    if (t[begin] == u'[') {
        const JsonStringArray::Result json = JsonStringArray::parse(t.first(end), begin);
        if (json.status == JsonStringArray::Status::Ok) {
            ins.jsonForm = true;
            ins.args.reserve(json.elements.size());
            for (const JsonStringArray::Element &e : json.elements)
                ins.args.append(Word{e.value, m_line.rangeOf(e.begin, e.end)});
            return;
        }
        if (json.status == JsonStringArray::Status::NotStrings) {
            ins.jsonForm = true;
            addDiagnostic(Severity::Error, m_line.rangeOf(begin, json.end),
                          u"when using JSON array syntax, arrays must be comprised of strings only"_s);
            return;
        }
    }
    if (toList)
        parseWhitespaceList(ins, begin, end);
    else
        ins.args.append(makeWord(begin, end));
}

QList<DockerfileParser::WordSpan> DockerfileParser::splitWords(qsizetype begin, qsizetype end) const
{
    // BuildKit's parseWords: split at unquoted whitespace, quotes and escapes kept as
    // written; only an escape that ends the text is dropped.
    const QStringView t = m_line.text();
    const char16_t escape = m_escape.unicode();
    QList<WordSpan> words;
    qsizetype pos = begin;
    while (pos < end) {
        while (pos < end && t[pos].isSpace())
            ++pos;
        if (pos >= end)
            break;
        const qsizetype wordBegin = pos;
        bool dropLast = false;
        char16_t quote = 0;
        while (pos < end) {
            const char16_t c = t[pos].unicode();
            if (quote == 0) {
                if (QChar::isSpace(c))
                    break;
                if (c == u'\'' || c == u'"') {
                    quote = c;
                    ++pos;
                    continue;
                }
            } else if (c == quote) {
                quote = 0;
                ++pos;
                continue;
            }
            if (c == escape && quote != u'\'') {
                if (pos + 1 == end) {
                    dropLast = true;
                    ++pos;
                    break;
                }
                pos += 2;
                continue;
            }
            ++pos;
        }
        const qsizetype wordEnd = dropLast ? pos - 1 : pos;
        if (wordEnd > wordBegin)
            words.append(WordSpan{wordBegin, wordEnd});
    }
    return words;
}

void DockerfileParser::parseNameValue(Instruction &ins, qsizetype begin, qsizetype end)
{
    const QStringView t = m_line.text();
    const QList<WordSpan> words = splitWords(begin, end);
    if (words.isEmpty())
        return;
    const QString &name = canonicalKeyword(ins.kind);

    const WordSpan first = words.first();
    if (!t.mid(first.begin, first.end - first.begin).contains(u'=')) {
        // Legacy `ENV key value…`: the value is the rest of the line as written.
        qsizetype keyEnd = begin;
        while (keyEnd < end && !isTokenSpace(t[keyEnd]))
            ++keyEnd;
        qsizetype valueBegin = keyEnd;
        while (valueBegin < end && isTokenSpace(t[valueBegin]))
            ++valueBegin;
        if (valueBegin >= end) {
            addDiagnostic(Severity::Error, m_line.rangeOf(begin, end), name + u" must have two arguments"_s);
            return;
        }
        Word key = makeWord(begin, keyEnd);
        Word value = makeWord(valueBegin, end);
        ins.pairs.append(KeyValue{key.text, value.text, false, m_line.rangeOf(begin, end)});
        ins.args.append(std::move(key));
        ins.args.append(std::move(value));
        ins.args.append(Word{QString(), m_line.rangeOf(valueBegin, valueBegin)});
        return;
    }

    ins.args.reserve(words.size() * 3);
    for (const WordSpan &w : words) {
        const QStringView text = t.mid(w.begin, w.end - w.begin);
        const qsizetype equals = text.indexOf(u'=');
        if (equals < 0) {
            addDiagnostic(Severity::Error, m_line.rangeOf(w.begin, w.end),
                          u"Syntax error - can't find = in "_s + ParseDump::quote(text) +
                              u". Must be of the form: name=value"_s);
            continue;
        }
        Word key = makeWord(w.begin, w.begin + equals);
        Word value = makeWord(w.begin + equals + 1, w.end);
        ins.pairs.append(KeyValue{key.text, value.text, true, m_line.rangeOf(w.begin, w.end)});
        ins.args.append(std::move(key));
        ins.args.append(std::move(value));
        ins.args.append(makeWord(w.begin + equals, w.begin + equals + 1));
    }
}

void DockerfileParser::parseArg(Instruction &ins, qsizetype begin, qsizetype end)
{
    const QList<WordSpan> words = splitWords(begin, end);
    for (const WordSpan &w : words) {
        Word word = makeWord(w.begin, w.end);
        KeyValue pair;
        pair.range = word.range;
        const qsizetype equals = word.text.indexOf(u'=');
        if (equals < 0) {
            pair.key = word.text;
        } else {
            pair.key = word.text.left(equals);
            pair.value = word.text.mid(equals + 1);
            pair.hasEquals = true;
        }
        ins.pairs.append(std::move(pair));
        ins.args.append(std::move(word));
    }
}

void DockerfileParser::parseHealthcheck(Instruction &ins, qsizetype begin, qsizetype end)
{
    // HEALTHCHECK [flags] TYPE [command]: the type word, then the command like CMD's.
    if (begin >= end)
        return;
    const QStringView t = m_line.text();
    qsizetype typeEnd = begin;
    while (typeEnd < end && !t[typeEnd].isSpace())
        ++typeEnd;
    qsizetype next = typeEnd;
    while (next < end && t[next].isSpace())
        ++next;
    ins.args.append(makeWord(begin, typeEnd));
    parseMaybeJson(ins, next, end, false);
}

void DockerfileParser::collectHeredocs(Instruction &ins, qsizetype begin, qsizetype end)
{
    const Instruction &target = (ins.kind == InstructionKind::Onbuild && ins.onbuild) ? *ins.onbuild : ins;
    if (target.jsonForm || (target.kind != InstructionKind::Run && target.kind != InstructionKind::Copy &&
                            target.kind != InstructionKind::Add))
        return;
    const QStringView t = m_line.text();
    qsizetype lt = t.indexOf(u'<', begin);
    while (lt >= 0 && lt + 1 < end && t[lt + 1] != u'<')
        lt = t.indexOf(u'<', lt + 1);
    if (lt < 0 || lt + 1 >= end)
        return;

    // Split the line as the shell would, keeping quotes. BuildKit finds no heredoc at all
    // when the shell cannot split the line (an open quote or `${`).
    QVarLengthArray<WordSpan, 16> words;
    qsizetype pos = begin;
    while (pos < end) {
        while (pos < end && t[pos].isSpace())
            ++pos;
        if (pos >= end)
            break;
        const qsizetype wordBegin = pos;
        while (pos < end && !t[pos].isSpace()) {
            const char16_t c = t[pos].unicode();
            if (c == u'\\') {
                pos = std::min(pos + 2, end);
            } else if (c == u'\'') {
                const qsizetype close = t.indexOf(u'\'', pos + 1);
                if (close < 0 || close >= end)
                    return;
                pos = close + 1;
            } else if (c == u'"') {
                ++pos;
                while (pos < end && t[pos] != u'"')
                    pos += t[pos] == u'\\' ? 2 : 1;
                if (pos >= end)
                    return;
                ++pos;
            } else if (c == u'$' && pos + 1 < end && t[pos + 1] == u'{') {
                int depth = 0;
                while (pos < end) {
                    if (t[pos] == u'{')
                        ++depth;
                    else if (t[pos] == u'}' && --depth == 0)
                        break;
                    ++pos;
                }
                if (pos >= end)
                    return;
                ++pos;
            } else {
                ++pos;
            }
        }
        words.append(WordSpan{wordBegin, pos});
    }

    // `[n]<<[-]WORD`, or `<<` / `<<-` followed by the delimiter as the next word.
    for (qsizetype w = 0; w < words.size(); ++w) {
        const QStringView word = t.mid(words[w].begin, words[w].end - words[w].begin);
        qsizetype i = 0;
        while (i < word.size() && isAsciiDigit(word[i]))
            ++i;
        if (!word.mid(i).startsWith(u"<<"))
            continue;
        const qsizetype markerBegin = words[w].begin + i;
        i += 2;
        Heredoc heredoc;
        if (i < word.size() && word[i] == u'-') {
            heredoc.chomp = true;
            ++i;
        }
        QStringView delimiter = word.mid(i);
        if (delimiter.isEmpty()) {
            if (w + 1 >= words.size())
                continue;
            ++w;
            delimiter = t.mid(words[w].begin, words[w].end - words[w].begin);
        }
        if (delimiter.contains(u'<'))
            continue;
        // Remove the quoting from the delimiter; any quoting turns expansion off.
        QString name;
        bool quoted = false;
        char16_t quote = 0;
        for (qsizetype k = 0; k < delimiter.size(); ++k) {
            const char16_t c = delimiter[k].unicode();
            if (quote == 0 && (c == u'\'' || c == u'"')) {
                quote = c;
                quoted = true;
            } else if (quote != 0 && c == quote) {
                quote = 0;
            } else if (c == u'\\' && quote == 0) {
                if (k + 1 < delimiter.size())
                    name.append(delimiter[++k]);
            } else if (c == u'\\' && quote == u'"' && k + 1 < delimiter.size() &&
                       (delimiter[k + 1] == u'"' || delimiter[k + 1] == u'$' || delimiter[k + 1] == u'\\')) {
                name.append(delimiter[++k]);
            } else {
                name.append(QChar(c));
            }
        }
        if (name.isEmpty())
            continue;
        heredoc.name = std::move(name);
        heredoc.expand = !quoted;
        // Until the body is read the range covers the marker; an unterminated heredoc keeps it.
        heredoc.range = m_line.rangeOf(markerBegin, words[w].end);
        ins.heredocs.append(std::move(heredoc));
    }
}

void DockerfileParser::readHeredocBodies(Instruction &ins, int *lastLine, QStringView *lastText)
{
    // BuildKit rejects the whole file when a heredoc never ends. While someone is typing
    // one, that would hide every later instruction, so the error goes on the marker and
    // parsing resumes on the line after the instruction.
    const qsizetype resumePos = m_pos;
    const int resumeLine = m_lineNumber;
    const int resumeLastLine = *lastLine;
    const QStringView resumeLastText = *lastText;
    for (qsizetype h = 0; h < ins.heredocs.size(); ++h) {
        Heredoc &heredoc = ins.heredocs[h];
        bool terminated = false;
        QString content;
        QStringView raw;
        // A delimiter missing from here to the end was missing from an earlier point too:
        // without this, a file of unterminated `RUN <<EOF` lines is read to its end once per line.
        const QString missingKey = (heredoc.chomp ? u"-"_s : u"+"_s) + heredoc.name;
        const auto missing = m_missingDelimiters.constFind(missingKey);
        const bool knownMissing = missing != m_missingDelimiters.constEnd() && *missing <= m_pos;
        const qsizetype searchFrom = m_pos;
        while (!knownMissing && readLine(&raw)) {
            *lastLine = m_lineNumber;
            *lastText = raw;
            QStringView candidate = raw;
            if (heredoc.chomp) {
                while (!candidate.isEmpty() && candidate.front() == u'\t')
                    candidate = candidate.mid(1);
            }
            if (candidate == heredoc.name) {
                terminated = true;
                break;
            }
            content.append(raw);
            content.append(u'\n');
        }
        if (!terminated) {
            if (!knownMissing)
                m_missingDelimiters.insert(missingKey, searchFrom);
            addDiagnostic(Severity::Error, heredoc.range,
                          u"unterminated heredoc: no line \""_s + heredoc.name + u"\" ends it"_s);
            ins.heredocs.clear();
            m_pos = resumePos;
            m_lineNumber = resumeLine;
            *lastLine = resumeLastLine;
            *lastText = resumeLastText;
            break;
        }
        heredoc.content = std::move(content);
        heredoc.range.end = {*lastLine, int(lastText->size()) + 1};
    }
    if (ins.kind == InstructionKind::Onbuild && ins.onbuild && !ins.heredocs.isEmpty()) {
        auto child = std::make_shared<Instruction>(*ins.onbuild);
        child->heredocs = ins.heredocs;
        ins.onbuild = std::move(child);
    }
}

void DockerfileParser::rejectNul(const Instruction &ins)
{
    // Arguments and environment strings end at the first NUL, so a RUN, ENV or COPY holding
    // one would silently lose the rest. BuildKit passes it on and fails only when the step
    // runs; refusing here says where. One error per instruction is enough to find them.
    static const QString message =
        u"NUL character in the instruction: a command line or an environment variable cannot hold it "
        u"(it would cut the text short there)"_s;
    const QStringView t = m_line.text();
    if (const qsizetype nul = t.indexOf(QChar(0)); nul >= 0) {
        addDiagnostic(Severity::Error, m_line.rangeOf(nul, nul + 1), message);
        return;
    }
    for (const Heredoc &doc : ins.heredocs) {
        const qsizetype nul = doc.content.indexOf(QChar(0));
        if (nul < 0)
            continue;
        // The body starts on the line after the `<<` marker.
        const QStringView before = QStringView(doc.content).first(nul);
        const int line = doc.range.start.line + 1 + int(before.count(u'\n'));
        const int column = int(nul - (before.lastIndexOf(u'\n') + 1)) + 1;
        addDiagnostic(Severity::Error, {{line, column}, {line, column + 1}}, message);
        return;
    }
}

void DockerfileParser::validateFlags(const Instruction &ins)
{
    if (ins.kind == InstructionKind::Unknown || ins.kind == InstructionKind::Stopsignal)
        return;
    // HEALTHCHECK NONE ignores its flags in BuildKit.
    if (ins.kind == InstructionKind::Healthcheck && !ins.args.isEmpty() &&
        ins.args.first().text.compare(u"NONE", Qt::CaseInsensitive) == 0)
        return;
    if (ins.flags.isEmpty())
        return;
    const std::span<const FlagSpec> specs = flagSpecs(ins.kind);
    quint32 seen = 0; // one bit per entry of specs
    for (const Flag &flag : ins.flags) {
        const FlagSpec *spec = nullptr;
        for (const FlagSpec &s : specs)
            if (flag.name == s.name)
                spec = &s;
        if (!spec) {
            QStringList names;
            for (const FlagSpec &s : specs)
                names.append(QString(s.name));
            addDiagnostic(Severity::Error, flag.range,
                          u"unknown flag: "_s + flag.name + suggestion(flag.name, names, Qt::CaseSensitive));
            continue;
        }
        const quint32 bit = 1u << (spec - specs.data());
        if (spec->type != FlagType::Strings && (seen & bit)) {
            addDiagnostic(Severity::Error, flag.range, u"duplicate flag specified: "_s + flag.name);
            continue;
        }
        seen |= bit;
        if (spec->type == FlagType::Bool) {
            if (flag.hasValue && flag.value.isEmpty()) {
                addDiagnostic(Severity::Error, flag.range, u"missing a value on flag: "_s + flag.name);
            } else if (flag.hasValue && flag.value.compare(u"true", Qt::CaseInsensitive) != 0 &&
                       flag.value.compare(u"false", Qt::CaseInsensitive) != 0) {
                addDiagnostic(Severity::Error, flag.range,
                              u"expecting boolean value for flag "_s + flag.name + u", not: "_s + flag.value);
            }
        } else if (!flag.hasValue) {
            addDiagnostic(Severity::Error, flag.range, u"missing a value on flag: "_s + flag.name);
        }
    }
}

void DockerfileParser::validate(const Instruction &ins, bool nested)
{
    const QString &name = canonicalKeyword(ins.kind);
    auto error = [&](const SourceRange &range, const QString &message) {
        addDiagnostic(Severity::Error, range, message);
    };
    auto atLeastOne = [&] {
        if (ins.args.isEmpty())
            error(ins.range, name + u" requires at least one argument"_s);
    };
    auto exactlyOne = [&] {
        if (ins.args.size() != 1)
            error(ins.range, name + u" requires exactly one argument"_s);
    };

    switch (ins.kind) {
    case InstructionKind::Unknown:
        // A trigger is only parsed when a child image builds, so inside ONBUILD it is a warning.
        addDiagnostic(nested ? Severity::Warning : Severity::Error, ins.keywordRange,
                      u"unknown instruction: "_s + ins.keyword +
                          suggestion(ins.keyword, allKeywords(), Qt::CaseInsensitive));
        return;
    case InstructionKind::From: break; // stages are checked where they are planned
    case InstructionKind::Env:
    case InstructionKind::Label:
        atLeastOne();
        for (const KeyValue &pair : ins.pairs)
            if (pair.key.isEmpty())
                error(pair.range, name + u" names can not be blank"_s);
        break;
    case InstructionKind::Arg:
        atLeastOne();
        for (const KeyValue &pair : ins.pairs)
            if (pair.key.isEmpty())
                error(pair.range, u"ARG names can not be blank"_s);
        break;
    case InstructionKind::Maintainer:
    case InstructionKind::Workdir:
    case InstructionKind::User:
    case InstructionKind::Stopsignal: exactlyOne(); break;
    case InstructionKind::Expose: atLeastOne(); break;
    case InstructionKind::Volume:
        atLeastOne();
        for (const Word &w : ins.args)
            if (w.text.trimmed().isEmpty())
                error(w.range, u"VOLUME specified can not be an empty string"_s);
        break;
    case InstructionKind::Add:
    case InstructionKind::Copy:
        if (ins.args.size() < 2) {
            error(ins.range, name + u" requires at least two arguments, but only one was provided. "
                                    u"Destination could not be determined"_s);
        } else if (isHeredocWord(ins.args.last().text)) {
            error(ins.args.last().range, name + u" cannot accept a heredoc as a destination"_s);
        }
        break;
    case InstructionKind::Shell:
        if (ins.args.isEmpty())
            error(ins.range, u"SHELL requires at least one argument"_s);
        else if (!ins.jsonForm)
            error(ins.range, u"SHELL requires the arguments to be in JSON form"_s);
        break;
    case InstructionKind::Healthcheck: {
        if (ins.args.isEmpty()) {
            error(ins.range, u"HEALTHCHECK requires at least one argument"_s);
            break;
        }
        const QString type = ins.args.first().text.toUpper();
        if (type == u"NONE") {
            if (ins.args.size() > 1)
                error(ins.range, u"HEALTHCHECK NONE takes no arguments"_s);
        } else if (type == u"CMD") {
            if (ins.args.size() < 2)
                error(ins.range, u"Missing command after HEALTHCHECK CMD"_s);
        } else {
            error(ins.args.first().range,
                  u"Unknown type "_s + ParseDump::quote(type) + u" in HEALTHCHECK (try CMD)"_s);
        }
        break;
    }
    case InstructionKind::Onbuild:
        if (!ins.onbuild) {
            error(ins.range, u"ONBUILD requires at least one argument"_s);
            break;
        }
        if (ins.onbuild->kind == InstructionKind::Onbuild) {
            error(ins.onbuild->keywordRange, u"Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"_s);
        } else if (ins.onbuild->kind == InstructionKind::From ||
                   ins.onbuild->kind == InstructionKind::Maintainer) {
            error(ins.onbuild->keywordRange,
                  ins.onbuild->keyword.toUpper() + u" isn't allowed as an ONBUILD trigger"_s);
        } else {
            validate(*ins.onbuild, true);
        }
        break;
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint:
    case InstructionKind::Run: break;
    }
    validateFlags(ins);
}

} // namespace stagecraft
