#include "core/checks/checksession.h"

#include "core/checks/buildchecks.h"

#include <algorithm>
#include <utility>

namespace stagecraft {

namespace {

QString diagnosticKey(const Diagnostic &d)
{
    return QStringLiteral("%1:%2:%3:%4:%5\n%6")
        .arg(d.range.start.line)
        .arg(d.range.start.column)
        .arg(d.range.end.line)
        .arg(d.range.end.column)
        .arg(d.rule, d.message);
}

} // namespace

CheckSession::CheckSession(const Dockerfile &dockerfile, CheckDirective directive)
    : m_directive(std::move(directive))
    , m_lex(dockerfile.directives.escape)
{
    m_lex.setBudget(&m_budget);
}

ShellResult CheckSession::expand(const ShellLex &lex, const QString &word, const ShellLex::EnvLookup &env,
                                 const SourceRange &range, qsizetype offset, bool splitWords)
{
    ShellResult r = splitWords ? lex.processWords(word, env) : lex.processWord(word, env);
    if (!r.limitExceeded())
        return r;
    // Once the budget is spent every later word fails the same way: say it once.
    if (r.errorKind == ShellErrorKind::Budget) {
        if (m_budgetReported)
            return r;
        m_budgetReported = true;
    }
    error(rangeInWord(range, offset + std::max<qsizetype>(0, r.errorOffset)), r.error);
    return r;
}

void CheckSession::report(const char *rule, const Instruction &instruction, const SourceRange &range,
                          const QString &message)
{
    reportAt(rule,
             (range.isValid() && range.start.line == instruction.range.start.line) ? range
                                                                                   : instruction.range,
             message);
}

void CheckSession::reportAt(const char *rule, const SourceRange &range, const QString &message)
{
    const QString name = QLatin1String(rule);
    const std::optional<BuildCheckRule> known = BuildChecks::rule(name);
    if (!known)
        return;
    Diagnostic d;
    if (known->isStagecraft()) {
        const std::optional<Severity> severity =
            m_directive.severityOf(known->name, known->id, known->severity);
        if (!severity)
            return;
        d.severity = *severity;
    } else {
        if (!m_directive.enables(name, known->experimental))
            return;
        d.severity = m_directive.error ? Severity::Error : Severity::Warning;
    }
    d.range = range;
    d.message = message;
    d.rule = name;
    d.url = known->url;
    add(d);
}

void CheckSession::error(const SourceRange &range, const QString &message)
{
    Diagnostic d;
    d.severity = Severity::Error;
    d.range = range;
    d.message = message;
    add(d);
}

void CheckSession::add(const Diagnostic &diagnostic)
{
    const QString key = diagnosticKey(diagnostic);
    if (m_reported.contains(key))
        return;
    m_reported.insert(key);
    m_out.append(diagnostic);
}

Diagnostics CheckSession::take()
{
    std::stable_sort(m_out.begin(), m_out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        if (a.range.start.line != b.range.start.line)
            return a.range.start.line < b.range.start.line;
        return a.message < b.message;
    });
    m_reported.clear();
    return std::exchange(m_out, {});
}

} // namespace stagecraft
