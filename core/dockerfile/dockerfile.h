// A parsed Dockerfile: parser directives, instructions in file order and the
// diagnostics found while parsing. Produced by DockerfileParser; never fails as a whole.
#pragma once

#include "core/common/diagnostic.h"
#include "core/dockerfile/instruction.h"

#include <QList>
#include <QString>

namespace stagecraft {

struct ParserDirectives
{
    QChar escape = QLatin1Char('\\');
    QString syntax; // `# syntax=` value, empty when absent
    QString check;  // `# check=` value, e.g. "skip=JSONArgsRecommended;error=true"
};

struct Dockerfile
{
    ParserDirectives directives;
    QList<Instruction> instructions;
    Diagnostics diagnostics; // syntax errors and warnings (build checks are separate)
    // 1-based numbers of whitespace-only lines inside a continued instruction. BuildKit
    // skips them but warns (build check NoEmptyContinuation); the parser only records them.
    QList<int> emptyContinuationLines;
};

} // namespace stagecraft
