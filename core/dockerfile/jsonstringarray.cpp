#include "core/dockerfile/jsonstringarray.h"

namespace stagecraft {

namespace {

// A recursive-descent reader of one JSON value over UTF-16 text. Nesting depth is
// bounded so hostile input cannot exhaust the stack.
class JsonReader
{
public:
    explicit JsonReader(QStringView text, qsizetype pos)
        : m_text(text)
        , m_pos(pos)
    {}

    qsizetype pos() const { return m_pos; }

    void skipSpace()
    {
        while (m_pos < m_text.size()) {
            const char16_t c = m_text[m_pos].unicode();
            if (c != u' ' && c != u'\t' && c != u'\n' && c != u'\r')
                break;
            ++m_pos;
        }
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    void advance() { ++m_pos; }
    char16_t peek() const { return atEnd() ? u'\0' : m_text[m_pos].unicode(); }

    // Reads a string token; `out` may be null when only validity matters.
    bool readString(QString *out)
    {
        if (peek() != u'"')
            return false;
        ++m_pos;
        const qsizetype start = m_pos;
        // Fast path: no escapes, copy the span in one go.
        while (m_pos < m_text.size()) {
            const char16_t c = m_text[m_pos].unicode();
            if (c == u'"') {
                if (out)
                    *out = m_text.mid(start, m_pos - start).toString();
                ++m_pos;
                return true;
            }
            if (c == u'\\' || c < 0x20)
                break;
            ++m_pos;
        }
        if (atEnd() || peek() < 0x20)
            return false;
        QString value;
        if (out)
            value = m_text.mid(start, m_pos - start).toString();
        while (m_pos < m_text.size()) {
            const char16_t c = m_text[m_pos].unicode();
            if (c == u'"') {
                ++m_pos;
                if (out)
                    *out = std::move(value);
                return true;
            }
            if (c < 0x20)
                return false;
            if (c != u'\\') {
                value.append(QChar(c));
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (atEnd())
                return false;
            const char16_t e = m_text[m_pos++].unicode();
            switch (e) {
            case u'"': value.append(u'"'); break;
            case u'\\': value.append(u'\\'); break;
            case u'/': value.append(u'/'); break;
            case u'b': value.append(u'\b'); break;
            case u'f': value.append(u'\f'); break;
            case u'n': value.append(u'\n'); break;
            case u'r': value.append(u'\r'); break;
            case u't': value.append(u'\t'); break;
            case u'u': {
                int unit = readHex4();
                if (unit < 0)
                    return false;
                if (unit >= 0xD800 && unit < 0xDC00) {
                    // A surrogate pair needs its low half as the next escape.
                    const qsizetype save = m_pos;
                    int low = -1;
                    if (m_pos + 1 < m_text.size() && m_text[m_pos] == u'\\' && m_text[m_pos + 1] == u'u') {
                        m_pos += 2;
                        low = readHex4();
                    }
                    if (low >= 0xDC00 && low < 0xE000) {
                        value.append(QChar(char16_t(unit)));
                        value.append(QChar(char16_t(low)));
                    } else {
                        m_pos = save;
                        value.append(QChar(char16_t(0xFFFD)));
                    }
                } else if (unit >= 0xDC00 && unit < 0xE000) {
                    value.append(QChar(char16_t(0xFFFD)));
                } else {
                    value.append(QChar(char16_t(unit)));
                }
                break;
            }
            default: return false;
            }
        }
        return false;
    }

    // Skips any JSON value; false when it is not valid JSON.
    bool skipValue(int depth = 0)
    {
        if (depth > 512)
            return false;
        skipSpace();
        const char16_t c = peek();
        if (c == u'"')
            return readString(nullptr);
        if (c == u'[') {
            ++m_pos;
            skipSpace();
            if (peek() == u']') {
                ++m_pos;
                return true;
            }
            for (;;) {
                if (!skipValue(depth + 1))
                    return false;
                skipSpace();
                if (peek() == u',') {
                    ++m_pos;
                    continue;
                }
                if (peek() == u']') {
                    ++m_pos;
                    return true;
                }
                return false;
            }
        }
        if (c == u'{') {
            ++m_pos;
            skipSpace();
            if (peek() == u'}') {
                ++m_pos;
                return true;
            }
            for (;;) {
                skipSpace();
                if (!readString(nullptr))
                    return false;
                skipSpace();
                if (peek() != u':')
                    return false;
                ++m_pos;
                if (!skipValue(depth + 1))
                    return false;
                skipSpace();
                if (peek() == u',') {
                    ++m_pos;
                    continue;
                }
                if (peek() == u'}') {
                    ++m_pos;
                    return true;
                }
                return false;
            }
        }
        if (c == u't')
            return skipLiteral(u"true");
        if (c == u'f')
            return skipLiteral(u"false");
        if (c == u'n')
            return skipLiteral(u"null");
        return skipNumber();
    }

private:
    int readHex4()
    {
        if (m_pos + 4 > m_text.size())
            return -1;
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const char16_t h = m_text[m_pos + i].unicode();
            int d;
            if (h >= u'0' && h <= u'9')
                d = h - u'0';
            else if (h >= u'a' && h <= u'f')
                d = h - u'a' + 10;
            else if (h >= u'A' && h <= u'F')
                d = h - u'A' + 10;
            else
                return -1;
            v = v * 16 + d;
        }
        m_pos += 4;
        return v;
    }

    bool skipLiteral(QStringView word)
    {
        if (m_text.mid(m_pos).startsWith(word)) {
            m_pos += word.size();
            return true;
        }
        return false;
    }

    bool isDigit(char16_t c) const { return c >= u'0' && c <= u'9'; }

    bool skipNumber()
    {
        if (peek() == u'-')
            ++m_pos;
        if (peek() == u'0') {
            ++m_pos;
        } else if (isDigit(peek())) {
            while (isDigit(peek()))
                ++m_pos;
        } else {
            return false;
        }
        if (peek() == u'.') {
            ++m_pos;
            if (!isDigit(peek()))
                return false;
            while (isDigit(peek()))
                ++m_pos;
        }
        if (peek() == u'e' || peek() == u'E') {
            ++m_pos;
            if (peek() == u'+' || peek() == u'-')
                ++m_pos;
            if (!isDigit(peek()))
                return false;
            while (isDigit(peek()))
                ++m_pos;
        }
        return true;
    }

    QStringView m_text;
    qsizetype m_pos = 0;
};

} // namespace

JsonStringArray::Result JsonStringArray::parse(QStringView text, qsizetype from)
{
    Result result;
    JsonReader reader(text, from);
    reader.skipSpace();
    if (reader.peek() != u'[')
        return result;
    const qsizetype open = reader.pos();

    // First pass: is it one valid JSON value at all? Only then does a non-string
    // element make it an error rather than shell form.
    JsonReader check(text, open);
    if (!check.skipValue())
        return result;
    result.end = check.pos();

    JsonReader items(text, open + 1);
    items.skipSpace();
    bool stringsOnly = true;
    if (items.peek() != u']') {
        for (;;) {
            items.skipSpace();
            if (items.peek() == u'"') {
                Element element;
                element.begin = items.pos();
                items.readString(&element.value);
                element.end = items.pos();
                result.elements.append(std::move(element));
            } else {
                stringsOnly = false;
                items.skipValue();
            }
            items.skipSpace();
            if (items.peek() != u',')
                break;
            items.advance();
        }
    }
    result.status = stringsOnly ? Status::Ok : Status::NotStrings;
    if (!stringsOnly)
        result.elements.clear();
    return result;
}

} // namespace stagecraft
