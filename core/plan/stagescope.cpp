#include "core/plan/stagescope.h"

namespace stagecraft {

StageScope::StageScope(QChar escape, ExpansionBudget *budget, Diagnostics *diagnostics)
    : m_escape(escape)
    , m_budget(budget)
    , m_diagnostics(diagnostics)
{}

void StageScope::inheritFrom(const StageScope &parent)
{
    m_baseKnown = parent.m_baseKnown;
    m_args = parent.m_args;
    m_argOrder = parent.m_argOrder;
    m_env = parent.m_env;
    m_workingDir = parent.m_workingDir;
    m_shell = parent.m_shell;
    m_variablesValid = false;
}

void StageScope::setBaseKnown(bool known)
{
    m_baseKnown = known;
    if (!known)
        m_workingDir.reset();
}

void StageScope::setArg(const QString &name, const QString &value)
{
    if (!m_args.contains(name))
        m_argOrder.append(name);
    m_args.insert(name, value);
    m_variablesValid = false;
}

void StageScope::setEnv(const QString &name, const QString &value)
{
    m_env.insert(name, value);
    m_variablesValid = false;
}

const QHash<QString, QString> &StageScope::variables() const
{
    if (!m_variablesValid) {
        m_variables = m_args;
        for (auto it = m_env.constBegin(); it != m_env.constEnd(); ++it)
            m_variables.insert(it.key(), it.value());
        m_variablesValid = true;
    }
    return m_variables;
}

ShellResult StageScope::run(const QString &word, bool heredoc)
{
    ShellLex lex(m_escape);
    lex.setBudget(m_budget);
    lex.setSkipUnsetEnv(!m_baseKnown);
    if (heredoc) {
        lex.setRawQuotes(true);
        lex.setRawEscapes(true);
    }
    // Looked up in place: merging ARGs and ENV into one table for every word would cost a
    // copy of all of them per expansion in a stage that inherits hundreds.
    const ShellLex::EnvLookup lookup = [this](const QString &name) -> std::optional<QString> {
        if (const auto it = m_env.constFind(name); it != m_env.constEnd())
            return *it;
        if (const auto it = m_args.constFind(name); it != m_args.constEnd())
            return *it;
        return std::nullopt;
    };
    ShellResult result = lex.processWord(word, lookup);
    if (!m_baseKnown && !result.unmatched.isEmpty())
        m_unresolved = true;
    return result;
}

QString StageScope::expand(const QString &word, const SourceRange &range)
{
    if (!word.contains(QLatin1Char('$')) && !word.contains(QLatin1Char('"')) &&
        !word.contains(QLatin1Char('\'')) && !word.contains(m_escape))
        return word;
    const ShellResult result = run(word, false);
    if (!result.ok()) {
        error(result.errorOffset >= 0 ? rangeInWord(range, result.errorOffset) : range, result.error);
        return word;
    }
    return result.value;
}

Expected<QString> StageScope::tryExpand(const QString &word)
{
    const ShellResult result = run(word, false);
    if (!result.ok())
        return fail(result.error);
    return result.value;
}

QString StageScope::expandHeredoc(const QString &body, const SourceRange &range)
{
    const ShellResult result = run(body, true);
    if (!result.ok()) {
        error(range, result.error);
        return body;
    }
    return result.value;
}

void StageScope::error(const SourceRange &range, const QString &message)
{
    Diagnostic d;
    d.severity = Severity::Error;
    d.range = range;
    d.message = message;
    m_diagnostics->append(d);
}

} // namespace stagecraft
