#include "core/plan/filemodechange.h"

namespace stagecraft {

namespace {

constexpr quint32 kUser = 04700;  // rwx of the owner and setuid
constexpr quint32 kGroup = 02070; // rwx of the group and setgid
constexpr quint32 kOther = 01007; // rwx of others and sticky

// A class's rwx bits (4/2/1) moved into the class `who` covers.
quint32 spread(quint32 rwx, quint32 who)
{
    quint32 out = 0;
    if (who & kUser)
        out |= rwx << 6;
    if (who & kGroup)
        out |= rwx << 3;
    if (who & kOther)
        out |= rwx;
    return out;
}

} // namespace

Expected<FileModeChange> FileModeChange::parse(const QString &text)
{
    const QString message =
        QStringLiteral("invalid chmod parameter: '%1'. it should be octal string and between 0 and 07777")
            .arg(text);
    FileModeChange change;
    change.m_text = text;
    bool allOctal = !text.isEmpty();
    for (const QChar c : text)
        allOctal = allOctal && c >= QLatin1Char('0') && c <= QLatin1Char('7');
    if (allOctal) {
        // Leading zeros are free; anything above 07777 is refused however it is written.
        QStringView digits(text);
        while (digits.size() > 1 && digits.front() == QLatin1Char('0'))
            digits = digits.mid(1);
        bool ok = false;
        const uint value = digits.size() <= 5 ? digits.toUInt(&ok, 8) : 0;
        if (!ok || value > 07777)
            return fail(message);
        change.m_mode = value;
        return change;
    }
    if (text.isEmpty() || text.size() > 1024)
        return fail(message);
    change.m_octal = false;
    for (const QStringView part : QStringView(text).split(QLatin1Char(','))) {
        Clause clause;
        qsizetype i = 0;
        for (; i < part.size(); ++i) {
            const QChar c = part.at(i);
            if (c == QLatin1Char('u'))
                clause.who |= kUser;
            else if (c == QLatin1Char('g'))
                clause.who |= kGroup;
            else if (c == QLatin1Char('o'))
                clause.who |= kOther;
            else if (c == QLatin1Char('a'))
                clause.who |= kUser | kGroup | kOther;
            else
                break;
        }
        if (clause.who == 0)
            clause.who = kUser | kGroup | kOther;
        if (i == part.size())
            return fail(message);
        while (i < part.size()) {
            Action action;
            action.op = part.at(i);
            if (action.op != QLatin1Char('+') && action.op != QLatin1Char('-') &&
                action.op != QLatin1Char('='))
                return fail(message);
            ++i;
            if (i < part.size() && QStringLiteral("ugo").contains(part.at(i))) {
                action.copyFrom = part.at(i++);
            } else {
                for (; i < part.size(); ++i) {
                    const char16_t c = part.at(i).unicode();
                    if (c == u'r')
                        action.bits |= 4;
                    else if (c == u'w')
                        action.bits |= 2;
                    else if (c == u'x')
                        action.bits |= 1;
                    else if (c == u'X')
                        action.conditionalX = true;
                    else if (c == u's')
                        action.bits |= 010;
                    else if (c == u't')
                        action.bits |= 020;
                    else
                        break;
                }
            }
            clause.actions.append(action);
        }
        change.m_clauses.append(clause);
    }
    return change;
}

quint32 FileModeChange::apply(quint32 mode, bool isDirectory) const
{
    if (m_octal)
        return m_mode;
    quint32 result = mode & 07777;
    for (const Clause &clause : m_clauses) {
        for (const Action &action : clause.actions) {
            quint32 rwx = action.bits & 7;
            if (action.conditionalX && (isDirectory || (result & 0111)))
                rwx |= 1;
            if (action.copyFrom == QLatin1Char('u'))
                rwx = (result >> 6) & 7;
            else if (action.copyFrom == QLatin1Char('g'))
                rwx = (result >> 3) & 7;
            else if (action.copyFrom == QLatin1Char('o'))
                rwx = result & 7;
            quint32 bits = spread(rwx, clause.who);
            if (action.bits & 010)
                bits |= clause.who & (04000 | 02000);
            if (action.bits & 020)
                bits |= clause.who & 01000;
            if (action.op == QLatin1Char('+'))
                result |= bits;
            else if (action.op == QLatin1Char('-'))
                result &= ~bits;
            else
                result = (result & ~(clause.who & 07777)) | bits;
        }
    }
    return result;
}

} // namespace stagecraft
