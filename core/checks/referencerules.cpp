#include "core/checks/referencerules.h"

#include "core/checks/checktext.h"

#include <QRegularExpression>

#include <algorithm>

namespace stagecraft {

using checktext::quoted;

namespace {

bool isNameChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

// ARGs the build or its tools read without the Dockerfile naming them.
bool isReadImplicitly(const QString &name)
{
    static const QSet<QString> kNames = {
        QStringLiteral("HTTP_PROXY"),  QStringLiteral("http_proxy"),        QStringLiteral("HTTPS_PROXY"),
        QStringLiteral("https_proxy"), QStringLiteral("FTP_PROXY"),         QStringLiteral("ftp_proxy"),
        QStringLiteral("NO_PROXY"),    QStringLiteral("no_proxy"),          QStringLiteral("ALL_PROXY"),
        QStringLiteral("all_proxy"),   QStringLiteral("SOURCE_DATE_EPOCH"),
    };
    return kNames.contains(name) || name.startsWith(QLatin1String("BUILDKIT_"));
}

} // namespace

ReferenceRules::ReferenceRules(const BuildPlan &plan, CheckSession &session)
    : m_plan(plan)
    , m_df(plan.dockerfile())
    , m_session(session)
{}

QSet<QString> ReferenceRules::variablesIn(QStringView text)
{
    QSet<QString> out;
    const qsizetype n = text.size();
    for (qsizetype i = 0; i + 1 < n; ++i) {
        if (text.at(i) != QLatin1Char('$'))
            continue;
        qsizetype start = i + 1;
        if (text.at(start) == QLatin1Char('{'))
            ++start;
        qsizetype end = start;
        while (end < n && isNameChar(text.at(end)))
            ++end;
        if (end > start)
            out.insert(text.mid(start, end - start).toString());
        i = end - 1;
    }
    return out;
}

QSet<QString> ReferenceRules::referencesOf(const Instruction &ins) const
{
    QSet<QString> out = variablesIn(ins.original);
    for (const Heredoc &doc : ins.heredocs)
        out.unite(variablesIn(doc.content));
    if (ins.onbuild)
        out.unite(referencesOf(*ins.onbuild));
    return out;
}

void ReferenceRules::run()
{
    checkUnusedStages();
    checkMetaArgs();
    for (const Stage &stage : m_plan.graph().stages)
        checkStageArgs(stage);
    checkFromReferences();
}

void ReferenceRules::checkUnusedStages()
{
    const StageGraph &graph = m_plan.graph();
    if (graph.stages.size() < 2)
        return;
    QSet<int> used;
    for (const Edge &edge : graph.edges)
        if (edge.fromStage >= 0 && edge.fromStage != edge.toStage)
            used.insert(edge.fromStage);
    // `FROM binaries-$TARGETOS` picks a stage by platform: every stage it could name is used.
    QList<QRegularExpression> dynamic;
    static const QRegularExpression kVariable(QStringLiteral("\\$\\{[^}]*\\}|\\$[A-Za-z_][A-Za-z0-9_]*"));
    const auto addDynamic = [&](const QString &reference) {
        if (!reference.contains(QLatin1Char('$')) || dynamic.size() >= 64)
            return;
        QString pattern;
        qsizetype at = 0;
        for (auto it = kVariable.globalMatch(reference); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            pattern +=
                QRegularExpression::escape(reference.mid(at, m.capturedStart() - at)) + QStringLiteral(".*");
            at = m.capturedEnd();
        }
        pattern += QRegularExpression::escape(reference.mid(at));
        dynamic.append(QRegularExpression(QRegularExpression::anchoredPattern(pattern),
                                          QRegularExpression::CaseInsensitiveOption));
    };
    for (const Instruction &ins : m_df.instructions) {
        if (ins.kind == InstructionKind::From && !ins.args.isEmpty())
            addDynamic(ins.args.first().text);
        for (const Flag &flag : ins.flags) {
            if (flag.name == QLatin1String("from")) {
                addDynamic(flag.value);
            } else if (flag.name == QLatin1String("mount")) {
                for (const QString &field : flag.value.split(QLatin1Char(',')))
                    if (field.startsWith(QLatin1String("from=")))
                        addDynamic(field.mid(5));
            }
        }
    }
    for (const Stage &stage : graph.stages) {
        if (stage.index == graph.stages.size() - 1 || stage.index == graph.target ||
            used.contains(stage.index) || stage.fromInstruction < 0)
            continue;
        const bool named = std::any_of(dynamic.cbegin(), dynamic.cend(), [&](const QRegularExpression &re) {
            return !stage.name.isEmpty() && re.match(stage.name).hasMatch();
        });
        if (named)
            continue;
        const Instruction &from = m_df.instructions.at(stage.fromInstruction);
        if (stage.name.isEmpty()) {
            m_session.report("UnusedStage", from, from.keywordRange,
                             QStringLiteral("Stage %1 is used by no other stage and has no name, so no build "
                                            "needs it: remove it, or name it to build it with --target")
                                 .arg(stage.index));
        } else {
            m_session.report(
                "UnusedStage", from, from.keywordRange,
                QStringLiteral("Stage %1 is used by no other stage: it is built only with --target %2")
                    .arg(quoted(stage.name), stage.name));
        }
    }
}

void ReferenceRules::checkMetaArgs()
{
    const StageGraph &graph = m_plan.graph();
    const int firstFrom =
        graph.stages.isEmpty() ? int(m_df.instructions.size()) : graph.stages.first().fromInstruction;
    if (firstFrom <= 0)
        return;
    // What reads a meta ARG: a FROM line (and a later meta ARG's default), or a stage that
    // declares it again.
    QSet<QString> read;
    for (const Stage &stage : graph.stages) {
        if (stage.fromInstruction >= 0)
            read.unite(referencesOf(m_df.instructions.at(stage.fromInstruction)));
    }
    for (const Instruction &ins : m_df.instructions) {
        if (ins.kind != InstructionKind::Arg)
            continue;
        for (const KeyValue &kv : ins.pairs) {
            if (&ins - m_df.instructions.constData() >= firstFrom)
                read.insert(kv.key);
            else
                read.unite(variablesIn(kv.value));
        }
    }
    for (int i = 0; i < firstFrom; ++i) {
        const Instruction &ins = m_df.instructions.at(i);
        if (ins.kind != InstructionKind::Arg)
            continue;
        for (const KeyValue &kv : ins.pairs) {
            if (read.contains(kv.key) || isReadImplicitly(kv.key))
                continue;
            m_session.report(
                "UnusedArg", ins, kv.range,
                QStringLiteral("ARG %1 is declared before the first FROM, but no FROM uses it and no "
                               "stage declares it again, so nothing sees its value")
                    .arg(kv.key));
        }
    }
}

void ReferenceRules::checkStageArgs(const Stage &stage)
{
    if (stage.fromInstruction < 0 || stage.lastInstruction < stage.fromInstruction ||
        stage.lastInstruction >= m_df.instructions.size())
        return;
    // A stage others build FROM passes its ARGs on; what they read is not tracked here.
    for (const Stage &other : m_plan.graph().stages)
        if (other.baseStage == stage.index)
            return;
    QSet<QString> readAfter;
    bool runAfter = false;
    for (int i = stage.lastInstruction; i > stage.fromInstruction; --i) {
        const Instruction &ins = m_df.instructions.at(i);
        if (ins.kind == InstructionKind::Onbuild)
            return; // triggers run in another build
        if (ins.kind == InstructionKind::Arg) {
            // `ARG A=1 B=$A`: a later pair reads an earlier one.
            QSet<QString> readHere;
            for (qsizetype p = ins.pairs.size() - 1; p >= 0; --p) {
                const KeyValue &kv = ins.pairs.at(p);
                if (!runAfter && !readAfter.contains(kv.key) && !readHere.contains(kv.key) &&
                    !isReadImplicitly(kv.key)) {
                    m_session.report(
                        "UnusedArg", ins, kv.range,
                        QStringLiteral("ARG %1 is read by no later instruction of the stage and no "
                                       "RUN follows it, so its value goes nowhere")
                            .arg(kv.key));
                }
                readHere.unite(variablesIn(kv.value));
            }
            readAfter.unite(readHere);
            continue;
        }
        if (ins.kind == InstructionKind::Run)
            runAfter = true;
        readAfter.unite(referencesOf(ins));
    }
}

void ReferenceRules::checkFromReferences()
{
    const StageGraph &graph = m_plan.graph();
    QStringList names;
    QSet<QString> nameSet;
    for (const Stage &stage : graph.stages) {
        if (!stage.name.isEmpty()) {
            names.append(stage.name);
            nameSet.insert(stage.name);
        }
    }
    for (const Edge &edge : graph.edges) {
        if (edge.kind == EdgeKind::From || edge.fromStage >= 0 || edge.instruction < 0 ||
            edge.instruction >= m_df.instructions.size())
            continue;
        const QString &value = edge.fromImage;
        // Something shaped like an image reference (a registry, a tag, a path) is one.
        static const QString kImageChars = QStringLiteral("/:.@$");
        bool imageLike = value.isEmpty() || value == QLatin1String("scratch");
        for (const QChar c : kImageChars)
            imageLike = imageLike || value.contains(c);
        if (imageLike)
            continue;
        if (nameSet.contains(value.toLower())) {
            // A stage of that name exists, but not before this one: names only look back.
            for (const Stage &named : graph.stages) {
                if (named.name != value.toLower())
                    continue;
                const QString where = named.index == edge.toStage
                                          ? QStringLiteral("this stage")
                                          : QStringLiteral("the stage %1 (line %2), which comes later")
                                                .arg(named.name)
                                                .arg(named.fromRange.start.line);
                m_session.report(
                    "LaterStageReference", m_df.instructions.at(edge.instruction), edge.range,
                    QStringLiteral("--from=%1 names %2, but a stage name refers only to earlier stages: the "
                                   "build pulls an image named %3. Move the stage above, or refer to it "
                                   "by index (%4)")
                        .arg(value, where, quoted(value))
                        .arg(named.index));
                break;
            }
            continue;
        }
        QString message =
            QStringLiteral("--from=%1 names no stage of this Dockerfile, so the build pulls an image "
                           "named %2")
                .arg(value, quoted(value));
        const QString suggestion = m_session.suggestions().closest(value.toLower(), names);
        if (!suggestion.isEmpty())
            message += QStringLiteral(" (did you mean %1?)").arg(suggestion);
        m_session.report("UnknownStageReference", m_df.instructions.at(edge.instruction), edge.range,
                         message);
    }
}

} // namespace stagecraft
