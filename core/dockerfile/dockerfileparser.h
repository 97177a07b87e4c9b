// Turns Dockerfile text into instructions with source ranges and diagnostics, following
// BuildKit's parser: directives, continuations, JSON/shell form, flags, heredocs.
#pragma once

#include "core/dockerfile/dockerfile.h"
#include "core/dockerfile/logicalline.h"

#include <QHash>
#include <QString>
#include <QStringView>

namespace stagecraft {

class DockerfileParser
{
public:
    // Never fails as a whole: problems are error/warning diagnostics in the result, and
    // parsing goes on after each one so a half-typed line never hides the rest.
    static Dockerfile parse(QStringView text);

private:
    explicit DockerfileParser(QStringView text);

    struct WordSpan
    {
        qsizetype begin = 0;
        qsizetype end = 0;
    };

    void run();
    bool readLine(QStringView *line);
    void handleDirective(QStringView line, int column);
    bool trimContinuation(QStringView *line) const;
    void parseInstruction(Instruction &ins, qsizetype begin, qsizetype end, int depth);
    qsizetype parseFlags(Instruction &ins, qsizetype begin, qsizetype end);
    void parseArguments(Instruction &ins, qsizetype begin, qsizetype end, int depth);
    void parseMaybeJson(Instruction &ins, qsizetype begin, qsizetype end, bool toList);
    void parseWhitespaceList(Instruction &ins, qsizetype begin, qsizetype end);
    void parseNameValue(Instruction &ins, qsizetype begin, qsizetype end);
    void parseArg(Instruction &ins, qsizetype begin, qsizetype end);
    void parseHealthcheck(Instruction &ins, qsizetype begin, qsizetype end);
    void collectHeredocs(Instruction &ins, qsizetype begin, qsizetype end);
    void readHeredocBodies(Instruction &ins, int *lastLine, QStringView *lastText);
    void validate(const Instruction &ins, bool nested);
    void validateFlags(const Instruction &ins);
    void rejectNul(const Instruction &ins);

    QList<WordSpan> splitWords(qsizetype begin, qsizetype end) const;
    Word makeWord(qsizetype begin, qsizetype end) const;
    void addDiagnostic(Severity severity, const SourceRange &range, const QString &message);

    QStringView m_text;
    qsizetype m_pos = 0;
    int m_lineNumber = 0;
    QChar m_escape = QLatin1Char('\\');
    bool m_directivesDone = false;
    bool m_seenEscape = false;
    bool m_seenSyntax = false;
    bool m_seenCheck = false;
    LogicalLine m_line;
    // Heredoc delimiters ("-" or "+" for <<- or <<, then the name) known to be missing from
    // a text position to the end of the file.
    QHash<QString, qsizetype> m_missingDelimiters;
    Dockerfile m_result;
};

} // namespace stagecraft
