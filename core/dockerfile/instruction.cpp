#include "core/dockerfile/instruction.h"

#include <array>
#include <utility>

namespace stagecraft {

namespace {

using namespace Qt::Literals::StringLiterals;

constexpr std::array<std::pair<InstructionKind, QLatin1StringView>, 18> kKeywords{{
    {InstructionKind::From, "FROM"_L1},
    {InstructionKind::Run, "RUN"_L1},
    {InstructionKind::Cmd, "CMD"_L1},
    {InstructionKind::Label, "LABEL"_L1},
    {InstructionKind::Maintainer, "MAINTAINER"_L1},
    {InstructionKind::Expose, "EXPOSE"_L1},
    {InstructionKind::Env, "ENV"_L1},
    {InstructionKind::Add, "ADD"_L1},
    {InstructionKind::Copy, "COPY"_L1},
    {InstructionKind::Entrypoint, "ENTRYPOINT"_L1},
    {InstructionKind::Volume, "VOLUME"_L1},
    {InstructionKind::User, "USER"_L1},
    {InstructionKind::Workdir, "WORKDIR"_L1},
    {InstructionKind::Arg, "ARG"_L1},
    {InstructionKind::Onbuild, "ONBUILD"_L1},
    {InstructionKind::Stopsignal, "STOPSIGNAL"_L1},
    {InstructionKind::Healthcheck, "HEALTHCHECK"_L1},
    {InstructionKind::Shell, "SHELL"_L1},
}};

} // namespace

QString Heredoc::body() const
{
    if (!chomp)
        return content;
    QString out;
    out.reserve(content.size());
    bool lineStart = true;
    for (const QChar c : content) {
        if (lineStart && c == u'\t')
            continue;
        lineStart = c == u'\n';
        out.append(c);
    }
    return out;
}

bool Instruction::hasFlag(const QString &name) const
{
    for (const Flag &f : flags)
        if (f.name == name)
            return true;
    return false;
}

QString Instruction::flagValue(const QString &name) const
{
    QString value;
    for (const Flag &f : flags)
        if (f.name == name)
            value = f.value;
    return value;
}

QString instructionKeyword(InstructionKind kind)
{
    for (const auto &[k, word] : kKeywords)
        if (k == kind)
            return QString(word);
    return {};
}

InstructionKind instructionKindFromKeyword(QStringView keyword)
{
    // Called for every line while typing: compare lengths before characters.
    for (const auto &[k, word] : kKeywords)
        if (word.size() == keyword.size() && keyword.compare(word, Qt::CaseInsensitive) == 0)
            return k;
    return InstructionKind::Unknown;
}

} // namespace stagecraft
