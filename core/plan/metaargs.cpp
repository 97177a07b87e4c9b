#include "core/plan/metaargs.h"

#include "core/dockerfile/shelllex.h"

namespace stagecraft {

namespace {

// BuildKit's ProcessWord: expansion and quote removal. A syntax error (`${a`) leaves the
// word as written and says why in *error.
QString expandWord(const QString &word, QChar escape, const QHash<QString, QString> &env, QString *error)
{
    const ShellResult result = ShellLex(escape).processWord(word, env);
    if (!result.ok()) {
        if (error && error->isEmpty())
            *error = result.error;
        return word;
    }
    return result.value;
}

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
                m_env.insert(pair.key, expandWord(pair.value, m_escape, m_env, nullptr));
            // A bare `ARG NAME` without --build-arg leaves NAME unset, but keeps a
            // predefined platform value.
        }
    }
    return m_env;
}

QString MetaArgs::expand(const QString &word, QChar escape, QString *error)
{
    if (!needsExpansion(word, escape))
        return word;
    return expandWord(word, escape, environment(), error);
}

QString MetaArgs::expandInStage(const QString &word, const Dockerfile &dockerfile, const Stage &stage,
                                int beforeInstruction, QString *error)
{
    const QChar escape = dockerfile.directives.escape;
    if (!needsExpansion(word, escape))
        return word;
    const QHash<QString, QString> &meta = environment();
    QHash<QString, QString> env;
    for (int i = stage.fromInstruction + 1; i < beforeInstruction && i < dockerfile.instructions.size();
         ++i) {
        const Instruction &ins = dockerfile.instructions.at(i);
        if (ins.kind != InstructionKind::Arg)
            continue;
        for (const KeyValue &pair : ins.pairs) {
            if (const auto it = m_options.buildArgs.constFind(pair.key); it != m_options.buildArgs.constEnd())
                env.insert(pair.key, *it);
            else if (pair.hasEquals)
                env.insert(pair.key, expandWord(pair.value, escape, env, nullptr));
            else if (const auto m = meta.constFind(pair.key); m != meta.constEnd())
                env.insert(pair.key, *m);
        }
    }
    return expandWord(word, escape, env, error);
}

} // namespace stagecraft
