#include "core/dockerfile/parsedump.h"

namespace stagecraft {

namespace {

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
bool isGoPrintable(char32_t c)
{
    if (c < 0x80)
        return c >= 0x20 && c < 0x7F;
    switch (QChar::category(c)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Space:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph: return false;
    default: return true;
    }
}

void appendHex(QString &out, char32_t value, int digits)
{
    static constexpr char16_t kHex[] = u"0123456789abcdef";
    for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        out.append(QChar(kHex[(value >> shift) & 0xF]));
}

} // namespace

void ParseDump::appendQuoted(QString &out, QStringView text)
{
    out.append(u'"');
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < n && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(char16_t(c), text[i + 1].unicode());
            ++i;
        } else if (QChar::isSurrogate(c)) {
            c = 0xFFFD; // what Go sees after the text went through UTF-8
        }
        switch (c) {
        case U'"': out.append(u"\\\""); continue;
        case U'\\': out.append(u"\\\\"); continue;
        default: break;
        }
        if (isGoPrintable(c)) {
            if (c >= 0x10000) {
                out.append(QChar(QChar::highSurrogate(c)));
                out.append(QChar(QChar::lowSurrogate(c)));
            } else {
                out.append(QChar(char16_t(c)));
            }
            continue;
        }
        switch (c) {
        case U'\a': out.append(u"\\a"); break;
        case U'\b': out.append(u"\\b"); break;
        case U'\f': out.append(u"\\f"); break;
        case U'\n': out.append(u"\\n"); break;
        case U'\r': out.append(u"\\r"); break;
        case U'\t': out.append(u"\\t"); break;
        case U'\v': out.append(u"\\v"); break;
        default:
            if (c < 0x20 || c == 0x7F) {
                out.append(u"\\x");
                appendHex(out, c, 2);
            } else if (c < 0x10000) {
                out.append(u"\\u");
                appendHex(out, c, 4);
            } else {
                out.append(u"\\U");
                appendHex(out, c, 8);
            }
        }
    }
    out.append(u'"');
}

QString ParseDump::quote(QStringView text)
{
    QString out;
    out.reserve(text.size() + 2);
    appendQuoted(out, text);
    return out;
}

void ParseDump::appendInstruction(QString &out, const Instruction &instruction)
{
    out.append(u'(');
    out.append(instruction.keyword.toLower());
    if (!instruction.flags.isEmpty()) {
        out.append(u" [");
        bool first = true;
        for (const Flag &flag : instruction.flags) {
            if (!first)
                out.append(u' ');
            first = false;
            QString word = QStringLiteral("--") + flag.name;
            if (flag.hasValue)
                word += u'=' + flag.value;
            appendQuoted(out, word);
        }
        out.append(u']');
    }
    if (instruction.kind == InstructionKind::Onbuild && instruction.onbuild) {
        out.append(u' ');
        appendInstruction(out, *instruction.onbuild);
    }
    // BuildKit keeps an unknown instruction with one empty argument node.
    if (instruction.kind == InstructionKind::Unknown)
        out.append(u" \"\"");
    for (const Word &arg : instruction.args) {
        out.append(u' ');
        appendQuoted(out, arg.text);
    }
    out.append(u')');
}

QString ParseDump::dump(const Instruction &instruction)
{
    QString out;
    appendInstruction(out, instruction);
    return out;
}

QString ParseDump::dump(const Dockerfile &file)
{
    QString out;
    for (const Instruction &instruction : file.instructions) {
        appendInstruction(out, instruction);
        out.append(u'\n');
    }
    return out;
}

} // namespace stagecraft
