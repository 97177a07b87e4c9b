#include "core/context/pathglob.h"

#include <QList>

namespace stagecraft {

namespace {

// Works on code points so that `?` and classes consume whole characters as Go's runes do.
using Text = QList<uint>;

struct Cursor
{
    const Text &text;
    qsizetype pos = 0;
    bool atEnd() const { return pos >= text.size(); }
    uint peek() const { return text[pos]; }
};

// One item of a class: a character, possibly `\`-escaped. Mirrors Go's getEsc, which
// rejects a bare '-' or ']' and a class that ends right after the item.
bool classItem(Cursor &chunk, qsizetype chunkEnd, uint &out)
{
    if (chunk.pos >= chunkEnd || chunk.peek() == U'-' || chunk.peek() == U']')
        return false;
    if (chunk.peek() == U'\\') {
        ++chunk.pos;
        if (chunk.pos >= chunkEnd)
            return false;
    }
    out = chunk.peek();
    ++chunk.pos;
    return chunk.pos < chunkEnd;
}

enum class ChunkResult { Fail, Ok, Bad };

// Matches the star-free chunk text[begin, end) at the start of name[namePos...];
// on success namePos moves past the consumed characters. Like Go, a failed match
// keeps scanning the chunk so that a malformed pattern is reported as such.
ChunkResult matchChunk(const Text &pattern, qsizetype begin, qsizetype end, const Text &name,
                       qsizetype &namePos)
{
    Cursor chunk{pattern, begin};
    qsizetype s = namePos;
    bool failed = false;
    while (chunk.pos < end) {
        if (!failed && s >= name.size())
            failed = true;
        const uint c = chunk.peek();
        if (c == U'[') {
            uint r = 0;
            if (!failed)
                r = name[s++];
            ++chunk.pos;
            bool negated = false;
            if (chunk.pos < end && chunk.peek() == U'^') {
                negated = true;
                ++chunk.pos;
            }
            bool matched = false;
            int ranges = 0;
            for (;;) {
                if (chunk.pos < end && chunk.peek() == U']' && ranges > 0) {
                    ++chunk.pos;
                    break;
                }
                uint lo = 0;
                if (!classItem(chunk, end, lo))
                    return ChunkResult::Bad;
                uint hi = lo;
                if (chunk.peek() == U'-') {
                    ++chunk.pos;
                    if (!classItem(chunk, end, hi))
                        return ChunkResult::Bad;
                }
                if (lo <= r && r <= hi)
                    matched = true;
                ++ranges;
            }
            if (matched == negated)
                failed = true;
        } else if (c == U'?') {
            if (!failed) {
                if (name[s] == U'/')
                    failed = true;
                ++s;
            }
            ++chunk.pos;
        } else {
            if (c == U'\\') {
                ++chunk.pos;
                if (chunk.pos >= end)
                    return ChunkResult::Bad;
            }
            if (!failed) {
                if (chunk.peek() != name[s])
                    failed = true;
                ++s;
            }
            ++chunk.pos;
        }
    }
    if (failed)
        return ChunkResult::Fail;
    namePos = s;
    return ChunkResult::Ok;
}

// Splits off the next chunk: leading stars, then text up to the next unescaped,
// unbracketed star.
void scanChunk(const Text &pattern, qsizetype &pos, bool &star, qsizetype &chunkBegin, qsizetype &chunkEnd)
{
    star = false;
    while (pos < pattern.size() && pattern[pos] == U'*') {
        ++pos;
        star = true;
    }
    chunkBegin = pos;
    bool inRange = false;
    qsizetype i = pos;
    for (; i < pattern.size(); ++i) {
        const uint c = pattern[i];
        if (c == U'\\') {
            if (i + 1 < pattern.size())
                ++i;
        } else if (c == U'[') {
            inRange = true;
        } else if (c == U']') {
            inRange = false;
        } else if (c == U'*' && !inRange) {
            break;
        }
    }
    chunkEnd = i;
    pos = i;
}

} // namespace

PathGlob::Result PathGlob::match(const QString &patternText, const QString &nameText)
{
    const Text pattern = patternText.toUcs4();
    const Text name = nameText.toUcs4();
    qsizetype p = 0;
    qsizetype n = 0;
    while (p < pattern.size()) {
        bool star = false;
        qsizetype chunkBegin = 0;
        qsizetype chunkEnd = 0;
        scanChunk(pattern, p, star, chunkBegin, chunkEnd);
        if (star && chunkBegin == chunkEnd)
            return name.mid(n).contains(U'/') ? Result::NoMatch : Result::Match;

        qsizetype t = n;
        const ChunkResult first = matchChunk(pattern, chunkBegin, chunkEnd, name, t);
        if (first == ChunkResult::Ok && (t == name.size() || p < pattern.size())) {
            n = t;
            continue;
        }
        if (first == ChunkResult::Bad)
            return Result::BadPattern;
        bool advanced = false;
        if (star) {
            for (qsizetype i = n; i < name.size() && name[i] != U'/'; ++i) {
                qsizetype t2 = i + 1;
                const ChunkResult r = matchChunk(pattern, chunkBegin, chunkEnd, name, t2);
                if (r == ChunkResult::Ok) {
                    if (p == pattern.size() && t2 < name.size())
                        continue;
                    n = t2;
                    advanced = true;
                    break;
                }
                if (r == ChunkResult::Bad)
                    return Result::BadPattern;
            }
        }
        if (advanced)
            continue;
        // Report a malformed remainder even though the name already failed.
        while (p < pattern.size()) {
            scanChunk(pattern, p, star, chunkBegin, chunkEnd);
            const Text empty;
            qsizetype zero = 0;
            if (matchChunk(pattern, chunkBegin, chunkEnd, empty, zero) == ChunkResult::Bad)
                return Result::BadPattern;
        }
        return Result::NoMatch;
    }
    return n == name.size() ? Result::Match : Result::NoMatch;
}

bool PathGlob::hasMeta(const QString &pattern)
{
    for (const QChar c : pattern)
        if (c == u'*' || c == u'?' || c == u'[' || c == u'\\')
            return true;
    return false;
}

} // namespace stagecraft
