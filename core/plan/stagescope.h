// What a stage's instructions can see while the plan reads them: the ARGs declared so far
// (with --build-arg and meta ARG values), ENV, WORKDIR and SHELL, and where diagnostics go.
// Words are expanded as BuildKit's dispatcher does: ENV wins over an ARG of the same name.
#pragma once

#include "core/common/diagnostic.h"
#include "core/common/error.h"
#include "core/dockerfile/instruction.h"
#include "core/dockerfile/shelllex.h"

#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class StageScope
{
public:
    StageScope(QChar escape, ExpansionBudget *budget, Diagnostics *diagnostics);

    // FROM <earlier stage>: its ENV, ARGs, WORKDIR and SHELL carry over.
    void inheritFrom(const StageScope &parent);
    // False while an image's configuration may define ENV and WORKDIR the plan cannot see
    // (an external base): references to unknown variables then stay as written.
    void setBaseKnown(bool known);
    bool baseKnown() const { return m_baseKnown; }

    void setArg(const QString &name, const QString &value);
    void setEnv(const QString &name, const QString &value);
    const QHash<QString, QString> &args() const { return m_args; }
    const QStringList &argOrder() const { return m_argOrder; }
    const QHash<QString, QString> &env() const { return m_env; }
    // ARGs then ENV over them: what a word is expanded with.
    const QHash<QString, QString> &variables() const;

    // The working directory when the plan knows it (always after an absolute WORKDIR).
    std::optional<QString> workingDir() const { return m_workingDir; }
    void setWorkingDir(std::optional<QString> dir) { m_workingDir = std::move(dir); }
    QStringList shell() const { return m_shell; }
    void setShell(const QStringList &shell) { m_shell = shell; }

    // BuildKit's ProcessWord; a syntax error or a limit is an error diagnostic at `range`
    // and the word is kept as written.
    QString expand(const QString &word, const SourceRange &range);
    // The same without a diagnostic, for values a caller reports itself (mount fields).
    Expected<QString> tryExpand(const QString &word);
    // A heredoc body whose delimiter was not quoted: quotes and escapes stay as written.
    QString expandHeredoc(const QString &body, const SourceRange &range);

    // Whether an expansion since the last clearUnresolved() left a reference the plan
    // could not resolve (a variable the base image may define).
    bool unresolved() const { return m_unresolved; }
    void clearUnresolved() { m_unresolved = false; }

    void error(const SourceRange &range, const QString &message);
    QChar escape() const { return m_escape; }

private:
    ShellResult run(const QString &word, bool heredoc);

    QChar m_escape;
    ExpansionBudget *m_budget;
    Diagnostics *m_diagnostics;
    bool m_baseKnown = true;
    bool m_unresolved = false;
    QHash<QString, QString> m_args;
    QStringList m_argOrder;
    QHash<QString, QString> m_env;
    mutable QHash<QString, QString> m_variables;
    mutable bool m_variablesValid = false;
    std::optional<QString> m_workingDir = QStringLiteral("/");
    QStringList m_shell{QStringLiteral("/bin/sh"), QStringLiteral("-c")};
};

} // namespace stagecraft
