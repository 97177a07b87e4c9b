#include "core/dockerfile/copyinsertion.h"

#include "core/dockerfile/dockerfileparser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>

#include <algorithm>

namespace stagecraft {

namespace {

struct StageSpan
{
    QString name; // lower-cased, empty when unnamed
    int first = -1;
    int last = -1; // instruction indexes, inclusive
};

QList<StageSpan> stageSpans(const Dockerfile &dockerfile)
{
    QList<StageSpan> spans;
    for (int i = 0; i < dockerfile.instructions.size(); ++i) {
        const Instruction &ins = dockerfile.instructions.at(i);
        if (ins.kind == InstructionKind::From) {
            StageSpan span;
            span.first = i;
            if (ins.args.size() >= 3 &&
                !ins.args.at(1).text.compare(QLatin1String("as"), Qt::CaseInsensitive))
                span.name = ins.args.at(2).text.toLower();
            spans.append(span);
        }
        if (!spans.isEmpty())
            spans.last().last = i;
    }
    return spans;
}

// The last line an instruction occupies (ranges end exclusive, possibly at column 1 of
// the next line).
int lastLineOf(const SourceRange &range)
{
    if (range.end.line > range.start.line && range.end.column <= 1)
        return range.end.line - 1;
    return std::max(range.end.line, range.start.line);
}

QList<qsizetype> lineStarts(QStringView text)
{
    QList<qsizetype> starts{0};
    for (qsizetype i = 0; i < text.size(); ++i)
        if (text.at(i) == QLatin1Char('\n'))
            starts.append(i + 1);
    return starts;
}

QStringView lineText(QStringView text, const QList<qsizetype> &starts, int line)
{
    if (line < 1 || line > starts.size())
        return {};
    const qsizetype begin = starts.at(line - 1);
    qsizetype end = line < starts.size() ? starts.at(line) - 1 : text.size();
    if (end > begin && text.at(end - 1) == QLatin1Char('\r'))
        --end;
    return text.mid(begin, end - begin);
}

QString indentationOf(QStringView line)
{
    qsizetype n = 0;
    while (n < line.size() && (line.at(n) == QLatin1Char(' ') || line.at(n) == QLatin1Char('\t')))
        ++n;
    return line.left(n).toString();
}

bool isTrailingSetting(InstructionKind kind)
{
    switch (kind) {
    case InstructionKind::Cmd:
    case InstructionKind::Entrypoint:
    case InstructionKind::User:
    case InstructionKind::Expose:
    case InstructionKind::Healthcheck:
    case InstructionKind::Stopsignal:
    case InstructionKind::Volume:
    case InstructionKind::Onbuild: return true;
    default: return false;
    }
}

// Characters the shell form keeps as they are; anything else goes in JSON form.
bool isPlainWord(const QString &path)
{
    for (const QChar c : path) {
        const ushort u = c.unicode();
        const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                           QStringView(u"_./+-@:,=~%^").contains(c);
        if (!plain)
            return false;
    }
    return true;
}

// The source as a COPY pattern: glob characters (and the escape itself) match literally.
QString escapeGlob(const QString &path)
{
    QString out;
    out.reserve(path.size());
    for (const QChar c : path) {
        if (c == QLatin1Char('*') || c == QLatin1Char('?') || c == QLatin1Char('[') || c == QLatin1Char('\\'))
            out.append(QLatin1Char('\\'));
        out.append(c);
    }
    return out;
}

QString pathProblem(const QString &path, const QString &what)
{
    if (path.isEmpty())
        return QStringLiteral("The %1 path is empty.").arg(what);
    if (!path.startsWith(QLatin1Char('/')))
        return QStringLiteral("The %1 path “%2” is not absolute; it must start with “/”.").arg(what, path);
    for (const QChar c : path)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return QStringLiteral("The %1 path contains a line break or another control character, "
                                  "which a Dockerfile line cannot hold.")
                .arg(what);
    if (path.contains(QLatin1Char('$')))
        return QStringLiteral("The %1 path “%2” contains “$”, which Docker would read as a variable; "
                              "write this COPY line by hand with the “$” escaped.")
            .arg(what, path);
    return {};
}

QString stageLabel(const StageSpan &span, int index)
{
    return span.name.isEmpty() ? QStringLiteral("%1").arg(index) : span.name;
}

} // namespace

CopyInsertion::Result CopyInsertion::compute(QStringView text, const Request &request)
{
    Result result;
    const Dockerfile dockerfile = DockerfileParser::parse(text);
    const QList<StageSpan> spans = stageSpans(dockerfile);
    if (spans.isEmpty()) {
        result.error = QStringLiteral("The Dockerfile has no stage yet; add a FROM line first.");
        return result;
    }
    if (request.targetStage < 0 || request.targetStage >= spans.size()) {
        result.error = QStringLiteral("There is no stage %1 in the Dockerfile (it has %2).")
                           .arg(request.targetStage)
                           .arg(spans.size());
        return result;
    }

    // The source: a stage name (the last stage of that name, as BuildKit resolves it)
    // or an index.
    int source = -1;
    const QString wanted = request.sourceStage.trimmed().toLower();
    for (int i = 0; i < spans.size(); ++i)
        if (!wanted.isEmpty() && spans.at(i).name == wanted)
            source = i;
    if (source < 0) {
        bool isNumber = false;
        const int index = wanted.toInt(&isNumber);
        if (isNumber && index >= 0 && index < spans.size())
            source = index;
    }
    if (source < 0) {
        result.error = request.sourceStage.trimmed().isEmpty()
                           ? QStringLiteral("The dragged file does not say which stage it comes from.")
                           : QStringLiteral("There is no stage “%1” in the Dockerfile any more.")
                                 .arg(request.sourceStage);
        return result;
    }
    const int target = request.targetStage;
    const QString sourceLabel = stageLabel(spans.at(source), source);
    const QString targetLabel = stageLabel(spans.at(target), target);
    if (source == target) {
        result.error = QStringLiteral("Stage “%1” cannot copy files from itself.").arg(sourceLabel);
        return result;
    }
    if (source > target) {
        result.error =
            QStringLiteral("Stage “%1” comes before stage “%2” in the Dockerfile, so it cannot copy "
                           "from it: a stage can only use stages defined above it, and “%2” may "
                           "depend on “%1” (a cycle).")
                .arg(targetLabel, sourceLabel);
        return result;
    }

    const QString destination = request.destination.isEmpty() ? request.sourcePath : request.destination;
    if (const QString problem = pathProblem(request.sourcePath, QStringLiteral("source"));
        !problem.isEmpty()) {
        result.error = problem;
        return result;
    }
    if (const QString problem = pathProblem(destination, QStringLiteral("destination")); !problem.isEmpty()) {
        result.error = problem;
        return result;
    }

    // The line itself, in the case the stage's FROM is written in.
    const Instruction &from = dockerfile.instructions.at(spans.at(target).first);
    const bool lowerCase = from.keyword == from.keyword.toLower();
    const QString keyword = lowerCase ? QStringLiteral("copy") : QStringLiteral("COPY");
    const QString fromFlag =
        QStringLiteral("--from=") +
        (spans.at(source).name.isEmpty() ? QString::number(source) : spans.at(source).name);
    const QString sourceWord = escapeGlob(request.sourcePath);
    if (isPlainWord(request.sourcePath) && isPlainWord(destination)) {
        result.instruction = keyword + QLatin1Char(' ') + fromFlag + QLatin1Char(' ') + sourceWord +
                             QLatin1Char(' ') + destination;
    } else {
        const QByteArray json =
            QJsonDocument(QJsonArray{sourceWord, destination}).toJson(QJsonDocument::Compact);
        QString list = QString::fromUtf8(json);
        list.replace(QLatin1String("\",\""), QLatin1String("\", \""));
        result.instruction = keyword + QLatin1Char(' ') + fromFlag + QLatin1Char(' ') + list;
    }

    // Where it goes.
    const StageSpan &span = spans.at(target);
    const QList<Instruction> &all = dockerfile.instructions;
    int after = -1;  // insert after this instruction…
    int before = -1; // …or before this one
    for (int i = span.first + 1; i <= span.last; ++i) {
        const Instruction &ins = all.at(i);
        if ((ins.kind == InstructionKind::Copy || ins.kind == InstructionKind::Add) &&
            ins.hasFlag(QStringLiteral("from")))
            after = i;
    }
    if (after < 0) {
        int first = span.last + 1;
        while (first - 1 > span.first && isTrailingSetting(all.at(first - 1).kind))
            --first;
        if (first <= span.last)
            before = first;
        else
            after = span.last;
    }

    const QList<qsizetype> starts = lineStarts(text);
    if (before >= 0) {
        const int previousLast = lastLineOf(all.at(before - 1).range);
        int line = all.at(before).range.start.line;
        while (line - 1 > previousLast &&
               lineText(text, starts, line - 1).trimmed().startsWith(QLatin1Char('#')))
            --line;
        const QString indent = indentationOf(lineText(text, starts, all.at(before).range.start.line));
        result.position = starts.value(line - 1, text.size());
        result.insertText = indent + result.instruction + QLatin1Char('\n');
        result.line = line;
    } else {
        const int last = lastLineOf(all.at(after).range);
        const QString indent = indentationOf(lineText(text, starts, all.at(after).range.start.line));
        result.line = last + 1;
        if (last < starts.size()) {
            result.position = starts.at(last);
            result.insertText = indent + result.instruction + QLatin1Char('\n');
        } else {
            // The instruction is on the text's last line, with no newline after it.
            result.position = text.size();
            result.insertText = QLatin1Char('\n') + indent + result.instruction;
        }
    }
    result.ok = true;
    return result;
}

QString CopyInsertion::apply(QStringView text, const Result &result)
{
    QString out = text.toString();
    if (result.ok)
        out.insert(std::clamp<qsizetype>(result.position, 0, out.size()), result.insertText);
    return out;
}

int CopyInsertion::stageAtLine(const Dockerfile &dockerfile, int line)
{
    int stage = -1;
    int index = -1;
    for (const Instruction &ins : dockerfile.instructions) {
        if (ins.kind != InstructionKind::From)
            continue;
        ++index;
        if (ins.range.start.line <= line)
            stage = index;
        else
            break;
    }
    return stage;
}

} // namespace stagecraft
