// A read-only view of a stage's root filesystem through its extracted layer
// directories (overlay format, lowest first) without mounting anything: what COPY
// --from, --chown name lookups and destination checks read. Names resolve inside the
// stage through core/fs's LayeredView: symlinks are followed as the container would
// follow them, never on the host.
#pragma once

#include "core/fs/layeredview.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class LayerTree
{
public:
    // A directory that cannot be opened leaves the view empty; `error()` says why.
    explicit LayerTree(const QStringList &lowerDirs);

    // Host path of `relative` ("a/b", no leading "/") as the stage sees it (symlinks in
    // the parents resolved inside the stage, the entry itself not followed), or nothing
    // when it does not exist. Every directory on the way is a real one in its layer.
    std::optional<QString> find(const QString &relative) const;
    std::optional<LayeredView::Entry> entry(const QString &relative) const;
    // Names in the directory `relative` as the stage sees it, sorted.
    QStringList list(const QString &relative) const;
    bool isDirectory(const QString &relative) const;

    // `relative` with symlinks in its parent components resolved inside the tree.
    QString resolveParents(const QString &relative) const;
    // The same with a last symlink followed too: where a COPY into `relative` lands.
    QString resolve(const QString &relative) const;

    const QString &error() const { return m_error; }

private:
    LayeredView m_view;
    QString m_error;
};

} // namespace stagecraft
