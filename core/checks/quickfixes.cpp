#include "core/checks/quickfixes.h"

#include "core/checks/buildchecks.h"
#include "core/checks/contextrules.h"
#include "core/checks/imagecontentrules.h"
#include "core/checks/multistageconversion.h"
#include "core/checks/runscript.h"

#include <QRegularExpression>

#include <algorithm>

namespace stagecraft {

namespace {

// The instruction whose lines hold `position`: instructions are in file order and never overlap.
const Instruction *instructionAt(const Dockerfile &df, SourcePosition position)
{
    const QList<Instruction> &all = df.instructions;
    const auto after =
        std::upper_bound(all.cbegin(), all.cend(), position.line,
                         [](int line, const Instruction &i) { return line < i.range.start.line; });
    if (after == all.cbegin())
        return nullptr;
    const Instruction &ins = *(after - 1);
    return position.line <= ins.range.end.line ? &ins : nullptr;
}

QString jsonArray(const QStringList &words)
{
    QStringList quoted;
    for (const QString &w : words)
        quoted.append(QLatin1Char('"') + w + QLatin1Char('"'));
    return QLatin1Char('[') + quoted.join(QStringLiteral(", ")) + QLatin1Char(']');
}

// `title` a literal marked for translation; `args` fill its %1, %2…
QuickFix makeFix(const Diagnostic &d, const char *title, const QStringList &args = {})
{
    QuickFix fix = QuickFix::titled(title, args);
    fix.rule = d.rule;
    fix.range = d.range;
    return fix;
}

// The first match of `pattern` inside the instruction's text, as a range of the file.
std::optional<SourceRange> findIn(QStringView text, const TextLines &lines, const Instruction &ins,
                                  const QRegularExpression &pattern)
{
    const qsizetype b = lines.offset(ins.range.start);
    const qsizetype e = lines.offset(ins.range.end);
    const QString body = text.mid(b, e - b).toString();
    const QRegularExpressionMatch m = pattern.match(body);
    if (!m.hasMatch())
        return std::nullopt;
    return SourceRange{lines.position(b + m.capturedStart()), lines.position(b + m.capturedEnd())};
}

void fixCasing(const Dockerfile &df, const Diagnostic &d, QList<QuickFix> *out)
{
    const Instruction *ins = instructionAt(df, d.range.start);
    if (!ins)
        return;
    if (d.rule == QLatin1String("ConsistentInstructionCasing")) {
        const bool toLower = d.message.contains(QLatin1String("(lowercase)"));
        const QString word = toLower ? ins->keyword.toLower() : ins->keyword.toUpper();
        QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Write %1"), {word});
        fix.edits.append({ins->keywordRange, word});
        out->append(fix);
    } else if (d.rule == QLatin1String("FromAsCasing") && ins->args.size() == 3) {
        const QString word =
            ins->keyword == ins->keyword.toLower() ? QStringLiteral("as") : QStringLiteral("AS");
        QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Write %1"), {word});
        fix.edits.append({ins->args.at(1).range, word});
        out->append(fix);
    } else if (d.rule == QLatin1String("StageNameCasing") && ins->args.size() == 3) {
        const QString name = ins->args.at(2).text.toLower();
        QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Rename the stage %1"), {name});
        fix.edits.append({ins->args.at(2).range, name});
        out->append(fix);
    }
}

void fixLegacyKeyValue(const Dockerfile &df, const Diagnostic &d, QList<QuickFix> *out)
{
    const Instruction *ins = instructionAt(df, d.range.start);
    if (!ins)
        return;
    for (const KeyValue &kv : ins->pairs) {
        if (kv.hasEquals || kv.range != d.range)
            continue;
        QString value = kv.value.trimmed();
        const bool plain = !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\'')) &&
                           !value.contains(QLatin1Char('\\')) && !value.contains(QLatin1Char('`'));
        if (value.contains(QRegularExpression(QStringLiteral("\\s")))) {
            if (!plain)
                return; // quotes inside a spaced value: no spelling keeps it for certain
            value = QLatin1Char('"') + value + QLatin1Char('"');
        }
        QuickFix fix =
            makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Write %1 %2=…"), {ins->keyword, kv.key});
        fix.edits.append({kv.range, kv.key + QLatin1Char('=') + value});
        out->append(fix);
        return;
    }
}

void fixJsonArgs(const Dockerfile &df, const Diagnostic &d, QList<QuickFix> *out)
{
    const Instruction *ins = instructionAt(df, d.range.start);
    if (!ins || ins->jsonForm || ins->args.isEmpty())
        return;
    // Only a command line with nothing for a shell to do means the same in exec form.
    static const QRegularExpression kShellSyntax(QStringLiteral("[$`\"'\\\\|&;<>(){}*?~#!\\[\\]]"));
    const QString line = ins->args.first().text;
    if (kShellSyntax.match(line).hasMatch())
        return;
    const QStringList words = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (words.isEmpty())
        return;
    QuickFix fix =
        makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Write %1 in JSON form"), {ins->keyword});
    fix.edits.append({{ins->keywordRange.end, ins->range.end}, QLatin1Char(' ') + jsonArray(words)});
    out->append(fix);
}

void fixMaintainer(const Dockerfile &df, const Diagnostic &d, QList<QuickFix> *out)
{
    const Instruction *ins = instructionAt(df, d.range.start);
    if (!ins || ins->args.isEmpty())
        return;
    QString who = ins->args.first().text.trimmed();
    who.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('"'), QLatin1String("\\\""));
    const QString keyword =
        ins->keyword == ins->keyword.toLower() ? QStringLiteral("label") : QStringLiteral("LABEL");
    QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Use a LABEL for the author"));
    fix.edits.append(
        {ins->range, keyword + QStringLiteral(" org.opencontainers.image.authors=\"%1\"").arg(who)});
    out->append(fix);
}

void fixDockerignore(const Diagnostic &d, const BuildCheckOptions &options, QList<QuickFix> *out)
{
    if (!options.contextKnown)
        return;
    const QStringList missing = ContextRules::missingIgnoreEntries(options);
    if (missing.isEmpty())
        return;
    QString text = options.dockerignoreText.value_or(QString());
    if (!text.isEmpty() && !text.endsWith(QLatin1Char('\n')))
        text += QLatin1Char('\n');
    if (text.isEmpty())
        text = QStringLiteral(
            "# What the image does not need: version control, installed dependencies, secrets.\n");
    for (const QString &entry : missing)
        text += entry + QLatin1Char('\n');
    QuickFix fix = options.dockerignoreText
                       ? makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Add %1 to .dockerignore"),
                                 {missing.join(QStringLiteral(", "))})
                       : makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Create a .dockerignore"));
    fix.files.append({QStringLiteral(".dockerignore"), text});
    out->append(fix);
}

// The RUNs of the stage holding `ins`, in order, for apt's update/install pairs.
const Instruction *previousInstruction(const Dockerfile &df, const Instruction *ins)
{
    const qsizetype index = ins - df.instructions.constData();
    return index > 0 ? &df.instructions.at(index - 1) : nullptr;
}

const Instruction *nextInstruction(const Dockerfile &df, const Instruction *ins)
{
    const qsizetype index = ins - df.instructions.constData();
    return index + 1 < df.instructions.size() ? &df.instructions.at(index + 1) : nullptr;
}

bool isShellRun(const Instruction *ins)
{
    return ins && ins->kind == InstructionKind::Run && !ins->jsonForm && ins->heredocs.isEmpty() &&
           !ins->args.isEmpty();
}

bool isOnlyAptUpdate(const Instruction *ins)
{
    if (!isShellRun(ins) || !ins->flags.isEmpty())
        return false;
    const RunScript script = RunScript::parse(ins->args.first().text);
    return script.commands().size() == 1 &&
           script.contains({QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("update"));
}

void fixPackageCache(const Dockerfile &df, QStringView text, const Diagnostic &d, QList<QuickFix> *out)
{
    const Instruction *ins = instructionAt(df, d.range.start);
    if (!isShellRun(ins))
        return;
    const TextLines lines(text);
    const QString escape = QString(df.directives.escape);
    const QString continuation = QLatin1Char(' ') + escape + QStringLiteral("\n    && ");
    const QString line = ins->args.first().text;
    if (d.message.startsWith(QLatin1String("apt-get update in a RUN of its own"))) {
        // Merge into the install that follows: one RUN updates, installs and cleans up.
        const Instruction *next = nextInstruction(df, ins);
        if (!isShellRun(next) ||
            !RunScript::parse(next->args.first().text)
                 .contains({QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("install")))
            return;
        QuickFix fix =
            makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes",
                                         "Combine apt-get update, install and clean-up in one RUN"));
        fix.edits.append({{{ins->range.start.line, 1}, {ins->range.end.line + 1, 1}}, QString()});
        fix.edits.append({{next->args.first().range.start, next->args.first().range.start},
                          line.trimmed() + QStringLiteral(" && ")});
        if (!next->args.first().text.contains(QLatin1String("/var/lib/apt/lists")))
            fix.edits.append({{next->range.end, next->range.end},
                              continuation + QStringLiteral("rm -rf /var/lib/apt/lists/*")});
        out->append(fix);
        return;
    }
    if (d.message.startsWith(QLatin1String("apt-get install"))) {
        QuickFix fix = makeFix(
            d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Remove the package lists in the same RUN"));
        const Instruction *previous = previousInstruction(df, ins);
        const bool updates = RunScript::parse(line).contains(
            {QStringLiteral("apt-get"), QStringLiteral("apt")}, QStringLiteral("update"));
        if (!updates && isOnlyAptUpdate(previous)) {
            fix.titleSource = QT_TRANSLATE_NOOP("stagecraft::QuickFixes",
                                                "Combine apt-get update, install and clean-up in one RUN");
            fix.title = QString::fromUtf8(fix.titleSource);
            fix.edits.append(
                {{{previous->range.start.line, 1}, {previous->range.end.line + 1, 1}}, QString()});
            fix.edits.append({{ins->args.first().range.start, ins->args.first().range.start},
                              previous->args.first().text.trimmed() + QStringLiteral(" && ")});
        }
        fix.edits.append(
            {{ins->range.end, ins->range.end}, continuation + QStringLiteral("rm -rf /var/lib/apt/lists/*")});
        out->append(fix);
        return;
    }
    if (d.message.startsWith(QLatin1String("apk add"))) {
        static const QRegularExpression kApkAdd(QStringLiteral("\\bapk\\s+add\\b"));
        if (const auto at = findIn(text, lines, *ins, kApkAdd)) {
            QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Use apk add --no-cache"));
            fix.edits.append({{at->end, at->end}, QStringLiteral(" --no-cache")});
            out->append(fix);
        }
        return;
    }
    if (d.message.startsWith(QLatin1String("pip install"))) {
        static const QRegularExpression kPipInstall(QStringLiteral("\\bpip3?\\s+install\\b"));
        if (const auto at = findIn(text, lines, *ins, kPipInstall)) {
            QuickFix fix = makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Add --no-cache-dir"));
            fix.edits.append({{at->end, at->end}, QStringLiteral(" --no-cache-dir")});
            out->append(fix);
        }
        return;
    }
    if (d.message.startsWith(QLatin1String("npm keeps"))) {
        QuickFix fix =
            makeFix(d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Clean the npm cache in the same RUN"));
        fix.edits.append(
            {{ins->range.end, ins->range.end}, continuation + QStringLiteral("npm cache clean --force")});
        out->append(fix);
        return;
    }
    if (d.message.startsWith(QLatin1String("yum/dnf"))) {
        const bool dnf = RunScript::parse(line).contains({QStringLiteral("dnf"), QStringLiteral("microdnf")},
                                                         QStringLiteral("install"));
        QuickFix fix = makeFix(
            d, QT_TRANSLATE_NOOP("stagecraft::QuickFixes", "Clean the package cache in the same RUN"));
        fix.edits.append(
            {{ins->range.end, ins->range.end},
             continuation + (dnf ? QStringLiteral("dnf clean all") : QStringLiteral("yum clean all"))});
        out->append(fix);
    }
}

} // namespace

QList<QuickFix> QuickFixes::forDiagnostic(const BuildPlan &plan, QStringView text, const Diagnostic &d,
                                          const BuildCheckOptions &options)
{
    QList<QuickFix> out;
    const Dockerfile &df = plan.dockerfile();
    if (d.rule == QLatin1String("ConsistentInstructionCasing") || d.rule == QLatin1String("FromAsCasing") ||
        d.rule == QLatin1String("StageNameCasing")) {
        fixCasing(df, d, &out);
    } else if (d.rule == QLatin1String("LegacyKeyValueFormat")) {
        fixLegacyKeyValue(df, d, &out);
    } else if (d.rule == QLatin1String("JSONArgsRecommended")) {
        fixJsonArgs(df, d, &out);
    } else if (d.rule == QLatin1String("MaintainerDeprecated")) {
        fixMaintainer(df, d, &out);
    } else if (d.rule == QLatin1String("CopyWholeContext")) {
        fixDockerignore(d, options, &out);
    } else if (d.rule == QLatin1String("PackageCacheInLayer")) {
        fixPackageCache(df, text, d, &out);
    } else if (d.rule == QLatin1String("FinalStageToolchain") && plan.stages().size() == 1) {
        if (Expected<QuickFix> fix = MultiStageConversion::convert(plan, text, options)) {
            fix->range = d.range;
            out.append(*fix);
        }
    }
    return out;
}

QString QuickFixes::declined(const BuildPlan &plan, QStringView text, const Diagnostic &d,
                             const BuildCheckOptions &options)
{
    if (d.rule != QLatin1String("FinalStageToolchain") || plan.stages().size() != 1)
        return {};
    const Expected<QuickFix> fix = MultiStageConversion::convert(plan, text, options);
    return fix ? QString() : fix.error().message;
}

QuickFixes::Result QuickFixes::fixAll(QStringView text, const PlanOptions &planOptions,
                                      const BuildCheckOptions &options)
{
    Result result;
    result.text = text.toString();
    BuildCheckOptions current = options;
    current.stagecraftRules = true; // most fixes answer Stagecraft's findings
    // Each round applies the fixes that do not touch each other; a file of many findings
    // needs few rounds, and the bound keeps a fix that undoes another from looping.
    for (int round = 0; round < 8; ++round) {
        const BuildPlan plan = BuildPlan::fromText(result.text, planOptions);
        const Diagnostics diagnostics = BuildChecks::run(plan, current);
        QList<QuickFix> chosen;
        for (const Diagnostic &d : diagnostics) {
            for (const QuickFix &fix : forDiagnostic(plan, result.text, d, current)) {
                const bool clashes = std::any_of(chosen.cbegin(), chosen.cend(),
                                                 [&](const QuickFix &other) { return other.overlaps(fix); });
                if (!clashes)
                    chosen.append(fix);
                break; // one fix per finding
            }
        }
        if (chosen.isEmpty())
            break;
        QList<TextEdit> edits;
        for (const QuickFix &fix : std::as_const(chosen)) {
            edits += fix.edits;
            for (const FileWrite &file : fix.files) {
                result.files.removeIf([&](const FileWrite &f) { return f.path == file.path; });
                result.files.append(file);
                if (file.path == QLatin1String(".dockerignore")) {
                    current.dockerignoreText = file.text;
                    // The entries just written are ignored from now on.
                    const auto before = current.isIgnoredByDockerignore;
                    const QStringList added = file.text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
                    current.isIgnoredByDockerignore = [before, added](const QString &path) {
                        for (const QString &entry : added) {
                            const QRegularExpression glob(
                                QRegularExpression::wildcardToRegularExpression(entry));
                            if (entry == path || glob.match(path).hasMatch())
                                return true;
                        }
                        return before && before(path);
                    };
                }
            }
            result.applied.append(fix.title);
        }
        Expected<QString> next = QuickFix::apply(result.text, edits);
        if (!next || *next == result.text)
            break;
        result.text = *next;
    }
    // What is still reported and had no fix to offer says why, rather than nothing.
    const BuildPlan plan = BuildPlan::fromText(result.text, planOptions);
    for (const Diagnostic &d : BuildChecks::run(plan, current))
        if (const QString why = declined(plan, result.text, d, current); !why.isEmpty())
            result.declined.append(QStringLiteral("line %1: %2").arg(d.range.start.line).arg(why));
    return result;
}

} // namespace stagecraft
