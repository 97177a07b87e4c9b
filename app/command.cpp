#include "app/command.h"

#include "core/common/controlcharacters.h"

#include <QTextStream>

#include <algorithm>
#include <cstdio>

namespace stagecraft::app {

namespace {

QList<Command> &registry()
{
    static QList<Command> commands;
    return commands;
}

} // namespace

CommandRegistration::CommandRegistration(Command command)
{
    registry().append(std::move(command));
}

const QList<Command> &registeredCommands()
{
    std::sort(registry().begin(), registry().end(),
              [](const Command &a, const Command &b) { return a.name < b.name; });
    return registry();
}

const Command *findCommand(const QString &name)
{
    for (const Command &c : registry())
        if (c.name == name)
            return &c;
    return nullptr;
}

void printOutRaw(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
    std::fflush(stdout);
}

void printOut(const QString &text)
{
    const QByteArray utf8 = escapeControlCharacters(text, LineBreaks::Keep).toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
    std::fflush(stdout);
}

void printErr(const QString &text)
{
    const QByteArray utf8 = escapeControlCharacters(text, LineBreaks::Keep).toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stderr);
    std::fflush(stderr);
}

} // namespace stagecraft::app
