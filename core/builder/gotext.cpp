#include "core/builder/gotext.h"

namespace stagecraft {

// Go's %q of a string, which BuildKit's history texts use.
QString goQuote(const QString &s)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QStringLiteral("\\\""); break;
        case '\\': out += QStringLiteral("\\\\"); break;
        case '\n': out += QStringLiteral("\\n"); break;
        case '\t': out += QStringLiteral("\\t"); break;
        case '\r': out += QStringLiteral("\\r"); break;
        default: out += c;
        }
    }
    return out + QLatin1Char('"');
}

QString goQuoteList(const QStringList &list)
{
    QStringList quoted;
    for (const QString &s : list)
        quoted.append(goQuote(s));
    return QLatin1Char('[') + quoted.join(QLatin1Char(' ')) + QLatin1Char(']');
}

QString goList(const QStringList &list)
{
    return QLatin1Char('[') + list.join(QLatin1Char(' ')) + QLatin1Char(']');
}

// Go's %q of a small integer (strconv.QuoteRune), as BuildKit prints HEALTHCHECK retries.
QString goQuoteRune(qint64 value)
{
    switch (value) {
    case 7: return QStringLiteral("'\\a'");
    case 8: return QStringLiteral("'\\b'");
    case 9: return QStringLiteral("'\\t'");
    case 10: return QStringLiteral("'\\n'");
    case 11: return QStringLiteral("'\\v'");
    case 12: return QStringLiteral("'\\f'");
    case 13: return QStringLiteral("'\\r'");
    case '\'': return QStringLiteral("'\\''");
    case '\\': return QStringLiteral("'\\\\'");
    default: break;
    }
    if (value >= 0x20 && value < 0x7f)
        return QLatin1Char('\'') + QChar(char16_t(value)) + QLatin1Char('\'');
    if (value >= 0 && value < 0x80)
        return QStringLiteral("'\\x%1'").arg(value, 2, 16, QLatin1Char('0'));
    if (value >= 0 && value <= 0x10ffff && !(value >= 0xd800 && value < 0xe000)) {
        const char32_t c = char32_t(value);
        return QLatin1Char('\'') + QString::fromUcs4(&c, 1) + QLatin1Char('\'');
    }
    return QStringLiteral("'\\ufffd'");
}

} // namespace stagecraft
