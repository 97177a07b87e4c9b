// What one run of the build checks shares between its rules: the `# check=` directive that
// decides which rules report and how severely, the diagnostics so far (each place, rule and
// message once), the one expansion budget for the whole file and the suggestion budget.
#pragma once

#include "core/checks/checkdirective.h"
#include "core/checks/namesuggestions.h"
#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/dockerfile/shelllex.h"

#include <QSet>
#include <QString>

namespace stagecraft {

class CheckSession
{
public:
    CheckSession(const Dockerfile &dockerfile, CheckDirective directive);
    CheckSession(const CheckSession &) = delete;
    CheckSession &operator=(const CheckSession &) = delete;

    const CheckDirective &directive() const { return m_directive; }
    // A lexer with the file's escape character, spending the run's budget.
    const ShellLex &lex() const { return m_lex; }
    ExpansionBudget *budget() { return &m_budget; }
    NameSuggestions &suggestions() { return m_suggestions; }

    // Expands `word` written at `range` (its text starting `offset` characters in) and
    // reports a limit that stopped it as an error at the reference's line and column.
    ShellResult expand(const ShellLex &lex, const QString &word, const ShellLex::EnvLookup &env,
                       const SourceRange &range, qsizetype offset = 0, bool splitWords = false);

    // A violation of `rule` in `instruction`. BuildKit points at the instruction; a narrower
    // range is kept only while it starts on the same line, so "line N" stays what
    // `docker build --check` prints.
    void report(const char *rule, const Instruction &instruction, const SourceRange &range,
                const QString &message);
    void report(const char *rule, const Instruction &instruction, const QString &message)
    {
        report(rule, instruction, instruction.range, message);
    }
    // The same at exactly `range` (an ONBUILD trigger reported at the child's FROM, an empty
    // continuation line at the instruction's last line).
    void reportAt(const char *rule, const SourceRange &range, const QString &message);
    // A refusal that is no rule (an expansion limit): always an error, whatever the directive.
    void error(const SourceRange &range, const QString &message);

    // The diagnostics sorted by line, then message.
    Diagnostics take();

private:
    void add(const Diagnostic &diagnostic);

    CheckDirective m_directive;
    ExpansionBudget m_budget;
    ShellLex m_lex;
    NameSuggestions m_suggestions;
    bool m_budgetReported = false;
    Diagnostics m_out;
    QSet<QString> m_reported; // place, rule and message of each diagnostic in m_out
};

} // namespace stagecraft
