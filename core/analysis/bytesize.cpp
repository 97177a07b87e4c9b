#include "core/analysis/bytesize.h"

#include <QRegularExpression>

#include <cmath>

namespace stagecraft {

Expected<qint64> parseByteSize(const QString &text)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$)"));
    const QRegularExpressionMatch m = pattern.match(text);
    if (!m.hasMatch())
        return fail(QStringLiteral("'%1' is not a size (examples: 20MB, 1.5GB, 512KiB, 1048576)").arg(text));
    const double number = m.captured(1).toDouble();
    const QString unit = m.captured(2).toLower();
    double factor = 0;
    static const struct
    {
        const char *names[4];
        double factor;
    } units[] = {
        {{"", "b", nullptr, nullptr}, 1.0}, {{"k", "kb", "kib", "ki"}, 0}, {{"m", "mb", "mib", "mi"}, 0},
        {{"g", "gb", "gib", "gi"}, 0},      {{"t", "tb", "tib", "ti"}, 0}, {{"p", "pb", "pib", "pi"}, 0},
    };
    for (int power = 0; power < int(std::size(units)) && factor == 0; ++power) {
        for (int n = 0; n < 4 && units[power].names[n]; ++n) {
            if (unit == QLatin1String(units[power].names[n])) {
                const bool binary = unit.contains(u'i');
                factor = std::pow(binary ? 1024.0 : 1000.0, power);
                break;
            }
        }
    }
    if (factor == 0)
        return fail(QStringLiteral("'%1': unknown unit '%2' (use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)")
                        .arg(text, m.captured(2)));
    const double bytes = number * factor;
    if (bytes >= 9.2e18)
        return fail(QStringLiteral("'%1' is too large").arg(text));
    return qint64(bytes);
}

QString formatByteSize(qint64 bytes)
{
    if (bytes < 1000)
        return QString::number(bytes) + QStringLiteral(" B");
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1000 && unit < 5) {
        value /= 1000;
        ++unit;
    }
    const int decimals = value < 10 ? 1 : (value < 100 ? 1 : 0);
    return QString::number(value, 'f', decimals) + u' ' + QLatin1String(units[unit]);
}

} // namespace stagecraft
