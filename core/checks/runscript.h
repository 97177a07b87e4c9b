// A RUN's shell text seen as its simple commands (`apt-get update && apt-get install -y gcc`
// is two), each a list of words with quotes removed. Enough for rules that ask "does this RUN
// install packages, and does it clean up after itself"; it is not a shell: no expansion, and
// redirections and subshell brackets are plain words. One pass over the text, so a huge RUN
// costs linear time.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

namespace stagecraft {

class RunScript
{
public:
    // The words of one simple command, and where it starts and ends in the text.
    struct Command
    {
        QStringList words;
        qsizetype begin = 0;
        qsizetype end = 0;
    };

    static RunScript parse(QStringView text);

    const QList<Command> &commands() const { return m_commands; }
    // The first command whose words start with `prefix` (e.g. {"apt-get", "install"}), allowing
    // `sudo`, variable assignments (`DEBIAN_FRONTEND=noninteractive`) and options between the
    // program and the verb; -1 when none does.
    qsizetype find(const QStringList &program, const QString &verb) const;
    bool contains(const QStringList &program, const QString &verb) const { return find(program, verb) >= 0; }
    // The words after the verb of a command find() returned, options included.
    QStringList argumentsAfterVerb(qsizetype command, const QString &verb) const;

private:
    QList<Command> m_commands;
};

} // namespace stagecraft
