// What the editor can offer at the cursor: instruction keywords at the start of an
// instruction, the instruction's flags after `--`, stage names after `--from=`.
#pragma once

#include "core/dockerfile/syntaxtokens.h"

#include <QString>
#include <QStringList>

namespace stagecraft {

struct CompletionProposal
{
    enum class Kind { None, Instruction, Flag, Stage };
    Kind kind = Kind::None;
    int replaceStart = 0; // 0-based column where the completed text starts
    QString prefix;       // the text between replaceStart and the cursor
    QStringList candidates;
};

class DockerfileCompletion
{
public:
    // lineBeforeCursor: the line's text up to the cursor; lineStart: the tokenizer state the
    // previous line ended in; stageNames: names (or indexes) of the stages a reference may use.
    static CompletionProposal at(const QString &lineBeforeCursor, const SyntaxState &lineStart,
                                 const QStringList &stageNames);
};

} // namespace stagecraft
