#include "core/builder/layertree.h"

namespace stagecraft {

LayerTree::LayerTree(const QStringList &lowerDirs)
{
    auto view = LayeredView::open(lowerDirs);
    if (view)
        m_view = std::move(*view);
    else
        m_error = view.error().message;
}

std::optional<LayeredView::Entry> LayerTree::entry(const QString &relative) const
{
    auto found = m_view.find(relative, false);
    if (!found)
        return std::nullopt;
    return *found;
}

std::optional<QString> LayerTree::find(const QString &relative) const
{
    const auto e = entry(relative);
    if (!e)
        return std::nullopt;
    return e->hostPath;
}

bool LayerTree::isDirectory(const QString &relative) const
{
    const auto e = entry(relative);
    return e && e->isDirectory();
}

QStringList LayerTree::list(const QString &relative) const
{
    const auto e = entry(relative);
    if (!e || !e->isDirectory())
        return {};
    return m_view.list(e->path).value_or(QStringList());
}

QString LayerTree::resolveParents(const QString &relative) const
{
    return m_view.canonicalPath(relative, false).value_or(relative);
}

QString LayerTree::resolve(const QString &relative) const
{
    return m_view.canonicalPath(relative, true).value_or(relative);
}

} // namespace stagecraft
