// A command's --help text read back into its parts: the synopsis, paragraphs, option
// lists and the options with their value placeholders. The manual page and the shell
// completions are made from it, so the texts written for --help stay the only source.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace stagecraft::app {

struct UsageOption
{
    QStringList names;   // "-f", "--file": aliases, as the text gives them
    QString placeholder; // "FILE", "STAGE", "text|json|dot"; empty for a flag

    enum class ValueKind { None, File, Directory, Stage, Image, Choice, Other };
    ValueKind valueKind() const;
    QStringList choices() const; // the words of "text|json|dot" when valueKind() is Choice
};

struct UsageBlock
{
    enum class Kind {
        Synopsis,     // the "Usage:" lines, without the word
        Paragraph,    // running text, to be filled
        Definitions,  // "  TERM   description" lines
        Preformatted, // indented lines that are not a list of terms
    };
    Kind kind = Kind::Paragraph;
    QStringList lines;                              // Synopsis, Paragraph, Preformatted
    QList<std::pair<QString, QString>> definitions; // term, description (one line, filled)
};

class UsageText
{
public:
    static UsageText parse(const QString &text);

    const QList<UsageBlock> &blocks() const { return m_blocks; }
    // Every option the synopsis or an option list names, in the order first named, the
    // aliases of a list entry ("-f, --file FILE") merged into one.
    const QList<UsageOption> &options() const { return m_options; }
    const UsageOption *option(const QString &name) const;
    // The synopsis without its options: "stagecraft build CONTEXT".
    QString positionalSynopsis() const;

private:
    void addOption(const UsageOption &option);

    QList<UsageBlock> m_blocks;
    QList<UsageOption> m_options;
};

} // namespace stagecraft::app
