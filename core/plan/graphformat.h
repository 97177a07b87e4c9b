// Writes a StageGraph for people and programs: a plain-text summary, JSON (a stable
// interface for scripts and CI) and Graphviz dot (for `dot -Tsvg` and slides).
#pragma once

#include "core/plan/stagegraph.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace stagecraft {

class GraphFormat
{
public:
    // One line per stage with its base, edges into it and why it is skipped, then the
    // build levels, external images and diagnostics.
    static QString toText(const StageGraph &graph);

    // {stages: [{index, name|null, base, platform|null, line, needed}],
    //  edges: [{from: index|"image", to, kind: "from"|"copy"|"mount", line}],
    //  target: index|null, levels: [[index…]…],
    //  diagnostics: [{severity, line|null, column|null, rule|null, message}]}
    static QJsonObject toJsonObject(const StageGraph &graph);
    static QByteArray toJson(const StageGraph &graph); // indented, ends with a newline

    // A digraph: boxes for stages (the target drawn double, stages not needed greyed),
    // ellipses for external images; solid FROM, dashed COPY, dotted mount edges.
    static QString toDot(const StageGraph &graph);

    static QString edgeKindName(EdgeKind kind); // "from", "copy", "mount"
};

} // namespace stagecraft
