// BuildKit's parse-tree dump (`(from "alpine")`, one line per instruction), the format
// of the conformance cases in tests/data/dockerfile/testfiles and of `stagecraft parse --dump`.
#pragma once

#include "core/dockerfile/dockerfile.h"

#include <QString>
#include <QStringView>

namespace stagecraft {

class ParseDump
{
public:
    // One line per instruction, each ending with '\n'.
    static QString dump(const Dockerfile &file);
    // One instruction without the line end: `(copy ["--from=build"] "/a" "/b")`.
    static QString dump(const Instruction &instruction);
    // Double-quoted the way Go's strconv.Quote does it (\" \\ \n \t \x00 \u00a0 …).
    static QString quote(QStringView text);

private:
    static void appendInstruction(QString &out, const Instruction &instruction);
    static void appendQuoted(QString &out, QStringView text);
};

} // namespace stagecraft
