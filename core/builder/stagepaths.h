// Names inside a stage's filesystem as the steps read them: paths cleaned so they cannot
// climb out, COPY --from globs expanded over a stage's layers, --chown names looked up in
// the stage's /etc/passwd and /etc/group.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class LayerTree;

// A path inside an archive or a stage cleaned to "a/b" form; nothing when it climbs out.
std::optional<QString> cleanInside(const QString &path);
// The id of user or group `name` (or the number it is) in `file` of the stage, for --chown.
std::optional<qint64> lookupId(const LayerTree &tree, const QString &file, const QString &name);
// The stage-relative paths a COPY --from source names: globs expanded component by
// component over the stage's tree (Go filepath.Match per component), sorted.
QStringList expandTreeGlob(const LayerTree &tree, const QString &pattern);

} // namespace stagecraft
