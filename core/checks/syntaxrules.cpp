#include "core/checks/syntaxrules.h"

#include "core/checks/checktext.h"

#include <QSet>

#include <algorithm>
#include <span>

namespace stagecraft {

using checktext::isLower;
using checktext::isUpper;

SyntaxRules::SyntaxRules(const BuildPlan &plan, CheckSession &session)
    : m_plan(plan)
    , m_df(plan.dockerfile())
    , m_session(session)
{}

void SyntaxRules::run()
{
    checkNoEmptyContinuation();
    checkInstructions();
    if (!m_plan.stages().isEmpty()) {
        checkStageDescriptions();
        checkCommandCasing();
    }
}

void SyntaxRules::checkNoEmptyContinuation()
{
    // BuildKit warns once per instruction, at the instruction's last line.
    QSet<const Instruction *> reported;
    const QList<Instruction> &all = m_df.instructions;
    for (const int line : m_df.emptyContinuationLines) {
        // Instructions are in file order and never overlap: only the last one starting
        // above the line can contain it.
        const auto after = std::upper_bound(all.cbegin(), all.cend(), line, [](int l, const Instruction &i) {
            return l <= i.range.start.line;
        });
        if (after == all.cbegin())
            continue;
        const Instruction &ins = *(after - 1);
        if (line <= ins.range.start.line || line > ins.range.end.line || reported.contains(&ins))
            continue;
        reported.insert(&ins);
        const int last = ins.range.end.line;
        m_session.reportAt("NoEmptyContinuation", {{last, 1}, {last, std::max(1, ins.range.end.column)}},
                           QStringLiteral("Empty continuation line"));
    }
}

// The rules BuildKit applies while turning the syntax tree into instructions.
void SyntaxRules::checkInstructions()
{
    for (const Instruction &ins : m_df.instructions) {
        switch (ins.kind) {
        case InstructionKind::Maintainer:
            m_session.report("MaintainerDeprecated", ins, ins.keywordRange,
                             QStringLiteral("Maintainer instruction is deprecated in favor of using label"));
            break;
        case InstructionKind::From: checkFromKeywords(ins); break;
        case InstructionKind::Arg: {
            QStringList keys;
            for (const KeyValue &kv : ins.pairs)
                keys.append(kv.key);
            checkDescription(ins, QStringLiteral("ARG"), keys);
            break;
        }
        default: break;
        }
    }
}

void SyntaxRules::checkFromKeywords(const Instruction &from)
{
    if (from.args.size() == 3 && !isLower(from.args.at(2).text)) {
        m_session.report("StageNameCasing", from, from.args.at(2).range,
                         QStringLiteral("Stage name '%1' should be lowercase").arg(from.args.at(2).text));
    }
    if (from.args.size() < 3)
        return;
    const QString &as = from.args.at(1).text;
    const bool fromLower = isLower(from.keyword);
    const bool fromUpper = isUpper(from.keyword);
    // A mixed-case FROM is ConsistentInstructionCasing's business, not this rule's.
    const bool mismatch = (fromLower && !isLower(as)) || (!fromLower && fromUpper && !isUpper(as));
    if (mismatch) {
        m_session.report("FromAsCasing", from, from.args.at(1).range,
                         QStringLiteral("'%1' and '%2' keywords' casing do not match").arg(as, from.keyword));
    }
}

void SyntaxRules::checkStageDescriptions()
{
    for (const PlanStage &stage : m_plan.stages()) {
        if (!stage.name.isEmpty())
            checkDescription(m_df.instructions.at(stage.from.instruction), QStringLiteral("FROM"),
                             {stage.name});
    }
}

void SyntaxRules::checkDescription(const Instruction &ins, const QString &instruction,
                                   const QStringList &keys)
{
    if (ins.comments.isEmpty() || keys.isEmpty())
        return;
    const QString firstWord = ins.comments.last().section(QLatin1Char(' '), 0, 0);
    if (keys.contains(firstWord))
        return;
    const QString example = keys.size() > 1 ? QStringLiteral("<arg_key>") : keys.first();
    m_session.report("InvalidDefinitionDescription", ins,
                     QStringLiteral("Comment for %1 should follow the format: `# %2 <description>`")
                         .arg(instruction, example));
}

void SyntaxRules::checkCommandCasing()
{
    // Only instructions inside stages count (ARGs before the first FROM do not), as in BuildKit.
    const qsizetype first = m_plan.stages().first().from.instruction;
    const std::span<const Instruction> inStages(m_df.instructions.constData() + first,
                                                m_df.instructions.size() - first);
    int lower = 0;
    int upper = 0;
    for (const Instruction &ins : inStages) {
        if (ins.kind == InstructionKind::Unknown)
            continue;
        if (isLower(ins.keyword))
            ++lower;
        else if (isUpper(ins.keyword))
            ++upper;
    }
    const bool majorityLower = lower > upper;
    for (const Instruction &ins : inStages) {
        if (ins.kind == InstructionKind::Unknown)
            continue;
        QString expected;
        if (majorityLower && !isLower(ins.keyword))
            expected = QStringLiteral("lowercase");
        else if (!majorityLower && !isUpper(ins.keyword))
            expected = QStringLiteral("uppercase");
        if (!expected.isEmpty()) {
            m_session.report("ConsistentInstructionCasing", ins, ins.keywordRange,
                             QStringLiteral("Command '%1' should match the case of the command majority (%2)")
                                 .arg(ins.keyword, expected));
        }
    }
}

} // namespace stagecraft
