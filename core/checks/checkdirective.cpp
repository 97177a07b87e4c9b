#include "core/checks/checkdirective.h"

#include "core/checks/checktext.h"

namespace stagecraft {

using checktext::quoted;

namespace {

QStringList splitRuleList(const QString &value)
{
    QStringList out;
    for (const QString &part : value.split(QLatin1Char(',')))
        out.append(part.trimmed());
    return out;
}

} // namespace

CheckDirective CheckDirective::parse(const QString &text)
{
    CheckDirective d;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return d;
    // Like Go's strings.SplitN(s, ";", 3): a third part keeps any further ';'.
    QStringList parts = trimmed.split(QLatin1Char(';'));
    if (parts.size() > 3)
        parts = QStringList{parts.at(0), parts.at(1), parts.mid(2).join(QLatin1Char(';'))};
    for (const QString &part : std::as_const(parts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0) {
            d.problem = QStringLiteral("invalid check option %1").arg(quoted(part));
            return d;
        }
        const QString key = part.left(eq).trimmed();
        const QString value = part.mid(eq + 1).trimmed();
        if (key == QLatin1String("skip")) {
            if (value == QLatin1String("all"))
                d.skipAll = true;
            else
                d.skip = splitRuleList(value);
        } else if (key == QLatin1String("experimental")) {
            if (value == QLatin1String("all"))
                d.experimentalAll = true;
            else
                d.experimental = splitRuleList(value);
        } else if (key == QLatin1String("error")) {
            // Go's strconv.ParseBool spellings.
            static const QStringList kTrue = {QStringLiteral("1"),    QStringLiteral("t"),
                                              QStringLiteral("T"),    QStringLiteral("TRUE"),
                                              QStringLiteral("true"), QStringLiteral("True")};
            static const QStringList kFalse = {QStringLiteral("0"),     QStringLiteral("f"),
                                               QStringLiteral("F"),     QStringLiteral("FALSE"),
                                               QStringLiteral("false"), QStringLiteral("False")};
            if (kTrue.contains(value)) {
                d.error = true;
            } else if (kFalse.contains(value)) {
                d.error = false;
            } else {
                d.problem =
                    QStringLiteral("failed to parse check option %1: invalid syntax").arg(quoted(part));
                return d;
            }
        } else {
            d.problem = QStringLiteral("invalid check option %1").arg(quoted(key));
            return d;
        }
    }
    return d;
}

bool CheckDirective::enables(const QString &rule, bool experimentalRule) const
{
    // An experimental rule runs only when named (or experimental=all), even with skip=all.
    if (experimentalRule)
        return experimentalAll || experimental.contains(rule);
    return !skipAll && !skip.contains(rule);
}

QString CheckDirective::stagecraftDirectiveValue(const QString &comment)
{
    static const QLatin1String kKey("stagecraft-check");
    const QString trimmed = comment.trimmed();
    if (!trimmed.startsWith(kKey, Qt::CaseInsensitive))
        return {};
    const QString rest = trimmed.mid(kKey.size()).trimmed();
    if (!rest.startsWith(QLatin1Char('=')))
        return {};
    const QString value = rest.mid(1).trimmed();
    return value.isNull() ? QString(QLatin1String("")) : value;
}

QString CheckDirective::parseSeverities(const QString &value)
{
    for (const QString &part : value.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const qsizetype eq = part.indexOf(QLatin1Char('='));
        if (eq < 0)
            return QStringLiteral("expected LEVEL=RULE[,RULE…], found %1").arg(quoted(part.trimmed()));
        const QString level = part.left(eq).trimmed().toLower();
        std::optional<Severity> severity;
        if (level == QLatin1String("error"))
            severity = Severity::Error;
        else if (level == QLatin1String("warning"))
            severity = Severity::Warning;
        else if (level == QLatin1String("info"))
            severity = Severity::Info;
        else if (level != QLatin1String("off"))
            return QStringLiteral("unknown level %1 (use error, warning, info or off)").arg(quoted(level));
        for (const QString &rule : splitRuleList(part.mid(eq + 1)))
            if (!rule.isEmpty())
                severities.insert(rule, severity);
    }
    return {};
}

std::optional<Severity> CheckDirective::severityOf(const QString &name, const QString &id,
                                                   Severity fallback) const
{
    if (skipAll || skip.contains(name) || skip.contains(id))
        return std::nullopt;
    std::optional<Severity> severity = fallback;
    if (const auto it = severities.constFind(id); it != severities.constEnd())
        severity = *it;
    if (const auto it = severities.constFind(name); it != severities.constEnd())
        severity = *it;
    if (severity && *severity == Severity::Warning && error)
        severity = Severity::Error;
    return severity;
}

} // namespace stagecraft
