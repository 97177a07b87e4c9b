#include "core/plan/copycommand.h"

#include "core/plan/stagescope.h"

namespace stagecraft {

namespace {

bool boolFlag(const Flag &flag)
{
    return !flag.hasValue || flag.value.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
}

// `<<EOF`, `<<-EOF`, `<<"EOF"`: the heredoc's name, or empty when the word is not one.
QString heredocName(const QString &word)
{
    if (!word.startsWith(QLatin1String("<<")) || word.size() == 2)
        return {};
    QString name = word.mid(2);
    if (name.startsWith(QLatin1Char('-')))
        name.remove(0, 1);
    name.remove(QLatin1Char('"')).remove(QLatin1Char('\''));
    return name;
}

} // namespace

void CopyCommand::readCommon(const Instruction &ins, int index, StageScope &scope)
{
    instruction = index;
    range = ins.range;
    QStringList words;
    for (qsizetype i = 0; i < ins.args.size(); ++i) {
        const Word &w = ins.args.at(i);
        const QString name = i + 1 < ins.args.size() ? heredocName(w.text) : QString();
        const Heredoc *doc = nullptr;
        for (const Heredoc &h : ins.heredocs)
            if (!name.isEmpty() && h.name == name)
                doc = &h;
        if (doc) {
            heredocSources.append(HeredocSource{
                doc->name, doc->expand ? scope.expandHeredoc(doc->body(), doc->range) : doc->body()});
            continue;
        }
        words.append(scope.expand(w.text, w.range));
    }
    if (!words.isEmpty())
        destination = words.takeLast();
    sources = words;

    for (const Flag &flag : ins.flags) {
        if (flag.name == QLatin1String("from")) {
            // BuildKit resolves --from before any stage runs, so it refuses anything that
            // expansion would change rather than expanding it.
            from = flag.value;
            const ShellResult unchanged =
                ShellLex(scope.escape()).processWord(flag.value, QHash<QString, QString>());
            if (!unchanged.ok() || unchanged.value != flag.value)
                scope.error(flag.range,
                            QStringLiteral("variable expansion is not supported for --from, define a new "
                                           "stage with FROM using ARG from global scope as a workaround"));
        } else if (flag.name == QLatin1String("chown")) {
            Ownership owner;
            owner.text = scope.expand(flag.value, flag.range);
            owner.user = owner.text.section(QLatin1Char(':'), 0, 0);
            owner.group =
                owner.text.contains(QLatin1Char(':')) ? owner.text.section(QLatin1Char(':'), 1) : QString();
            chown = owner;
        } else if (flag.name == QLatin1String("chmod")) {
            auto mode = FileModeChange::parse(scope.expand(flag.value, flag.range));
            if (mode)
                chmod = *mode;
            else
                scope.error(flag.range, mode.error().message);
        } else if (flag.name == QLatin1String("link")) {
            link = boolFlag(flag);
        } else if (flag.name == QLatin1String("parents")) {
            parents = boolFlag(flag);
        } else if (flag.name == QLatin1String("exclude")) {
            excludes.append(scope.expand(flag.value, flag.range));
        }
    }
}

CopyCommand CopyCommand::read(const Instruction &ins, int index, StageScope &scope)
{
    CopyCommand copy;
    copy.readCommon(ins, index, scope);
    return copy;
}

} // namespace stagecraft
