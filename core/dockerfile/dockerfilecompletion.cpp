#include "core/dockerfile/dockerfilecompletion.h"

#include "core/dockerfile/instructiondocs.h"

namespace stagecraft {

CompletionProposal DockerfileCompletion::at(const QString &lineBeforeCursor, const SyntaxState &lineStart,
                                            const QStringList &stageNames)
{
    CompletionProposal proposal;
    if (lineStart.mode == SyntaxState::Mode::HeredocBody)
        return proposal;

    qsizetype first = 0;
    while (first < lineBeforeCursor.size() && lineBeforeCursor.at(first).isSpace())
        ++first;
    if (first < lineBeforeCursor.size() && lineBeforeCursor.at(first) == QLatin1Char('#'))
        return proposal;

    qsizetype wordStart = lineBeforeCursor.size();
    while (wordStart > 0 && !lineBeforeCursor.at(wordStart - 1).isSpace())
        --wordStart;
    const QString word = lineBeforeCursor.mid(wordStart);

    InstructionKind kind = lineStart.kind;
    bool flagsAllowed = lineStart.flagsAllowed;
    int wordsBefore = lineStart.wordIndex; // arguments (not flags) before the current word
    if (lineStart.mode == SyntaxState::Mode::Instruction) {
        if (wordStart == first) {
            for (QChar c : word)
                if (!c.isLetter())
                    return proposal;
            proposal.kind = CompletionProposal::Kind::Instruction;
            proposal.replaceStart = int(wordStart);
            proposal.prefix = word;
            proposal.candidates = InstructionDocs::keywords();
            return proposal;
        }
        qsizetype keywordEnd = first;
        while (keywordEnd < lineBeforeCursor.size() && !lineBeforeCursor.at(keywordEnd).isSpace())
            ++keywordEnd;
        kind = instructionKindFromKeyword(lineBeforeCursor.mid(first, keywordEnd - first));
        flagsAllowed = true;
        wordsBefore = 0;
        first = keywordEnd;
    }
    if (kind == InstructionKind::Unknown)
        return proposal;

    const QStringList earlier =
        lineBeforeCursor.mid(first, wordStart - first).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &w : earlier) {
        if (flagsAllowed && w.startsWith(QLatin1String("--")))
            continue;
        flagsAllowed = false;
        ++wordsBefore;
    }

    if (word.startsWith(QLatin1String("--from="), Qt::CaseInsensitive)) {
        proposal.kind = CompletionProposal::Kind::Stage;
        proposal.replaceStart = int(wordStart + 7);
        proposal.prefix = word.mid(7);
        proposal.candidates = stageNames;
        return proposal;
    }
    if (word.startsWith(QLatin1String("--mount="), Qt::CaseInsensitive)) {
        const qsizetype optionStart = std::max(word.lastIndexOf(QLatin1Char(',')), qsizetype(7)) + 1;
        if (word.mid(optionStart).startsWith(QLatin1String("from="), Qt::CaseInsensitive)) {
            proposal.kind = CompletionProposal::Kind::Stage;
            proposal.replaceStart = int(wordStart + optionStart + 5);
            proposal.prefix = word.mid(optionStart + 5);
            proposal.candidates = stageNames;
        }
        return proposal;
    }
    if (flagsAllowed && word.startsWith(QLatin1Char('-')) && !word.contains(QLatin1Char('='))) {
        const InstructionDoc *doc = InstructionDocs::find(kind);
        if (!doc || doc->flags.isEmpty())
            return proposal;
        proposal.kind = CompletionProposal::Kind::Flag;
        proposal.replaceStart = int(wordStart);
        proposal.prefix = word;
        for (const FlagDoc &f : doc->flags)
            proposal.candidates.append(f.completion());
        return proposal;
    }
    if (kind == InstructionKind::From && wordsBefore == 0 && !word.startsWith(QLatin1Char('-')) &&
        !stageNames.isEmpty()) {
        // `FROM build`: a stage can be the base of another.
        proposal.kind = CompletionProposal::Kind::Stage;
        proposal.replaceStart = int(wordStart);
        proposal.prefix = word;
        proposal.candidates = stageNames;
    }
    return proposal;
}

} // namespace stagecraft
