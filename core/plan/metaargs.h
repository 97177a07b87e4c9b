// The variables a FROM line and a --from value can expand: the ARGs declared before the
// first FROM (with --build-arg overrides) and the predefined platform ARGs, as BuildKit has them.
#pragma once

#include "core/dockerfile/dockerfile.h"
#include "core/plan/stagegraph.h"

#include <QHash>
#include <QList>
#include <QString>

namespace stagecraft {

class MetaArgs
{
public:
    explicit MetaArgs(const PlanOptions &options);

    // Records an ARG instruction that comes before the first FROM.
    void declare(const Instruction &arg, QChar escape);

    // Expands a FROM argument (base reference, --platform) with the meta ARGs.
    // A word that cannot be expanded (`${a`) is returned as written, with *error set.
    QString expand(const QString &word, QChar escape, QString *error = nullptr);

    // Expands a value inside a stage (`COPY --from=$STAGE`): only ARGs declared in the stage
    // up to that point are visible; a bare `ARG NAME` takes the meta ARG's value.
    QString expandInStage(const QString &word, const Dockerfile &dockerfile, const Stage &stage,
                          int beforeInstruction, QString *error = nullptr);

    // The meta ARG environment (evaluated on first use: most FROM lines expand nothing).
    const QHash<QString, QString> &environment();

    // Platform parts of "os/arch[/variant]".
    static void splitPlatform(const QString &platform, QString *os, QString *arch, QString *variant);

private:
    const PlanOptions &m_options;
    QList<const Instruction *> m_declarations;
    QChar m_escape = QLatin1Char('\\');
    QHash<QString, QString> m_env;
    bool m_evaluated = false;
};

} // namespace stagecraft
