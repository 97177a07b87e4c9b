// The variables a FROM line and a --from value can expand: the ARGs declared before the
// first FROM (with --build-arg overrides) and the predefined platform ARGs, as BuildKit has them.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/dockerfile.h"
#include "core/dockerfile/shelllex.h"
#include "core/plan/stagegraph.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

namespace stagecraft {

class MetaArgs
{
public:
    explicit MetaArgs(const PlanOptions &options);

    // Records an ARG instruction that comes before the first FROM.
    void declare(const Instruction &arg, QChar escape);

    // Expands a FROM argument (base reference, --platform) with the meta ARGs.
    // A word that cannot be expanded (`${a`) is returned as written, with *error set and,
    // when a limit stopped it, *errorOffset at the reference inside the word (else -1).
    QString expand(const QString &word, QChar escape, QString *error = nullptr,
                   qsizetype *errorOffset = nullptr);

    // Expands a value inside a stage (`COPY --from=$STAGE`): only ARGs declared in the stage
    // up to that point are visible; a bare `ARG NAME` takes the meta ARG's value.
    // Calls for one stage in increasing instruction order reuse the ARGs already evaluated.
    QString expandInStage(const QString &word, const Dockerfile &dockerfile, const Stage &stage,
                          int beforeInstruction, QString *error = nullptr, qsizetype *errorOffset = nullptr);

    // The meta ARG environment (evaluated on first use: most FROM lines expand nothing).
    const QHash<QString, QString> &environment();

    // Expansion limits hit while evaluating ARG defaults (the meta ARGs or a stage's), as
    // errors at the reference's line and column.
    const Diagnostics &limitDiagnostics() const { return m_limitDiagnostics; }

    // Platform parts of "os/arch[/variant]".
    static void splitPlatform(const QString &platform, QString *os, QString *arch, QString *variant);

private:
    QString expandWord(const QString &word, QChar escape, const QHash<QString, QString> &env, QString *error,
                       qsizetype *errorOffset);
    QString expandDefault(const KeyValue &pair, QChar escape, const QHash<QString, QString> &env);

    const PlanOptions &m_options;
    QList<const Instruction *> m_declarations;
    QChar m_escape = QLatin1Char('\\');
    QHash<QString, QString> m_env;
    bool m_evaluated = false;
    // One budget for every expansion of the file, so many ARGs cannot add up without bound.
    ExpansionBudget m_budget;
    Diagnostics m_limitDiagnostics;
    QSet<QString> m_limitReported;
    // expandInStage's progress: the stage, the next instruction to read and the ARGs so far.
    int m_stageFrom = -1;
    int m_stageNext = -1;
    QHash<QString, QString> m_stageEnv;
};

} // namespace stagecraft
