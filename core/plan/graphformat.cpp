#include "core/plan/graphformat.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace stagecraft {

namespace {

QJsonValue lineOrNull(int value)
{
    return value > 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue stringOrNull(const QString &value)
{
    return value.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

// A dot double-quoted string body: only `"` and `\` need escaping; newlines become \n.
QString dotQuote(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (const QChar c : text) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        if (c == QLatin1Char('\n')) {
            out += QLatin1String("\\n");
            continue;
        }
        out += c;
    }
    out += QLatin1Char('"');
    return out;
}

QString edgeSource(const StageGraph &graph, const Edge &edge)
{
    if (edge.isExternal())
        return QStringLiteral("image ") + edge.fromImage;
    const Stage &stage = graph.stages.at(edge.fromStage);
    return stage.name.isEmpty() ? QStringLiteral("stage %1").arg(stage.index) : stage.name;
}

} // namespace

QString GraphFormat::edgeKindName(EdgeKind kind)
{
    switch (kind) {
    case EdgeKind::From: return QStringLiteral("from");
    case EdgeKind::Copy: return QStringLiteral("copy");
    case EdgeKind::Mount: return QStringLiteral("mount");
    }
    return {};
}

QString GraphFormat::toText(const StageGraph &graph)
{
    QString out;
    if (graph.stages.isEmpty())
        out += QStringLiteral("no stages\n");
    for (const Stage &stage : graph.stages) {
        out += QStringLiteral("stage %1").arg(stage.index);
        if (!stage.name.isEmpty())
            out += QStringLiteral(" \"%1\"").arg(stage.name);
        out += QStringLiteral(" FROM %1").arg(stage.base.isEmpty() ? QStringLiteral("?") : stage.base);
        if (!stage.platform.isEmpty())
            out += QStringLiteral(" (platform %1)").arg(stage.platform);
        out += QStringLiteral(", line %1, %2 step%3")
                   .arg(stage.fromRange.start.line)
                   .arg(stage.stepCount)
                   .arg(stage.stepCount == 1 ? QString() : QStringLiteral("s"));
        if (stage.index == graph.target)
            out += QStringLiteral(" [target]");
        if (!stage.needed)
            out += QStringLiteral(" (%1)").arg(stage.notNeededReason);
        out += QLatin1Char('\n');
        for (const Edge &edge : graph.edges) {
            if (edge.toStage != stage.index || edge.kind == EdgeKind::From)
                continue;
            out += QStringLiteral("  %1 from %2").arg(edgeKindName(edge.kind), edgeSource(graph, edge));
            if (!edge.paths.isEmpty())
                out += QStringLiteral(": %1").arg(edge.paths.join(QLatin1Char(' ')));
            out += QStringLiteral(" (line %1)\n").arg(edge.range.start.line);
        }
    }
    if (!graph.levels.isEmpty()) {
        out += QStringLiteral("build order (stages on one level can build in parallel):\n");
        for (int l = 0; l < graph.levels.size(); ++l) {
            QStringList names;
            for (int s : graph.levels.at(l)) {
                const Stage &stage = graph.stages.at(s);
                names.append(stage.name.isEmpty() ? QStringLiteral("stage %1").arg(s) : stage.name);
            }
            out += QStringLiteral("  level %1: %2\n").arg(l).arg(names.join(QStringLiteral(", ")));
        }
    }
    if (!graph.externalImages.isEmpty())
        out += QStringLiteral("external images: %1\n").arg(graph.externalImages.join(QStringLiteral(", ")));
    for (const Diagnostic &d : graph.diagnostics) {
        out += severityName(d.severity);
        if (d.range.isValid())
            out += QStringLiteral(" (line %1)").arg(d.range.start.line);
        out += QStringLiteral(": %1\n").arg(d.message);
    }
    return out;
}

QJsonObject GraphFormat::toJsonObject(const StageGraph &graph)
{
    QJsonArray stages;
    for (const Stage &stage : graph.stages) {
        QJsonObject o;
        o.insert(QStringLiteral("index"), stage.index);
        o.insert(QStringLiteral("name"), stringOrNull(stage.name));
        o.insert(QStringLiteral("base"), stage.base);
        o.insert(QStringLiteral("platform"), stringOrNull(stage.platform));
        o.insert(QStringLiteral("line"), lineOrNull(stage.fromRange.start.line));
        o.insert(QStringLiteral("needed"), stage.needed);
        stages.append(o);
    }
    QJsonArray edges;
    for (const Edge &edge : graph.edges) {
        QJsonObject o;
        o.insert(QStringLiteral("from"),
                 edge.isExternal() ? QJsonValue(edge.fromImage) : QJsonValue(edge.fromStage));
        o.insert(QStringLiteral("to"), edge.toStage);
        o.insert(QStringLiteral("kind"), edgeKindName(edge.kind));
        o.insert(QStringLiteral("line"), lineOrNull(edge.range.start.line));
        edges.append(o);
    }
    QJsonArray levels;
    for (const QList<int> &level : graph.levels) {
        QJsonArray a;
        for (int s : level)
            a.append(s);
        levels.append(a);
    }
    QJsonArray diagnostics;
    for (const Diagnostic &d : graph.diagnostics) {
        QJsonObject o;
        o.insert(QStringLiteral("severity"), severityName(d.severity));
        o.insert(QStringLiteral("line"), lineOrNull(d.range.start.line));
        o.insert(QStringLiteral("column"), lineOrNull(d.range.isValid() ? d.range.start.column : 0));
        o.insert(QStringLiteral("rule"), stringOrNull(d.rule));
        o.insert(QStringLiteral("message"), d.message);
        diagnostics.append(o);
    }
    QJsonObject root;
    root.insert(QStringLiteral("stages"), stages);
    root.insert(QStringLiteral("edges"), edges);
    root.insert(QStringLiteral("target"), graph.target >= 0 ? QJsonValue(graph.target) : QJsonValue());
    root.insert(QStringLiteral("levels"), levels);
    root.insert(QStringLiteral("diagnostics"), diagnostics);
    return root;
}

QByteArray GraphFormat::toJson(const StageGraph &graph)
{
    return QJsonDocument(toJsonObject(graph)).toJson(QJsonDocument::Indented);
}

QString GraphFormat::toDot(const StageGraph &graph)
{
    QString out = QStringLiteral("digraph stages {\n"
                                 "  rankdir=LR;\n"
                                 "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#e8f0fe\", "
                                 "fontname=\"Helvetica\"];\n"
                                 "  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for (int i = 0; i < graph.externalImages.size(); ++i)
        out += QStringLiteral("  image%1 [label=%2, shape=ellipse, style=dashed];\n")
                   .arg(i)
                   .arg(dotQuote(graph.externalImages.at(i)));
    for (const Stage &stage : graph.stages) {
        QString label = stage.name.isEmpty() ? QStringLiteral("stage %1").arg(stage.index)
                                             : QStringLiteral("%1: %2").arg(stage.index).arg(stage.name);
        label += QStringLiteral("\nFROM %1").arg(stage.base);
        if (!stage.platform.isEmpty())
            label += QStringLiteral("\n--platform=%1").arg(stage.platform);
        QString attributes;
        if (stage.index == graph.target)
            attributes += QStringLiteral(", peripheries=2, fillcolor=\"#c6dafc\"");
        if (!stage.needed)
            attributes +=
                QStringLiteral(", style=\"rounded,dashed\", color=gray50, fontcolor=gray50, tooltip=%1")
                    .arg(dotQuote(stage.notNeededReason));
        out += QStringLiteral("  stage%1 [label=%2%3];\n").arg(stage.index).arg(dotQuote(label), attributes);
    }
    // One arrow per (source, stage, kind): three COPY lines from one stage read as one link.
    QSet<QString> drawn;
    for (const Edge &edge : graph.edges) {
        const QString source =
            edge.isExternal() ? QStringLiteral("image%1").arg(graph.externalImages.indexOf(edge.fromImage))
                              : QStringLiteral("stage%1").arg(edge.fromStage);
        const QString key = source + QLatin1Char('>') + QString::number(edge.toStage) + QLatin1Char(':') +
                            edgeKindName(edge.kind);
        if (drawn.contains(key))
            continue;
        drawn.insert(key);
        QString style;
        switch (edge.kind) {
        case EdgeKind::From: style = QStringLiteral("style=solid"); break;
        case EdgeKind::Copy: style = QStringLiteral("style=dashed, label=\"COPY\""); break;
        case EdgeKind::Mount: style = QStringLiteral("style=dotted, label=\"mount\""); break;
        }
        out += QStringLiteral("  %1 -> stage%2 [%3];\n").arg(source).arg(edge.toStage).arg(style);
    }
    out += QStringLiteral("}\n");
    return out;
}

} // namespace stagecraft
