#include "app/command.h"

#include "core/common/controlcharacters.h"
#include "ui/examplecatalog.h"

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

// Set while commandHelp() runs a command: printOut appends here instead of writing.
QString *g_capturedOut = nullptr;

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

QString programUsage()
{
    QString text = QStringLiteral(
        "Usage: stagecraft [FILE | --example ID] [--store DIR] [--screenshot PNG [--dark|--light]]\n"
        "       stagecraft --compare A B [--store DIR] [--screenshot PNG [--dark|--light]]\n"
        "       stagecraft <command> [options]\n"
        "       stagecraft --version\n"
        "\n"
        "With no command, opens the window on FILE (a Dockerfile) or a built-in example.\n"
        "\n"
        "  --example ID        open a built-in example, one of:\n"
        "                      %1\n"
        "  --compare A B       compare two images' layers (store references, `docker save`\n"
        "                      tarballs or OCI layout directories)\n"
        "  --store DIR         the image store (default $STAGECRAFT_STORE, else in the user's\n"
        "                      data directory)\n"
        "  --screenshot PNG    render the window to PNG and exit (offscreen without a display)\n"
        "  --dark, --light     the theme, for --screenshot\n"
        "  --version           print the version\n"
        "\nCommands:\n");
    QStringList examples;
    for (const ui::Example &e : ui::ExampleCatalog::examples())
        examples.append(e.id);
    text = text.arg(examples.join(QStringLiteral(", ")));
    for (const Command &c : registeredCommands())
        if (!c.hidden)
            text += QStringLiteral("  %1%2\n").arg(c.name, -10).arg(c.summary);
    text += QStringLiteral("\nRun `stagecraft <command> --help` for a command's options.\n");
    return text;
}

QString commandHelp(const Command &command)
{
    QString text;
    g_capturedOut = &text;
    command.run({QStringLiteral("--help")});
    g_capturedOut = nullptr;
    return text;
}

void printOutRaw(const QString &text)
{
    if (g_capturedOut) {
        *g_capturedOut += text;
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    std::fwrite(utf8.constData(), 1, size_t(utf8.size()), stdout);
    std::fflush(stdout);
}

void printOut(const QString &text)
{
    if (g_capturedOut) {
        *g_capturedOut += text;
        return;
    }
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
