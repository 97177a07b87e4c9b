// Reference text for each Dockerfile instruction and its flags: the syntax line, a short
// help paragraph and the flags with their help, for hover tooltips and completion.
// The texts are marked for translation in the "stagecraft::InstructionDocs" context;
// the window translates them when it shows them.
#pragma once

#include "core/dockerfile/instruction.h"

#include <QList>
#include <QString>

namespace stagecraft {

struct FlagDoc
{
    QString name;               // without dashes: "from"
    QString valueHint;          // "<stage|image>", empty for a flag without a value ("--link")
    const char *help = nullptr; // English, untranslated (QT_TRANSLATE_NOOP)

    QString completion() const; // "--from=" or "--link"
};

struct InstructionDoc
{
    InstructionKind kind = InstructionKind::Unknown;
    QString keyword;               // "FROM"
    QString syntax;                // "FROM [--platform=<platform>] <image> [AS <name>]"
    const char *summary = nullptr; // English, untranslated (QT_TRANSLATE_NOOP)
    QList<FlagDoc> flags;
};

class InstructionDocs
{
public:
    static const char *translationContext() { return "stagecraft::InstructionDocs"; }
    static const QList<InstructionDoc> &all();                 // in the order a reference lists them
    static const InstructionDoc *find(InstructionKind kind);   // nullptr for Unknown
    static const InstructionDoc *find(const QString &keyword); // case-insensitive
    static QStringList keywords();                             // "FROM", "RUN", …
};

} // namespace stagecraft
