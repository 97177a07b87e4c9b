#include "app/usagetext.h"

#include <QRegularExpression>

#include <algorithm>

namespace stagecraft::app {

namespace {

qsizetype indentOf(const QString &line)
{
    qsizetype n = 0;
    while (n < line.size() && line.at(n) == QLatin1Char(' '))
        ++n;
    return n;
}

// "-f FILE" / "--format=text|json" / "-d]" inside a synopsis: the option and, when the
// next word is not another option or a bracket, its placeholder.
const QRegularExpression &optionPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"((?:^|[\s\[|(,])(--?[A-Za-z0-9][A-Za-z0-9-]*)(?:[ =]([^\s\[\]\-][^\s\[\]]*))?)"));
    return pattern;
}

bool isPlaceholderWord(const QString &word)
{
    // A placeholder is written in capitals (FILE, NAME:TAG) or as alternatives (a|b).
    return !word.isEmpty() && (word.contains(QLatin1Char('|')) || word.at(0).isUpper() ||
                               word.at(0).isDigit() || word.at(0) == QLatin1Char('['));
}

// "-f, --file FILE" → the names and the placeholder.
UsageOption optionFromTerm(const QString &term)
{
    UsageOption option;
    const QStringList words = term.split(QRegularExpression(QStringLiteral("[ ,]+")), Qt::SkipEmptyParts);
    for (const QString &word : words) {
        if (word.startsWith(QLatin1Char('-')) && word.size() > 1) {
            const qsizetype eq = word.indexOf(QLatin1Char('='));
            option.names.append(eq < 0 ? word : word.left(eq));
            if (eq > 0)
                option.placeholder = word.mid(eq + 1);
        } else if (option.placeholder.isEmpty() && isPlaceholderWord(word)) {
            option.placeholder = word;
        }
    }
    return option;
}

UsageBlock definitionsBlock(const QStringList &lines)
{
    UsageBlock block;
    block.kind = UsageBlock::Kind::Definitions;
    const qsizetype termIndent = indentOf(lines.first());
    static const QRegularExpression gap(QStringLiteral("\\S( {2,})\\S"));
    // Descriptions line up in a column; a line starting left of it is a new term, also
    // when it is indented past the first ("      --entrypoint CMD" under "  -d, --detach").
    const QRegularExpressionMatch first = gap.match(lines.first(), termIndent);
    const qsizetype descriptionColumn = first.hasMatch() ? first.capturedEnd(1) : termIndent + 1;
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (indentOf(line) < descriptionColumn || block.definitions.isEmpty()) {
            const qsizetype start = indentOf(line);
            const QRegularExpressionMatch m = gap.match(line, start);
            if (m.hasMatch())
                block.definitions.append(
                    {line.mid(start, m.capturedStart(1) - start), line.mid(m.capturedEnd(1)).trimmed()});
            else
                block.definitions.append({trimmed, QString()});
        } else {
            QString &description = block.definitions.last().second;
            description += (description.isEmpty() ? QString() : QStringLiteral(" ")) + trimmed;
        }
    }
    return block;
}

} // namespace

UsageOption::ValueKind UsageOption::valueKind() const
{
    if (placeholder.isEmpty())
        return ValueKind::None;
    if (!choices().isEmpty())
        return ValueKind::Choice;
    const QString p = placeholder.toUpper();
    if (p.contains(QLatin1Char('='))) // KEY=VALUE, type=oci,dest=DIR
        return ValueKind::Other;
    if (p.contains(QLatin1String("STAGE")) || p == QLatin1String("T"))
        return ValueKind::Stage;
    if (p.contains(QLatin1String("DIR")) && !p.contains(QLatin1Char(':')))
        return ValueKind::Directory;
    if (p.contains(QLatin1String("FILE")) || p.contains(QLatin1String("PATH")) || p == QLatin1String("LOG") ||
        p == QLatin1String("PNG") || p == QLatin1String("CONTEXT"))
        return ValueKind::File;
    if (p == QLatin1String("REF") || p == QLatin1String("IMAGE"))
        return ValueKind::Image;
    return ValueKind::Other;
}

QStringList UsageOption::choices() const
{
    static const QRegularExpression word(QStringLiteral("^[a-z][a-z0-9-]*$"));
    const QStringList parts = placeholder.split(QLatin1Char('|'));
    if (parts.size() < 2)
        return {};
    for (const QString &part : parts)
        if (!word.match(part).hasMatch())
            return {};
    return parts;
}

UsageText UsageText::parse(const QString &text)
{
    UsageText usage;
    QList<QStringList> groups{{}};
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty()) {
            if (!groups.last().isEmpty())
                groups.append(QStringList());
        } else {
            groups.last().append(line);
        }
    }
    for (const QStringList &lines : std::as_const(groups)) {
        if (lines.isEmpty())
            continue;
        UsageBlock block;
        if (lines.first().startsWith(QLatin1String("Usage:"))) {
            block.kind = UsageBlock::Kind::Synopsis;
            for (const QString &line : lines) {
                QString trimmed = line.trimmed();
                if (trimmed.startsWith(QLatin1String("Usage:")))
                    trimmed = trimmed.mid(6).trimmed();
                block.lines.append(trimmed);
            }
        } else if (indentOf(lines.first()) > 0 && lines.first().trimmed().startsWith(QLatin1Char('-'))) {
            block = definitionsBlock(lines);
        } else if (indentOf(lines.first()) > 0) {
            // "  verify   re-hash …": terms that are words, not options.
            const bool allTerms = std::all_of(lines.begin(), lines.end(), [&](const QString &l) {
                return indentOf(l) >= indentOf(lines.first());
            });
            block =
                allTerms ? definitionsBlock(lines) : UsageBlock{UsageBlock::Kind::Preformatted, lines, {}};
        } else {
            const bool indentedAfter =
                std::any_of(lines.begin() + 1, lines.end(), [](const QString &l) { return indentOf(l) > 0; });
            block.kind = indentedAfter ? UsageBlock::Kind::Preformatted : UsageBlock::Kind::Paragraph;
            block.lines = lines;
        }
        usage.m_blocks.append(block);
    }

    // Options: first those the synopsis names (in its order), then the option lists',
    // whose aliases join the entry of the name the synopsis gave.
    for (const UsageBlock &block : std::as_const(usage.m_blocks)) {
        if (block.kind != UsageBlock::Kind::Synopsis)
            continue;
        const QString synopsis = block.lines.join(QLatin1Char(' '));
        auto it = optionPattern().globalMatch(synopsis);
        while (it.hasNext()) {
            const QRegularExpressionMatch m = it.next();
            UsageOption option{{m.captured(1)}, QString()};
            if (isPlaceholderWord(m.captured(2)))
                option.placeholder =
                    m.captured(2).endsWith(QLatin1String("...")) ? m.captured(2).chopped(3) : m.captured(2);
            usage.addOption(option);
        }
    }
    for (const UsageBlock &block : std::as_const(usage.m_blocks))
        if (block.kind == UsageBlock::Kind::Definitions)
            for (const auto &[term, description] : block.definitions)
                if (term.startsWith(QLatin1Char('-')))
                    usage.addOption(optionFromTerm(term));
    return usage;
}

void UsageText::addOption(const UsageOption &option)
{
    if (option.names.isEmpty())
        return;
    for (UsageOption &known : m_options) {
        const bool same = std::any_of(option.names.begin(), option.names.end(),
                                      [&](const QString &n) { return known.names.contains(n); });
        if (!same)
            continue;
        for (const QString &n : option.names)
            if (!known.names.contains(n))
                known.names.append(n);
        if (known.placeholder.isEmpty())
            known.placeholder = option.placeholder;
        return;
    }
    m_options.append(option);
}

const UsageOption *UsageText::option(const QString &name) const
{
    for (const UsageOption &o : m_options)
        if (o.names.contains(name))
            return &o;
    return nullptr;
}

QString UsageText::positionalSynopsis() const
{
    for (const UsageBlock &block : m_blocks) {
        if (block.kind != UsageBlock::Kind::Synopsis)
            continue;
        QString synopsis = block.lines.join(QLatin1Char(' '));
        static const QRegularExpression bracketed(QStringLiteral("\\[[^\\[\\]]*\\]"));
        // Nested brackets ("[--engine docker [--builder NAME]]") go from the inside out.
        while (synopsis.contains(bracketed))
            synopsis.remove(bracketed);
        return synopsis.simplified();
    }
    return {};
}

} // namespace stagecraft::app
