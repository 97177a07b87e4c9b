#include "core/plan/metaargs.h"

#include "core/dockerfile/shelllex.h"

namespace stagecraft {

namespace {

bool needsExpansion(const QString &word, QChar escape)
{
    for (const QChar c : word)
        if (c == QLatin1Char('$') || c == QLatin1Char('"') || c == QLatin1Char('\'') || c == escape)
            return true;
    return false;
}

} // namespace

MetaArgs::MetaArgs(const PlanOptions &options)
    : m_options(options)
{}

// BuildKit's ProcessWord: expansion and quote removal. A syntax error (`${a`) leaves the
// word as written and says why in *error.
QString MetaArgs::expandWord(const QString &word, QChar escape, const QHash<QString, QString> &env,
                             QString *error, qsizetype *errorOffset)
{
    ShellLex lex(escape);
    lex.setBudget(&m_budget);
    const ShellResult result = lex.processWord(word, env);
    if (!result.ok()) {
        if (error && error->isEmpty()) {
            *error = result.error;
            if (errorOffset)
                *errorOffset = result.errorOffset;
        }
        return word;
    }
    return result.value;
}

// An ARG's default; a limit that stops it is an error at the reference (the build would
// otherwise go on with the default as written).
QString MetaArgs::expandDefault(const KeyValue &pair, QChar escape, const QHash<QString, QString> &env)
{
    QString error;
    qsizetype offset = -1;
    QString value = expandWord(pair.value, escape, env, &error, &offset);
    if (offset >= 0) {
        // Past a limit the value is unknown; empty keeps a chain of doubling ARGs from
        // growing again from the text as written.
        value.clear();
        Diagnostic d;
        d.severity = Severity::Error;
        d.range = rangeInWord(pair.range, pair.key.size() + 1 + offset);
        d.message = error;
        const QString key =
            QStringLiteral("%1:%2\n%3").arg(d.range.start.line).arg(d.range.start.column).arg(error);
        if (!m_limitReported.contains(key)) {
            m_limitReported.insert(key);
            m_limitDiagnostics.append(d);
        }
    }
    return value;
}

void MetaArgs::declare(const Instruction &arg, QChar escape)
{
    m_declarations.append(&arg);
    m_escape = escape;
    m_evaluated = false;
}

void MetaArgs::splitPlatform(const QString &platform, QString *os, QString *arch, QString *variant)
{
    const QStringList parts = platform.split(QLatin1Char('/'));
    *os = parts.value(0);
    *arch = parts.value(1);
    *variant = parts.value(2);
}

const QHash<QString, QString> &MetaArgs::environment()
{
    if (m_evaluated)
        return m_env;
    m_evaluated = true;
    m_env.clear();
    QString os, arch, variant;
    splitPlatform(m_options.platform, &os, &arch, &variant);
    // Docker builds for the platform it runs on unless told otherwise, so the target and
    // build platforms start equal.
    m_env.insert(QStringLiteral("TARGETPLATFORM"), m_options.platform);
    m_env.insert(QStringLiteral("TARGETOS"), os);
    m_env.insert(QStringLiteral("TARGETARCH"), arch);
    m_env.insert(QStringLiteral("TARGETVARIANT"), variant);
    m_env.insert(QStringLiteral("BUILDPLATFORM"), m_options.platform);
    m_env.insert(QStringLiteral("BUILDOS"), os);
    m_env.insert(QStringLiteral("BUILDARCH"), arch);
    m_env.insert(QStringLiteral("BUILDVARIANT"), variant);

    for (const Instruction *arg : std::as_const(m_declarations)) {
        for (const KeyValue &pair : arg->pairs) {
            if (const auto it = m_options.buildArgs.constFind(pair.key); it != m_options.buildArgs.constEnd())
                m_env.insert(pair.key, *it);
            else if (pair.hasEquals)
                m_env.insert(pair.key, expandDefault(pair, m_escape, m_env));
            // A bare `ARG NAME` without --build-arg leaves NAME unset, but keeps a
            // predefined platform value.
        }
    }
    return m_env;
}

QString MetaArgs::expand(const QString &word, QChar escape, QString *error, qsizetype *errorOffset)
{
    if (!needsExpansion(word, escape))
        return word;
    return expandWord(word, escape, environment(), error, errorOffset);
}

QString MetaArgs::expandInStage(const QString &word, const Dockerfile &dockerfile, const Stage &stage,
                                int beforeInstruction, QString *error, qsizetype *errorOffset)
{
    const QChar escape = dockerfile.directives.escape;
    if (!needsExpansion(word, escape))
        return word;
    const QHash<QString, QString> &meta = environment();
    // Re-reading the stage from its FROM for every reference would be quadratic in a stage
    // with many ARGs and references: carry on from where the last call stopped.
    if (m_stageFrom != stage.fromInstruction || m_stageNext > beforeInstruction) {
        m_stageFrom = stage.fromInstruction;
        m_stageNext = stage.fromInstruction + 1;
        m_stageEnv.clear();
    }
    QHash<QString, QString> &env = m_stageEnv;
    for (; m_stageNext < beforeInstruction && m_stageNext < dockerfile.instructions.size(); ++m_stageNext) {
        const Instruction &ins = dockerfile.instructions.at(m_stageNext);
        if (ins.kind != InstructionKind::Arg)
            continue;
        for (const KeyValue &pair : ins.pairs) {
            if (const auto it = m_options.buildArgs.constFind(pair.key); it != m_options.buildArgs.constEnd())
                env.insert(pair.key, *it);
            else if (pair.hasEquals)
                env.insert(pair.key, expandDefault(pair, escape, env));
            else if (const auto m = meta.constFind(pair.key); m != meta.constEnd())
                env.insert(pair.key, *m);
        }
    }
    return expandWord(word, escape, env, error, errorOffset);
}

} // namespace stagecraft
