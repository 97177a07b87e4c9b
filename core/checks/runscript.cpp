#include "core/checks/runscript.h"

namespace stagecraft {

namespace {

bool isAssignment(const QString &word)
{
    const qsizetype eq = word.indexOf(QLatin1Char('='));
    if (eq <= 0)
        return false;
    for (qsizetype i = 0; i < eq; ++i) {
        const QChar c = word.at(i);
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_')))
            return false;
    }
    return true;
}

// The program's name without its directory: /usr/bin/apt-get is apt-get.
QString programName(const QString &word)
{
    return word.mid(word.lastIndexOf(QLatin1Char('/')) + 1);
}

} // namespace

RunScript RunScript::parse(QStringView text)
{
    RunScript script;
    Command current;
    QString word;
    bool inWord = false;
    const auto endWord = [&] {
        if (inWord)
            current.words.append(word);
        word.clear();
        inWord = false;
    };
    const auto endCommand = [&](qsizetype at) {
        endWord();
        current.end = at;
        if (!current.words.isEmpty())
            script.m_commands.append(current);
        current = Command();
        current.begin = at + 1;
    };
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\'') || c == QLatin1Char('"')) {
            // Quoted: everything up to the matching quote belongs to the word.
            inWord = true;
            qsizetype j = i + 1;
            while (j < n && text.at(j) != c) {
                if (c == QLatin1Char('"') && text.at(j) == QLatin1Char('\\') && j + 1 < n)
                    ++j;
                word += text.at(j);
                ++j;
            }
            i = j;
            continue;
        }
        if (c == QLatin1Char('\\') && i + 1 < n) {
            ++i;
            if (text.at(i) != QLatin1Char('\n')) {
                word += text.at(i);
                inWord = true;
            } else {
                endWord();
            }
            continue;
        }
        if (c == QLatin1Char('#') && !inWord) {
            // A comment runs to the end of the line.
            while (i + 1 < n && text.at(i + 1) != QLatin1Char('\n'))
                ++i;
            continue;
        }
        if (c == QLatin1Char(';') || c == QLatin1Char('&') || c == QLatin1Char('|') ||
            c == QLatin1Char('\n') || c == QLatin1Char('(') || c == QLatin1Char(')')) {
            endCommand(i);
            continue;
        }
        if (c.isSpace()) {
            endWord();
            continue;
        }
        word += c;
        inWord = true;
    }
    endCommand(n);
    return script;
}

qsizetype RunScript::find(const QStringList &program, const QString &verb) const
{
    for (qsizetype c = 0; c < m_commands.size(); ++c) {
        const QStringList &words = m_commands.at(c).words;
        qsizetype i = 0;
        while (i < words.size() &&
               (isAssignment(words.at(i)) || words.at(i) == QLatin1String("sudo") ||
                words.at(i) == QLatin1String("env") || words.at(i) == QLatin1String("exec")))
            ++i;
        if (i >= words.size() || !program.contains(programName(words.at(i))))
            continue;
        // `python3 -m pip install`: the module stands for the program.
        if (i + 2 < words.size() && words.at(i + 1) == QLatin1String("-m"))
            i += 2;
        if (verb.isEmpty())
            return c;
        for (qsizetype j = i + 1; j < words.size(); ++j) {
            if (words.at(j) == verb)
                return c;
            if (!words.at(j).startsWith(QLatin1Char('-')))
                break; // another verb
        }
    }
    return -1;
}

QStringList RunScript::argumentsAfterVerb(qsizetype command, const QString &verb) const
{
    if (command < 0 || command >= m_commands.size())
        return {};
    const QStringList &words = m_commands.at(command).words;
    const qsizetype at = verb.isEmpty() ? 0 : words.indexOf(verb);
    return at < 0 ? QStringList() : words.mid(at + 1);
}

} // namespace stagecraft
