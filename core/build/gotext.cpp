#include "core/build/gotext.h"

#include <QRegularExpression>

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

// Go's time.Duration.String(), which BuildKit's HEALTHCHECK history text prints.
QString goDuration(qint64 ns)
{
    if (ns == 0)
        return QStringLiteral("0s");
    const bool negative = ns < 0;
    const quint64 u = negative ? quint64(-(ns + 1)) + 1 : quint64(ns);
    const auto withFraction = [](quint64 whole, quint64 fraction, int digits) {
        QString s = QString::number(whole);
        if (fraction != 0) {
            QString f = QString::number(fraction).rightJustified(digits, QLatin1Char('0'));
            while (f.endsWith(QLatin1Char('0')))
                f.chop(1);
            s += QLatin1Char('.') + f;
        }
        return s;
    };
    QString out;
    if (u < 1000) {
        out = QString::number(u) + QStringLiteral("ns");
    } else if (u < 1000000) {
        out = withFraction(u / 1000, u % 1000, 3) + QStringLiteral("\u00b5s");
    } else if (u < 1000000000) {
        out = withFraction(u / 1000000, u % 1000000, 6) + QStringLiteral("ms");
    } else {
        const quint64 seconds = u / 1000000000;
        out = withFraction(seconds % 60, u % 1000000000, 9) + QLatin1Char('s');
        const quint64 minutes = seconds / 60;
        if (minutes > 0) {
            out = QString::number(minutes % 60) + QLatin1Char('m') + out;
            if (minutes / 60 > 0)
                out = QString::number(minutes / 60) + QLatin1Char('h') + out;
        }
    }
    return negative ? QLatin1Char('-') + out : out;
}

// Go's time.ParseDuration: "300ms", "1.5h", "2h45m", "0".
std::optional<qint64> parseGoDuration(const QString &text)
{
    QString s = text;
    bool negative = false;
    if (s.startsWith(QLatin1Char('-')) || s.startsWith(QLatin1Char('+'))) {
        negative = s.startsWith(QLatin1Char('-'));
        s = s.mid(1);
    }
    if (s == QLatin1String("0"))
        return 0;
    static const QRegularExpression part(
        QStringLiteral("^([0-9]*)(\\.([0-9]*))?(ns|us|\u00b5s|\u03bcs|ms|s|m|h)"));
    if (s.isEmpty())
        return std::nullopt;
    long double total = 0;
    while (!s.isEmpty()) {
        const QRegularExpressionMatch m = part.match(s);
        if (!m.hasMatch() || (m.captured(1).isEmpty() && m.captured(3).isEmpty()))
            return std::nullopt;
        const QString unit = m.captured(4);
        long double scale = 1;
        if (unit == QLatin1String("us") || unit == QStringLiteral("\u00b5s") ||
            unit == QStringLiteral("\u03bcs"))
            scale = 1e3L;
        else if (unit == QLatin1String("ms"))
            scale = 1e6L;
        else if (unit == QLatin1String("s"))
            scale = 1e9L;
        else if (unit == QLatin1String("m"))
            scale = 60e9L;
        else if (unit == QLatin1String("h"))
            scale = 3600e9L;
        const long double value =
            (m.captured(1).isEmpty() ? 0.0L : m.captured(1).toDouble()) +
            (m.captured(3).isEmpty() ? 0.0L : QString(QStringLiteral("0.") + m.captured(3)).toDouble());
        total += value * scale;
        if (total > 9.2e18L)
            return std::nullopt;
        s = s.mid(m.capturedLength());
    }
    const qint64 ns = qint64(total + 0.5L);
    return negative ? -ns : ns;
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
