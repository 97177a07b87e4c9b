// A read-only view of a stage's root filesystem through its extracted layer
// directories (overlay format, lowest first) without mounting anything: what COPY
// --from, --chown name lookups and destination checks read.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace stagecraft {

class LayerTree
{
public:
    explicit LayerTree(QStringList lowerDirs)
        : m_lowers(std::move(lowerDirs))
    {}

    // Host path of `relative` ("a/b", no leading "/") as the stage sees it (the entry
    // itself, symlinks not followed), or nothing when it does not exist.
    std::optional<QString> find(const QString &relative) const;
    // Names in the directory `relative` as the stage sees it, sorted.
    QStringList list(const QString &relative) const;
    bool isDirectory(const QString &relative) const;

    // `relative` with symlinks in its parent components resolved inside the tree.
    QString resolveParents(const QString &relative) const;

private:
    QStringList m_lowers;
};

} // namespace stagecraft
