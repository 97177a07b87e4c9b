// libFuzzer entry point for DockerfileParser: any bytes must parse without a crash, a hang
// or a sanitizer report, and every range the parser hands out must be well formed.
#include "core/dockerfile/dockerfileparser.h"
#include "core/dockerfile/parsedump.h"

#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace stagecraft;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort(); // libFuzzer reports the input that broke an invariant
}

void checkRange(const SourceRange &r, int lines)
{
    require(r.start.line >= 1 && r.start.column >= 1);
    require(r.start <= r.end);
    require(r.end.line <= lines + 1);
}

void checkInstruction(const Instruction &ins, int lines)
{
    checkRange(ins.range, lines);
    checkRange(ins.keywordRange, lines);
    require(ins.range.start.line <= ins.keywordRange.start.line);
    for (const Flag &f : ins.flags)
        checkRange(f.range, lines);
    for (const Word &w : ins.args) {
        checkRange(w.range, lines);
        require(w.range.end <= ins.range.end);
    }
    for (const KeyValue &kv : ins.pairs)
        checkRange(kv.range, lines);
    for (const Heredoc &h : ins.heredocs)
        checkRange(h.range, lines);
    if (ins.onbuild)
        checkInstruction(*ins.onbuild, lines);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Dockerfile file = DockerfileParser::parse(text);
    const int lines = int(text.count(QLatin1Char('\n'))) + 1;
    int previousLine = 0;
    for (const Instruction &ins : file.instructions) {
        checkInstruction(ins, lines);
        require(ins.range.start.line > previousLine); // instructions never overlap
        previousLine = ins.range.end.line;
    }
    for (const Diagnostic &d : file.diagnostics)
        checkRange(d.range, lines);
    const QString dump = ParseDump::dump(file);
    require(dump.count(QLatin1Char('\n')) == file.instructions.size());
    return 0;
}
