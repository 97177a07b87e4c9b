#include "core/dockerfile/instruction.h"

#include <array>
#include <utility>

namespace stagecraft {

namespace {

constexpr std::array<std::pair<InstructionKind, const char *>, 18> kKeywords{{
    {InstructionKind::From, "FROM"},
    {InstructionKind::Run, "RUN"},
    {InstructionKind::Cmd, "CMD"},
    {InstructionKind::Label, "LABEL"},
    {InstructionKind::Maintainer, "MAINTAINER"},
    {InstructionKind::Expose, "EXPOSE"},
    {InstructionKind::Env, "ENV"},
    {InstructionKind::Add, "ADD"},
    {InstructionKind::Copy, "COPY"},
    {InstructionKind::Entrypoint, "ENTRYPOINT"},
    {InstructionKind::Volume, "VOLUME"},
    {InstructionKind::User, "USER"},
    {InstructionKind::Workdir, "WORKDIR"},
    {InstructionKind::Arg, "ARG"},
    {InstructionKind::Onbuild, "ONBUILD"},
    {InstructionKind::Stopsignal, "STOPSIGNAL"},
    {InstructionKind::Healthcheck, "HEALTHCHECK"},
    {InstructionKind::Shell, "SHELL"},
}};

} // namespace

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
            return QString::fromLatin1(word);
    return {};
}

InstructionKind instructionKindFromKeyword(QStringView keyword)
{
    for (const auto &[k, word] : kKeywords)
        if (keyword.compare(QLatin1String(word), Qt::CaseInsensitive) == 0)
            return k;
    return InstructionKind::Unknown;
}

} // namespace stagecraft
