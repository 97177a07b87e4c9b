// Splits one line of a Dockerfile into coloured tokens for the editor, given the state
// the previous line ended in (continuation, heredoc body, parser-directive header).
#pragma once

#include "core/dockerfile/instruction.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft {

enum class SyntaxTokenKind {
    Keyword,   // FROM, RUN, AS, the instruction after ONBUILD
    Flag,      // --from=, --mount=type=cache (the part a value does not cover)
    Variable,  // $X, ${X}, ${X:-default}
    String,    // "…" or '…'
    Comment,   // # … at the start of a line
    Heredoc,   // <<EOF markers, heredoc bodies and closing delimiters
    StageName, // the name after AS, the value of --from= and of mount from=
    Directive, // # syntax=…, # escape=…, # check=… before the first instruction
    Escape,    // the line-continuation escape at the end of a line
};

struct SyntaxToken
{
    SyntaxTokenKind kind = SyntaxTokenKind::Keyword;
    int start = 0; // 0-based UTF-16 offset in the line
    int length = 0;

    friend bool operator==(const SyntaxToken &, const SyntaxToken &) = default;
};

// What a line leaves behind for the next one. Plain value; hash() gives a compact
// number a QSyntaxHighlighter can store as its block state.
struct SyntaxState
{
    enum class Mode { Instruction, Continuation, HeredocBody };
    Mode mode = Mode::Instruction;
    InstructionKind kind = InstructionKind::Unknown; // the instruction being continued
    int wordIndex = 0;        // words seen so far in the instruction (after the keyword)
    bool flagsAllowed = true; // flags come before the first argument
    bool directivesAllowed = true;
    QChar escape = QLatin1Char('\\');
    QStringList heredocs; // delimiters still to be closed, first first
    QList<bool> chomp;    // `<<-` for each of heredocs

    friend bool operator==(const SyntaxState &, const SyntaxState &) = default;
    int hash() const;
};

struct SyntaxLine
{
    QList<SyntaxToken> tokens; // in line order, non-overlapping
    SyntaxState state;         // the state after the line
};

class SyntaxTokenizer
{
public:
    static SyntaxLine tokenizeLine(const QString &line, const SyntaxState &previous = {});
    // Tokens for a whole text, line by line (tests, non-editor callers).
    static QList<QList<SyntaxToken>> tokenizeText(const QString &text);
};

QString syntaxTokenKindName(SyntaxTokenKind kind); // "keyword", "flag", … for tests and dumps

} // namespace stagecraft
