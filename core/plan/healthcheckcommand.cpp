#include "core/plan/healthcheckcommand.h"

#include "core/plan/goduration.h"
#include "core/plan/stagescope.h"

namespace stagecraft {

namespace {

// BuildKit's parseOptInterval: Go's duration syntax; zero means "not set"; anything else
// below Docker's minimum of 1ms (negative values included) is refused.
qint64 readInterval(const Flag &flag, StageScope &scope)
{
    QString error;
    const auto ns = GoDuration::parse(flag.value, &error);
    if (!ns) {
        scope.error(flag.range, error);
        return 0;
    }
    if (*ns != 0 && *ns < 1000000) {
        scope.error(flag.range, QStringLiteral("Interval \"%1\" cannot be less than 1ms").arg(flag.name));
        return 0;
    }
    return *ns;
}

} // namespace

HealthcheckCommand HealthcheckCommand::read(const Instruction &ins, int index, StageScope &scope)
{
    HealthcheckCommand check;
    check.instruction = index;
    check.range = ins.range;
    check.execForm = ins.jsonForm;
    QStringList words;
    for (const Word &w : ins.args)
        words.append(w.text);
    if (!words.isEmpty() && words.first().compare(QLatin1String("NONE"), Qt::CaseInsensitive) == 0) {
        check.disabled = true;
        check.test = QStringList{QStringLiteral("NONE")};
        return check;
    }
    const QStringList rest = words.mid(1);
    if (ins.jsonForm)
        check.test = QStringList{QStringLiteral("CMD")} + rest;
    else
        check.test = QStringList{QStringLiteral("CMD-SHELL"), rest.join(QLatin1Char(' '))};
    for (const Flag &flag : ins.flags) {
        if (flag.name == QLatin1String("interval"))
            check.interval = readInterval(flag, scope);
        else if (flag.name == QLatin1String("timeout"))
            check.timeout = readInterval(flag, scope);
        else if (flag.name == QLatin1String("start-period"))
            check.startPeriod = readInterval(flag, scope);
        else if (flag.name == QLatin1String("start-interval"))
            check.startInterval = readInterval(flag, scope);
        else if (flag.name == QLatin1String("retries")) {
            bool ok = false;
            const qint64 retries = flag.value.toLongLong(&ok);
            if (!ok || retries > INT_MAX || retries < INT_MIN)
                scope.error(flag.range, QStringLiteral("strconv.ParseInt: parsing \"%1\": %2")
                                            .arg(flag.value, ok ? QStringLiteral("value out of range")
                                                                : QStringLiteral("invalid syntax")));
            else if (retries < 0)
                scope.error(flag.range, QStringLiteral("--retries cannot be negative (%1)").arg(retries));
            else
                check.retries = retries;
        }
    }
    return check;
}

} // namespace stagecraft
