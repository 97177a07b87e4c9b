#include "core/plan/goduration.h"

#include <limits>

namespace stagecraft {

namespace {

constexpr quint64 kMaxDuration = quint64(std::numeric_limits<qint64>::max());

quint64 unitScale(QStringView unit)
{
    if (unit == u"ns")
        return 1;
    if (unit == u"us" || unit == u"\u00b5s" || unit == u"\u03bcs")
        return 1000;
    if (unit == u"ms")
        return 1000000;
    if (unit == u"s")
        return 1000000000;
    if (unit == u"m")
        return 60ull * 1000000000;
    if (unit == u"h")
        return 3600ull * 1000000000;
    return 0;
}

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// A fraction printed with trailing zeros removed, as Go's fmtFrac does.
QString withFraction(quint64 whole, quint64 fraction, int digits)
{
    QString s = QString::number(whole);
    if (fraction != 0) {
        QString f = QString::number(fraction).rightJustified(digits, QLatin1Char('0'));
        while (f.endsWith(QLatin1Char('0')))
            f.chop(1);
        s += QLatin1Char('.') + f;
    }
    return s;
}

} // namespace

std::optional<qint64> GoDuration::parse(QStringView text, QString *error)
{
    const auto failWith = [&](const QString &message) -> std::optional<qint64> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const QString quoted = QLatin1Char('"') + text.toString() + QLatin1Char('"');
    const QString invalid = QStringLiteral("time: invalid duration ") + quoted;
    QStringView s = text;
    bool negative = false;
    if (!s.isEmpty() && (s.front() == QLatin1Char('-') || s.front() == QLatin1Char('+'))) {
        negative = s.front() == QLatin1Char('-');
        s = s.mid(1);
    }
    if (s == u"0")
        return 0;
    if (s.isEmpty())
        return failWith(invalid);
    quint64 total = 0;
    while (!s.isEmpty()) {
        if (!isDigit(s.front()) && s.front() != QLatin1Char('.'))
            return failWith(invalid);
        qsizetype i = 0;
        quint64 whole = 0;
        bool overflow = false;
        while (i < s.size() && isDigit(s.at(i))) {
            const quint64 digit = s.at(i).unicode() - '0';
            if (whole > (kMaxDuration - digit) / 10)
                overflow = true;
            else
                whole = whole * 10 + digit;
            ++i;
        }
        if (overflow)
            return failWith(invalid);
        const bool leading = i > 0;
        long double fraction = 0;
        bool trailing = false;
        if (i < s.size() && s.at(i) == QLatin1Char('.')) {
            ++i;
            long double scale = 0.1L;
            while (i < s.size() && isDigit(s.at(i))) {
                fraction += scale * (s.at(i).unicode() - '0');
                scale /= 10;
                trailing = true;
                ++i;
            }
        }
        if (!leading && !trailing)
            return failWith(invalid);
        const qsizetype unitBegin = i;
        while (i < s.size() && !isDigit(s.at(i)) && s.at(i) != QLatin1Char('.'))
            ++i;
        const QStringView unit = s.mid(unitBegin, i - unitBegin);
        if (unit.isEmpty())
            return failWith(QStringLiteral("time: missing unit in duration ") + quoted);
        const quint64 scale = unitScale(unit);
        if (scale == 0)
            return failWith(QStringLiteral("time: unknown unit \"%1\" in duration %2").arg(unit, quoted));
        if (whole > kMaxDuration / scale)
            return failWith(invalid);
        quint64 value = whole * scale + quint64(fraction * scale + 0.5L);
        if (value > kMaxDuration || total > kMaxDuration - value)
            return failWith(invalid);
        total += value;
        s = s.mid(i);
    }
    return negative ? -qint64(total) : qint64(total);
}

QString GoDuration::format(qint64 ns)
{
    if (ns == 0)
        return QStringLiteral("0s");
    const bool negative = ns < 0;
    const quint64 u = negative ? quint64(-(ns + 1)) + 1 : quint64(ns);
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

} // namespace stagecraft
