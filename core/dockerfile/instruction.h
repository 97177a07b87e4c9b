// The syntax tree of one Dockerfile instruction: keyword, flags, arguments and heredocs,
// each with the source range the editor underlines. Plain values, cheap to copy.
#pragma once

#include "core/common/sourcerange.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <memory>

namespace stagecraft {

enum class InstructionKind {
    Unknown, // a keyword Docker does not know (diagnosed, kept so the editor can show it)
    From,
    Run,
    Cmd,
    Label,
    Maintainer,
    Expose,
    Env,
    Add,
    Copy,
    Entrypoint,
    Volume,
    User,
    Workdir,
    Arg,
    Onbuild,
    Stopsignal,
    Healthcheck,
    Shell,
};

// "--from=build" is {name "from", value "build", hasValue true}; "--link" has no value.
struct Flag
{
    QString name;
    QString value;
    bool hasValue = false;
    SourceRange range; // the whole flag as written, "--from=build"
};

// One argument as the BuildKit parser's node list holds it (not expanded).
struct Word
{
    QString text;
    SourceRange range;
};

// ENV/LABEL `k=v` or legacy `ENV k v` pairs, and ARG `name[=default]`. Values are as
// written (quotes kept); the shell lexer removes quotes when a stage is planned.
struct KeyValue
{
    QString key;
    QString value;
    bool hasEquals = false; // `k=v` form (for ARG: a default was given)
    SourceRange range;
};

struct Heredoc
{
    QString name;       // the delimiter word without quotes and without `-`
    QString content;    // the body as written (BuildKit's form), lines joined with '\n', ending
                        // with '\n' when non-empty; for `<<-` use body(), which drops the tabs
    bool expand = true; // false when the delimiter was quoted ('EOF' or "EOF")
    bool chomp = false; // `<<-`: leading tabs are removed from each line of the body
    SourceRange range;  // from `<<` to the end of the closing delimiter line

    QString body() const; // content, with leading tabs removed from each line when chomp
};

struct Instruction
{
    InstructionKind kind = InstructionKind::Unknown;
    QString keyword;   // as written: "FROM", "from", "From"
    SourceRange range; // the whole instruction, continuation lines and heredoc bodies included
    SourceRange keywordRange;
    QList<Flag> flags;
    // The node values the BuildKit dump prints after the flags: one per JSON element in
    // exec form; the rest of the (joined) line as one word in shell form; whitespace-split
    // words for FROM, EXPOSE, USER, …; key/value/separator triples for ENV and LABEL.
    QList<Word> args;
    QList<KeyValue> pairs; // ENV, LABEL, ARG
    bool jsonForm = false; // exec form: ["a", "b"]
    QString original;      // the instruction's text, continuation lines joined, comments removed
    QList<Heredoc> heredocs;
    std::shared_ptr<const Instruction> onbuild; // the wrapped instruction of ONBUILD
    QStringList comments; // comment lines right above, '#' and outer spaces removed (stage/ARG docs)

    bool hasFlag(const QString &name) const;
    QString flagValue(const QString &name) const; // value of the last such flag, or empty
};

QString instructionKeyword(InstructionKind kind);                // upper-case canonical keyword, "FROM"
InstructionKind instructionKindFromKeyword(QStringView keyword); // case-insensitive

} // namespace stagecraft
