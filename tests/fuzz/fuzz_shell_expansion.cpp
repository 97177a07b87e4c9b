// libFuzzer entry point for ShellLex: any word, options and environment must expand or fail
// without a crash, a hang or a sanitizer report, and the limits must hold: the value never
// grows past the word plus the substitution limit, and a limit error points into the word.
#include "core/dockerfile/shelllex.h"

#include <QHash>
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

void checkResult(const ShellResult &r, const QString &word, const ShellLimits &limits)
{
    if (r.ok()) {
        require(r.errorKind == ShellErrorKind::None);
        // Limits count code points; a QString may spend two UTF-16 units on one.
        require(r.value.size() <= word.size() + 2 * limits.maxWordSize);
        qsizetype wordChars = 0;
        for (const QString &w : r.words)
            wordChars += w.size();
        require(wordChars <= r.value.size());
        return;
    }
    require(r.errorKind != ShellErrorKind::None);
    if (r.limitExceeded())
        require(r.errorOffset >= 0 && r.errorOffset <= word.size());
    else
        require(r.errorOffset == -1);
}

} // namespace

// Input: one byte of options, then lines: the first is the word, the others `NAME=VALUE`.
// `w` is always set to the word itself, so `$w$w…` doubles whatever the fuzzer writes.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t options = data[0];
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QStringList lines = text.split(QLatin1Char('\n'));
    const QString word = lines.first();
    QHash<QString, QString> env;
    env.insert(QStringLiteral("w"), word);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype eq = lines.at(i).indexOf(QLatin1Char('='));
        if (eq > 0)
            env.insert(lines.at(i).left(eq), lines.at(i).mid(eq + 1));
    }

    ShellLex lex((options & 1) ? QLatin1Char('`') : QLatin1Char('\\'));
    lex.setRawQuotes(options & 2);
    lex.setRawEscapes(options & 4);
    lex.setSkipProcessQuotes(options & 8);
    lex.setSkipUnsetEnv(options & 16);
    // Small limits half of the time, so that inputs of a few hundred bytes reach them.
    ShellLimits limits;
    if (options & 32)
        limits = ShellLimits{8, 4096};
    lex.setLimits(limits);
    ExpansionBudget budget((options & 64) ? 8192 : ExpansionBudget::kDefaultTotal);
    lex.setBudget(&budget);

    checkResult(lex.processWord(word, env), word, limits);
    // The same budget again: a spent budget must fail cleanly too.
    checkResult(lex.processWords(word, env), word, limits);
    return 0;
}
